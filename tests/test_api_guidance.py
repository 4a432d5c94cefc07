"""The guidance API: symptom journal and red flags, daily context, lab results, medicines and risk
factors in the profile, route-aware totals and dose advice, reminders that mind the spacing, insights
on a hand-built history; each new object isolated per user, exported and deleted with the account."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from foods.models import SupplementForm
from tracker.guidance import DISCLAIMER
from tracker.models import DailyContext, LabResult, RedFlagDismissal, SupplementDose, SymptomEntry

pytestmark = pytest.mark.django_db
User = get_user_model()


def now_iso(**delta):
    return (timezone.now() + timedelta(**delta)).isoformat()


@pytest.fixture
def adult(api):
    api.patch("/api/v1/profile/", {"sex": "female", "birth_date": "1990-01-01", "time_zone": "UTC"})
    return api


# --- Symptom journal and red flags ------------------------------------------------------------------------


def test_recording_trouble_breathing_answers_with_the_urgent_message_until_dismissed(adult):
    response = adult.post(
        "/api/v1/symptoms/", {"kind": "trouble_breathing", "severity": 4, "body_area": "chest"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind_label"] == "Trouble breathing" and body["body_area_label"] == "Chest"
    assert body["disclaimer"] == DISCLAIMER
    [flag] = body["red_flags"]
    assert flag["level"] == "urgent" and flag["title"] == "Seek medical care now"
    assert "call your local emergency number" in flag["message"]
    assert adult.get("/api/v1/red-flags/").json()["red_flags"] == [flag]

    dismissed = adult.post("/api/v1/red-flags/dismiss/", {"code": "urgent_symptom"})
    assert dismissed.status_code == 200 and dismissed.json()["red_flags"] == []
    assert adult.get("/api/v1/red-flags/").json()["red_flags"] == []
    # a new entry raises it again
    again = adult.post("/api/v1/symptoms/", {"kind": "trouble_swallowing", "severity": 3})
    assert [f["code"] for f in again.json()["red_flags"]] == ["urgent_symptom"]
    assert adult.post("/api/v1/red-flags/dismiss/", {"code": "not-a-flag"}).status_code == 400


def test_twitching_with_numbness_raises_see_a_doctor_over_the_history(adult):
    adult.post(
        "/api/v1/symptoms/",
        {"kind": "twitching", "severity": 2, "body_area": "eyelid", "occurred_at": now_iso(days=-10)},
    )
    second = adult.post("/api/v1/symptoms/", {"kind": "numbness", "severity": 2, "body_area": "hand"}).json()
    assert [(f["code"], f["level"]) for f in second["red_flags"]] == [
        ("twitching_with_symptoms", "see_doctor")
    ]


def test_twitching_on_most_days_for_three_weeks_raises_its_flag_on_the_eleventh_day(adult):
    for n, days_ago in enumerate(range(20, -1, -2)):
        flags = adult.post(
            "/api/v1/symptoms/",
            {"kind": "twitching", "severity": 1, "body_area": "calf", "occurred_at": now_iso(days=-days_ago)},
        ).json()["red_flags"]
        assert [f["code"] for f in flags] == (["twitching_for_weeks"] if n == 10 else []), n


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "twitching", "severity": 0}, "severity"),
        ({"kind": "twitching", "severity": 6}, "severity"),
        ({"kind": "hiccups", "severity": 2}, "kind"),
        ({"kind": "twitching"}, "severity"),
        ({"kind": "twitching", "severity": 2, "body_area": "tail"}, "body_area"),
        ({"kind": "twitching", "severity": 2, "duration_minutes": 7 * 24 * 60 + 1}, "duration_minutes"),
        ({"kind": "twitching", "severity": 2, "occurred_at": "2031-01-01T00:00:00Z"}, "occurred_at"),
        ({"kind": "twitching", "severity": 2, "occurred_at": "0001-01-01T00:00:00"}, "occurred_at"),
        ({"kind": "twitching", "severity": True}, "severity"),
        ({"kind": "twitching", "severity": 2, "note": "x" * 501}, "note"),
    ],
)
def test_a_bad_symptom_is_a_400_naming_the_field_and_stores_nothing(adult, body, field):
    response = adult.post("/api/v1/symptoms/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert SymptomEntry.objects.count() == 0


def test_a_symptom_is_idempotent_by_client_id_and_editable(adult):
    body = {
        "id": "0b6f3a52-8e49-4f43-9b4e-0d3f1f1c2a11",
        "kind": "cramp",
        "severity": 3,
        "body_area": "calf",
        "occurred_at": "2026-11-20T23:30:00-05:00",
    }
    assert adult.post("/api/v1/symptoms/", body).status_code == 201
    assert adult.post("/api/v1/symptoms/", body).status_code == 200
    assert adult.post("/api/v1/symptoms/", body | {"severity": 4}).status_code == 409
    entry = SymptomEntry.objects.get()
    assert entry.local_date.isoformat() == "2026-11-21"  # the user's zone is UTC
    changed = adult.patch(f"/api/v1/symptoms/{entry.pk}/", {"severity": 5, "duration_minutes": 15})
    assert changed.status_code == 200 and changed.json()["severity"] == 5
    assert (
        adult.get("/api/v1/symptoms/?start=2026-11-21&end=2026-11-21").json()["results"][0][
            "duration_minutes"
        ]
        == 15
    )
    assert adult.delete(f"/api/v1/symptoms/{entry.pk}/").status_code == 204


# --- Daily context ----------------------------------------------------------------------------------------


def test_daily_context_is_set_one_field_at_a_time(adult):
    assert adult.put("/api/v1/context/2026-11-20/", {"caffeine_drinks": 3}).status_code == 200
    answer = adult.patch(
        "/api/v1/context/2026-11-20/", {"sleep_hours": 5.5, "stress": 4, "intense_exercise": True}
    ).json()
    assert answer == {
        "date": "2026-11-20",
        "caffeine_drinks": 3,
        "sleep_hours": 5.5,
        "stress": 4,
        "intense_exercise": True,
        "completed_at": None,
        "updated_at": answer["updated_at"],
    }
    assert DailyContext.objects.count() == 1
    assert adult.get("/api/v1/context/2026-11-21/").json()["caffeine_drinks"] is None
    assert [row["date"] for row in adult.get("/api/v1/context/?start=2026-11-01").json()] == ["2026-11-20"]
    for body in ({"stress": 6}, {"sleep_hours": 25}, {"caffeine_drinks": -1}, {"intense_exercise": "maybe"}):
        assert adult.put("/api/v1/context/2026-11-20/", body).status_code == 400
    assert adult.put("/api/v1/context/2026-13-01/", {"stress": 2}).status_code == 400
    assert adult.put("/api/v1/context/9999-12-31/", {"stress": 2}).status_code == 400
    assert DailyContext.objects.get().stress == 4


def test_a_date_has_one_spelling_in_urls_and_queries(adult):
    """Before: context/2026-1-1/ and context/20261201/ were other names of a day."""
    for spelling in ("2026-1-1", "20261201", "2026-11-1", " 2026-11-01", "2026-W48-2"):
        answer = adult.put(f"/api/v1/context/{spelling}/", {"stress": 2})
        assert answer.status_code == 400, spelling
        assert "YYYY-MM-DD" in answer.json()["date"][0]
        assert adult.get(f"/api/v1/context/{spelling}/").status_code == 400
        assert adult.get("/api/v1/summary/daily/", {"date": spelling}).status_code == 400
        assert adult.get("/api/v1/intakes/", {"start": spelling}).status_code == 400
        assert adult.patch("/api/v1/profile/", {"birth_date": spelling}).status_code == 400
    assert not DailyContext.objects.exists()
    assert adult.put("/api/v1/context/2026-11-01/", {"stress": 2}).json()["date"] == "2026-11-01"


# --- Lab results ------------------------------------------------------------------------------------------


def test_a_lab_result_is_shown_in_every_unit_and_flagged(adult):
    low = adult.post("/api/v1/labs/", {"taken_on": "2026-11-02", "value": "1.7", "unit": "mg_dl"})
    assert low.status_code == 201
    body = low.json()
    assert body["flag"] == "low"
    assert body["values"] == {"mg_dl": 1.7, "mmol_l": 0.699, "meq_l": 1.399}
    assert body["range_used"]["low"] == 1.823 and body["range_used"]["source"].startswith("[ODS]")
    assert "less than 1%" in body["caveat"]
    with_range = adult.post(
        "/api/v1/labs/",
        {"taken_on": "2026-11-02", "value": "1.7", "unit": "mg_dl", "range_low": "1.6", "range_high": "2.6"},
    ).json()
    assert (
        with_range["flag"] == "normal"
        and with_range["range_used"]["source"] == "the range on your lab report"
    )
    high = adult.post("/api/v1/labs/", {"taken_on": "2026-11-03", "value": "2.0", "unit": "meq_l"}).json()
    assert high["flag"] == "high" and high["values"]["mmol_l"] == 1.0


@pytest.mark.parametrize(
    "body",
    [
        {"taken_on": "2026-11-02", "value": "0", "unit": "mg_dl"},
        {"taken_on": "2026-11-02", "value": "21", "unit": "mg_dl"},
        {"taken_on": "2026-11-02", "value": "1.9", "unit": "mg"},
        {"taken_on": "2026-11-02", "value": "1.9", "unit": "mg_dl", "range_low": "1.7"},
        {"taken_on": "2026-11-02", "value": "1.9", "unit": "mg_dl", "range_low": "2.2", "range_high": "1.7"},
        {"taken_on": "2200-01-01", "value": "1.9", "unit": "mg_dl"},
        {"taken_on": "1899-12-31", "value": "1.9", "unit": "mg_dl"},
        {"value": "1.9", "unit": "mg_dl"},
    ],
)
def test_a_bad_lab_result_is_a_400_and_stores_nothing(adult, body):
    assert adult.post("/api/v1/labs/", body).status_code == 400
    assert LabResult.objects.count() == 0


# --- Profile: risk factors and medicines ------------------------------------------------------------------


def test_the_profile_lists_risk_factors_with_their_meaning_and_source(adult):
    body = adult.patch(
        "/api/v1/profile/",
        {
            "conditions": ["type_2_diabetes", "crohns_disease"],
            "medicines": [
                {"kind": "tetracycline", "times": ["20:00", "08:00"]},
                {"kind": "proton_pump_inhibitor"},
            ],
            "supplement_aim": "correct_low_intake",
        },
    ).json()
    assert body["medicines"] == [
        {"kind": "tetracycline", "times": ["08:00", "20:00"]},
        {"kind": "proton_pump_inhibitor", "times": []},
    ]
    assert [f["code"] for f in body["risk_factors"]] == [
        "type_2_diabetes",
        "crohns_disease",
        "tetracycline",
        "proton_pump_inhibitor",
    ]
    assert all(f["meaning"] and f["source"] for f in body["risk_factors"])
    assert body["disclaimer"] == DISCLAIMER
    guidance = adult.get("/api/v1/guidance/").json()
    assert {m["value"] for m in guidance["medicines"]} >= {"tetracycline", "quinolone", "bisphosphonate"}
    assert guidance["risk_factors"] == body["risk_factors"]


def test_stress_exercise_and_a_low_intake_recorded_recently_are_risk_factors_with_their_source(
    adult, almonds_oz
):
    """Before: stress and intense exercise were recorded every day but never shown, and a low intake
    (a poor diet, in the reference's words) was not a risk factor at all."""
    today = timezone.now().astimezone(UTC).date()

    def codes():
        return [f["code"] for f in adult.get("/api/v1/profile/").json()["risk_factors"]]

    for days_ago in range(3):  # three stressed days and two of intense exercise: not yet a habit
        day = today - timedelta(days=days_ago)
        adult.put(f"/api/v1/context/{day}/", {"stress": 5, "intense_exercise": days_ago < 2})
    adult.put(
        f"/api/v1/context/{today - timedelta(days=20)}/", {"stress": 5, "intense_exercise": True}
    )  # too old
    assert codes() == []
    adult.put(f"/api/v1/context/{today - timedelta(days=10)}/", {"stress": 4, "intense_exercise": True})
    for days_ago in (2, 3, 4):  # 78 mg from food on three complete days, against 310 mg
        day = today - timedelta(days=days_ago)
        moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC).isoformat()
        adult.post(
            "/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "consumed_at": moment}
        )
    factors = {f["code"]: f for f in adult.get("/api/v1/profile/").json()["risk_factors"]}
    assert list(factors) == ["low_food_intake", "chronic_stress", "intense_exercise"]
    assert factors["chronic_stress"]["meaning"].startswith(
        "You recorded high stress on 4 of the last 14 days"
    )
    assert factors["intense_exercise"]["source"].startswith("[S4]")
    target = adult.get("/api/v1/profile/").json()["daily_target_mg"]
    assert factors["low_food_intake"]["meaning"].startswith(
        f"Your food gave 78 mg a day over the 3 days you logged in the last 14, under your {target} mg target"
    )
    assert factors["low_food_intake"]["source"].startswith("[S3]")
    assert all(f["raises"] == "deficiency" for f in factors.values())


