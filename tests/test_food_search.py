"""Food search: what it finds and in what order, on the database in use (`make test` runs this file on
both SQLite and PostgreSQL when PostgreSQL is configured)."""

from decimal import Decimal

import pytest

from foods.models import Food, FoodCategory, Origin, SearchTier
from tests.conftest import token_client
from tracker import services

pytestmark = pytest.mark.django_db


def imported(
    name, *, tier=SearchTier.WHOLE, data_type="sr_legacy_food", brand="", category=FoodCategory.OTHER
):
    return Food.objects.create(
        name=name,
        brand=brand,
        category=category,
        magnesium_mg_per_100g=Decimal(50),
        origin=Origin.USDA,
        data_type=data_type,
        search_tier=tier,
        source="test",
        source_key=f"test:{name}:{brand}",
    )


def names(api, query, **params):
    response = api.get("/api/v1/foods/", {"search": query, **params})
    assert response.status_code == 200, response.content
    return [food["name"] for food in response.json()["results"]]


def test_word_prefixes_find_foods_whatever_the_case(api):
    assert names(api, "almo")[0] == "Almonds"
    assert names(api, "ALMONDS")[0] == "Almonds"
    assert "Pumpkin seeds, roasted" in names(api, "pumpkin see")


def test_accents_are_ignored_both_ways(api):
    imported("Crème brûlée")
    assert names(api, "creme brulee") == ["Crème brûlée"]
    assert names(api, "CRÈME") == ["Crème brûlée"]


def test_plurals_and_word_order_do_not_matter(api):
    imported("Pizza, cheese, regular crust", data_type="survey_fndds_food")
    imported("Topping from cheese pizza", data_type="survey_fndds_food")
    assert names(api, "cheese pizza") == ["Pizza, cheese, regular crust", "Topping from cheese pizza"]
    assert "Black beans, cooked" in names(api, "black bean")


def test_curated_and_whole_foods_come_before_branded_products(api):
    imported(
        "ALMOND CANDY BAR WITH ALMONDS", tier=SearchTier.BRANDED, data_type="branded_food", brand="Sweetco"
    )
    imported("Candies, milk chocolate, with almonds", category=FoodCategory.SWEETS)
    found = names(api, "almonds")
    assert found[0] == "Almonds"
    assert found.index("Candies, milk chocolate, with almonds") < found.index("ALMOND CANDY BAR WITH ALMONDS")


def test_milk_comes_before_milk_chocolate(api):
    imported("Milk chocolate", category=FoodCategory.SWEETS)
    imported("Milk, whole, 3.25% milkfat")
    imported("MILK CHOCOLATE BAR", tier=SearchTier.BRANDED, data_type="branded_food")
    found = names(api, "milk")
    assert found[:3] == ["Milk", "Milk, whole, 3.25% milkfat", "Milk chocolate"]
    assert found.index("MILK CHOCOLATE BAR") > found.index("Milk chocolate")


def test_own_and_recently_logged_foods_come_first(user, api, other_user):
    butter = imported("Almond butter, creamy")
    services.own_food_create(
        user=user, name="Almond bites", serving_grams=Decimal(30), magnesium_mg=Decimal(40)
    )
    services.own_food_create(
        user=other_user, name="Almond secret", serving_grams=Decimal(30), magnesium_mg=Decimal(9)
    )
    assert names(api, "almond")[0] == "Almond bites"
    services.intake_create(user=user, food=butter, grams=Decimal(30))
    assert names(api, "almond")[:2] == ["Almond bites", "Almond butter, creamy"]
    assert "Almond secret" not in names(api, "almond")
    assert names(token_client(other_user), "almond")[0] == "Almond secret"


def test_a_search_with_no_food_holding_every_word_offers_the_closest(api):
    found = names(api, "oatmeal with blueberries")
    assert "Oatmeal, instant" in found and "Blackberries" not in found


def test_category_narrows_a_search_and_hostile_text_is_just_text(api):
    imported("Almond milk", category=FoodCategory.DAIRY_AND_SOY)
    assert names(api, "almond", category="dairy_soy") == ["Almond milk"]
    for text in [
        '"almond',
        "almond*",
        "NEAR(almond)",
        "a OR b",
        "%_\\",
        "'; DROP TABLE foods_food; --",
        "☃",
        "🥜",
    ]:
        assert api.get("/api/v1/foods/", {"search": text}).status_code == 200
    assert names(api, "%") == []


def test_pages_of_a_search_do_not_overlap(api):
    for number in range(30):
        imported(f"Bean salad {number:02}")
    first = api.get("/api/v1/foods/", {"search": "bean salad", "page_size": 20}).json()
    second = api.get(first["next"]).json()
    assert len(first["results"]) == 20 and len(second["results"]) == 10 and second["next"] is None
    assert not {f["id"] for f in first["results"]} & {f["id"] for f in second["results"]}


def test_search_costs_the_same_queries_for_one_result_or_fifty(
    api, django_assert_max_num_queries, django_assert_num_queries
):
    for number in range(60):
        imported(f"Lentil soup {number:02}")
    imported("Zucchini bread")
    api.get("/api/v1/foods/", {"search": "lentil"})  # warm the token's profile
    # token, own and recent matches, the catalogue's ranking (on PostgreSQL, branded products apart
    # when the rest does not fill the page), foods, portions
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/foods/", {"search": "lentil soup"}).json()["results"]) == 50
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/foods/", {"search": "zucchini bread"}).json()["results"]) == 1
    # asked again: the ranking and the foods come from the cache
    with django_assert_num_queries(2):
        assert len(api.get("/api/v1/foods/", {"search": "lentil soup"}).json()["results"]) == 50


