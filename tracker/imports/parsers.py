"""Reading another tracker's history: Cronometer's "Food & Recipe Entries" export and this project's
plain CSV template. Pure functions on the file's bytes: no database.

A file is refused whole (ImportRefused, a clear message) when it cannot be read as such a file: too
large, binary, not UTF-8, a line longer than any real export has, too many rows, a formula cell, no
magnesium column (a MyFitnessPal export has none: it is named). Otherwise each line is read or
refused on its own, with its number and why; nothing is stored here.

Columns are matched by name, never by position, ignoring case, spaces and the µ/μ spelling; the 60 or
so other nutrient columns of a Cronometer export are ignored.
"""

import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_LINE = 20_000  # characters: a Cronometer row with every nutrient column is about 1,000
MAX_MG = Decimal(5000)  # more than any real serving or dose holds
EARLIEST = date(1900, 1, 1)

CRONOMETER, TEMPLATE = "cronometer", "csv"

# Cronometer's groups, and the template's meal words, as this app's meal slots.
MEALS = {
    "breakfast": "breakfast",
    "lunch": "lunch",
    "dinner": "dinner",
    "supper": "dinner",
    "snack": "snack",
    "snacks": "snack",
}
# Where a row has no time: the meal's usual time (the PWA's rule for another day's entries).
MEAL_TIMES = {"breakfast": time(8), "lunch": time(12, 30), "dinner": time(19), "snack": time(15, 30)}

# Words of a supplement's name → the form as the catalogue names it.
FORMS = [
    (r"bis-?glycinate|glycinate", "Glycinate (bisglycinate)"),
    (r"citrate", "Citrate"),
    (r"malate", "Malate"),
    (r"oxide", "Oxide"),
    (r"taurate", "Taurate"),
    (r"chloride (oil|spray|flakes)|magnesium oil", "Chloride oil or spray (topical)"),
    (r"chloride", "Chloride"),
    (r"sulph?ate|epsom", "Sulfate (Epsom salt)"),
    (r"carbonate", "Carbonate"),
    (r"lactate", "Lactate"),
    (r"threonate", "L-threonate"),
    (r"aspartate", "Aspartate"),
]
MASS_UNITS = {
    "g": Decimal(1),
    "gram": Decimal(1),
    "grams": Decimal(1),
    "kg": Decimal(1000),
    "mg": Decimal("0.001"),
    "oz": Decimal("28.3495"),
    "lb": Decimal("453.592"),
}


class ImportRefused(ValueError):
    """The whole file is refused, with the reason in words."""


@dataclass(frozen=True)
class Row:
    line: int  # the line number in the file (the header is line 1)
    day: date
    at: time | None  # None: no time given (the meal's usual time is used)
    meal: str | None  # a meal slot, or None: from the time
    name: str
    amount: str  # as written ("150.00 g", "1.00 full recipe")
    grams: Decimal | None  # when the amount is a weight
    magnesium_mg: Decimal
    kind: str  # "food", "dose" (a magnesium supplement of a known form), "review" (looks like one)
    form: str = ""  # for a dose: the form's catalogue name
    key: str = ""  # what makes the row the same row in another upload of it (see ParsedFile.keys)


@dataclass
class ParsedFile:
    layout: str
    rows: list[Row] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    lines: int = 0  # data lines read

    def keys(self) -> list[str]:
        """One key per row: its content and how many identical rows came before it in the file (two
        identical servings on one day are two entries), so an upload of the same rows adds nothing."""
        seen: Counter = Counter()
        keys = []
        for row in self.rows:
            seen[row.key] += 1
            keys.append(f"{row.key}#{seen[row.key]}")
        return keys


def _norm(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).replace("µ", "μ").strip().lower()
    return re.sub(r"\s+", " ", text)


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: export a shorter range."
        )
    if not data.strip():
        raise ImportRefused("The file is empty.")
    if b"\x00" in data:
        raise ImportRefused(
            "This is not a CSV file (it holds binary data). Export as CSV and upload that file."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            "The file is not UTF-8 text. Export it again as CSV (UTF-8); in Excel: Save As → CSV UTF-8."
        ) from exc
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > MAX_LINE:
        raise ImportRefused(
            f"A line is {longest:,} characters long: this is not an export this app can read."
        )
    return text