@pytest.mark.parametrize(
    "body",
    [
        {"conditions": ["gout"]},
        {"medicines": [{"kind": "aspirin"}]},
        {"medicines": [{"kind": "quinolone", "times": ["25:00"]}]},
        {"medicines": [{"kind": "quinolone", "times": ["01:00", "02:00", "03:00", "04:00", "05:00"]}]},
        {"medicines": "quinolone"},
        {"supplement_aim": "gains"},
    ],
)
def test_bad_risk_factors_are_a_400_and_change_nothing(adult, body):
    assert adult.patch("/api/v1/profile/", body).status_code == 400
    profile = adult.get("/api/v1/profile/").json()
    assert profile["conditions"] == [] and profile["medicines"] == [] and profile["supplement_aim"] == ""


def test_a_condition_or_a_medicine_given_twice_is_one_with_every_time_given(adult):
    """A schema cannot say "each medicine once" of a list of objects: the same entry twice is merged."""
    answer = adult.patch(
        "/api/v1/profile/",
        {
            "conditions": ["celiac_disease", "celiac_disease"],
            "medicines": [
                {"kind": "quinolone", "times": ["08:00"]},
                {"kind": "quinolone", "times": ["20:00", "08:00"]},
            ],
        },
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["conditions"] == ["celiac_disease"]
    assert answer.json()["medicines"] == [{"kind": "quinolone", "times": ["08:00", "20:00"]}]


# --- Supplements: routes, advice, spacing -----------------------------------------------------------------


def test_topical_doses_are_shown_apart_and_never_count_toward_the_day_or_the_limit(adult, citrate):
    topical = SupplementForm.objects.get(route="topical")
    adult.post("/api/v1/supplement-doses/", {"form": citrate.pk, "elemental_mg": "300"})
    answer = adult.post("/api/v1/supplement-doses/", {"form": topical.pk, "elemental_mg": "200"}).json()
    day = answer["day"]
    assert (day["supplement_mg"], day["topical_mg"], day["total_mg"]) == (300.0, 200.0, 300.0)
    assert day["supplement_over_limit"] is False  # 300 oral, the 200 on the skin does not count
    assert [a["code"] for a in answer["advice"]] == ["topical"]
    assert answer["disclaimer"] == DISCLAIMER


def test_an_intravenous_form_is_not_offered_nor_logged_but_old_records_stay_apart(adult, user):
    iv = SupplementForm.objects.get(route="intravenous")
    names = [f["name"] for f in adult.get("/api/v1/supplement-forms/").json()]
    assert iv.name not in names and "Citrate" in names
    assert adult.get(f"/api/v1/supplement-forms/{iv.pk}/").status_code == 200
    refused = adult.post("/api/v1/supplement-doses/", {"form": iv.pk, "elemental_mg": "400"})
    assert refused.status_code == 400 and "hospital" in refused.json()["form"][0]
    assert SupplementDose.objects.count() == 0
    # a record from before stays, apart from the oral total and the limit
    SupplementDose.objects.create(
        user=user,
        form=iv,
        elemental_mg=Decimal(400),
        taken_at=timezone.now(),
        local_date=timezone.now().date(),
    )
    day = adult.get("/api/v1/summary/daily/").json()
    assert (day["intravenous_mg"], day["supplement_mg"], day["supplement_over_limit"]) == (400.0, 0.0, False)


def test_a_dose_answer_names_absorption_laxative_effect_the_oxide_flag_and_the_spacing(adult):
    adult.patch(
        "/api/v1/profile/",
        {"supplement_aim": "correct_low_intake", "medicines": [{"kind": "quinolone", "times": ["08:00"]}]},
    )
    oxide = SupplementForm.objects.get(name="Oxide")
    answer = adult.post(
        "/api/v1/supplement-doses/",
        {"form": oxide.pk, "elemental_mg": "250", "taken_at": "2026-11-20T09:00:00Z"},
    ).json()
    advice = {a["code"]: a for a in answer["advice"]}
    assert set(advice) == {"elemental", "low_bioavailability", "laxative", "spacing_quinolone"}
    assert "poorly absorbed" in advice["elemental"]["message"]
    assert advice["spacing_quinolone"]["level"] == "warning"
    assert advice["spacing_quinolone"]["message"].startswith(
        "09:00 is 1 hour after your quinolone antibiotic at 08:00"
    )
    later = adult.post(
        "/api/v1/supplement-doses/",
        {"form": oxide.pk, "elemental_mg": "150", "taken_at": "2026-11-20T14:00:00Z"},
    ).json()
    advice = {a["code"]: a for a in later["advice"]}
    assert "spacing_quinolone" not in advice
    assert advice["over_limit"]["level"] == "warning" and advice["laxative"]["level"] == "caution"


def test_a_supplement_reminder_at_a_clashing_time_says_how_to_space_it(adult, user, citrate):
    from tracker.reminders import content

    adult.patch("/api/v1/profile/", {"medicines": [{"kind": "bisphosphonate", "times": ["07:00"]}]})
    day = timezone.now().date()
    message = content.build_message(
        kind="take_supplement",
        user=User.objects.get(pk=user.pk),
        day=day,
        at=datetime.strptime("08:00", "%H:%M").time(),
    )
    assert "Mind the spacing: 08:00 is 1 hour after your bisphosphonate at 07:00" in message.body
    assert "at least 2 hours after it" in message.body
    fine = content.build_message(
        kind="take_supplement",
        user=User.objects.get(pk=user.pk),
        day=day,
        at=datetime.strptime("10:00", "%H:%M").time(),
    )
    assert "spacing" not in fine.body


# --- Insights on a hand-built history ---------------------------------------------------------------------


def test_insights_over_a_hand_built_week(adult, user, almonds_oz, oat_bran_half_cup, citrate):
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=30))
    today = timezone.now().astimezone(UTC).date()

    def at(days_ago):
        day = today - timedelta(days=days_ago)
        return datetime(day.year, day.month, day.day, 12, tzinfo=UTC).isoformat()

    def food(portion, quantity, days_ago):
        body = {
            "food": portion.food_id,
            "portion": portion.pk,
            "quantity": quantity,
            "consumed_at": at(days_ago),
        }
        assert adult.post("/api/v1/intakes/", body).status_code == 201

    food(almonds_oz, 2, 7)  # 156: low
    food(almonds_oz, 2, 5)  # 156 + 200 citrate = 356: on target
    adult.post("/api/v1/supplement-doses/", {"form": citrate.pk, "elemental_mg": "200", "taken_at": at(5)})
    food(oat_bran_half_cup, 1, 4)  # 96: low
    food(almonds_oz, 5, 3)  # 390: on target
    food(oat_bran_half_cup, 2, 1)  # 192 + 78 = 270: low
    food(almonds_oz, 1, 1)
    food(almonds_oz, 4, 0)  # today: not a complete day, left out
    for kind, days_ago in (
        ("twitching", 7),
        ("twitching", 6),
        ("cramp", 4),
        ("twitching", 3),
        ("twitching", 0),
    ):
        adult.post("/api/v1/symptoms/", {"kind": kind, "severity": 2, "occurred_at": at(days_ago)})

    body = adult.get("/api/v1/insights/?weeks=1").json()
    assert (body["start"], body["end"]) == (str(today - timedelta(days=7)), str(today - timedelta(days=1)))
    assert (body["days_in_period"], body["days_logged"]) == (7, 5)
    assert body["average_mg"] == 254  # (156 + 356 + 96 + 390 + 270) / 5 = 253.6
    assert body["average_target_mg"] == 320
    assert body["average_percent_of_target"] == 79.3
    assert body["days_on_target"] == 2
    assert body["supplement_share_percent"] == 15.8
    assert body["usual_gap_mg"] == 66
    assert body["symptoms"]["low_days"] == 3 and body["symptoms"]["low_days_with_symptoms"] == 2
    assert body["symptoms"]["other_days"] == 2 and body["symptoms"]["other_days_with_symptoms"] == 1
    assert [(f["name"], f["magnesium_mg"], f["share_of_food_percent"]) for f in body["top_foods"]] == [
        ("Almonds", 780.0, 73.0),
        ("Oat bran", 288.0, 27.0),
    ]
    closing = body["closing_foods"]
    assert 2 <= len(closing) <= 3 and len({c["food"] for c in closing}) == len(closing)
    assert all(c["magnesium_mg"] >= 66 and c["count"] <= 3 for c in closing)
    assert body["disclaimer"] == DISCLAIMER
    assert [d["logged"] for d in body["days"]] == [True, False, True, True, True, False, True]
    assert adult.get("/api/v1/insights/?weeks=0").status_code == 400
    assert adult.get("/api/v1/insights/?weeks=53").status_code == 400


