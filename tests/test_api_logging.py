"""Logging foods and supplements over HTTP: numbers, replays, conflicts, per-field errors."""

import json
import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from foods.models import Food, Portion
from tracker.models import IntakeEntry, SupplementDose

pytestmark = pytest.mark.django_db


def test_logging_one_ounce_of_almonds_adds_78_mg_to_the_day(api, almonds_oz):
    response = api.post("/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk})
    assert response.status_code == 201, response.data
    assert response.data["magnesium_mg"] == 78
    assert response.data["food_name"] == "Almonds" and response.data["portion_label"] == "1 oz"
    assert response.data["quantity"] == 1
    assert response.data["day"]["food_mg"] == 78
    assert response.data["day"]["remaining_mg"] == 320 - 78
    daily = api.get("/api/v1/summary/daily/").json()
    assert (daily["food_mg"], daily["total_mg"], daily["remaining_mg"]) == (78, 78, 242)


def test_logging_by_grams(api):
    spinach = Food.objects.get(name="Spinach, raw")
    response = api.post("/api/v1/intakes/", {"food": spinach.pk, "grams": "100"})
    assert response.status_code == 201
    assert response.data["magnesium_mg"] == 79


def test_times_are_iso_8601_with_offsets_and_local_dates_in_the_users_zone(api, almonds_oz):
    api.patch("/api/v1/profile/", {"time_zone": "Pacific/Auckland"})
    response = api.post(
        "/api/v1/intakes/",
        {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "consumed_at": "2026-07-10T23:30:00+12:00"},
    )
    assert response.status_code == 201
    assert response.data["local_date"] == "2026-07-10"
    assert response.data["consumed_at"] == "2026-07-10T11:30:00Z"


def test_the_same_post_sent_20_times_stores_one_row(api, almonds_oz):
    payload = {
        "id": str(uuid.uuid4()),
        "food": almonds_oz.food_id,
        "portion": almonds_oz.pk,
        "quantity": "2",
        "consumed_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
    }
    codes = [api.post("/api/v1/intakes/", payload).status_code for _ in range(20)]
    assert codes == [201] + [200] * 19
    assert IntakeEntry.objects.count() == 1
    assert str(IntakeEntry.objects.get().pk) == payload["id"]


def test_the_same_id_with_another_payload_is_409(api, almonds_oz):
    client_id = str(uuid.uuid4())
    api.post("/api/v1/intakes/", {"id": client_id, "food": almonds_oz.food_id, "portion": almonds_oz.pk})
    response = api.post(
        "/api/v1/intakes/",
        {"id": client_id, "food": almonds_oz.food_id, "portion": almonds_oz.pk, "quantity": "3"},
    )
    assert response.status_code == 409
    assert "id" in response.data
    assert IntakeEntry.objects.get().quantity == 1


def test_another_users_id_is_409_and_reveals_nothing(api, other_api, almonds_oz):
    client_id = str(uuid.uuid4())
    other_api.post(
        "/api/v1/intakes/",
        {"id": client_id, "food": almonds_oz.food_id, "portion": almonds_oz.pk, "note": "private"},
    )
    response = api.post(
        "/api/v1/intakes/", {"id": client_id, "food": almonds_oz.food_id, "portion": almonds_oz.pk}
    )
    assert response.status_code == 409
    assert "private" not in str(response.data)


def _bad_intakes(almonds_oz):
    spinach = Food.objects.get(name="Spinach, raw")
    food, portion = almonds_oz.food_id, almonds_oz.pk
    future = (timezone.now() + timedelta(days=2)).isoformat()
    return [
        ({"food": 999999, "portion": portion}, "food"),
        ({"food": "almonds", "portion": portion}, "food"),
        ({"portion": portion}, "food"),
        ({"food": spinach.pk, "portion": portion}, "portion"),
        ({"food": food, "portion": 99999999}, "portion"),
        ({"food": food, "portion": portion, "quantity": "0"}, "quantity"),
        ({"food": food, "portion": portion, "quantity": "-1"}, "quantity"),
        ({"food": food, "portion": portion, "quantity": "NaN"}, "quantity"),
        ({"food": food, "portion": portion, "quantity": "Infinity"}, "quantity"),
        ({"food": food, "portion": portion, "quantity": "1e30"}, "quantity"),
        ({"food": food, "portion": portion, "quantity": "1000"}, "quantity"),
        ({"food": food, "grams": "-3"}, "grams"),
        ({"food": food, "grams": "99999"}, "grams"),
        ({"food": food, "grams": "abc"}, "grams"),
        ({"food": food, "portion": portion, "grams": "10"}, "grams"),
        ({"food": food}, "portion"),
        ({"food": food, "portion": portion, "consumed_at": future}, "consumed_at"),
        ({"food": food, "portion": portion, "consumed_at": "yesterday"}, "consumed_at"),
        ({"food": food, "portion": portion, "consumed_at": "0001-01-01T00:00:00+05:00"}, "consumed_at"),
        ({"food": food, "portion": portion, "id": "not-a-uuid"}, "id"),
        ({"food": food, "portion": portion, "note": "x" * 501}, "note"),
    ]


def test_every_bad_intake_is_a_400_per_field_and_stores_nothing(api, almonds_oz):
    for payload, field in _bad_intakes(almonds_oz):
        response = api.post("/api/v1/intakes/", payload, format="json")
        assert response.status_code == 400, (payload, response.status_code, response.content)
        assert field in response.data, (payload, response.data)
    assert not IntakeEntry.objects.exists()


def test_a_body_that_is_not_json_is_400(api):
    response = api.generic("POST", "/api/v1/intakes/", "{not json", content_type="application/json")
    assert response.status_code == 400
    response = api.generic("POST", "/api/v1/intakes/", "[1, 2]", content_type="application/json")
    assert response.status_code == 400


def test_update_and_delete_an_intake(api, almonds_oz):
    entry_id = api.post("/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk}).data["id"]
    response = api.patch(f"/api/v1/intakes/{entry_id}/", {"quantity": "2", "note": "with breakfast"})
    assert response.status_code == 200
    assert (response.data["magnesium_mg"], response.data["note"]) == (156, "with breakfast")
    cup = Portion.objects.get(food=almonds_oz.food, label="¼ cup")
    response = api.put(
        f"/api/v1/intakes/{entry_id}/", {"food": almonds_oz.food_id, "portion": cup.pk, "quantity": "1"}
    )
    assert response.status_code == 200
    assert response.data["portion_label"] == "¼ cup"
    assert api.patch(f"/api/v1/intakes/{entry_id}/", {"quantity": "-2"}).status_code == 400
    assert api.patch(f"/api/v1/intakes/{entry_id}/", {"id": str(uuid.uuid4())}).status_code == 400
    assert api.get(f"/api/v1/intakes/{entry_id}/").data["portion_label"] == "¼ cup"
    assert api.delete(f"/api/v1/intakes/{entry_id}/").status_code == 204
    assert api.get(f"/api/v1/intakes/{entry_id}/").status_code == 404
    assert not IntakeEntry.objects.exists()


def test_list_filters_by_local_date_range(api, almonds_oz):
    for day in (1, 2, 3):
        api.post(
            "/api/v1/intakes/",
            {
                "food": almonds_oz.food_id,
                "portion": almonds_oz.pk,
                "consumed_at": f"2026-03-0{day}T12:00:00Z",
            },
        )
    response = api.get("/api/v1/intakes/?start=2026-03-02&end=2026-03-03")
    assert response.status_code == 200
    assert sorted(r["local_date"] for r in response.data["results"]) == ["2026-03-02", "2026-03-03"]
    assert api.get("/api/v1/intakes/?start=2026-03-04&end=2026-03-01").status_code == 400
    assert api.get("/api/v1/intakes/?start=March").status_code == 400


def test_supplement_from_compound_weight_and_the_upper_limit_flag(api, citrate):
    response = api.post("/api/v1/supplement-doses/", {"form": citrate.pk, "compound_mg": "1000"})
    assert response.status_code == 201, response.data
    assert response.data["elemental_mg"] == 162
    assert response.data["day"]["supplement_over_limit"] is False
    response = api.post("/api/v1/supplement-doses/", {"form": citrate.pk, "elemental_mg": "200"})
    assert response.data["day"]["supplement_mg"] == 362
    assert response.data["day"]["supplement_upper_limit_mg"] == 350
    assert response.data["day"]["supplement_over_limit"] is True
    assert api.get("/api/v1/summary/daily/").json()["supplement_over_limit"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"elemental_mg": "100"}, "form"),
        ({"form": 9999, "elemental_mg": "100"}, "form"),
        ({"form": "CITRATE_PK"}, "elemental_mg"),
        ({"form": "CITRATE_PK", "elemental_mg": "0"}, "elemental_mg"),
        ({"form": "CITRATE_PK", "elemental_mg": "-10"}, "elemental_mg"),
        ({"form": "CITRATE_PK", "elemental_mg": "5000"}, "elemental_mg"),
        ({"form": "CITRATE_PK", "compound_mg": "NaN"}, "compound_mg"),
        ({"form": "CITRATE_PK", "elemental_mg": "100", "taken_at": "2999-01-01T00:00:00Z"}, "taken_at"),
    ],
)
def test_bad_doses_are_400_per_field(api, citrate, payload, field):
    payload = {k: (citrate.pk if v == "CITRATE_PK" else v) for k, v in payload.items()}
    response = api.post("/api/v1/supplement-doses/", payload)
    assert response.status_code == 400
    assert field in response.data
    assert not SupplementDose.objects.exists()


