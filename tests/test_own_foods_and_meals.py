"""A real day's meals: own foods from a label, meal slots, saved meals, recipes, log again, copy a
meal, and batches of entries (all or nothing, idempotent)."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from foods.models import Food
from tracker.models import IntakeEntry, SavedMeal, SupplementDose

pytestmark = pytest.mark.django_db

LABEL = {"name": "Trail mix bar", "brand": "Hikers", "serving_label": "1 bar", "serving_grams": 40}


def own_food(api, **fields):
    response = api.post("/api/v1/my-foods/", {**LABEL, "magnesium_mg": 60, **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


# --- Own foods ---------------------------------------------------------------------------------------


def test_a_food_from_a_label_logs_its_serving(api):
    food = own_food(api)
    assert food["own"] is True and food["origin"] == "own"
    assert food["serving_label"] == "1 bar" and food["serving_grams"] == 40 and food["magnesium_mg"] == 60
    assert food["magnesium_mg_per_100g"] == 150
    entry = api.post(
        "/api/v1/intakes/", {"food": food["id"], "portion": food["portions"][0]["id"]}, format="json"
    )
    assert entry.status_code == 201 and entry.json()["magnesium_mg"] == 60


def test_percent_daily_value_uses_420_mg(api):
    food = own_food(api, magnesium_mg=None, magnesium_percent_dv=15)
    assert food["magnesium_mg"] == 63  # 15 % of 420 mg


def test_bad_labels_are_400_per_field_and_store_nothing(api):
    cases = [
        ({"serving_grams": 0}, "serving_grams"),
        ({"magnesium_mg": None}, "magnesium_mg"),
        ({"magnesium_percent_dv": 10}, "magnesium_percent_dv"),  # with magnesium_mg as well
        ({"magnesium_mg": -1}, "magnesium_mg"),
        ({"barcode": "4006381333932"}, "barcode"),  # wrong check digit
        ({"barcode": "12ab"}, "barcode"),
        ({"name": "  "}, "name"),
    ]
    for change, field in cases:
        response = api.post("/api/v1/my-foods/", {**LABEL, "magnesium_mg": 60, **change}, format="json")
        assert response.status_code == 400 and field in response.json(), (change, response.content)
    assert not Food.objects.filter(owner__isnull=False).exists()


def test_an_own_food_is_invisible_to_another_user(api, other_api):
    food = own_food(api, barcode="4006381333931")
    assert other_api.get(f"/api/v1/foods/{food['id']}/").status_code == 404
    assert other_api.get(f"/api/v1/my-foods/{food['id']}/").status_code == 404
    assert other_api.patch(f"/api/v1/my-foods/{food['id']}/", {"name": "x"}, format="json").status_code == 404
    assert other_api.delete(f"/api/v1/my-foods/{food['id']}/").status_code == 404
    assert other_api.get("/api/v1/foods/", {"search": "trail mix"}).json()["results"] == []
    assert other_api.get("/api/v1/foods/barcode/4006381333931/").status_code in (404, 502, 504)
    logged = other_api.post("/api/v1/intakes/", {"food": food["id"], "grams": 40}, format="json")
    assert logged.status_code == 400 and "food" in logged.json()
    assert api.get("/api/v1/foods/barcode/4006381333931/").json()["food"]["id"] == food["id"]


def test_editing_an_own_food_never_rewrites_past_entries(api):
    food = own_food(api)
    first = api.post(
        "/api/v1/intakes/", {"food": food["id"], "portion": food["portions"][0]["id"]}, format="json"
    )
    changed = api.patch(
        f"/api/v1/my-foods/{food['id']}/", {"magnesium_mg": 90, "name": "Trail bar"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["magnesium_mg"] == 90
    second = api.post(
        "/api/v1/intakes/", {"food": food["id"], "portion": food["portions"][0]["id"]}, format="json"
    )
    assert second.json()["magnesium_mg"] == 90
    assert IntakeEntry.objects.get(pk=first.json()["id"]).magnesium_mg == Decimal(60)
    assert second.json()["day"]["food_mg"] == 150


def test_deleting_an_own_food_in_use_hides_it_and_keeps_the_history(api):
    used, unused = own_food(api), own_food(api, name="Other bar")
    api.post("/api/v1/intakes/", {"food": used["id"], "grams": 40}, format="json")
    assert api.delete(f"/api/v1/my-foods/{used['id']}/").status_code == 204
    assert api.delete(f"/api/v1/my-foods/{unused['id']}/").status_code == 204
    assert not Food.objects.filter(pk=unused["id"]).exists()
    assert Food.objects.get(pk=used["id"]).retired
    assert api.get("/api/v1/foods/", {"search": "trail mix"}).json()["results"] == []
    assert [f["id"] for f in api.get("/api/v1/my-foods/").json()["results"]] == []
    assert api.get("/api/v1/intakes/").json()["results"][0]["food_name"] == "Trail mix bar"


# --- Meal slots ----------------------------------------------------------------------------------------


def test_meal_slot_defaults_from_the_local_time_and_the_day_has_subtotals(api, user, almonds_oz):
    user.profile.time_zone = "America/New_York"
    user.profile.save()
    day = timezone.now().astimezone(user.profile.zone).date() - timedelta(days=1)

    def at(hour):
        return datetime(day.year, day.month, day.day, hour, 30).isoformat()  # no offset: New York time

    for hour, expected in [(7, "breakfast"), (12, "lunch"), (16, "snack"), (19, "dinner"), (23, "snack")]:
        body = {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "consumed_at": at(hour)}
        assert api.post("/api/v1/intakes/", body, format="json").json()["meal"] == expected
    chosen = {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "consumed_at": at(7), "meal": "lunch"}
    assert api.post("/api/v1/intakes/", chosen, format="json").json()["meal"] == "lunch"
    summary = api.get("/api/v1/summary/daily/", {"date": day.isoformat()}).json()
    assert summary["meals"] == {"breakfast": 78, "lunch": 156, "dinner": 78, "snack": 156}
    assert summary["food_mg"] == 468
    assert api.post("/api/v1/intakes/", {**chosen, "meal": "brunch"}, format="json").status_code == 400


# --- Saved meals and recipes ---------------------------------------------------------------------------


def breakfast(api, almonds_oz, oat_bran_half_cup):
    body = {
        "name": "My breakfast",
        "items": [
            {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "quantity": 1},
            {"food": oat_bran_half_cup.food_id, "portion": oat_bran_half_cup.pk, "quantity": 2},
        ],
    }
    response = api.post("/api/v1/saved-meals/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_saved_meal_logs_all_its_entries_in_one_request_and_a_replay_stores_nothing(
    api, almonds_oz, oat_bran_half_cup
):
    meal = breakfast(api, almonds_oz, oat_bran_half_cup)
    assert meal["magnesium_mg"] == 270  # 78 + 2 × 96
    action = str(uuid.uuid4())
    logged = api.post(
        f"/api/v1/saved-meals/{meal['id']}/log/", {"id": action, "meal": "breakfast"}, format="json"
    )
    assert logged.status_code == 201
    assert [e["magnesium_mg"] for e in logged.json()["entries"]] == [78, 192]
    assert logged.json()["day"]["meals"]["breakfast"] == 270
    replay = api.post(
        f"/api/v1/saved-meals/{meal['id']}/log/", {"id": action, "meal": "breakfast"}, format="json"
    )
    assert replay.status_code == 200 and IntakeEntry.objects.count() == 2
    assert {e["id"] for e in replay.json()["entries"]} == {e["id"] for e in logged.json()["entries"]}


def test_a_meal_can_be_saved_from_logged_entries(api, almonds_oz, oat_bran_half_cup):
    ids = [
        api.post("/api/v1/intakes/", {"food": p.food_id, "portion": p.pk}, format="json").json()["id"]
        for p in (almonds_oz, oat_bran_half_cup)
    ]
    meal = api.post("/api/v1/saved-meals/", {"name": "Usual", "from_entries": ids}, format="json")
    assert meal.status_code == 201 and meal.json()["magnesium_mg"] == 174
    bad = api.post("/api/v1/saved-meals/", {"name": "x", "from_entries": [str(uuid.uuid4())]}, format="json")
    assert bad.status_code == 400 and "from_entries" in bad.json()


def test_a_recipe_logs_its_share_per_serving_and_is_searchable(api, almonds_oz, oat_bran_half_cup):
    body = {
        "name": "Almond porridge",
        "kind": "recipe",
        "servings": 4,
        "items": [
            {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "quantity": 4},  # 312 mg
            {"food": oat_bran_half_cup.food_id, "portion": oat_bran_half_cup.pk, "quantity": 4},  # 384 mg
        ],
    }
    recipe = api.post("/api/v1/saved-meals/", body, format="json").json()
    assert recipe["magnesium_mg"] == 696 and recipe["magnesium_mg_per_serving"] == 174
    logged = api.post(f"/api/v1/saved-meals/{recipe['id']}/log/", {"servings": 1.5}, format="json")
    assert logged.status_code == 201 and logged.json()["entries"][0]["magnesium_mg"] == 261  # 1.5 × 174
    assert (
        api.get("/api/v1/foods/", {"search": "almond porridge"}).json()["results"][0]["id"] == recipe["food"]
    )
    assert (
        api.post(f"/api/v1/saved-meals/{recipe['id']}/log/", {"servings": 0}, format="json").status_code
        == 400
    )


def test_servings_of_a_recipe_are_its_total_times_servings_over_its_servings_rounded_once(
    api, almonds_oz, oat_bran_half_cup
):
    """Not a rounded serving weight times a rounded value per 100 g: n servings are exactly
    n × total ÷ servings, rounded once, half up, and the per-serving figure is the same division."""
    from decimal import ROUND_HALF_UP

    items = [
        {"food": almonds_oz.food_id, "grams": 37.3},
        {"food": oat_bran_half_cup.food_id, "grams": 51.9},
        {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "quantity": 1},
    ]
    for servings in (3, 7, 9, Decimal("2.5")):
        recipe = api.post(
            "/api/v1/saved-meals/",
            {"name": f"Stew {servings}", "kind": "recipe", "servings": servings, "items": items},
            format="json",
        ).json()
        total = Decimal(str(recipe["magnesium_mg"]))
        per_serving = (total / Decimal(servings)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(str(recipe["magnesium_mg_per_serving"])) == per_serving, (servings, recipe)
        for eaten in ("1", "2", "1.5", "2.333"):
            entry = api.post(
                f"/api/v1/saved-meals/{recipe['id']}/log/", {"servings": eaten}, format="json"
            ).json()["entries"][0]
            expected = (Decimal(eaten) * total / Decimal(servings)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert Decimal(str(entry["magnesium_mg"])) == expected, (servings, eaten, entry)
            # the recipe's food logged like any food (a search finds it) gives the same figure
            serving = api.get(f"/api/v1/foods/{recipe['food']}/").json()["portions"][0]
            again = api.post(
                "/api/v1/intakes/",
                {"food": recipe["food"], "portion": serving["id"], "quantity": eaten},
                format="json",
            ).json()
            assert Decimal(str(again["magnesium_mg"])) == expected


def test_a_recipe_cannot_contain_itself_directly_or_through_another(api, almonds_oz):
    def recipe(name, items):
        response = api.post(
            "/api/v1/saved-meals/",
            {"name": name, "kind": "recipe", "servings": 2, "items": items},
            format="json",
        )
        assert response.status_code == 201, response.content
        return response.json()

    def serving_of(meal):
        food = api.get(f"/api/v1/foods/{meal['food']}/").json()
        return {"food": food["id"], "portion": food["portions"][0]["id"], "quantity": 1}

    almonds = {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "quantity": 2}
    soup = recipe("Soup", [almonds])
    stew = recipe("Stew", [almonds, serving_of(soup)])  # a recipe inside a recipe is fine
    pie = recipe("Pie", [serving_of(stew)])
    before = {m["id"]: m["magnesium_mg"] for m in api.get("/api/v1/saved-meals/").json()["results"]}
    for meal, items in (
        (soup, [almonds, serving_of(soup)]),  # itself
        (soup, [serving_of(stew)]),  # soup → stew → soup
        (soup, [serving_of(pie)]),  # soup → pie → stew → soup
    ):
        for method in (api.patch, api.put):
            response = method(
                f"/api/v1/saved-meals/{meal['id']}/",
                {"name": meal["name"], "kind": "recipe", "items": items},
                format="json",
            )
            assert response.status_code == 400, response.content
            assert "cannot contain itself" in response.json()["items"][0]
    after = {m["id"]: m["magnesium_mg"] for m in api.get("/api/v1/saved-meals/").json()["results"]}
    assert after == before and len(SavedMeal.objects.get(pk=soup["id"]).items.all()) == 1


def test_saved_meals_are_private(api, other_api, almonds_oz, oat_bran_half_cup):
    meal = breakfast(api, almonds_oz, oat_bran_half_cup)
    assert other_api.get(f"/api/v1/saved-meals/{meal['id']}/").status_code == 404
    assert other_api.post(f"/api/v1/saved-meals/{meal['id']}/log/", {}, format="json").status_code == 404
    assert other_api.delete(f"/api/v1/saved-meals/{meal['id']}/").status_code == 404
    assert other_api.get("/api/v1/saved-meals/").json()["results"] == []
    other_food = own_food(other_api)
    stolen = api.post(
        "/api/v1/saved-meals/",
        {"name": "x", "items": [{"food": other_food["id"], "grams": 10}]},
        format="json",
    )
    assert stolen.status_code == 400 and not SavedMeal.objects.filter(name="x").exists()


def test_another_users_portion_reads_exactly_as_a_portion_that_does_not_exist(api, other_api, almonds_oz):
    """Before: "belongs to another food" for another account's portion, "does not exist" for a free id,
    so ids of other people's own foods could be found. Every way in answers the same for both."""
    from foods.models import Portion

    theirs = own_food(other_api)["portions"][0]["id"]
    free = Portion.objects.order_by("-pk").first().pk + 1000
    entry_id = str(uuid.uuid4())

    def answers(portion):
        intake = api.post("/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": portion}, format="json")
        batch = api.post(
            "/api/v1/entries/batch/",
            {
                "entries": [
                    {
                        "type": "intake",
                        "id": entry_id,
                        "food": almonds_oz.food_id,
                        "portion": portion,
                    }
                ]
            },
            format="json",
        )
        meal = api.post(
            "/api/v1/saved-meals/",
            {"name": "x", "items": [{"food": almonds_oz.food_id, "portion": portion}]},
            format="json",
        )
        return [(r.status_code, str(r.json()).replace(str(portion), "ID")) for r in (intake, batch, meal)]

    mine, free_answers = answers(theirs), answers(free)
    assert mine == free_answers and {code for code, _ in mine} == {400}, (mine, free_answers)
    assert "does not exist" in mine[0][1]
    assert not IntakeEntry.objects.exists() and not SavedMeal.objects.exists()
    # my own portion of another food still says what is wrong
    other_food = own_food(api)
    wrong = api.post(
        "/api/v1/intakes/",
        {"food": almonds_oz.food_id, "portion": other_food["portions"][0]["id"]},
        format="json",
    )
    assert wrong.status_code == 400 and "belongs to another food" in wrong.json()["portion"][0]