def test_insights_of_a_new_account_with_nothing_logged_have_no_average(adult, user):
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=2))
    body = adult.get("/api/v1/insights/?weeks=4").json()
    assert body["days_in_period"] == 28 and body["days_logged"] == 0 and body["average_mg"] is None
    assert body["closing_foods"] == []


def test_insights_and_the_summaries_count_the_same_days_whenever_the_account_was_made(
    adult, user, almonds_oz
):
    """Before: for the same 14 days insights said 280 mg a day (from the day the account was made) and
    the period summary 240 (counting history logged before it). Now both count every logged day, and
    neither counts a day with nothing logged."""
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=3))
    today = timezone.localdate()
    for days_ago, quantity in ((14, 2), (12, 3), (9, 1), (5, 4), (2, 5), (1, 3)):  # 9 of 14 days empty
        day = today - timedelta(days=days_ago)
        moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC).isoformat()
        body = {
            "food": almonds_oz.food_id,
            "portion": almonds_oz.pk,
            "quantity": quantity,
            "consumed_at": moment,
        }
        assert adult.post("/api/v1/intakes/", body).status_code == 201
    insights = adult.get("/api/v1/insights/?weeks=2").json()
    period = adult.get("/api/v1/summary/period/", {"days": 14, "end": str(today - timedelta(days=1))}).json()
    expected = round(78 * (2 + 3 + 1 + 4 + 5 + 3) / 6)
    assert insights["days_logged"] == period["days_with_data"] == 6
    assert round(period["average_mg"]) == insights["average_mg"] == expected


