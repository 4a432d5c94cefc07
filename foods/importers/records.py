"""What a reader hands the loader: one food, or a row it skipped and why."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from foods.models import FoodCategory, SearchTier

# The largest plausible value: 10 g of magnesium in 100 g of food (10 % by weight) is beyond any food;
# USDA rows above it are data-entry errors (143,750 mg per 100 g of rice).
MAX_MG_PER_100G = Decimal(10000)
MAX_PORTION_GRAMS = Decimal(5000)

DATA_TYPE_TIER = {
    "survey_fndds_food": SearchTier.WHOLE,
    "sr_legacy_food": SearchTier.WHOLE,
    "foundation_food": SearchTier.WHOLE,
    "agricultural_acquisition": SearchTier.SAMPLES,
    "sub_sample_food": SearchTier.SAMPLES,
    "market_acquisition": SearchTier.SAMPLES,
    "branded_food": SearchTier.BRANDED,
}
DATA_TYPE_LABELS = {
    "survey_fndds_food": "USDA survey food (FNDDS): as eaten",
    "sr_legacy_food": "USDA SR Legacy",
    "foundation_food": "USDA Foundation Foods",
    "agricultural_acquisition": "USDA agricultural sample",
    "sub_sample_food": "USDA laboratory sub-sample",
    "market_acquisition": "USDA market sample",
    "branded_food": "Branded product (USDA Branded Foods)",
}


@dataclass
class FoodRecord:
    source_key: str
    name: str
    data_type: str
    magnesium_mg_per_100g: Decimal
    source: str
    release: str
    source_id: str = ""
    source_category: str = ""
    brand: str = ""
    gtin: str = ""
    portions: list[tuple[str, Decimal]] = field(default_factory=list)
    # keys this food was stored under before (a food another data set described first): a stored food
    # with one of them is re-keyed, not duplicated, so that entries pointing at it keep their food
    former_keys: tuple[str, ...] = ()

    @property
    def search_tier(self) -> int:
        return DATA_TYPE_TIER.get(self.data_type, SearchTier.SAMPLES)

    @property
    def category(self) -> str:
        return category_for(self.source_category, self.name)


@dataclass
class Skip:
    reason: str
    rows: int = 1


def magnesium_value(raw: str) -> Decimal | Skip:
    """A data set's mg per 100 g, or why the row is skipped (not a number, or implausible)."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return Skip("magnesium is not a number")
    if not value.is_finite() or value < 0:
        return Skip("magnesium is not a number")
    if value > MAX_MG_PER_100G:
        return Skip("implausible magnesium value (over 10,000 mg per 100 g)")
    return value


def add_portion(portions: list, label: str | None, grams) -> None:
    """Keep a household measure when it is meaningful: a label, a weight above 0 and at most 5 kg, and
    a label the food does not have yet."""
    if not label:
        return
    try:
        grams = Decimal(str(grams)).quantize(Decimal("0.01"))
    except ArithmeticError:
        return
    if not grams.is_finite() or grams <= 0 or grams > MAX_PORTION_GRAMS:
        return
    if all(existing.lower() != label.lower() for existing, _ in portions):
        portions.append((label, grams))


_CATEGORY_WORDS = [
    (FoodCategory.LEAFY_GREENS, ("spinach", "kale", "chard", "collard", "greens", "lettuce")),
    (FoodCategory.NUTS_AND_SEEDS, ("nut", "seed", "almond", "cashew", "peanut")),
    (FoodCategory.LEGUMES, ("legume", "bean", "lentil", "pea ", "chickpea", "soy")),
    (FoodCategory.FORTIFIED_CEREALS, ("breakfast cereal", "ready-to-eat", "cereal (rte)", "cereal, rte")),
    (FoodCategory.WHOLE_GRAINS, ("grain", "pasta", "rice", "oat", "cereal", "bread", "wheat", "quinoa")),
    (FoodCategory.FRUIT, ("fruit", "juice", "berr", "apple", "banana")),
    (FoodCategory.VEGETABLES, ("vegetable", "potato", "tomato", "carrot")),
    (FoodCategory.DAIRY_AND_SOY, ("dairy", "milk", "cheese", "yogurt", "egg", "cream")),
    (
        FoodCategory.FISH_AND_MEAT,
        ("fish", "shellfish", "meat", "poultry", "beef", "pork", "lamb", "sausage", "chicken", "turkey"),
    ),
    (FoodCategory.SWEETS, ("sweet", "candy", "candies", "chocolate", "dessert", "cookie", "cake", "snack")),
]


_CATEGORY_PATTERNS = [
    (category, re.compile("|".join(map(re.escape, words)))) for category, words in _CATEGORY_WORDS
]


def category_for(source_category: str, name: str) -> str:
    """Our category from the data set's own (word matches on the category, then on the name)."""
    for text in (source_category.lower(), name.lower()):
        if not text:
            continue
        for category, pattern in _CATEGORY_PATTERNS:
            if pattern.search(text):
                return category
    return FoodCategory.OTHER