def test_log_again_and_copy_yesterdays_breakfast(api, user, almonds_oz, oat_bran_half_cup):
    yesterday = timezone.now().date() - timedelta(days=1)
    for portion in (almonds_oz, oat_bran_half_cup):
        moment = datetime(yesterday.year, yesterday.month, yesterday.day, 8, tzinfo=UTC).isoformat()
        api.post(
            "/api/v1/intakes/",
            {"food": portion.food_id, "portion": portion.pk, "consumed_at": moment},
            format="json",
        )
    past = IntakeEntry.objects.filter(portion=almonds_oz).get()
    again = api.post(f"/api/v1/intakes/{past.pk}/log-again/", {}, format="json")
    assert again.status_code == 201 and again.json()["magnesium_mg"] == 78
    assert again.json()["local_date"] == timezone.now().date().isoformat()

    action = str(uuid.uuid4())
    body = {"from_date": yesterday.isoformat(), "meal": "breakfast", "id": action}
    copied = api.post("/api/v1/intakes/copy-meal/", body, format="json")
    assert copied.status_code == 201, copied.content
    assert sorted(e["magnesium_mg"] for e in copied.json()["entries"]) == [78, 96]
    assert {e["meal"] for e in copied.json()["entries"]} == {"breakfast"}
    assert api.post("/api/v1/intakes/copy-meal/", body, format="json").status_code == 200
    assert IntakeEntry.objects.filter(local_date=timezone.now().date()).count() == 3
    nothing = api.post("/api/v1/intakes/copy-meal/", {**body, "meal": "dinner", "id": None}, format="json")
    assert nothing.status_code == 400


