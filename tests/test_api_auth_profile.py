"""Registration, login, logout, throttling and the profile over HTTP."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_register_returns_201_a_working_token_and_a_profile(anon):
    response = anon.post(
        "/api/v1/auth/register/",
        {"username": "mara", "email": "mara@example.com", "password": "magnesium-and-me-42"},
    )
    assert response.status_code == 201
    assert response.data["username"] == "mara"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    profile = client.get("/api/v1/profile/")
    assert profile.status_code == 200
    assert profile.data["daily_target_mg"] == 420  # Daily Value until the profile is complete


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "a", "email": "a@example.com", "password": "123"}, "password"),
        ({"username": "a", "email": "a@example.com", "password": "password"}, "password"),
        ({"username": "a", "email": "not-an-email", "password": "magnesium-and-me-42"}, "email"),
        ({"username": "bad name!", "email": "a@example.com", "password": "magnesium-and-me-42"}, "username"),
        ({"email": "a@example.com", "password": "magnesium-and-me-42"}, "username"),
    ],
)
def test_register_rejects_bad_input_and_stores_nothing(anon, payload, field):
    response = anon.post("/api/v1/auth/register/", payload)
    assert response.status_code == 400
    assert field in response.data
    assert not User.objects.exists()


def test_register_rejects_a_taken_username(anon, user):
    response = anon.post(
        "/api/v1/auth/register/",
        {"username": user.username.upper(), "email": "x@example.com", "password": "magnesium-and-me-42"},
    )
    assert response.status_code == 400
    assert response.data["username"] == ["This username is taken."]


def test_login_returns_a_token_and_logout_revokes_it(anon, user):
    response = anon.post(
        "/api/v1/auth/login/", {"username": user.username, "password": "correct horse battery staple"}
    )
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    assert client.get("/api/v1/profile/").status_code == 200
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert client.get("/api/v1/profile/").status_code == 401


def test_a_password_is_kept_exactly_as_typed(anon):
    """Before: "  a long unusual passphrase  " registered, and the trimmed one then signed in."""
    typed = "  a long unusual passphrase  "
    registered = anon.post(
        "/api/v1/auth/register/", {"username": "spaces", "email": "s@example.org", "password": typed}
    )
    assert registered.status_code == 201, registered.content
    for attempt in (typed.strip(), typed.lstrip(), typed.rstrip()):
        assert (
            anon.post("/api/v1/auth/login/", {"username": "spaces", "password": attempt}).status_code == 400
        )
    assert anon.post("/api/v1/auth/login/", {"username": "spaces", "password": typed}).status_code == 200


def test_login_with_a_wrong_password_is_400(anon, user):
    response = anon.post("/api/v1/auth/login/", {"username": user.username, "password": "nope"})
    assert response.status_code == 400
    assert response.data["non_field_errors"] == ["Wrong username or password."]


def test_auth_endpoints_are_throttled(anon, user):
    """Per address: 20 attempts a minute, whatever the account (the per-account lockout is apart)."""
    codes = [
        anon.post("/api/v1/auth/login/", {"username": f"someone{n}", "password": "nope"}).status_code
        for n in range(21)
    ]
    assert codes[:20] == [400] * 20
    assert codes[20] == 429


def test_session_login_works_for_the_pwa_with_csrf(user):
    client = APIClient(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/auth/login/", {"username": user.username, "password": "correct horse battery staple"}
    )
    assert response.status_code == 200
    assert client.get("/api/v1/profile/").status_code == 200  # the session cookie authenticates
    # an unsafe request without the CSRF token is refused
    assert client.patch("/api/v1/profile/", {"kidney_disease": True}).status_code == 403
    csrf = client.cookies["csrftoken"].value
    assert (
        client.patch("/api/v1/profile/", {"kidney_disease": True}, HTTP_X_CSRFTOKEN=csrf).status_code == 200
    )


def test_anonymous_requests_are_refused(anon):
    assert anon.get("/api/v1/profile/").status_code in (401, 403)
    assert anon.get("/api/v1/intakes/").status_code in (401, 403)


def test_profile_shows_target_upper_limit_and_life_stage_label(api):
    response = api.patch(
        "/api/v1/profile/",
        {"sex": "female", "birth_date": "1995-02-01", "life_stage": "lactating", "time_zone": "Europe/Paris"},
    )
    assert response.status_code == 200, response.data
    assert response.data["daily_target_mg"] == 310 if date.today().year - 1995 <= 30 else 320
    assert response.data["supplement_upper_limit_mg"] == 350
    assert response.data["life_stage_label"] == "Breastfeeding"
    assert response.data["target_label"].startswith("RDA while breastfeeding")
    response = api.patch("/api/v1/profile/", {"target_override_mg": 500})
    assert (response.data["daily_target_mg"], response.data["target_label"]) == (
        500,
        "Target set by your doctor",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"sex": "other"}, "sex"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"birth_date": "not a date"}, "birth_date"),
        ({"life_stage": "pregnant", "sex": "male"}, "life_stage"),
        ({"target_override_mg": -5}, "target_override_mg"),
        ({"target_override_mg": 100000}, "target_override_mg"),
        ({"kidney_disease": "perhaps"}, "kidney_disease"),
    ],
)
def test_profile_rejects_bad_input_per_field(api, user, payload, field):
    response = api.patch("/api/v1/profile/", payload)
    assert response.status_code == 400
    assert field in response.data
    user.profile.refresh_from_db()
    assert (user.profile.sex, user.profile.time_zone, user.profile.life_stage) == ("female", "UTC", "none")


def test_unknown_api_paths_are_json_404(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(("stage", "years"), [("pregnant", 8), ("lactating", 2)])
def test_pregnancy_or_breastfeeding_is_refused_for_a_child(api, user, stage, years):
    from datetime import date

    today = date.today()
    born = today.replace(year=today.year - years, day=1)
    response = api.patch(
        "/api/v1/profile/", {"sex": "female", "birth_date": born.isoformat(), "life_stage": stage}
    )
    assert response.status_code == 400
    assert "from age 10" in response.json()["life_stage"][0]
    user.profile.refresh_from_db()
    assert user.profile.life_stage != stage


def test_a_pregnant_teenager_is_accepted_with_her_own_row(api):
    from datetime import date

    today = date.today()
    born = today.replace(year=today.year - 16, day=1)
    response = api.patch(
        "/api/v1/profile/", {"sex": "female", "birth_date": born.isoformat(), "life_stage": "pregnant"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["daily_target_mg"], body["supplement_upper_limit_mg"]) == (400, 350)
    assert body["target_label"] == "RDA in pregnancy, age 14–18 years"


def test_an_age_is_counted_on_the_users_own_date_in_utc_plus_14(api, user, monkeypatch):
    """Before: checked against the UTC date, so a mother in Pacific/Kiritimati on her local 10th
    birthday was refused ("gives an age of 9") while her targets already used her local date."""
    from datetime import UTC, datetime

    from django.utils import timezone

    moment = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)  # 16 June, 02:00 in Kiritimati
    monkeypatch.setattr(timezone, "now", lambda: moment)
    response = api.patch(
        "/api/v1/profile/",
        {
            "sex": "female",
            "time_zone": "Pacific/Kiritimati",
            "birth_date": "2016-06-16",
            "life_stage": "lactating",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["life_stage"] == "lactating"
    # a day younger on her own clock is still refused, with her local age
    refused = api.patch("/api/v1/profile/", {"birth_date": "2016-06-17"})
    assert refused.status_code == 400 and "gives an age of 9" in refused.json()["life_stage"][0]


@pytest.mark.django_db
def test_a_token_brings_its_user_and_whole_profile_in_one_query(user):
    """The token authentication reads token, user and profile in one statement and builds them
    itself: every field arrives as the ORM would give it (dates, JSON, the doctor's target)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker import services
    from tracker.models import Profile

    services.profile_update(
        user=user,
        sex="female",
        birth_date=date(1990, 2, 3),
        time_zone="Pacific/Kiritimati",
        target_override_mg=333,
        conditions=["diabetes"],
        medicines=[{"kind": "antibiotic", "times": ["08:00", "20:00"]}],
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    with CaptureQueriesContext(connection) as queries:
        answer = api.get("/api/v1/auth/session/")
    reads = [
        q["sql"] for q in queries.captured_queries if '"auth_user"' in q["sql"] or "auth_user " in q["sql"]
    ]
    assert len(reads) == 1 and "authtoken_token" in reads[0] and "tracker_profile" in reads[0], reads
    assert not any('FROM "tracker_profile"' in q["sql"] for q in queries.captured_queries)
    profile = answer.json()["profile"]
    # every field of the three rows as the ORM itself reads them
    from api.authentication import _token_with_user_and_profile

    token = Token.objects.get(user=user)
    built = _token_with_user_and_profile(token.key)
    for ours, orm in (
        (built, token),
        (built.user, user),
        (built.user.profile, Profile.objects.get(user=user)),
    ):
        orm.refresh_from_db()
        for field in type(orm)._meta.concrete_fields:
            assert getattr(ours, field.attname) == getattr(orm, field.attname), field.name
            assert type(getattr(ours, field.attname)) is type(getattr(orm, field.attname)), field.name
    assert (profile["birth_date"], profile["time_zone"], profile["target_override_mg"]) == (
        "1990-02-03",
        "Pacific/Kiritimati",
        333,
    )
    assert profile["medicines"] == [{"kind": "antibiotic", "times": ["08:00", "20:00"]}]
    # an account whose profile row is gone still signs in; its profile is made anew on first use
    Profile.objects.filter(user=user).delete()
    assert api.get("/api/v1/profile/").json()["time_zone"] == "UTC"
    # a deactivated account and an unknown token: the standard 401
    user.is_active = False
    user.save()
    assert api.get("/api/v1/profile/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api.get("/api/v1/profile/").status_code == 401
