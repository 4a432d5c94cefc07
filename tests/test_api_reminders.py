"""Reminders, deliveries and push subscriptions over HTTP, isolated per user."""

import pytest

from tracker.reminders.models import PushSubscription, Reminder, ReminderDelivery

pytestmark = pytest.mark.django_db

ENDPOINT = "https://push.example.net/send/abc"
KEYS = {
    "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
    "auth": "tBHItJI5svbpez7KI4CCXg",
}


def test_create_list_update_and_delete_a_reminder(api, user):
    response = api.post(
        "/api/v1/reminders/",
        {"kind": "log_meals", "local_time": "08:00", "weekdays": [0, 2, 4], "channels": ["web_push"]},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["local_time"], body["weekdays"], body["channels"]) == (
        "log_meals",
        "08:00",
        [0, 2, 4],
        ["web_push"],
    )
    assert body["next_fire_at"]
    reminder_id = body["id"]
    assert [r["id"] for r in api.get("/api/v1/reminders/").json()["results"]] == [reminder_id]
    response = api.patch(f"/api/v1/reminders/{reminder_id}/", {"enabled": False})
    assert response.json()["enabled"] is False and response.json()["next_fire_at"] is None
    response = api.patch(f"/api/v1/reminders/{reminder_id}/", {"enabled": True, "local_time": "21:15"})
    assert response.json()["local_time"] == "21:15" and response.json()["next_fire_at"]
    assert api.delete(f"/api/v1/reminders/{reminder_id}/").status_code == 204
    assert not Reminder.objects.exists()


def test_defaults_are_every_day_on_both_channels(api):
    body = api.post("/api/v1/reminders/", {"kind": "take_supplement", "local_time": "20:00"}).json()
    assert body["weekdays"] == [0, 1, 2, 3, 4, 5, 6]
    assert body["channels"] == ["email", "web_push"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "nag", "local_time": "08:00"}, "kind"),
        ({"kind": "log_meals", "local_time": "25:00"}, "local_time"),
        ({"kind": "log_meals"}, "local_time"),
        ({"kind": "log_meals", "local_time": "08:00", "weekdays": [7]}, "weekdays"),
        ({"kind": "log_meals", "local_time": "08:00", "weekdays": []}, "weekdays"),
        ({"kind": "log_meals", "local_time": "08:00", "channels": ["sms"]}, "channels"),
        ({"kind": "log_meals", "local_time": "08:00", "channels": []}, "channels"),
    ],
)
def test_bad_reminders_are_400_per_field(api, payload, field):
    response = api.post("/api/v1/reminders/", payload)
    assert response.status_code == 400
    assert field in response.json()
    assert not Reminder.objects.exists()


def test_another_users_reminder_is_404_and_their_deliveries_invisible(api, other_api, other_user):
    theirs = other_api.post("/api/v1/reminders/", {"kind": "log_meals", "local_time": "08:00"}).json()["id"]
    ReminderDelivery.objects.create(
        reminder_id=theirs,
        user=other_user,
        local_date="2026-01-01",
        slot="08:00",
        scheduled_for="2026-01-01T08:00:00Z",
        status="sent",
        body="their text",
    )
    for method in ("get", "patch", "put", "delete"):
        assert (
            getattr(api, method)(
                f"/api/v1/reminders/{theirs}/", {"kind": "log_meals", "local_time": "09:00"}
            ).status_code
            == 404
        )
    assert api.post(f"/api/v1/reminders/{theirs}/test/").status_code == 404
    assert api.get("/api/v1/reminders/").json()["results"] == []
    assert api.get("/api/v1/reminders/deliveries/").json()["results"] == []
    assert len(other_api.get("/api/v1/reminders/deliveries/").json()["results"]) == 1


def test_test_send_creates_a_delivery_the_user_can_follow(api, django_capture_on_commit_callbacks):
    reminder_id = api.post(
        "/api/v1/reminders/", {"kind": "weekly_summary", "local_time": "18:00", "channels": ["email"]}
    ).json()["id"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(f"/api/v1/reminders/{reminder_id}/test/")
    assert response.status_code == 202
    assert len(callbacks) == 1
    from tracker.reminders.services import deliver

    assert deliver(response.json()["id"]) == "sent"
    [delivery] = api.get("/api/v1/reminders/deliveries/").json()["results"]
    assert delivery["status"] == "sent" and delivery["kind"] == "weekly_summary"
    assert delivery["body"].startswith("Average 0 mg a day")
    assert delivery["channels"] == {"email": "sent"}


def test_push_public_key(anon, settings):
    settings.VAPID_PUBLIC_KEY = "BPublicKeyForTests"
    assert anon.get("/api/v1/push/public-key/").json() == {"public_key": "BPublicKeyForTests"}
    settings.VAPID_PUBLIC_KEY = ""
    assert anon.get("/api/v1/push/public-key/").status_code == 404


def test_subscribe_and_unsubscribe_a_browser(api, other_api, user):
    response = api.post(
        "/api/v1/push/subscriptions/", {"endpoint": ENDPOINT, "keys": KEYS, "expirationTime": None}
    )
    assert response.status_code == 201
    assert api.post("/api/v1/push/subscriptions/", {"endpoint": ENDPOINT, "keys": KEYS}).status_code == 200
    assert PushSubscription.objects.get().user == user
    assert other_api.delete("/api/v1/push/subscriptions/", {"endpoint": ENDPOINT}).status_code == 404
    assert api.delete("/api/v1/push/subscriptions/", {"endpoint": ENDPOINT}).status_code == 204
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"endpoint": "http://push.example.net/x", "keys": KEYS},
        {"endpoint": "http://127.0.0.1:9/x", "keys": KEYS},
        {"endpoint": "not a url", "keys": KEYS},
        {"endpoint": ENDPOINT, "keys": {"p256dh": "a b", "auth": "x"}},
        {"endpoint": ENDPOINT},
        {
            "endpoint": ENDPOINT,
            "keys": {
                "p256dh": "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "auth": KEYS["auth"],
            },
        },
        {"endpoint": ENDPOINT, "keys": {"p256dh": KEYS["p256dh"], "auth": "c2hvcnQ"}},
    ],
)
def test_bad_subscriptions_are_400(api, payload, settings):
    settings.PUSH_ALLOW_LOOPBACK_HTTP = False
    assert api.post("/api/v1/push/subscriptions/", payload).status_code == 400
    assert not PushSubscription.objects.exists()


def test_export_and_account_deletion_cover_reminders(api, user):
    api.post("/api/v1/reminders/", {"kind": "log_meals", "local_time": "08:00"})
    api.post("/api/v1/push/subscriptions/", {"endpoint": ENDPOINT, "keys": KEYS})
    export = api.get("/api/v1/export/").json()
    assert [r["kind"] for r in export["reminders"]] == ["log_meals"]
    assert [s["endpoint"] for s in export["push_subscriptions"]] == [ENDPOINT]
    assert api.delete("/api/v1/account/").status_code == 204
    assert not Reminder.objects.exists() and not PushSubscription.objects.exists()
