"""The defects an attack-and-fault trial found (issue 10), each pinned by a test that failed before its
fix: spoofed addresses, hostile bodies, login CSRF, internal push endpoints, schema mismatches."""

import csv
import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tracker.models import IntakeEntry, Profile, SupplementDose
from tracker.reminders.models import PushSubscription, Reminder

pytestmark = pytest.mark.django_db

KEYS = {
    "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
    "auth": "tBHItJI5svbpez7KI4CCXg",
}


# --- 1. Client addresses and the login lockout ----------------------------------------------------------


def test_a_new_x_forwarded_for_each_time_does_not_escape_the_auth_throttle(anon):
    codes = [
        anon.post(
            "/api/v1/auth/login/",
            {"username": f"guess{n}", "password": "nope"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(22)
    ]
    assert codes[:20] == [400] * 20 and codes[20:] == [429, 429]


def test_behind_a_configured_proxy_the_forwarded_address_is_the_client(anon, settings):
    settings.NUM_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for n in range(20):
        anon.post(
            "/api/v1/auth/login/", {"username": f"a{n}", "password": "x"}, HTTP_X_FORWARDED_FOR="198.51.100.7"
        )
    blocked = anon.post(
        "/api/v1/auth/login/", {"username": "b", "password": "x"}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    other = anon.post(
        "/api/v1/auth/login/", {"username": "b", "password": "x"}, HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert (blocked.status_code, other.status_code) == (429, 400)


def test_an_account_locks_after_ten_wrong_passwords_from_any_address(user):
    def attempt(password, n):
        client = APIClient(REMOTE_ADDR=f"192.0.2.{n}", HTTP_USER_AGENT=f"agent {n}")
        return client.post("/api/v1/auth/login/", {"username": user.username, "password": password})

    # the tenth wrong password locks the account, and its answer says so
    assert [attempt("wrong", n).status_code for n in range(10)] == [400] * 9 + [429]
    locked = attempt("correct horse battery staple", 50)  # even the right password, from a new address
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.json()["detail"] and locked["Retry-After"] == "900"
    # another account is not affected
    assert APIClient().post("/api/v1/auth/login/", {"username": "nobody", "password": "x"}).status_code == 400


def test_a_successful_login_resets_the_failure_count(user):
    client = APIClient()
    for _ in range(9):
        client.post("/api/v1/auth/login/", {"username": user.username, "password": "wrong"})
    good = {"username": user.username, "password": "correct horse battery staple"}
    assert client.post("/api/v1/auth/login/", good).status_code == 200
    for _ in range(9):
        client.post("/api/v1/auth/login/", {"username": user.username, "password": "wrong"})
    assert client.post("/api/v1/auth/login/", good).status_code == 200


# --- 2. Hostile bodies and values: a JSON 4xx, never a 500 ------------------------------------------------

NESTED = "[" * 2000 + "]" * 2000


@pytest.mark.parametrize(
    "method,url",
    [
        ("post", "/api/v1/auth/login/"),
        ("post", "/api/v1/auth/register/"),
        ("post", "/api/v1/intakes/"),
        ("post", "/api/v1/entries/batch/"),
        ("patch", "/api/v1/profile/"),
        ("post", "/api/v1/reminders/"),
    ],
)
def test_deeply_nested_json_is_a_400(api, method, url):
    response = getattr(api, method)(url, NESTED, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_nesting_just_past_the_limit_is_refused_and_real_bodies_pass(api):
    deep = {"entries": [{"type": "intake"}]}
    for _ in range(40):
        deep = {"x": deep}
    assert api.post("/api/v1/entries/batch/", deep, format="json").status_code == 400


@pytest.mark.parametrize(
    "url,field",
    [
        ("/api/v1/profile/", "time_zone"),
        ("/api/v1/profile/", "sex"),
        ("/api/v1/profile/", "life_stage"),
    ],
)
def test_a_lone_surrogate_in_a_choice_is_a_400(api, url, field):
    body = '{"' + field + '": "\\udfff"}'
    response = api.patch(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]


@pytest.mark.parametrize("field", ["kind", "channels"])
def test_a_lone_surrogate_in_a_reminder_is_a_400(api, field):
    value = '"\\udfff"' if field == "kind" else '["\\udfff"]'
    body = '{"kind": "log_meals", "local_time": "08:00", "' + field + '": ' + value + "}"
    response = api.post("/api/v1/reminders/", body, content_type="application/json")
    assert response.status_code == 400 and not Reminder.objects.exists()


def test_a_lone_surrogate_as_a_key_is_a_400(api):
    response = api.patch("/api/v1/profile/", '{"\\ud800": 1}', content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "zone,moment",
    [
        ("America/Los_Angeles", "9999-12-31T23:59:59"),
        ("Asia/Tokyo", "0001-01-01"),
        ("Asia/Tokyo", "0001-01-01T00:00:00"),
        ("UTC", "1899-12-31T23:59:59Z"),
        ("UTC", "2201-01-01T00:00:00Z"),
    ],
)
def test_times_at_the_calendars_edge_are_400(api, almonds_oz, citrate, zone, moment):
    api.patch("/api/v1/profile/", {"time_zone": zone})
    intake = api.post(
        "/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "consumed_at": moment}
    )
    dose = api.post(
        "/api/v1/supplement-doses/", {"form": citrate.pk, "elemental_mg": 100, "taken_at": moment}
    )
    assert (intake.status_code, dose.status_code) == (400, 400), (intake.json(), dose.json())
    assert "1900 to 2200" in intake.json()["consumed_at"][0]
    entry = api.post("/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk}).json()
    patched = api.patch(f"/api/v1/intakes/{entry['id']}/", {"consumed_at": moment})
    assert patched.status_code == 400
    assert IntakeEntry.objects.count() == 1 and not SupplementDose.objects.exists()


def test_the_docs_page_answers_any_accept_header_and_any_token():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    for accept in ("text/html", "*/*"):
        assert client.get("/api/v1/docs/", HTTP_ACCEPT=accept).status_code == 200, accept
    as_json = client.get("/api/v1/docs/", HTTP_ACCEPT="application/json")
    assert as_json.status_code == 406 and "/api/v1/schema/" in as_json.json()["detail"]
    assert client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").status_code < 500


def test_an_oversized_body_is_a_json_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/api/v1/intakes/", '{"note": "%s"}' % ("x" * 5000), content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request body is too large."}


def test_an_over_long_url_is_a_json_414(api):
    response = api.get("/api/v1/foods/?q=" + "a" * 5000)
    assert response.status_code == 414 and response["Content-Type"] == "application/json"
    assert "longer than 4096" in response.json()["detail"]


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("application/x-www-form-urlencoded", "username=a&password=b"),
        (
            "multipart/form-data; boundary=x",
            '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--',
        ),
        ("text/plain", '{"username": "a", "password": "b"}'),
    ],
)
def test_the_api_takes_json_only(anon, content_type, body):
    response = anon.generic("POST", "/api/v1/auth/login/", body, content_type=content_type)
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]


# --- 3. Login CSRF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/auth/login/", "/api/v1/auth/register/"])
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
    ],
)
def test_a_cross_site_request_cannot_sign_in_or_register(user, url, headers):
    client = Client()
    body = {"username": user.username, "password": "correct horse battery staple"}
    if url.endswith("register/"):
        body = {"username": "victim2", "email": "v2@example.org", "password": "a long unusual passphrase"}
    response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code == 403
    assert "Cross-site" in response.json()["detail"]
    assert "sessionid" not in response.cookies


