"""Import a USDA FoodData Central CSV download (the full release, or Foundation, SR Legacy, FNDDS or
Branded alone): every food with a magnesium value, with its household portions and, for branded
products, brand, GTIN and serving.

    python manage.py import_fdc ~/Downloads/FoodData_Central_csv_2025-04-24 --release "FDC 2025-04"

Streams (memory stays flat), shows a progress bar, and ends with a summary; a second run changes
nothing, a newer release updates values and adds portions. Foods are keyed by FDC ID.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from foods.importers.fdc import LayoutError, count_foods, read_folder
from foods.importers.loader import import_records
from foods.models import CatalogueImport
from foods.progress import progress_bar


class Command(BaseCommand):
    help = "Import a USDA FoodData Central CSV download (a folder of food.csv, food_nutrient.csv, …)."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The unzipped download: the folder that holds food.csv.")
        parser.add_argument("--release", help='e.g. "FDC 2025-04" (default: the folder name)')

    def handle(self, folder, release, **options):
        folder = Path(folder)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        release = release or folder.name
        started = time.monotonic()
        try:
            total = count_foods(folder) if (folder / "food.csv").exists() else None
            with progress_bar(total=total, stream=self.stderr) as advance:
                summary = import_records(read_folder(folder, release=release), progress=advance)
        except LayoutError as exc:
            raise CommandError(str(exc)) from exc
        except (KeyError, UnicodeDecodeError) as exc:
            raise CommandError(f"{folder}: a file is not in the FoodData Central layout ({exc}).") from exc
        lines = [
            f"Imported {folder.name} ({release}) in {time.monotonic() - started:.1f} s.",
            *summary.lines(),
        ]
        CatalogueImport.objects.create(
            dataset="usda-fdc", release=release, sha256="", summary="\n".join(lines)
        )
        for line in lines:
            self.stdout.write(line)
