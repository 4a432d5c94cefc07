"""The seed catalogue in fixtures/foods.json."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from foods.models import Food, FoodCategory, Portion, SupplementForm
from foods.search import search_food_ids

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(
            Food.objects.values_list("pk", "name", "category", "magnesium_mg_per_100g", "source", "source_id")
        ),
        list(Portion.objects.values_list("pk", "food_id", "label", "grams")),
        list(SupplementForm.objects.values_list("pk", "name", "elemental_fraction")),
    )


def test_loading_the_fixtures_twice_changes_nothing():
    before = snapshot()
    call_command("loaddata", "foods", verbosity=0)
    call_command("loaddata", "foods", verbosity=0)
    assert snapshot() == before
    assert Food.objects.count() >= 60


def test_every_category_has_foods_and_every_food_a_household_portion_and_a_source():
    assert set(Food.objects.values_list("category", flat=True)) == set(FoodCategory.values)
    for food in Food.objects.prefetch_related("portions"):
        assert food.source, food.name
        assert food.source_id, food.name
        assert [p for p in food.portions.all() if p.label != "100 g"], food.name


# Every food the reference file names, by the catalogue's name, with the figure of its table row.
ODS_PORTIONS = [
    ("Pumpkin seeds, roasted", "1 oz", 156),
    ("Chia seeds", "1 oz", 111),
    ("Spinach, boiled", "½ cup", 78),
    ("Cashews, dry roasted", "1 oz", 74),
    ("Peanuts, oil roasted", "¼ cup", 63),
    ("Shredded wheat cereal", "2 large biscuits", 61),
    ("Soymilk, plain or vanilla", "1 cup", 61),
    ("Black beans, cooked", "½ cup", 60),
    ("Edamame, shelled, cooked", "½ cup", 50),
    ("Peanut butter, smooth", "2 tbsp", 49),
    ("Potato, baked with skin", "3.5 oz", 43),
    ("Rice, brown, cooked", "½ cup", 42),
    ("Yogurt, plain, low fat", "8 oz", 42),
    ("Breakfast cereal, fortified with 10% DV", "1 serving", 42),
    ("Oatmeal, instant", "1 packet", 36),
    ("Kidney beans, canned", "½ cup", 35),
    ("Banana", "1 medium", 32),
    ("Salmon, Atlantic, farmed, cooked", "3 oz", 26),
    ("Milk", "1 cup", 24),
    ("Halibut, cooked", "3 oz", 24),
    ("Raisins", "½ cup", 23),
    ("Bread, whole wheat", "1 slice", 23),
    ("Avocado, cubed", "½ cup", 22),
    ("Chicken breast, roasted", "3 oz", 22),
    ("Beef, ground, 90% lean, pan broiled", "3 oz", 20),
    ("Broccoli, chopped, cooked", "½ cup", 12),
    ("Rice, white, cooked", "½ cup", 10),
    ("Apple", "1 medium", 9),
    ("Carrot, raw", "1 medium", 7),
    ("Almonds", "1 oz", 78),
    ("Oat bran", "½ cup", 96),
]


@pytest.mark.parametrize(("food", "label", "mg"), ODS_PORTIONS)
def test_reference_foods_give_their_table_figure(food, label, mg):
    portion = Portion.objects.get(food__name=food, label=label)
    assert portion.magnesium_mg.quantize(Decimal(1)) == mg


@pytest.mark.parametrize(
    "name",
    ["Kale, raw", "Lentils, cooked", "Chickpeas, cooked", "Quinoa, cooked", "Dark chocolate, 70–85% cocoa"],
)
def test_foods_the_source_articles_name_are_there(name):
    assert Food.objects.get(name=name).source.startswith("USDA FoodData Central")


def test_supplement_forms_from_the_seed_table():
    fractions = dict(SupplementForm.objects.values_list("name", "elemental_fraction"))
    expected = {
        "Citrate": "0.1620",
        "Glycinate (bisglycinate)": "0.1410",
        "Malate": "0.1550",
        "Oxide": "0.6030",
        "Taurate": "0.0890",
        "Chloride": "0.1200",
        "Sulfate (Epsom salt)": "0.0990",
        "Carbonate": "0.2880",
        "Lactate": "0.1200",
        "L-threonate": "0.0830",
    }
    for name, fraction in expected.items():
        assert fractions[name] == Decimal(fraction), name
    assert set(SupplementForm.objects.values_list("route", flat=True)) == {"oral", "topical", "intravenous"}
    oxide = SupplementForm.objects.get(name="Oxide")
    assert oxide.bioavailability == "low" and "laxative" in oxide.side_effects.lower()


def test_food_search_finds_every_word_best_first():
    def names(query):
        ids = search_food_ids(query=query, user_id=None, limit=20)
        foods = Food.objects.in_bulk(ids)
        return [foods[pk].name for pk in ids]

    assert names("RICE brown") == ["Rice, brown, cooked"]
    assert names("almond")[0] == "Almonds"


def test_a_curated_food_matches_the_sr_legacy_row_it_cites_in_the_bundled_extract():
    """Where the extract holds the SR Legacy description a curated food cites, the values agree (kale
    was 47 mg per 100 g against the cited entry's 33)."""
    import csv
    import gzip
    import re
    from pathlib import Path

    extract = Path(__file__).resolve().parent.parent / "fixtures/usda/fooddata-magnesium.csv.gz"
    sr_legacy = {}
    with gzip.open(extract, "rt") as rows:
        for row in csv.DictReader(rows):
            if row["data_type"] == "sr_legacy_food":
                sr_legacy.setdefault(row["foodName"], set()).add(Decimal(row["Magnesium"]))
    checked = 0
    for food in Food.objects.filter(origin="curated"):
        cited = re.search(r"SR Legacy.*'(.+)'", food.source)
        if cited and cited.group(1) in sr_legacy:
            assert food.magnesium_mg_per_100g in sr_legacy[cited.group(1)], food.name
            checked += 1
    assert checked >= 10


def test_every_curated_food_is_traceable_to_its_row():
    """Each curated food cites the ODS table row, the product card, or the FDC id of the SR Legacy row
    it stores (never a bare description), and no name promises more than its row (blackstrap)."""
    import re

    from foods.models import Origin

    for food in Food.objects.filter(origin=Origin.CURATED):
        assert re.fullmatch(r"FDC 1[67]\d{4}|ODS row: .+|CARD: .+", food.source_id), (
            food.name,
            food.source_id,
        )
        if "SR Legacy" in food.source:
            assert food.source_id.startswith("FDC "), food.name
    assert not Food.objects.filter(origin=Origin.CURATED, name__icontains="blackstrap").exists()
    assert not Food.objects.filter(origin=Origin.CURATED, source_id__icontains="label").exists()