def test_a_cached_search_follows_catalogue_edits_and_own_foods_at_once(user, api):
    soup = imported("Lentil soup")
    assert names(api, "lentil soup") == ["Lentil soup"]
    soup.name = "Lentil soup, homemade"
    soup.save()
    assert names(api, "lentil soup") == ["Lentil soup, homemade"]
    services.own_food_create(
        user=user, name="Lentil soup (mine)", serving_grams=Decimal(250), magnesium_mg=Decimal(80)
    )
    assert names(api, "lentil soup") == ["Lentil soup (mine)", "Lentil soup, homemade"]


def test_results_show_where_each_food_comes_from(api):
    imported("Spinach, baby", data_type="foundation_food")
    food = api.get("/api/v1/foods/", {"search": "spinach baby"}).json()["results"][0]
    assert food["origin"] == "usda" and food["data_type"] == "foundation_food"
    assert food["data_type_label"] == "USDA Foundation Foods" and food["source_key"] == "test:Spinach, baby:"
    assert food["own"] is False


@pytest.mark.postgres
def test_typos_are_forgiven_on_postgres(api):
    assert names(api, "amlonds")[0] == "Almonds"
    assert "Spinach, raw" in names(api, "spinnach")


def test_the_fast_json_of_a_food_is_the_serializers(api, almonds_oz):
    from api.foods import FoodSerializer, food_json

    imported("Spinach, baby", data_type="foundation_food").portions.create(label="1 cup", grams=Decimal(30))
    for food in Food.objects.filter(name__in=["Almonds", "Spinach, baby", "Milk"]).prefetch_related(
        "portions"
    ):
        assert food_json(food) == json_of(FoodSerializer(food).data)


def json_of(data):
    import json

    from rest_framework.utils.encoders import JSONEncoder

    return json.loads(json.dumps(data, cls=JSONEncoder))


def test_the_per_process_row_cache_stays_bounded_and_keeps_no_own_food(user, monkeypatch):
    from foods import catalogue_cache

    monkeypatch.setattr(catalogue_cache._InProcess, "MAX_ITEMS", 5)
    foods = [imported(f"Bounded {number}") for number in range(12)]
    for food in foods:
        assert catalogue_cache.catalogue_row(Food, food.pk) == food
    assert len(catalogue_cache._rows.items) == 5
    assert ("foods.Food", foods[-1].pk) in catalogue_cache._rows.items  # the most recent stay
    own = services.own_food_create(user=user, name="Mine", serving_grams=Decimal(10), magnesium_mg=Decimal(5))
    assert catalogue_cache.catalogue_row(Food, own.pk) == own
    assert ("foods.Food", own.pk) not in catalogue_cache._rows.items


def test_search_pages_are_rendered_from_this_process_until_the_catalogue_changes(user, api, monkeypatch):
    """A search page's foods come from this process once rendered (no cache or database read), never a
    user's own food, and an edit of a shared food shows in the next search."""
    from foods import catalogue_cache

    monkeypatch.setattr(catalogue_cache._InProcess, "MAX_ITEMS", 50)
    shared = imported("Quinoa flakes")
    services.own_food_create(
        user=user, name="Quinoa bake", serving_grams=Decimal(100), magnesium_mg=Decimal(60)
    )
    first = api.get("/api/v1/foods/", {"search": "quinoa"}).json()["results"]
    assert {food["name"] for food in first} >= {"Quinoa flakes", "Quinoa bake"}
    cached = {data["name"] for data in catalogue_cache._rendered.items.values()}
    assert "Quinoa flakes" in cached and "Quinoa bake" not in cached  # own foods: never kept

    def get_many(keys):  # the own food is asked for (and read from the database), the shared one not
        assert not any(key.endswith(f":food:{shared.pk}") for key in keys), keys
        return {}

    monkeypatch.setattr(catalogue_cache.cache, "get_many", get_many)
    assert api.get("/api/v1/foods/", {"search": "quinoa"}).json()["results"] == first
    monkeypatch.undo()
    shared.name = "Quinoa flakes, toasted"
    shared.save()  # moves the catalogue version on
    names = [food["name"] for food in api.get("/api/v1/foods/", {"search": "quinoa"}).json()["results"]]
    assert "Quinoa flakes, toasted" in names and "Quinoa flakes" not in names


def test_every_own_food_can_be_found_past_the_first_page(user, api):
    for number in range(70):
        services.own_food_create(
            user=user, name=f"Trail bar {number:02}", serving_grams=Decimal(40), magnesium_mg=Decimal(30)
        )
    found = []
    page = api.get("/api/v1/foods/", {"search": "trail bar", "page_size": 50}).json()
    found += [food["name"] for food in page["results"]]
    found += [food["name"] for food in api.get(page["next"]).json()["results"]]
    assert sorted(name for name in found if name.startswith("Trail bar ")) == [
        f"Trail bar {n:02}" for n in range(70)
    ]


def test_the_catalogue_version_expires_only_without_a_shared_cache(settings):
    from foods.catalogue_cache import _version_timeout

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert _version_timeout() == 60  # other processes see an edit within a minute
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "x"}}
    assert _version_timeout() is None  # shared: every edit moves it on at once


def test_the_catalogue_version_moves_on_again_when_a_change_commits(django_capture_on_commit_callbacks):
    """A search between a change and its commit reads the new version with the old rows and keeps
    them under it (in Redis and in its process): the commit moves the version on once more."""
    from django.db import transaction

    from foods import catalogue_cache

    food = imported("Teff flour")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        food.name = "Teff flour, whole grain"
        food.save()
        during = catalogue_cache.catalogue_version()
    assert catalogue_cache.catalogue_version() != during