def test_the_pwa_same_origin_and_a_script_without_origin_sign_in(user):
    body = {"username": user.username, "password": "correct horse battery staple"}
    same_origin = Client().post(
        "/api/v1/auth/login/",
        body,
        content_type="application/json",
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    script = Client().post("/api/v1/auth/login/", body, content_type="application/json")
    assert (same_origin.status_code, script.status_code) == (200, 200)
    assert "sessionid" in same_origin.cookies


# --- 4. Push endpoints inside the server's network --------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/push",
        "https://192.168.1.1/push",
        "https://127.0.0.2/push",
        "https://[::ffff:127.0.0.1]/push",
        "https://[::1]/push",
        "https://0.0.0.0/push",
        "https://localhost/push",
        "http://fcm.googleapis.com/fcm/send/abc",
        "https://user:pw@fcm.googleapis.com/fcm/send/abc",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://fcm.googleapis.com.evil.example/fcm/send/abc",
    ],
)
def test_internal_and_unknown_push_endpoints_are_refused(api, endpoint):
    response = api.post("/api/v1/push/subscriptions/", {"endpoint": endpoint, "keys": KEYS})
    assert response.status_code == 400, endpoint
    assert "push service" in response.json()["endpoint"][0]
    assert not PushSubscription.objects.exists()


def test_the_known_push_services_are_accepted(api):
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/QGx",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
    ):
        assert (
            api.post("/api/v1/push/subscriptions/", {"endpoint": endpoint, "keys": KEYS}).status_code == 201
        )