# --- Isolation, export, deletion --------------------------------------------------------------------------


@pytest.fixture
def their_rows(other_api):
    symptom = other_api.post(
        "/api/v1/symptoms/", {"kind": "trouble_breathing", "severity": 5, "note": "their secret"}
    ).json()
    lab = other_api.post("/api/v1/labs/", {"taken_on": "2026-11-01", "value": "1.2", "unit": "mg_dl"}).json()
    other_api.put("/api/v1/context/2026-11-20/", {"stress": 5})
    return {"symptoms": symptom["id"], "labs": lab["id"]}


@pytest.mark.parametrize("kind", ["symptoms", "labs"])
def test_another_users_symptoms_and_labs_are_404_for_every_method(adult, their_rows, kind):
    url = f"/api/v1/{kind}/{their_rows[kind]}/"
    assert adult.get(url).status_code == 404
    assert adult.patch(url, {"note": "mine now"}).status_code == 404
    assert (
        adult.put(
            url, {"kind": "cramp", "severity": 1, "taken_on": "2026-11-01", "value": "2", "unit": "mg_dl"}
        ).status_code
        == 404
    )
    assert adult.delete(url).status_code == 404
    listed = adult.get(f"/api/v1/{kind}/").json()
    assert (listed["results"] if isinstance(listed, dict) else listed) == []


