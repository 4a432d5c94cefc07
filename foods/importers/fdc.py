"""A USDA FoodData Central CSV download, in its published layout (a folder holding ``food.csv``,
``food_nutrient.csv``, ``nutrient.csv``, ``food_portion.csv``, ``measure_unit.csv``,
``food_category.csv`` and, in the branded or full download, ``branded_food.csv``).

Memory stays flat whatever the size of the release (the full one has tens of millions of nutrient
rows): the magnesium amounts, portions and branded details are first copied into a temporary SQLite
file on disk, indexed by ``fdc_id``; then ``food.csv`` is read in order and each chunk of foods looks
its details up there. Every food with a magnesium amount (nutrient "Magnesium, Mg", id 1090, mg per
100 g) becomes a record keyed ``fdc:<fdc_id>``, with every household portion and its gram weight and,
for a branded product, its brand, GTIN and serving.
"""

import csv
import sqlite3
import tempfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from foods.importers.records import DATA_TYPE_LABELS, MAX_MG_PER_100G, FoodRecord, Skip, add_portion
from foods.text import display_name, normalize_gtin

MAGNESIUM_NAME = "Magnesium, Mg"
MAGNESIUM_ID = "1090"
REQUIRED = ["food.csv", "food_nutrient.csv"]
CHUNK = 1000


class LayoutError(ValueError):
    pass


def _rows(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def _number(raw) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _magnesium_id(folder: Path) -> str:
    """The nutrient id of magnesium in this release (1090 in every release so far)."""
    path = folder / "nutrient.csv"
    if path.exists():
        for row in _rows(path):
            if (
                row.get("name", "").strip() == MAGNESIUM_NAME
                and row.get("unit_name", "").strip().upper() == "MG"
            ):
                return row["id"].strip()
    return MAGNESIUM_ID


def count_foods(folder: Path) -> int:
    with (folder / "food.csv").open(encoding="utf-8-sig") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def read_folder(folder: Path, *, release: str) -> Iterator[FoodRecord | Skip]:
    folder = Path(folder)
    missing = [name for name in REQUIRED if not (folder / name).exists()]
    if missing:
        raise LayoutError(f"{folder} is not a FoodData Central CSV download: no {', '.join(missing)}")
    with tempfile.TemporaryDirectory(prefix="fdc-import-") as tmp:
        db = sqlite3.connect(Path(tmp) / "stage.sqlite3")
        try:
            _stage(db, folder)
            yield from _foods(db, folder, release)
        finally:
            db.close()


def _stage(db: sqlite3.Connection, folder: Path) -> None:
    db.executescript(
        """
        CREATE TABLE mg (fdc_id TEXT PRIMARY KEY, amount TEXT);
        CREATE TABLE portion (fdc_id TEXT, seq INTEGER, amount TEXT, unit_id TEXT, description TEXT,
                              modifier TEXT, grams TEXT);
        CREATE TABLE branded (fdc_id TEXT PRIMARY KEY, owner TEXT, brand TEXT, gtin TEXT, serving TEXT,
                              serving_unit TEXT, household TEXT, category TEXT);
        """
    )
    magnesium = _magnesium_id(folder)
    db.executemany(
        "INSERT OR REPLACE INTO mg VALUES (?, ?)",
        (
            (row["fdc_id"].strip(), row["amount"].strip())
            for row in _rows(folder / "food_nutrient.csv")
            if row.get("nutrient_id", "").strip() == magnesium
        ),
    )
    if (folder / "food_portion.csv").exists():
        db.executemany(
            "INSERT INTO portion VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    row["fdc_id"].strip(),
                    int(_number(row.get("seq_num")) or 0),
                    row.get("amount", ""),
                    row.get("measure_unit_id", "").strip(),
                    row.get("portion_description", ""),
                    row.get("modifier", ""),
                    row.get("gram_weight", ""),
                )
                for row in _rows(folder / "food_portion.csv")
            ),
        )
        db.execute("CREATE INDEX portion_fdc ON portion (fdc_id)")
    if (folder / "branded_food.csv").exists():
        db.executemany(
            "INSERT OR REPLACE INTO branded VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    row["fdc_id"].strip(),
                    row.get("brand_owner", ""),
                    row.get("brand_name", ""),
                    row.get("gtin_upc", ""),
                    row.get("serving_size", ""),
                    row.get("serving_size_unit", ""),
                    row.get("household_serving_fulltext", ""),
                    row.get("branded_food_category", ""),
                )
                for row in _rows(folder / "branded_food.csv")
            ),
        )
    db.commit()