def test_supplement_replay_and_update(api, citrate):
    payload = {
        "id": str(uuid.uuid4()),
        "form": citrate.pk,
        "elemental_mg": "120",
        "taken_at": datetime(2026, 5, 1, 8, tzinfo=timezone.get_current_timezone()).isoformat(),
    }
    assert [api.post("/api/v1/supplement-doses/", payload).status_code for _ in range(3)] == [201, 200, 200]
    response = api.patch(f"/api/v1/supplement-doses/{payload['id']}/", {"elemental_mg": "150"})
    assert response.status_code == 200 and response.data["elemental_mg"] == 150
    assert SupplementDose.objects.get().elemental_mg == 150


def test_a_time_without_an_offset_is_the_users_local_time(api, almonds_oz):
    api.patch("/api/v1/profile/", {"time_zone": "America/Los_Angeles"})
    response = api.post(
        "/api/v1/intakes/",
        {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "consumed_at": "2024-05-01T02:00:00"},
    )
    assert response.status_code == 201
    assert response.json()["local_date"] == "2024-05-01"
    assert response.json()["consumed_at"] == "2024-05-01T09:00:00Z"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/summary/weekly/?end=0001-01-03",
        "/api/v1/summary/weekly/?end=9999-12-31",
        "/api/v1/summary/daily/?date=9999-12-31",
        "/api/v1/intakes/?start=0001-01-01",
    ],
)
def test_dates_out_of_range_are_400_not_500(api, url):
    response = api.get(url)
    assert response.status_code == 400