def test_red_flags_insights_and_context_read_only_my_rows(adult, their_rows):
    assert adult.get("/api/v1/red-flags/").json()["red_flags"] == []
    assert adult.get("/api/v1/context/2026-11-20/").json()["stress"] is None
    assert adult.get("/api/v1/context/").json() == []
    assert adult.post("/api/v1/red-flags/dismiss/", {"code": "urgent_symptom"}).status_code == 200
    assert RedFlagDismissal.objects.count() == 1  # mine: theirs is still shown to them
    assert SymptomEntry.objects.get().note == "their secret"


def test_export_holds_symptoms_context_labs_and_dismissals(adult):
    symptom = adult.post(
        "/api/v1/symptoms/", {"kind": "cramp", "severity": 3, "body_area": "calf", "note": "night"}
    ).json()
    adult.put("/api/v1/context/2026-11-20/", {"caffeine_drinks": 4})
    lab = adult.post("/api/v1/labs/", {"taken_on": "2026-11-01", "value": "0.8", "unit": "mmol_l"}).json()
    adult.patch(
        "/api/v1/profile/",
        {"conditions": ["celiac_disease"], "medicines": [{"kind": "bisphosphonate", "times": ["07:00"]}]},
    )
    adult.post("/api/v1/red-flags/dismiss/", {"code": "twitching_for_weeks"})
    data = json.loads(adult.get("/api/v1/export/").content)
    [exported] = data["symptoms"]
    assert {k: exported[k] for k in ("id", "kind", "body_area", "severity", "note", "occurred_at")} == {
        k: symptom[k] for k in ("id", "kind", "body_area", "severity", "note", "occurred_at")
    }
    assert data["daily_context"][0]["caffeine_drinks"] == 4
    assert data["lab_results"][0]["value"] == lab["value"] and data["lab_results"][0]["unit"] == "mmol_l"
    assert data["red_flag_dismissals"][0]["code"] == "twitching_for_weeks"
    assert data["profile"]["conditions"] == ["celiac_disease"]
    assert data["profile"]["medicines"] == [{"kind": "bisphosphonate", "times": ["07:00"]}]


