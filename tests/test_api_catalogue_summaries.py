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
    type(user).objects.filter(pk=user.pk).update(date_joined=datetime(2026, 1, 1, tzinfo=UTC))
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
    assert response.json()["average_mg"] == 234  # 468 over the two days logged
    assert response.json()["days_target_met"] == 1
    assert response.json()["target_mg"] == 320
    assert [d["no_data"] for d in days] == [False, True, False, True, True, True, True]


def test_a_day_with_nothing_logged_is_no_data_whenever_the_account_was_made(api, user, almonds_oz):
    """One rule: every logged day counts (one backfilled before sign-up too), a day with nothing logged
    is no data, not zero (before: 0 mg after sign-up, no data before it)."""
    type(user).objects.filter(pk=user.pk).update(date_joined=datetime(2026, 4, 5, 9, tzinfo=UTC))
    for day in (1, 5, 6):  # an entry backfilled before sign-up is data
        services.intake_create(
            user=user,
            food=almonds_oz.food,
            portion=almonds_oz,
            consumed_at=datetime(2026, 4, day, 12, tzinfo=UTC),
        )
    week = api.get("/api/v1/summary/weekly/?end=2026-04-07").json()
    assert [d["no_data"] for d in week["days"]] == [False, True, True, True, False, False, True]
    assert week["days_with_data"] == 3
    assert week["average_mg"] == 78  # 1, 5 and 6


def test_a_period_summary_gives_a_chart_its_days_rolling_average_and_top_foods_in_one_request(
    api, user, almonds_oz, oat_bran_half_cup, citrate, django_assert_max_num_queries
):
    type(user).objects.filter(pk=user.pk).update(date_joined=datetime(2026, 3, 20, tzinfo=UTC))
    for day in range(
        1, 11
    ):  # 78 mg a day from 1 to 10 April, oat bran on the 10th, 100 mg citrate on the 2nd
        services.intake_create(
            user=user,
            food=almonds_oz.food,
            portion=almonds_oz,
            consumed_at=datetime(2026, 4, day, 12, tzinfo=UTC),
        )
    services.intake_create(
        user=user,
        food=oat_bran_half_cup.food,
        portion=oat_bran_half_cup,
        consumed_at=datetime(2026, 4, 10, 13, tzinfo=UTC),
    )
    services.dose_create(
        user=user, form=citrate, elemental_mg=100, taken_at=datetime(2026, 4, 2, 8, tzinfo=UTC)
    )
    with django_assert_max_num_queries(5):
        body = api.get("/api/v1/summary/period/?days=30&end=2026-04-10").json()
    assert (body["start"], body["end"], len(body["days"])) == ("2026-03-12", "2026-04-10", 30)
    by_date = {d["date"]: d for d in body["days"]}
    assert by_date["2026-03-19"]["no_data"] is True and by_date["2026-03-20"]["no_data"] is True
    assert by_date["2026-04-01"]["no_data"] is False
    assert body["days_with_data"] == 10  # 1 to 10 April, the days logged
    assert by_date["2026-04-02"]["supplement_mg"] == 100 and by_date["2026-04-02"]["total_mg"] == 178
    # rolling: 4 April = mean of the days logged from 29 March to 4 April = (78 + 178 + 78 + 78) / 4
    assert by_date["2026-04-04"]["rolling_7_day_mg"] == round((78 + 178 + 78 + 78) / 4, 2)
    assert by_date["2026-03-12"]["rolling_7_day_mg"] is None  # nothing logged: nothing to average
    assert body["average_mg"] == round((10 * 78 + 96 + 100) / 10, 2)
    assert [(f["name"], f["magnesium_mg"]) for f in body["top_foods"]] == [
        ("Almonds", 780.0),
        ("Oat bran", 96.0),
    ]
    assert body["top_foods"][0]["share_of_food_percent"] == round(780 * 100 / 876, 1)
    for bad in ("days=6", "days=367", "days=x", "end=2026-02-30"):
        assert api.get(f"/api/v1/summary/period/?{bad}").status_code == 400


def test_a_90_day_period_costs_no_more_queries_than_a_week(
    api, user, almonds_oz, citrate, django_assert_max_num_queries
):
    _history(user, almonds_oz, citrate, 400)
    with django_assert_max_num_queries(5):
        assert len(api.get("/api/v1/summary/period/?days=90&end=2021-12-31").json()["days"]) == 90


def _history(user, almonds_oz, citrate, days):
    make_history(user, portion=almonds_oz, form=citrate, days=days)


ENDPOINTS = [
    "/api/v1/summary/daily/?date=2021-01-01",
    "/api/v1/summary/weekly/?end=2021-01-07",
    "/api/v1/summary/period/?days=90&end=2021-03-31",
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