# --- Batches -------------------------------------------------------------------------------------------


def test_a_batch_stores_everything_once_and_a_replay_stores_nothing(api, almonds_oz, citrate):
    entries = [
        {"type": "intake", "id": str(uuid.uuid4()), "food": almonds_oz.food_id, "portion": almonds_oz.pk},
        {"type": "intake", "id": str(uuid.uuid4()), "food": almonds_oz.food_id, "grams": 56.7},
        {"type": "supplement_dose", "id": str(uuid.uuid4()), "form": citrate.pk, "elemental_mg": 100},
    ]
    first = api.post("/api/v1/entries/batch/", {"entries": entries}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["created"] == 3 and first.json()["days"][0]["total_mg"] == 334  # 78 + 156 + 100
    replay = api.post("/api/v1/entries/batch/", {"entries": entries}, format="json")
    assert replay.status_code == 200 and replay.json() | {"days": None} == first.json() | {
        "days": None,
        "created": 0,
        "replayed": 3,
    }
    assert IntakeEntry.objects.count() == 2 and SupplementDose.objects.count() == 1


def test_a_batch_with_one_bad_entry_stores_nothing_and_names_it(api, almonds_oz):
    bad_id = str(uuid.uuid4())
    entries = [
        {"type": "intake", "id": str(uuid.uuid4()), "food": almonds_oz.food_id, "portion": almonds_oz.pk},
        {"type": "intake", "id": bad_id, "food": almonds_oz.food_id, "grams": -5},
    ]
    response = api.post("/api/v1/entries/batch/", {"entries": entries}, format="json")
    assert response.status_code == 400
    assert "grams" in response.json()["entries"]["1"]
    assert response.json()["detail"] == [f"entry 2 (id {bad_id}) is invalid: nothing was stored."]
    assert not IntakeEntry.objects.exists()
    # a rule the service checks (a quantity without a portion) also stores nothing
    entries[1] = {"type": "intake", "id": bad_id, "food": almonds_oz.food_id, "grams": 10, "quantity": 2}
    response = api.post("/api/v1/entries/batch/", {"entries": entries}, format="json")
    assert response.status_code == 400 and "1" in response.json()["entries"]
    assert not IntakeEntry.objects.exists()
    for body in ({"entries": []}, {"entries": [{"type": "meal"}]}, {"entries": "x"}, {}):
        assert api.post("/api/v1/entries/batch/", body, format="json").status_code == 400


def test_a_batch_entry_without_its_id_is_refused_by_position_and_nothing_is_stored(api, almonds_oz, citrate):
    """Without an id a replay could not be told from a new entry: the same batch sent twice would store
    the entry twice."""
    entries = [
        {"type": "intake", "id": str(uuid.uuid4()), "food": almonds_oz.food_id, "portion": almonds_oz.pk},
        {"type": "supplement_dose", "form": citrate.pk, "elemental_mg": 100},
        {"type": "intake", "id": None, "food": almonds_oz.food_id, "grams": 10},
    ]
    for _ in range(2):
        response = api.post("/api/v1/entries/batch/", {"entries": entries}, format="json")
        assert response.status_code == 400, response.content
        body = response.json()
        assert set(body["entries"]) == {"1", "2"} and "needs its own id" in body["entries"]["1"]["id"][0]
        assert body["detail"] == ["entry 2 is invalid: nothing was stored."]
    assert not IntakeEntry.objects.exists() and not SupplementDose.objects.exists()


def test_a_batch_reusing_another_entrys_id_is_a_conflict_and_stores_nothing(api, other_api, almonds_oz):
    taken = str(uuid.uuid4())
    other_api.post("/api/v1/intakes/", {"id": taken, "food": almonds_oz.food_id, "grams": 10}, format="json")
    entries = [
        {"type": "intake", "id": str(uuid.uuid4()), "food": almonds_oz.food_id, "grams": 20},
        {"type": "intake", "id": taken, "food": almonds_oz.food_id, "grams": 10},
    ]
    response = api.post("/api/v1/entries/batch/", {"entries": entries}, format="json")
    assert response.status_code == 409 and "1" in response.json()["entries"]
    assert IntakeEntry.objects.count() == 1


# --- Export and deletion -------------------------------------------------------------------------------


def test_export_holds_own_foods_and_saved_meals_and_deletion_removes_them(
    api, user, almonds_oz, oat_bran_half_cup
):
    food = own_food(api)
    api.post("/api/v1/intakes/", {"food": food["id"], "grams": 40}, format="json")
    breakfast(api, almonds_oz, oat_bran_half_cup)
    exported = api.get("/api/v1/export/").json()
    assert [f["name"] for f in exported["own_foods"]] == ["Trail mix bar"]
    assert (
        exported["saved_meals"][0]["name"] == "My breakfast" and len(exported["saved_meals"][0]["items"]) == 2
    )
    assert exported["intakes"][0]["meal"] in ("breakfast", "lunch", "dinner", "snack")
    assert api.delete("/api/v1/account/").status_code == 204
    assert not Food.objects.filter(pk=food["id"]).exists()
    assert not SavedMeal.objects.exists() and not IntakeEntry.objects.exists()
    assert Food.objects.filter(pk=almonds_oz.food_id).exists()


def test_meal_slot_rule_at_its_edges():
    from datetime import time

    from tracker.nutrition import meal_for_local_time

    expected = {
        3: "snack",
        4: "breakfast",
        10: "breakfast",
        11: "lunch",
        14: "lunch",
        15: "snack",
        17: "dinner",
    }
    expected |= {20: "dinner", 21: "snack", 0: "snack"}
    for hour, slot in expected.items():
        assert meal_for_local_time(time(hour, 59 if hour in (3, 10, 14, 20) else 0)) == slot, hour


# --- Edges found in review: impossible values are 400s, never stored ----------------------------------


def test_impossible_labels_and_recipes_are_400_and_store_nothing(api, almonds_oz):
    for change, field in [
        ({"serving_grams": "0.01", "magnesium_mg": 2000}, "serving_grams"),  # under 0.1 g
        ({"serving_grams": 1, "magnesium_mg": 200}, "magnesium_mg"),  # 20,000 mg per 100 g
        ({"serving_grams": 1, "magnesium_mg": None, "magnesium_percent_dv": 100}, "magnesium_percent_dv"),
        ({"magnesium_mg": None, "magnesium_percent_dv": 1000}, "magnesium_percent_dv"),  # over 2,000 mg
    ]:
        response = api.post("/api/v1/my-foods/", {**LABEL, **change}, format="json")
        assert response.status_code == 400 and field in response.json(), (change, response.content)
    food = own_food(api)
    response = api.patch(f"/api/v1/my-foods/{food['id']}/", {"serving_grams": "0.1"}, format="json")
    assert response.status_code == 400  # 60 mg in 0.1 g
    assert api.get("/api/v1/my-foods/").json()["results"][0]["magnesium_mg"] == 60
    huge = {
        "name": "Giant stew",
        "kind": "recipe",
        "servings": "0.01",
        "items": [{"food": almonds_oz.food_id, "grams": 5000}] * 50,
    }
    response = api.post("/api/v1/saved-meals/", huge, format="json")
    assert response.status_code == 400 and "servings" in response.json()
    assert not SavedMeal.objects.exists()
    assert api.get("/api/v1/export/").status_code == 200 and api.delete("/api/v1/account/").status_code == 204


def test_an_amount_that_rounds_to_nothing_is_400(api, almonds_oz):
    for body in (
        {"food": almonds_oz.food_id, "grams": "0.001"},
        {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "quantity": "0.0001"},
    ):
        response = api.post("/api/v1/intakes/", body, format="json")
        assert response.status_code == 400, response.content
    batch = {
        "entries": [{"type": "intake", "id": str(uuid.uuid4()), "food": almonds_oz.food_id, "grams": "0.001"}]
    }
    assert api.post("/api/v1/entries/batch/", batch, format="json").status_code == 400
    assert not IntakeEntry.objects.exists()


def test_a_number_too_large_for_an_id_is_400(api, almonds_oz):
    raw = '{"food": 1e400, "grams": 10}'
    assert api.post("/api/v1/intakes/", raw, content_type="application/json").status_code == 400
    raw = '{"entries": [{"type": "intake", "food": 1e400, "grams": 10}]}'
    assert api.post("/api/v1/entries/batch/", raw, content_type="application/json").status_code == 400


def test_replaying_a_meal_log_after_editing_the_meal_stores_nothing_twice(api, almonds_oz, oat_bran_half_cup):
    meal = breakfast(api, almonds_oz, oat_bran_half_cup)
    action = str(uuid.uuid4())
    assert (
        api.post(f"/api/v1/saved-meals/{meal['id']}/log/", {"id": action}, format="json").status_code == 201
    )
    same_items = [{k: item[k] for k in ("food", "portion", "quantity")} for item in meal["items"]]
    assert (
        api.patch(f"/api/v1/saved-meals/{meal['id']}/", {"items": same_items}, format="json").status_code
        == 200
    )
    assert (
        api.post(f"/api/v1/saved-meals/{meal['id']}/log/", {"id": action}, format="json").status_code == 200
    )
    assert IntakeEntry.objects.count() == 2


def test_a_recipes_food_changes_only_through_the_recipe(api, almonds_oz):
    body = {
        "name": "Nut mix",
        "kind": "recipe",
        "servings": 2,
        "items": [{"food": almonds_oz.food_id, "grams": 100}],
    }
    recipe = api.post("/api/v1/saved-meals/", body, format="json").json()
    response = api.patch(f"/api/v1/my-foods/{recipe['food']}/", {"serving_label": "1 bowl"}, format="json")
    assert response.status_code == 400
    assert api.post(f"/api/v1/saved-meals/{recipe['id']}/log/", {}, format="json").status_code == 201


def test_a_copied_meal_lands_on_the_day_asked_even_after_a_zone_change(api, user, almonds_oz):
    user.profile.time_zone = "Pacific/Kiritimati"  # UTC+14
    user.profile.save()
    logged = api.post(
        "/api/v1/intakes/",
        {
            "food": almonds_oz.food_id,
            "portion": almonds_oz.pk,
            "consumed_at": "2026-03-10T08:00:00",
            "meal": "breakfast",
        },
        format="json",
    ).json()
    assert logged["local_date"] == "2026-03-10"
    api.patch(
        "/api/v1/profile/", {"time_zone": "Pacific/Pago_Pago"}, format="json"
    )  # UTC-11: 8:00 was the 9th
    body = {"from_date": "2026-03-10", "meal": "breakfast", "to_date": "2026-03-12"}
    copied = api.post("/api/v1/intakes/copy-meal/", body, format="json")
    assert copied.status_code == 201 and copied.json()["entries"][0]["local_date"] == "2026-03-12"