def test_the_fast_answer_to_a_new_entry_equals_the_serializers_own(api, almonds_oz, citrate):
    """Creates validate and render through serializers bound once per process (api/base.py,
    _bound): the 201 must be exactly what a fresh serializer gives, the day's summary included."""
    from rest_framework.renderers import JSONRenderer

    from api import entries as s
    from api.base import day_status
    from tracker.models import IntakeEntry, SupplementDose

    for url, body, model, serializer_class in (
        (
            "/api/v1/intakes/",
            {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "quantity": 2.5, "note": "x"},
            IntakeEntry,
            s.IntakeCreatedSerializer,
        ),
        (
            "/api/v1/supplement-doses/",
            {"form": citrate.pk, "compound_mg": 500},
            SupplementDose,
            s.DoseCreatedSerializer,
        ),
    ):
        response = api.post(url, body)
        assert response.status_code == 201
        row = model.objects.get(pk=response.json()["id"])
        row.day = day_status(row.user, row.local_date)
        if model is SupplementDose:
            from tracker.guidance import DISCLAIMER
            from tracker.services import guidance

            row.advice = guidance.dose_advice(dose=row, day=row.day, profile=row.user.profile)
            row.disclaimer = DISCLAIMER
        expected = json.loads(JSONRenderer().render(serializer_class(row).data))
        assert response.json() == expected