def test_deleting_the_account_deletes_its_symptoms_context_labs_and_dismissals(adult, user, their_rows):
    adult.post("/api/v1/symptoms/", {"kind": "cramp", "severity": 3})
    adult.put("/api/v1/context/2026-11-20/", {"caffeine_drinks": 4})
    adult.post("/api/v1/labs/", {"taken_on": "2026-11-01", "value": "0.8", "unit": "mmol_l"})
    adult.post("/api/v1/red-flags/dismiss/", {"code": "urgent_symptom"})
    assert adult.delete("/api/v1/account/").status_code == 204
    for model in (SymptomEntry, DailyContext, LabResult, RedFlagDismissal):
        assert not model.objects.filter(user_id=user.pk).exists(), model
    assert (
        SymptomEntry.objects.count() == 1
        and LabResult.objects.count() == 1
        and DailyContext.objects.count() == 1
    )
    assert {m.__name__ for m in apps.get_app_config("tracker").get_models()} >= {"SymptomEntry", "LabResult"}


def test_a_medicine_without_its_kind_is_a_400_even_in_a_partial_update(adult):
    response = adult.patch("/api/v1/profile/", {"medicines": [{"times": ["08:00"]}]})
    assert response.status_code == 400 and "medicines" in response.json()


def test_a_supplement_reminder_shows_its_spacing_from_the_medicines_when_set_and_changed(adult):
    adult.patch("/api/v1/profile/", {"medicines": [{"kind": "tetracycline", "times": ["20:00"]}]})
    created = adult.post("/api/v1/reminders/", {"kind": "take_supplement", "local_time": "18:00"}).json()
    [note] = created["spacing"]
    assert note["level"] == "warning" and note["message"].startswith(
        "18:00 is 2 hours before your tetracycline"
    )
    assert "at least 4 hours before it" in note["message"]
    moved = adult.patch(f"/api/v1/reminders/{created['id']}/", {"local_time": "15:00"}).json()
    assert moved["spacing"][0]["level"] == "caution"  # 5 hours: inside "4–6 hours"
    assert adult.patch(f"/api/v1/reminders/{created['id']}/", {"local_time": "13:00"}).json()["spacing"] == []
    meals = adult.post("/api/v1/reminders/", {"kind": "log_meals", "local_time": "20:30"}).json()
    assert meals["spacing"] == []  # only supplement reminders are checked
    listed = adult.get("/api/v1/reminders/").json()["results"]
    assert [r["spacing"] for r in listed] == [[], []]