def read(data: bytes, *, today: date) -> ParsedFile:
    """Read a whole file. ``today``: the user's local date (no row may be later than tomorrow)."""
    text = _text(data)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0][:2000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ImportRefused("The file has no header line.") from exc
    columns = {_norm(name): index for index, name in enumerate(header)}
    layout = _layout(columns)
    parsed = ParsedFile(layout)
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            parsed.lines += 1
            if parsed.lines > MAX_ROWS:
                raise ImportRefused(
                    f"More than {MAX_ROWS:,} rows: export a shorter range and import it in parts."
                )
            formula = next(
                (cell for cell in cells if cell[:1] in ("=", "@") or cell[:1] in ("\t", "\r")), None
            )
            if formula is not None:
                raise ImportRefused(
                    f"Line {number} holds a spreadsheet formula ({formula[:20]!r}): remove formulas and save "
                    "the values as CSV."
                )
            try:
                parsed.rows.append(_row(layout, columns, cells, number, today))
            except _Refused as refusal:
                parsed.refused.append((number, str(refusal)))
    except csv.Error as exc:
        raise ImportRefused(
            f"The file is not a readable CSV file near line {reader.line_num}: {exc}."
        ) from exc
    if not parsed.lines:
        raise ImportRefused("The file has a header but no rows.")
    return parsed


def _layout(columns: dict) -> str:
    if {"food name", "magnesium (mg)", "day"} <= columns.keys():
        return CRONOMETER
    if {"date", "food", "magnesium_mg"} <= columns.keys():
        return TEMPLATE
    if any("magnesium" in name for name in columns):
        raise ImportRefused(
            "The file has a magnesium column but not the others this app reads: use a Cronometer "
            '"Food & Recipe Entries" export, or the CSV template (date, food, magnesium_mg, …).'
        )
    if "calories" in columns and ({"meal", "date"} <= columns.keys() or "fat (g)" in columns):
        raise ImportRefused(
            "This looks like a MyFitnessPal export: MyFitnessPal exports carry no magnesium, so there is "
            "nothing to import (importing it would show zeros). Cronometer's export, or the CSV template "
            "with the magnesium of each food, can be imported."
        )
    raise ImportRefused(
        'No magnesium column: this app reads Cronometer\'s "Food & Recipe Entries" export and its own '
        "CSV template (date, time, meal, food, amount, unit, magnesium_mg)."
    )


class _Refused(ValueError):
    pass


def _cell(columns: dict, cells: list[str], name: str) -> str:
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _row(layout: str, columns: dict, cells: list[str], number: int, today: date) -> Row:
    if layout == CRONOMETER:
        day, at = _cell(columns, cells, "day"), _cell(columns, cells, "time")
        group, name = _cell(columns, cells, "group"), _cell(columns, cells, "food name")
        amount, mg = _cell(columns, cells, "amount"), _cell(columns, cells, "magnesium (mg)")
        category = _cell(columns, cells, "category")
        unit = ""
    else:
        day, at = _cell(columns, cells, "date"), _cell(columns, cells, "time")
        group, name = _cell(columns, cells, "meal"), _cell(columns, cells, "food")
        amount, unit = _cell(columns, cells, "amount"), _cell(columns, cells, "unit")
        mg, category = _cell(columns, cells, "magnesium_mg"), ""
    when = _date(day, today)
    clock = _time(at)
    if not name:
        raise _Refused("no food name")
    if len(name) > 200:
        raise _Refused("the food name is longer than 200 characters")
    if not mg:
        raise _Refused("no magnesium value (importing it as 0 mg would understate the day)")
    magnesium = _number(mg, "magnesium")
    if magnesium < 0 or magnesium > MAX_MG:
        raise _Refused(f"magnesium {mg} mg is not a serving's amount (0 to {MAX_MG} mg)")
    amount_text = f"{amount} {unit}".strip() if unit else amount
    grams = _grams(amount_text)
    meal = MEALS.get(group.strip().lower()) if group else None
    kind, form = _kind(name, category)
    key = hashlib.sha256(
        "\x1f".join([layout, when.isoformat(), at, group, name, amount_text, f"{magnesium:f}"]).encode()
    ).hexdigest()[:32]
    return Row(number, when, clock, meal, name, amount_text[:100], grams, magnesium, kind, form, key)


def _date(value: str, today: date) -> date:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            day = datetime.strptime(value, pattern).date()
            break
        except ValueError:
            continue
    else:
        raise _Refused(f"the date {value[:20]!r} is not a date (YYYY-MM-DD)" if value else "no date")
    if day < EARLIEST:
        raise _Refused(f"{day} is before {EARLIEST.year}")
    if (day - today).days > 1:
        raise _Refused(f"{day} is in the future")
    return day


def _time(value: str) -> time | None:
    if not value:
        return None
    for pattern in ("%I:%M %p", "%I:%M%p", "%H:%M", "%H:%M:%S", "%I:%M:%S %p"):
        try:
            return datetime.strptime(value.upper(), pattern).time()
        except ValueError:
            continue
    raise _Refused(f"the time {value[:20]!r} is not a time (07:30 PM or 19:30)")


def _number(value: str, what: str) -> Decimal:
    try:
        number = Decimal(
            value.replace(",", "") if value.count(",") and "." in value else value.replace(",", ".")
        )
    except InvalidOperation:
        raise _Refused(f"the {what} {value[:20]!r} is not a number") from None
    if not number.is_finite() or abs(number) > 10 * MAX_MG:
        raise _Refused(f"the {what} {value[:20]!r} is not a number of a serving")
    return number.quantize(Decimal("0.01"))


def _grams(amount: str) -> Decimal | None:
    """The weight of an amount written as "150.00 g", "2 oz", "0.25 lb"; None for any other unit
    (cups, fl oz, servings, "full recipe"): the magnesium is the export's, the weight unknown."""
    match = re.fullmatch(r"([0-9]+(?:[.,][0-9]+)?)\s*([A-Za-z]+)", amount.strip())
    if not match or match.group(2).lower() not in MASS_UNITS:
        return None
    grams = Decimal(match.group(1).replace(",", ".")) * MASS_UNITS[match.group(2).lower()]
    return grams.quantize(Decimal("0.01")) if Decimal(0) < grams < Decimal(100_000) else None


def _kind(name: str, category: str) -> tuple[str, str]:
    lowered = name.lower()
    if "magnesium" not in lowered:
        return "food", ""
    supplement = "supplement" in category.lower() or "supplement" in lowered
    for pattern, form in FORMS:
        if re.search(pattern, lowered):
            return "dose", form
    return ("review", "") if supplement else ("food", "")