def _small_table(path: Path, key: str, value: str) -> dict[str, str]:
    return {row[key].strip(): row[value].strip() for row in _rows(path)} if path.exists() else {}


def _foods(db: sqlite3.Connection, folder: Path, release: str) -> Iterator[FoodRecord | Skip]:
    units = _small_table(folder / "measure_unit.csv", "id", "name")
    categories = _small_table(folder / "food_category.csv", "id", "description")
    chunk: list[dict] = []
    for row in _rows(folder / "food.csv"):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield from _chunk(db, chunk, units, categories, release)
            chunk = []
    yield from _chunk(db, chunk, units, categories, release)


def _lookup(db, table: str, ids: list[str], columns: str) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    marks = ",".join("?" * len(ids))
    order = " ORDER BY fdc_id, seq" if table == "portion" else ""
    for fdc_id, *rest in db.execute(
        f"SELECT fdc_id, {columns} FROM {table} WHERE fdc_id IN ({marks}){order}", ids
    ):
        found.setdefault(fdc_id, []).append(tuple(rest))
    return found


def _chunk(db, rows: list[dict], units: dict, categories: dict, release: str) -> Iterator[FoodRecord | Skip]:
    if not rows:
        return
    ids = [row["fdc_id"].strip() for row in rows]
    magnesium = _lookup(db, "mg", ids, "amount")
    portions = _lookup(db, "portion", ids, "amount, unit_id, description, modifier, grams")
    branded = _lookup(db, "branded", ids, "owner, brand, gtin, serving, serving_unit, household, category")
    for row, fdc_id in zip(rows, ids, strict=True):
        name = (row.get("description") or "").strip()
        if fdc_id not in magnesium:
            yield Skip("no magnesium value")
            continue
        if not name:
            yield Skip("no name")
            continue
        amount = _number(magnesium[fdc_id][0][0])
        if amount is None or amount < 0:
            yield Skip("magnesium is not a number")
            continue
        if amount > MAX_MG_PER_100G:
            yield Skip("implausible magnesium value (over 10,000 mg per 100 g)")
            continue
        data_type = (row.get("data_type") or "").strip()
        record = FoodRecord(
            source_key=f"fdc:{fdc_id}",
            name=display_name(name),
            data_type=data_type,
            magnesium_mg_per_100g=amount,
            source=f"USDA FoodData Central, {DATA_TYPE_LABELS.get(data_type, data_type)}, FDC ID {fdc_id}",
            release=release,
            source_id=fdc_id,
            source_category=categories.get((row.get("food_category_id") or "").strip(), ""),
        )
        for portion in portions.get(fdc_id, []):
            add_portion(record.portions, _portion_label(portion, units), portion[4])
        for owner, brand, gtin, serving, serving_unit, household, category in branded.get(fdc_id, []):
            record.brand = display_name((brand or owner or "").strip())
            record.gtin = normalize_gtin((gtin or "").strip()) or ""
            record.source_category = record.source_category or category.strip()
            if (serving_unit or "").strip().lower() in ("g", "grm"):
                label = " ".join((household or "").split()) or f"1 serving ({_number(serving)} g)"
                add_portion(record.portions, label[:100], serving)
        yield record


def _portion_label(portion: tuple, units: dict) -> str | None:
    """ "1 cup, chopped" from the portion's amount, unit (or description) and modifier."""
    amount, unit_id, description, modifier, _grams = portion
    description = " ".join((description or "").split())
    if description and description.lower() not in ("quantity not specified", "undetermined"):
        return description[:100]
    unit = units.get(unit_id, "")
    unit = "" if unit.lower() in ("undetermined", "") else unit
    number = _number(amount)
    amount_text = f"{number.normalize():f}" if number is not None and number > 0 else ""
    label = " ".join(part for part in (amount_text, unit, " ".join((modifier or "").split())) if part)
    if not label or not (unit or (modifier or "").strip()):
        return None
    return label[:100]