def test_a_lab_answer_carries_the_disclaimer(adult):
    body = adult.post("/api/v1/labs/", {"taken_on": "2026-11-02", "value": "0.8", "unit": "mmol_l"}).json()
    assert body["disclaimer"] == DISCLAIMER and body["flag"] == "normal"


def test_insights_for_an_infant_suggest_no_foods(api, user, almonds_oz):
    born = timezone.now().date() - timedelta(days=120)
    api.patch("/api/v1/profile/", {"birth_date": born.isoformat(), "time_zone": "UTC"})
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=10))
    yesterday = timezone.now() - timedelta(days=1)
    api.post(
        "/api/v1/intakes/", {"food": almonds_oz.food_id, "grams": "1", "consumed_at": yesterday.isoformat()}
    )
    body = api.get("/api/v1/insights/?weeks=1").json()
    assert body["days_logged"] == 1 and body["average_target_mg"] == 30  # Adequate Intake, 0–6 months
    assert body["usual_gap_mg"] > 0 and body["closing_foods"] == []


# --- Found by an independent review (each failed before its fix) ------------------------------------------


def test_an_entry_edited_into_a_red_flag_symptom_raises_the_dismissed_flag_again(adult):
    adult.post("/api/v1/symptoms/", {"kind": "trouble_breathing", "severity": 3})
    cramp = adult.post("/api/v1/symptoms/", {"kind": "cramp", "severity": 2}).json()
    adult.post("/api/v1/red-flags/dismiss/", {"code": "urgent_symptom"})
    edited = adult.patch(f"/api/v1/symptoms/{cramp['id']}/", {"kind": "trouble_swallowing"}).json()
    assert [f["code"] for f in edited["red_flags"]] == ["urgent_symptom"]


