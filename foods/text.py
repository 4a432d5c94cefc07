"""Text rules of the catalogue: how names are searched, shown and keyed, and barcodes checked.
Pure functions: no database, no Django.

- Search text is the name (and brand) folded to lower case without accents, whitespace collapsed:
  "Crème fraîche" is found by "creme", and both databases index the same text.
- A barcode is a GTIN-8, -12 (UPC-A), -13 (EAN) or -14 whose last digit is the GS1 check digit; it is
  stored zero-padded to 14 digits, so that the UPC-A and EAN-13 spellings of one product meet.
"""

import re
import string
import unicodedata

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, accents removed, whitespace collapsed."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text).strip().lower()


# SR names open with their food group ("Beverages, coffee, brewed", "Cereals, oats, …"): those words
# name a shelf, not the food, so the search text puts them last ("coffee, brewed, … beverages"), where
# they still match but no longer make the name start with them.
GROUP_PREFIXES = (
    "alcoholic beverage",
    "alcoholic beverages",
    "beverages",
    "cereals ready-to-eat",
    "cereals",
    "candies",
    "crustaceans",
    "fast food",
    "fast foods",
    "fish",
    "mollusks",
    "nuts",
    "seeds",
    "snacks",
    "spices",
    "restaurant",
    "game meat",
)
_GROUP_PREFIX = re.compile(r"^(" + "|".join(map(re.escape, GROUP_PREFIXES)) + r"), (?=\S)")


def food_words(name: str) -> str:
    """The folded name with a leading food-group word moved to the end."""
    text = fold(name)
    match = _GROUP_PREFIX.match(text)
    if match:
        text = f"{text[match.end() :]} {match.group(1)}"
    return text


def search_text_for(name: str, brand: str = "", common_name: str = "") -> str:
    """What the search indexes: the food's own words first, then its group, brand and common name."""
    text = food_words(name)
    for extra in (fold(brand or ""), fold(common_name or "")):
        if extra and extra not in text:
            text = f"{text} {extra}"
    return text[:500]


def search_words(query: str, *, most: int = 8) -> list[str]:
    """The words of a query as the indexes see them: letters and digits only (so no query can break
    the full-text syntax of either database)."""
    return _WORD.findall(fold(query))[:most]


def display_name(name: str) -> str:
    """Branded products often arrive in capitals ("BROWN CALROSE RICE"): shown as "Brown Calrose Rice"."""
    name = _SPACES.sub(" ", name).strip()
    if name.isupper():  # every cased letter is a capital (and there is one)
        return string.capwords(name.lower())
    return name


# --- Barcodes ----------------------------------------------------------------------------------------

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit of the digits before it: weights 3, 1, 3, … from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalize_gtin(code: str) -> str | None:
    """The 14-digit form of a valid GTIN, or None when ``code`` is not one (wrong length, a letter,
    or a wrong check digit)."""
    code = (code or "").strip()
    if not code.isascii() or not code.isdigit() or len(code) not in GTIN_LENGTHS:
        return None
    if gtin_check_digit(code[:-1]) != int(code[-1]):
        return None
    return code.zfill(14)


def gtin_problem(code: str) -> str | None:
    """Why ``code`` is not a GTIN, in words for the user; None when it is one."""
    code = (code or "").strip()
    if not code.isascii() or not code.isdigit():
        return "A barcode has digits only."
    if len(code) not in GTIN_LENGTHS:
        return "A barcode has 8, 12, 13 or 14 digits."
    if gtin_check_digit(code[:-1]) != int(code[-1]):
        return "The last digit (the check digit) does not match: check the number."
    return None


# --- Portions ----------------------------------------------------------------------------------------

# Units as the USDA data spells them on branded labels, and how a person reads them.
_UNIT_WORDS = {
    "onz": "oz",
    "oza": "fl oz",
    "grm": "g",
    "mlt": "ml",
    "tbsp": "tbsp",
    "tsp": "tsp",
}
_NOT_A_MEASURE = {"", "undetermined", "quantity not specified", "none"}


def portion_label(raw: str) -> str | None:
    """A household measure worth showing ("1 ONZ" → "1 oz", "8 OZA" → "8 fl oz"), or None when the
    data gives none ("undetermined", empty)."""
    text = _SPACES.sub(" ", (raw or "")).strip()
    if text.lower() in _NOT_A_MEASURE:
        return None
    words = []
    for word in text.split(" "):
        lower = word.lower()
        words.append(_UNIT_WORDS.get(lower, lower if word.isupper() else word))
    return " ".join(words)[:100]
