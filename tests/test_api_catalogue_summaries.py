"""Food search, supplement forms, daily and weekly summaries, and constant query counts."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from foods.models import Food
from tests.factories import make_history
from tracker import services

pytestmark = pytest.mark.django_db


def test_food_search_needs_every_word_case_insensitively_best_first(api):
    response = api.get("/api/v1/foods/?search=BROWN rice")
    assert response.status_code == 200
    names = [f["name"] for f in response.json()["results"]]
    assert names == ["Rice, brown, cooked"]
    # no food has all the words: the foods with most of them
    names = [f["name"] for f in api.get("/api/v1/foods/?search=rice purple").json()["results"]]
    assert {"Rice, brown, cooked", "Rice, white, cooked"} <= set(names)


def test_food_has_portions_with_their_mg(api, almonds_oz):
    response = api.get(f"/api/v1/foods/{almonds_oz.food_id}/")
    assert response.status_code == 200
    portions = {p["label"]: p["magnesium_mg"] for p in response.json()["portions"]}
    assert portions["1 oz"] == 78
    assert (
        response.json()["category"] == "nuts_seeds" and response.json()["category_label"] == "Nuts and seeds"
    )
    assert api.get("/api/v1/foods/999999/").status_code == 404


def test_food_filter_by_category_and_pages(api):
    response = api.get("/api/v1/foods/?category=sweets")
    assert {f["category"] for f in response.json()["results"]} == {"sweets"}
    assert api.get("/api/v1/foods/?category=candy").status_code == 400
    first = api.get("/api/v1/foods/?page_size=10")
    assert len(first.data["results"]) == 10 and first.data["next"] and first.data["previous"] is None
    second = api.get(first.data["next"])
    assert not {f["id"] for f in first.data["results"]} & {f["id"] for f in second.data["results"]}
    assert api.get("/api/v1/foods/?page=0").status_code == 400
    assert api.get("/api/v1/foods/?page_size=-1").json() == {
        "page_size": ["Enter a whole number from 1 to 200."]
    }


def test_catalogue_changes_show_at_once_despite_the_cache(api, almonds_oz):
    assert api.get("/api/v1/foods/?search=almond").json()["results"][0]["portions"][0]["magnesium_mg"] == 78
    food = almonds_oz.food
    food.magnesium_mg_per_100g = Decimal(100)
    food.save()
    assert api.get("/api/v1/foods/?search=almond").json()["results"][0]["portions"][0]["magnesium_mg"] == 28
    assert api.get(f"/api/v1/foods/{food.pk}/").json()["portions"][0]["magnesium_mg"] == 28
    Food.objects.create(
        name="Almond butter", category="nuts_seeds", magnesium_mg_per_100g=Decimal(279), source="x"
    )
    assert "Almond butter" in [f["name"] for f in api.get("/api/v1/foods/?search=almond").json()["results"]]


def test_supplement_forms(api):
    response = api.get("/api/v1/supplement-forms/")
    forms = {f["name"]: f for f in response.json()}
    assert forms["Glycinate (bisglycinate)"]["elemental_fraction"] == 0.141
    assert forms["Oxide"]["bioavailability"] == "low"


def test_daily_summary_defaults_to_today_in_the_users_zone(api, user, almonds_oz):
    api.patch("/api/v1/profile/", {"time_zone": "Pacific/Kiritimati"})  # UTC+14
    today_there = services.local_today(profile=user.profile.__class__.objects.get(user=user))
    api.post("/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk})
    response = api.get("/api/v1/summary/daily/")
    assert response.json()["date"] == today_there.isoformat()
    assert response.json()["food_mg"] == 78
    expected_keys = {
        "date",
        "food_mg",
        "supplement_mg",
        "total_mg",
        "target_mg",
        "percent_of_target",
        "remaining_mg",
        "supplement_upper_limit_mg",
        "supplement_over_limit",
    }
    assert expected_keys <= set(response.json())
    assert api.get("/api/v1/summary/daily/?date=2026-13-01").status_code == 400


def test_weekly_summary_has_seven_ascending_days_average_and_days_on_target(api, user, almonds_oz, citrate):
    # 320 mg target (woman born 1990): day 1 gets 390 mg, day 3 gets 78 mg
    for _ in range(5):
        services.intake_create(
            user=user,
            food=almonds_oz.food,
            portion=almonds_oz,
            consumed_at=datetime(2026, 4, 1, 12, tzinfo=UTC),
        )
    services.intake_create(
        user=user, food=almonds_oz.food, portion=almonds_oz, consumed_at=datetime(2026, 4, 3, 12, tzinfo=UTC)
    )
    response = api.get("/api/v1/summary/weekly/?end=2026-04-07")
    assert response.status_code == 200
    days = response.json()["days"]
    assert [d["date"] for d in days] == [f"2026-04-0{i}" for i in range(1, 8)]
    assert [d["total_mg"] for d in days] == [390, 0, 78, 0, 0, 0, 0]
    assert response.json()["average_mg"] == round(468 / 7, 2)
    assert response.json()["days_target_met"] == 1
    assert response.json()["target_mg"] == 320


def _history(user, almonds_oz, citrate, days):
    make_history(user, portion=almonds_oz, form=citrate, days=days)


ENDPOINTS = [
    "/api/v1/summary/daily/?date=2021-01-01",
    "/api/v1/summary/weekly/?end=2021-01-07",
    "/api/v1/intakes/?page_size=200",
    "/api/v1/supplement-doses/?page_size=200",
    "/api/v1/foods/?search=almond",
    "/api/v1/supplement-forms/",
    "/api/v1/profile/",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_query_counts_are_the_same_for_1_row_and_1000(
    api, user, other_user, almonds_oz, citrate, url, django_assert_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _history(user, almonds_oz, citrate, 1)
    with CaptureQueriesContext(connection) as few:
        assert api.get(url).status_code == 200
    _history(other_user, almonds_oz, citrate, 1)
    _history(user, almonds_oz, citrate, 999)
    cache.clear()  # compare the uncached path of the catalogue too
    with django_assert_num_queries(len(few.captured_queries)):
        assert api.get(url).status_code == 200


def test_weekly_summary_with_five_years_of_history_is_constant(
    api, user, almonds_oz, citrate, django_assert_max_num_queries
):
    _history(user, almonds_oz, citrate, 5 * 365)
    with django_assert_max_num_queries(5):
        response = api.get("/api/v1/summary/weekly/?end=2025-12-30")
    assert [d["total_mg"] for d in response.json()["days"]] == [178] * 7