def test_the_supplement_reminder_names_the_usual_oral_dose_never_a_topical_or_hospital_one(
    adult, user, citrate
):
    from tracker.reminders import content

    topical = SupplementForm.objects.get(route="topical")
    iv = SupplementForm.objects.get(route="intravenous")
    for _ in range(3):
        adult.post("/api/v1/supplement-doses/", {"form": topical.pk, "elemental_mg": "100"})
        SupplementDose.objects.create(
            user=user,
            form=iv,
            elemental_mg=Decimal(200),
            taken_at=timezone.now(),
            local_date=timezone.now().date(),
        )
    adult.post(
        "/api/v1/supplement-doses/", {"form": citrate.pk, "elemental_mg": "120", "taken_at": now_iso(days=-1)}
    )
    message = content.build_message(
        kind="take_supplement", user=User.objects.get(pk=user.pk), day=timezone.now().date()
    )
    assert message.body == "Time for your magnesium citrate: 120 mg elemental."


def test_a_dose_logged_with_kidney_disease_carries_the_warning(adult, citrate):
    adult.patch("/api/v1/profile/", {"kidney_disease": True})
    advice = adult.post("/api/v1/supplement-doses/", {"form": citrate.pk, "elemental_mg": "100"}).json()[
        "advice"
    ]
    assert {a["code"]: a["level"] for a in advice}["kidney_disease"] == "warning"


def test_a_day_with_only_a_topical_dose_is_not_a_logged_day_of_zero(adult, user):
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=10))
    topical = SupplementForm.objects.get(route="topical")
    adult.post(
        "/api/v1/supplement-doses/", {"form": topical.pk, "elemental_mg": "100", "taken_at": now_iso(days=-1)}
    )
    body = adult.get("/api/v1/insights/?weeks=1").json()
    assert body["days_logged"] == 0 and body["average_mg"] is None


def test_a_lab_result_cannot_be_tomorrow_and_a_unit_change_needs_its_range_again(adult):
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert (
        adult.post("/api/v1/labs/", {"taken_on": tomorrow, "value": "2", "unit": "mg_dl"}).status_code == 400
    )
    lab = adult.post(
        "/api/v1/labs/",
        {"taken_on": "2026-11-02", "value": "1.9", "unit": "mg_dl", "range_low": "1.7", "range_high": "2.2"},
    ).json()
    assert adult.patch(f"/api/v1/labs/{lab['id']}/", {"unit": "mmol_l", "value": "0.78"}).status_code == 400
    moved = adult.patch(
        f"/api/v1/labs/{lab['id']}/",
        {"unit": "mmol_l", "value": "0.78", "range_low": "0.7", "range_high": "0.9"},
    )
    assert moved.status_code == 200 and moved.json()["flag"] == "normal"
