"""The everyday foods: a shipped list (``fixtures/everyday_foods.csv``) of a few hundred foods people
log every day, each mapped to its best catalogue row with the reason for it. A listed food carries the
name people call it (``Food.common_name``: "coffee" for "Beverages, coffee, brewed, prepared with tap
water"): search finds it by that name too and ranks it before other matches (foods/search.py).

Columns: ``everyday_name``, ``data_type`` (``curated``, ``sr_legacy_food`` or ``survey_fndds_food``),
``ndb_no`` (SR 28 rows: the NDB number, their stable key), ``catalogue_name`` (the row's exact name),
``reason``. ``apply()`` runs after every import (``manage.py import_foods``): loading the curated
fixture again rewrites those foods, and the list must survive it.
"""

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from foods.catalogue_cache import bump_catalogue_version
from foods.importers.loader import analyze_catalogue
from foods.models import Food, Origin
from foods.text import fold, search_text_for

LIST = Path(settings.BASE_DIR) / "fixtures" / "everyday_foods.csv"
COLUMNS = ["everyday_name", "data_type", "ndb_no", "catalogue_name", "reason"]


class BadList(ValueError):
    pass


def read_list(path: Path = LIST) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise BadList(f"{path.name}: missing column(s) {', '.join(missing)}")
        rows = list(reader)
    names = [fold(row["everyday_name"]) for row in rows]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise BadList(f"{path.name}: everyday names given twice: {', '.join(repeated)}")
    return rows


def resolve(rows: list[dict]) -> tuple[dict[int, str], list[dict]]:
    """The food id for each row's everyday name, and the rows that name no food of the catalogue."""
    keys = {f"sr28:{row['ndb_no'].strip()}": row for row in rows if row["data_type"] == "sr_legacy_food"}
    found = {}
    for food_id, key in Food.objects.filter(source_key__in=keys).values_list("id", "source_key"):
        found[food_id] = fold(keys[key]["everyday_name"])
    by_name = {
        (row["data_type"], row["catalogue_name"]): row for row in rows if row["data_type"] != "sr_legacy_food"
    }
    named = Food.objects.filter(owner=None, name__in=[name for _, name in by_name]).order_by("id")
    for food_id, name, origin, data_type in named.values_list("id", "name", "origin", "data_type"):
        row = by_name.get(("curated", name) if origin == Origin.CURATED else (data_type, name))
        if row is not None and fold(row["everyday_name"]) not in found.values():
            found[food_id] = fold(row["everyday_name"])
    marked = set(found.values())
    return found, [row for row in rows if fold(row["everyday_name"]) not in marked]


@transaction.atomic
def apply(path: Path = LIST) -> tuple[int, list[dict]]:
    """Mark the listed foods (and unmark the foods no longer listed). Returns how many are marked and
    the rows that name no food of the catalogue."""
    found, missing = resolve(read_list(path))
    stale = Food.objects.exclude(common_name="").exclude(id__in=found)
    changed = []
    for food in [*stale, *Food.objects.filter(id__in=found)]:
        common_name = found.get(food.pk, "")
        text = search_text_for(food.name, food.brand, common_name)
        if food.common_name != common_name or food.search_text != text:
            food.common_name, food.search_text = common_name, text
            changed.append(food)
    if changed:
        Food.objects.bulk_update(changed, ["common_name", "search_text"], batch_size=500)
        bump_catalogue_version()
        analyze_catalogue()
    return len(found), missing