def test_a_push_service_host_that_resolves_inside_is_refused(api, settings):
    settings.PUSH_SERVICE_HOSTS = ["localhost"]  # a configured name that resolves to 127.0.0.1
    response = api.post("/api/v1/push/subscriptions/", {"endpoint": "https://localhost/p", "keys": KEYS})
    assert response.status_code == 400 and "non-public address" in response.json()["endpoint"][0]


def test_the_allowed_push_hosts_are_configurable(api, settings):
    settings.PUSH_SERVICE_HOSTS = ["push.example.net"]
    refused = api.post(
        "/api/v1/push/subscriptions/", {"endpoint": "https://fcm.googleapis.com/x", "keys": KEYS}
    )
    accepted = api.post(
        "/api/v1/push/subscriptions/", {"endpoint": "https://push.example.net/x", "keys": KEYS}
    )
    assert (refused.status_code, accepted.status_code) == (400, 201)


# --- 8. Smaller ones -------------------------------------------------------------------------------------


def test_csv_export_escapes_cells_a_spreadsheet_would_run(api, almonds_oz):
    for note in ('=HYPERLINK("http://evil","x")', "+1", "-2", "@SUM(A1)", "plain"):
        api.post("/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "note": note})
    rows = list(csv.DictReader(io.StringIO(api.get("/api/v1/export/?format=csv").content.decode())))
    assert sorted(r["note"] for r in rows) == sorted(
        ['\'=HYPERLINK("http://evil","x")', "'+1", "'-2", "'@SUM(A1)", "plain"]
    )


def test_an_empty_quantity_is_a_400_not_one_portion(api, almonds_oz):
    response = api.post(
        "/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "quantity": ""}
    )
    assert response.status_code == 400 and "quantity" in response.json()
    assert not IntakeEntry.objects.exists()


def test_an_integer_id_is_a_400_not_a_uuid(api, almonds_oz):
    response = api.post("/api/v1/intakes/", {"id": 5, "food": almonds_oz.food_id, "portion": almonds_oz.pk})
    assert response.status_code == 400 and "id" in response.json()
    assert not IntakeEntry.objects.exists()


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules"])
def test_time_zones_that_are_not_places_are_refused(api, user, zone):
    response = api.patch("/api/v1/profile/", {"time_zone": zone})
    assert response.status_code == 400
    assert Profile.objects.get(user=user).time_zone != zone


def test_two_accounts_cannot_share_an_email(anon, user):
    response = anon.post(
        "/api/v1/auth/register/",
        {"username": "second", "email": user.email.upper(), "password": "a long unusual passphrase"},
    )
    assert response.status_code == 400 and "email" in response.json()


def test_the_database_refuses_a_second_account_with_the_same_email(user):
    from django.contrib.auth import get_user_model
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.create_user(username="racer", email=user.email.title(), password="x")


def test_page_size_above_200_is_a_400(api):
    assert api.get("/api/v1/foods/?page_size=201").status_code == 400
    assert api.get("/api/v1/foods/?page=10001").status_code == 400
    assert api.get("/api/v1/foods/?page_size=200").status_code == 200


def test_the_schema_states_the_limits_the_server_enforces(api):
    import json

    schema = json.loads(api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    intake = schema["components"]["schemas"]["IntakeEntryRequest"]["properties"]
    assert intake["consumed_at"]["pattern"].startswith("^(19")
    reminders = schema["paths"]["/api/v1/reminders/"]["post"]
    assert "at most 50 reminders" in reminders["description"]
    delete = schema["paths"]["/api/v1/push/subscriptions/"]["delete"]
    assert [(p["name"], p["in"], p["required"]) for p in delete["parameters"]] == [
        ("endpoint", "query", True)
    ]
    # JSON everywhere, but for the one file upload (a history from another tracker)
    for name, path in schema["paths"].items():
        for method, operation in path.items():
            expected = (
                {"multipart/form-data", "text/csv"}
                if (name, method) == ("/api/v1/imports/", "post")
                else {"application/json"}
            )
            for media_type in operation.get("requestBody", {}).get("content", {}):
                assert media_type in expected, (name, method, media_type)


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::1",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::1",
        "::127.0.0.1",
        "fec0::1",
        "::ffff:10.0.0.1",
        "169.254.169.254",
        "100.64.0.1",
    ],
)
def test_addresses_that_lead_inside_are_never_public(address):
    from tracker.reminders.push import is_public_address

    assert not is_public_address(address)


def test_public_addresses_stay_public():
    from tracker.reminders.push import is_public_address

    assert is_public_address("142.250.74.106") and is_public_address("2a00:1450:4007:80e::200a")
