"""Two users: every object endpoint hides the other's rows (404). Export round-trip and deletion."""

import csv
import io
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

from tracker.models import IntakeEntry, Profile, SupplementDose

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def theirs(other_api, almonds_oz, citrate):
    intake = other_api.post(
        "/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "note": "their secret"}
    ).data
    dose = other_api.post("/api/v1/supplement-doses/", {"form": citrate.pk, "elemental_mg": "300"}).data
    return {"intakes": intake["id"], "supplement-doses": dose["id"]}


@pytest.mark.parametrize("kind", ["intakes", "supplement-doses"])
def test_another_users_object_is_404_for_every_method(api, theirs, kind, almonds_oz, citrate):
    url = f"/api/v1/{kind}/{theirs[kind]}/"
    body = (
        {"food": almonds_oz.food_id, "portion": almonds_oz.pk}
        if kind == "intakes"
        else {"form": citrate.pk, "elemental_mg": "10"}
    )
    assert api.get(url).status_code == 404
    assert api.put(url, body).status_code == 404
    assert api.patch(url, {"note": "mine now"}).status_code == 404
    assert api.delete(url).status_code == 404
    assert api.get(f"/api/v1/{kind}/").data["results"] == []
    assert IntakeEntry.objects.filter(note="mine now").count() == 0
    assert IntakeEntry.objects.count() == 1 and SupplementDose.objects.count() == 1


def test_summaries_and_export_show_only_my_rows(api, theirs):
    assert api.get("/api/v1/summary/daily/").json()["total_mg"] == 0
    assert all(d["total_mg"] == 0 for d in api.get("/api/v1/summary/weekly/").json()["days"])
    export = api.get("/api/v1/export/?format=json").json()
    assert export["intakes"] == [] and export["supplement_doses"] == []
    assert "their secret" not in api.get("/api/v1/export/?format=csv").content.decode()


def test_export_json_round_trip_holds_everything(api, user, almonds_oz, citrate):
    api.patch("/api/v1/profile/", {"time_zone": "Europe/Berlin", "kidney_disease": True})
    intake = api.post(
        "/api/v1/intakes/",
        {
            "food": almonds_oz.food_id,
            "portion": almonds_oz.pk,
            "quantity": "1.5",
            "note": "trail mix",
            "consumed_at": "2026-02-01T07:30:00+01:00",
        },
    ).json()
    dose = api.post(
        "/api/v1/supplement-doses/",
        {"form": citrate.pk, "compound_mg": "500", "taken_at": "2026-02-01T21:00:00+01:00"},
    ).json()
    response = api.get("/api/v1/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["username"] == user.username
    assert data["profile"]["time_zone"] == "Europe/Berlin" and data["profile"]["kidney_disease"] is True
    [exported_intake] = data["intakes"]
    [exported_dose] = data["supplement_doses"]
    for key in (
        "id",
        "food",
        "portion",
        "quantity",
        "grams",
        "magnesium_mg",
        "consumed_at",
        "local_date",
        "note",
    ):
        assert exported_intake[key] == intake[key], key
    for key in ("id", "form", "elemental_mg", "compound_mg", "taken_at", "local_date"):
        assert exported_dose[key] == dose[key], key

    # Replaying the export into the API is a no-op: every id is already stored with the same data.
    for row in data["intakes"]:
        payload = {k: row[k] for k in ("id", "food", "portion", "quantity", "consumed_at", "note")}
        assert api.post("/api/v1/intakes/", payload).status_code == 200
    assert IntakeEntry.objects.count() == 1


def test_export_csv_has_one_row_per_entry(api, almonds_oz, citrate):
    api.post("/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk})
    api.post("/api/v1/supplement-doses/", {"form": citrate.pk, "elemental_mg": "200"})
    response = api.get("/api/v1/export/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["type"], r["item"], r["magnesium_mg"]) for r in rows] == [
        ("food", "Almonds", "78.00"),
        ("supplement", "Citrate", "200.00"),
    ]
    assert api.get("/api/v1/export/?format=xml").status_code == 400


def test_deleting_the_account_leaves_no_row_behind(api, user, other_user, almonds_oz, citrate, other_api):
    api.post("/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk})
    api.post("/api/v1/supplement-doses/", {"form": citrate.pk, "elemental_mg": "200"})
    other_api.post("/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk})
    assert api.delete("/api/v1/account/").status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    # every model that points at a user keeps no row of the deleted one
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                getattr(field, "related_model", None) is User
                and field.many_to_one
                or (getattr(field, "related_model", None) is User and field.one_to_one and field.concrete)
            ):
                assert not model.objects.filter(**{field.name: user.pk}).exists(), model
    assert Profile.objects.filter(user=other_user).exists()
    assert IntakeEntry.objects.filter(user=other_user).count() == 1
    assert api.get("/api/v1/profile/").status_code == 401


def test_deleting_the_account_deletes_its_browser_sessions(client, user, other_user):
    """Before: its django_session rows stayed (a session holds the account's id and its key)."""
    from django.contrib.sessions.models import Session

    from tracker.models import UserSession

    others = Client()
    for browser, who in ((client, user), (Client(), user), (others, other_user)):
        response = browser.post(
            "/api/v1/auth/login/",
            {"username": who.username, "password": "correct horse battery staple"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
    assert UserSession.objects.filter(user=user).count() == 2
    deleted = client.delete("/api/v1/account/")
    assert deleted.status_code == 204, deleted.content
    assert not UserSession.objects.filter(user_id=user.pk).exists()
    assert not Session.objects.exists()  # Django's own table is not used at all
    assert UserSession.objects.filter(user=other_user).count() == 1
    assert others.get("/api/v1/profile/").status_code == 200
