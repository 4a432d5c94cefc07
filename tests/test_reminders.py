"""Reminders: dispatching exactly once, content that helps, skip rules, retries, push and email."""

import base64
import json
import os
import threading
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core import mail
from django.utils import timezone

from foods.models import Portion
from tracker import services
from tracker.account import account_delete
from tracker.reminders import content
from tracker.reminders import services as reminders
from tracker.reminders.models import DeliveryStatus, PushSubscription, Reminder, ReminderDelivery

pytestmark = pytest.mark.django_db


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """A browser's side of Web Push: its own key pair and auth secret, as PushManager makes them."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.p256dh, self.auth_secret = b64url(public), os.urandom(16)
        self.auth = b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return json.loads(plain)


def verify_vapid(header: str, public_key: str, audience: str) -> dict:
    """Check the VAPID JWT of an Authorization header ("vapid t=…, k=…") against the server's key."""
    scheme, _, params = header.partition(" ")
    assert scheme == "vapid"
    values = dict(part.strip().split("=", 1) for part in params.split(","))
    assert values["k"] == public_key
    head, payload, signature = values["t"].split(".")
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    key.verify(der, f"{head}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    claims = json.loads(unb64url(payload))
    assert claims["aud"] == audience
    return claims


def subscribe(user, service, path: str, browser: "Browser | None" = None) -> "Browser":
    """A browser of ``user`` subscribed at ``service``/``path``."""
    browser = browser or Browser()
    PushSubscription.objects.create(
        user=user, endpoint=f"{service.url}/{path}", p256dh=browser.p256dh, auth=browser.auth
    )
    return browser


def due_reminder(user, *, kind="log_meals", channels=("email",), at=None, local_time=time(8)):
    reminder = reminders.reminder_create(user=user, kind=kind, local_time=local_time, channels=list(channels))
    Reminder.objects.filter(pk=reminder.pk).update(next_fire_at=at or timezone.now() - timedelta(seconds=5))
    reminder.refresh_from_db()
    return reminder


def dispatch(capture, now=None):
    with capture(execute=False) as callbacks:
        result = reminders.dispatch_due(now=now)
    return result, callbacks


# --- The dispatcher -------------------------------------------------------------------------------------


def test_a_due_reminder_becomes_one_delivery_and_moves_to_its_next_time(
    user, django_capture_on_commit_callbacks
):
    reminder = due_reminder(user)
    result, callbacks = dispatch(django_capture_on_commit_callbacks)
    assert (result.due, result.queued, len(callbacks)) == (1, 1, 1)
    delivery = ReminderDelivery.objects.get()
    assert (delivery.reminder, delivery.slot, delivery.status) == (reminder, "08:00", DeliveryStatus.PENDING)
    reminder.refresh_from_db()
    assert reminder.next_fire_at > timezone.now()
    assert reminder.next_fire_at.astimezone(user.profile.zone).time() == time(8)


def test_running_the_dispatcher_twice_in_the_same_minute_sends_once(
    user, smtp, django_capture_on_commit_callbacks
):
    due_reminder(user)
    now = timezone.now()
    dispatch(django_capture_on_commit_callbacks, now)
    result, callbacks = dispatch(django_capture_on_commit_callbacks, now)
    assert (result.due, len(callbacks)) == (0, 0)
    [delivery] = ReminderDelivery.objects.all()
    assert reminders.deliver(delivery.pk) == "sent"
    assert reminders.deliver(delivery.pk) == "taken"  # a retried or redelivered task
    assert len(smtp.messages) == 1


def test_a_second_occurrence_for_the_same_slot_is_refused_by_the_constraint(
    user, django_capture_on_commit_callbacks
):
    reminder = due_reminder(user, at=datetime(2026, 3, 2, 8, tzinfo=UTC))
    dispatch(django_capture_on_commit_callbacks, now=datetime(2026, 3, 2, 8, 0, 30, tzinfo=UTC))
    # a clock or a beat that puts the reminder back to the same slot
    Reminder.objects.filter(pk=reminder.pk).update(next_fire_at=datetime(2026, 3, 2, 8, tzinfo=UTC))
    result, callbacks = dispatch(
        django_capture_on_commit_callbacks, now=datetime(2026, 3, 2, 8, 1, tzinfo=UTC)
    )
    assert (result.due, result.queued, len(callbacks)) == (1, 0, 0)
    assert ReminderDelivery.objects.count() == 1


def test_a_missed_minute_is_caught_up_within_the_window(user, django_capture_on_commit_callbacks):
    due_reminder(user, at=timezone.now() - timedelta(minutes=20))
    result, _ = dispatch(django_capture_on_commit_callbacks)
    assert (result.queued, result.stale) == (1, 0)
    assert ReminderDelivery.objects.get().status == DeliveryStatus.PENDING


def test_a_stale_reminder_is_recorded_as_skipped_and_not_sent(user, django_capture_on_commit_callbacks):
    due_reminder(user, at=timezone.now() - timedelta(hours=3))
    result, callbacks = dispatch(django_capture_on_commit_callbacks)
    assert (result.queued, result.stale, len(callbacks)) == (0, 1, 0)
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SKIPPED
    assert delivery.reason.startswith("stale: due 180 minutes ago")
    assert Reminder.objects.get().next_fire_at > timezone.now()


def test_it_sends_in_batches(django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    for _ in range(7):
        due_reminder(UserFactory())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = reminders.dispatch_due(batch_size=3)
    assert (result.due, result.batches, result.queued) == (7, 3, 7)
    assert len(callbacks) == 3  # one send task per batch, not per reminder


def test_an_abandoned_delivery_is_requeued_and_sent_once(user, smtp, django_capture_on_commit_callbacks):
    due_reminder(user)
    dispatch(django_capture_on_commit_callbacks)
    delivery = ReminderDelivery.objects.get()
    # a worker claimed it and died: the lease runs out
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_until=timezone.now() - timedelta(seconds=1), attempts=1
    )
    result, callbacks = dispatch(django_capture_on_commit_callbacks)
    assert result.requeued == 1 and len(callbacks) == 1
    assert reminders.deliver(delivery.pk) == "sent"
    assert reminders.deliver(delivery.pk) == "taken"
    assert len(smtp.messages) == 1


def test_changing_the_time_zone_reschedules(user):
    reminder = reminders.reminder_create(user=user, kind="log_meals", local_time=time(8))
    services.profile_update(user=user, time_zone="Asia/Tokyo")
    reminder.refresh_from_db()
    assert reminder.next_fire_at.astimezone(user.profile.zone).time() == time(8)
    assert reminder.next_fire_at.astimezone(UTC).time() == time(23)


# --- Content ----------------------------------------------------------------------------------------------


def test_suggestions_close_the_gap_with_real_portions():
    portions = [
        content.Suggestion("1 oz", "almonds", 78),
        content.Suggestion("½ cup", "spinach, boiled", 78),
        content.Suggestion("1 oz", "cashews, dry roasted", 74),
        content.Suggestion("1 medium", "banana", 32),
    ]
    assert [str(s) for s in content.suggest_portions(70, portions)] == ["1 oz cashews, dry roasted (74 mg)"]
    # no single portion reaches 112 mg; the smallest pair that does (152 mg) wins over 156 mg
    assert [str(s) for s in content.suggest_portions(112, portions)] == [
        "1 oz almonds (78 mg)",
        "1 oz cashews, dry roasted (74 mg)",
    ]
    pair = content.suggest_portions(150, portions)
    assert len(pair) == 2 and sum(s.magnesium_mg for s in pair) >= 150 and pair[0].food != pair[1].food
    assert len(content.suggest_portions(1000, portions)) == 2  # a good start
    assert content.suggest_portions(0, portions) == []


def test_suggestions_from_the_catalogue_name_portions_and_mg():
    ideas = content.suggest_portions(112)
    assert 1 <= len(ideas) <= 2
    assert sum(i.magnesium_mg for i in ideas) >= 112
    portion_labels = set(Portion.objects.values_list("label", flat=True))
    assert all(i.label in portion_labels and i.label != "100 g" for i in ideas)


def test_meal_reminder_says_how_far_from_the_target(user, almonds_oz, smtp):
    services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz)  # 78 of 320 mg
    reminder = due_reminder(user)
    delivery = ReminderDelivery.objects.create(
        reminder=reminder,
        user=user,
        local_date=services.local_today(profile=user.profile),
        slot="08:00",
        scheduled_for=timezone.now(),
    )
    assert reminders.deliver(delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert delivery.body.startswith("242 mg to go today: ")
    assert " mg)" in delivery.body
    assert "242 mg to go today" in smtp.messages[0]


def test_meal_reminder_is_skipped_when_the_goal_is_met(user, almonds_oz, smtp):
    services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz, quantity=Decimal(5))  # 390 mg
    reminder = due_reminder(user)
    delivery = ReminderDelivery.objects.create(
        reminder=reminder,
        user=user,
        local_date=services.local_today(profile=user.profile),
        slot="08:00",
        scheduled_for=timezone.now(),
    )
    assert reminders.deliver(delivery.pk) == DeliveryStatus.SKIPPED
    delivery.refresh_from_db()
    assert delivery.reason == "goal already met today (390 of 320 mg)"
    assert smtp.messages == []


def test_supplement_reminder_names_the_usual_form_and_warns_at_the_limit(user, citrate):
    from foods.models import SupplementForm

    glycinate = SupplementForm.objects.get(name="Glycinate (bisglycinate)")
    today = services.local_today(profile=user.profile)
    for days_ago in (1, 2, 3):
        services.dose_create(
            user=user,
            form=glycinate,
            elemental_mg=Decimal(200),
            taken_at=timezone.now() - timedelta(days=days_ago),
        )
    message = content.supplement_reminder(user=user, day=today)
    assert message.body == "Time for your magnesium glycinate (bisglycinate): 200 mg elemental."
    services.dose_create(user=user, form=citrate, elemental_mg=Decimal(350))
    message = content.supplement_reminder(user=user, day=today)
    assert "You have already taken 350 mg from supplements today, the upper limit is 350 mg" in message.body


def test_weekly_summary_gives_average_days_on_target_best_and_worst(user, almonds_oz):
    end = date(2026, 4, 7)  # a Tuesday
    for day, quantity in ((1, 5), (3, 1), (5, 2)):
        services.intake_create(
            user=user,
            food=almonds_oz.food,
            portion=almonds_oz,
            quantity=Decimal(quantity),
            consumed_at=datetime(2026, 4, day, 12, tzinfo=UTC),
        )
    message = content.weekly_summary(user=user, day=end)
    assert message.body == (
        "Average 89 mg a day (target 320 mg), on target 1 of 7 days. Best: Wed 390 mg; lowest: Thu 0 mg."
    )


# --- Channels, retries and failures -------------------------------------------------------------------------


def make_delivery(user, reminder):
    return ReminderDelivery.objects.create(
        reminder=reminder,
        user=user,
        local_date=services.local_today(profile=user.profile),
        slot="08:00",
        scheduled_for=timezone.now(),
    )


def test_web_push_end_to_end_is_encrypted_for_the_browser_and_signed(user, vapid, push_service):
    browser = subscribe(user, push_service, "push/abc123")
    delivery = make_delivery(user, due_reminder(user, channels=("web_push",)))
    assert reminders.deliver(delivery.pk) == "sent"
    [request] = push_service.requests
    assert request["path"] == "/push/abc123"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert int(request["headers"]["ttl"]) > 0
    message = browser.decrypt(request["body"])
    assert message["title"] == "Time to log your meals"
    assert message["body"].startswith("320 mg to go today: ")
    assert message["url"] == "/#/log/breakfast"  # the meal of its time (08:00)
    claims = verify_vapid(request["headers"]["authorization"], vapid, push_service.url)
    assert claims["sub"] == "mailto:admin@localhost"
    delivery.refresh_from_db()
    assert delivery.channel_results["web_push"] == "sent to 1 device(s)"


def test_a_410_removes_the_subscription_and_email_takes_over(user, vapid, smtp, push_services):
    subscribe(user, push_services(statuses=[410]), "gone")
    delivery = make_delivery(user, due_reminder(user, channels=("web_push",)))
    assert reminders.deliver(delivery.pk) == "sent"
    assert not PushSubscription.objects.exists()
    delivery.refresh_from_db()
    assert delivery.channel_results["email_fallback"] is True
    assert len(smtp.messages) == 1


def test_a_push_service_503_is_retried_without_pushing_twice(user, vapid, push_services):
    service = push_services(statuses=[201, 503, 201])
    subscribe(user, service, "phone")
    subscribe(user, service, "laptop")
    delivery = make_delivery(user, due_reminder(user, channels=("web_push",)))
    with pytest.raises(reminders.RetryLater) as retry:
        reminders.deliver(delivery.pk)
    assert retry.value.countdown == 7  # the service's Retry-After
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING and "503" in delivery.reason
    assert reminders.deliver(delivery.pk) == "sent"
    assert [r["path"] for r in service.requests] == ["/phone", "/laptop", "/laptop"]


def test_a_transient_mail_failure_is_retried_then_sent(user, mail_server):
    server = mail_server(greetings=["421", "220"])
    delivery = make_delivery(user, due_reminder(user, channels=("email",)))
    with pytest.raises(reminders.RetryLater) as retry:
        reminders.deliver(delivery.pk)
    assert retry.value.countdown == 30
    assert reminders.deliver(delivery.pk) == "sent"
    assert len(server.messages) == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.channel_results["email"]) == (2, "sent")


def test_a_permanent_mail_failure_is_recorded_and_not_retried(user, mail_server):
    server = mail_server(rcpt_reply="550 no such mailbox")
    delivery = make_delivery(user, due_reminder(user, channels=("email",)))
    assert reminders.deliver(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "SMTPRecipientsRefused" in delivery.reason
    assert server.messages == []


def test_transient_failures_give_up_after_the_last_attempt(user, mail_server):
    server = mail_server(greetings=["421"])
    delivery = make_delivery(user, due_reminder(user, channels=("email",)))
    for _ in range(reminders.MAX_ATTEMPTS - 1):
        with pytest.raises(reminders.RetryLater):
            reminders.deliver(delivery.pk)
    assert reminders.deliver(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.reason.startswith(f"gave up after {reminders.MAX_ATTEMPTS} attempts")
    assert server.connections == reminders.MAX_ATTEMPTS  # one try per attempt, no more


def test_no_channel_at_all_is_a_skip_with_the_reason(user):
    user.email = ""
    user.save()
    delivery = make_delivery(user, due_reminder(user, channels=("web_push",)))
    assert reminders.deliver(delivery.pk) == DeliveryStatus.SKIPPED
    delivery.refresh_from_db()
    assert delivery.reason.startswith("no channel available")


def test_email_goes_through_djangos_backend(user):
    delivery = make_delivery(user, due_reminder(user, channels=("email",)))
    assert reminders.deliver(delivery.pk) == "sent"
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "Time to log your meals"


# --- Real servers ----------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_create_each_delivery_once():
    from django.db import connection

    from tests.factories import UserFactory

    for _ in range(60):
        due_reminder(UserFactory())
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(reminders.dispatch_due(batch_size=7))
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    from unittest import mock

    with mock.patch("tracker.reminders.services._enqueue_on_commit"):  # count queued, publish nothing
        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert sum(r.due for r in results) == 60
    assert sum(r.queued for r in results) == 60
    assert ReminderDelivery.objects.count() == 60
    assert sum(1 for r in results if r.due) >= 2  # the work was really shared


def test_a_browser_with_unusable_keys_is_removed_and_the_others_get_one_push(user, vapid, push_service):
    good = subscribe(user, push_service, "phone")
    PushSubscription.objects.create(
        user=user,
        endpoint=f"{push_service.url}/broken",
        p256dh=b64url(b"\x04" + b"\x01" * 64),
        auth=good.auth,
    )
    delivery = make_delivery(user, due_reminder(user, channels=("web_push",)))
    assert reminders.deliver(delivery.pk) == "sent"
    assert reminders.deliver(delivery.pk) == "taken"
    assert [r["path"] for r in push_service.requests] == ["/phone"]
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [f"{push_service.url}/phone"]
    delivery.refresh_from_db()
    assert "subscription removed" in delivery.reason


def test_when_push_keeps_failing_the_last_attempt_falls_back_to_email(user, vapid, smtp, push_services):
    subscribe(user, push_services(statuses=[503]), "phone")
    delivery = make_delivery(user, due_reminder(user, channels=("web_push",)))
    for _ in range(reminders.MAX_ATTEMPTS - 1):
        with pytest.raises(reminders.RetryLater):
            reminders.deliver(delivery.pk)
    assert smtp.messages == []
    assert reminders.deliver(delivery.pk) == "sent"
    assert len(smtp.messages) == 1
    delivery.refresh_from_db()
    assert (
        delivery.channel_results["email_fallback"] is True and "retry_after" not in delivery.channel_results
    )


# --- What is guaranteed when a worker dies, an account goes, or a service is down -----------------------


def abandoned(delivery, **channel_results):
    """The state a worker leaves when it dies mid-send: claimed, the attempt written down, lease expired."""
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING,
        claimed_until=timezone.now() - timedelta(seconds=1),
        attempts=1,
        title="Time to log your meals",
        body="320 mg to go today.",
        channel_results={"url": "/#/log", **channel_results},
    )


def test_an_email_whose_worker_died_mid_send_is_never_sent_again(user, smtp):
    delivery = make_delivery(user, due_reminder(user, channels=("email",)))
    abandoned(delivery, email="sending")
    assert reminders.deliver(delivery.pk) == DeliveryStatus.UNCERTAIN
    assert smtp.messages == []
    delivery.refresh_from_db()
    assert delivery.status == "uncertain" and "not sent again" in delivery.reason
    assert delivery.channel_results["email"] == "uncertain"
    assert reminders.deliver(delivery.pk) == "taken"  # and it stays finished


def test_an_email_in_doubt_does_not_stop_a_push_that_was_not_sent(user, vapid, smtp, push_service):
    subscribe(user, push_service, "phone")
    delivery = make_delivery(user, due_reminder(user, channels=("web_push", "email")))
    abandoned(delivery, email="sending")
    assert reminders.deliver(delivery.pk) == DeliveryStatus.SENT
    assert len(push_service.requests) == 1 and smtp.messages == []


def test_a_mail_server_that_hangs_up_after_the_message_gets_the_same_message_id_again(user, mail_server):
    """The one case an email can arrive twice: the server took the message but the answer never came
    back (here it hangs up). The retry carries the same Message-ID, which mail clients use to drop it."""
    server = mail_server(drop_after_data=1)
    delivery = make_delivery(user, due_reminder(user, channels=("email",)))
    with pytest.raises(reminders.RetryLater):
        reminders.deliver(delivery.pk)
    assert reminders.deliver(delivery.pk) == DeliveryStatus.SENT
    ids = [
        line for message in server.messages for line in message.splitlines() if line.startswith("Message-ID:")
    ]
    assert ids == [f"Message-ID: <reminder-{delivery.pk}@localhost>"] * 2


def test_each_push_carries_the_deliverys_topic(user, vapid, push_service):
    subscribe(user, push_service, "phone")
    delivery = make_delivery(user, due_reminder(user, channels=("web_push",)))
    assert reminders.deliver(delivery.pk) == DeliveryStatus.SENT
    [request] = push_service.requests
    assert request["headers"]["topic"] == delivery.pk.hex and len(delivery.pk.hex) <= 32
    assert request["headers"]["urgency"] == "normal"


def test_a_push_whose_worker_died_is_sent_again_under_the_same_topic_and_tag(user, vapid, push_service):
    browser = subscribe(user, push_service, "phone")
    delivery = make_delivery(user, due_reminder(user, channels=("web_push",)))
    phone = PushSubscription.objects.get()
    abandoned(delivery, push_sending=phone.pk)
    assert reminders.deliver(delivery.pk) == DeliveryStatus.SENT
    [request] = push_service.requests
    assert request["headers"]["topic"] == delivery.pk.hex
    assert browser.decrypt(request["body"])["tag"] == f"reminder-{delivery.reminder_id}"


def test_a_push_already_recorded_as_sent_is_not_sent_again(user, vapid, push_service):
    subscribe(user, push_service, "phone")
    delivery = make_delivery(user, due_reminder(user, channels=("web_push",)))
    abandoned(delivery, push_sent_to=[PushSubscription.objects.get().pk])
    assert reminders.deliver(delivery.pk) == DeliveryStatus.SENT
    assert push_service.requests == []


def test_the_send_time_check_refuses_a_push_host_that_resolves_inside(user, vapid, push_service, settings):
    """The host passed the check when it was stored; now its name leads inside (a DNS change): the
    connection's own peer check stops the send before a byte goes out, and the subscription goes."""
    settings.PUSH_ALLOW_LOOPBACK_HTTP = False
    settings.PUSH_SERVICE_HOSTS = ["localhost"]
    port = push_service.url.rsplit(":", 1)[1]
    PushSubscription.objects.create(
        user=user, endpoint=f"https://localhost:{port}/x", p256dh=Browser().p256dh, auth=Browser().auth
    )
    user.email = ""
    user.save()
    delivery = make_delivery(user, due_reminder(user, channels=("web_push",)))
    assert reminders.deliver(delivery.pk) == DeliveryStatus.FAILED
    assert push_service.requests == [] and not PushSubscription.objects.exists()
    delivery.refresh_from_db()
    assert "non-public address" in delivery.reason


def test_one_failing_delivery_does_not_hold_up_its_batch(user, other_user, smtp, monkeypatch):
    from tracker import tasks

    first = make_delivery(user, due_reminder(user))
    second = make_delivery(other_user, due_reminder(other_user))
    real = content.build_message

    def broken_for_the_first(*, kind, user, day, at=None):
        if user.pk == first.user_id:
            raise RuntimeError("a bug in one user's message")
        return real(kind=kind, user=user, day=day, at=at)

    monkeypatch.setattr(content, "build_message", broken_for_the_first)
    tasks.send_reminder_batch.run([str(first.pk), str(second.pk)])
    second.refresh_from_db()
    assert second.status == DeliveryStatus.SENT and len(smtp.messages) == 1


def test_an_account_deleted_before_its_turn_in_the_batch_is_passed_over(user, other_user, smtp):
    from tracker import tasks

    first = make_delivery(user, due_reminder(user))
    second = make_delivery(other_user, due_reminder(other_user))
    account_delete(user_id=user.pk)
    assert reminders.deliver(first.pk) == "taken"
    tasks.send_reminder_batch.run([str(first.pk), str(second.pk)])
    assert ReminderDelivery.objects.get().status == DeliveryStatus.SENT and len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_while_its_email_is_being_sent(mail_server):
    from tests.factories import UserFactory

    user = UserFactory()
    hold = threading.Event()
    server = mail_server(hold=hold)
    delivery = make_delivery(user, due_reminder(user))
    outcome = {}

    def send():
        from django.db import connection

        try:
            outcome["status"] = reminders.deliver(delivery.pk)
        finally:
            connection.close()  # a thread's connection would outlive the test and block its teardown

    sender = threading.Thread(target=send)
    sender.start()
    assert server.receiving.wait(10)  # the message is on the wire
    account_delete(user_id=user.pk)  # must not wait for the send, nor fail
    hold.set()
    sender.join(10)
    assert outcome["status"] == "taken"  # the send finished without an error; its record had gone
    assert not ReminderDelivery.objects.exists() and not Reminder.objects.exists()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(pk=user.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_while_the_dispatcher_holds_its_reminders():
    """The trial's 500: the dispatcher inserted a delivery between the deletion's read and its delete.
    Here a dispatcher transaction locks the reminder and inserts a delivery while the deletion runs."""
    from django.db import connection, transaction

    from tests.factories import UserFactory

    user = UserFactory()
    reminder = due_reminder(user)
    locked, release, errors = threading.Event(), threading.Event(), []

    def dispatcher():
        try:
            with transaction.atomic():
                list(Reminder.objects.select_for_update(skip_locked=True).filter(pk=reminder.pk))
                locked.set()
                release.wait(10)
                ReminderDelivery.objects.create(
                    reminder_id=reminder.pk,
                    user_id=user.pk,
                    local_date=date(2026, 1, 1),
                    slot="08:00",
                    scheduled_for=timezone.now(),
                )
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=dispatcher)
    thread.start()
    assert locked.wait(10)
    deleter = threading.Thread(target=lambda: (account_delete(user_id=user.pk), connection.close()))
    deleter.start()
    with connection.cursor() as cursor:  # the deletion is waiting for the dispatcher's lock
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                break
            clock.sleep(0.05)
    release.set()
    thread.join(10)
    deleter.join(20)
    assert not errors and not deleter.is_alive()
    assert not ReminderDelivery.objects.exists() and not Reminder.objects.exists()


def test_a_slow_worker_overtaken_by_another_sends_nothing_more(user, vapid, smtp, push_service, monkeypatch):
    """Worker A outlives its lease during a push; worker B claims the delivery and finishes it. A's
    next write finds its claim gone and A stops: one email in all, not two."""
    from tracker.reminders import push

    subscribe(user, push_service, "phone")
    delivery = make_delivery(user, due_reminder(user, channels=("web_push", "email")))
    real_send, outcomes, calls = push.send, [], []

    def slow_send(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # A's push: meanwhile B (three minutes on) takes the delivery over
            outcomes.append(("B", reminders.deliver(delivery.pk, now=timezone.now() + timedelta(minutes=3))))
        return real_send(*args, **kwargs)

    monkeypatch.setattr(push, "send", slow_send)
    outcomes.append(("A", reminders.deliver(delivery.pk)))
    assert outcomes == [("B", DeliveryStatus.SENT), ("A", "taken")]
    assert len(smtp.messages) == 1
    assert ReminderDelivery.objects.get().status == DeliveryStatus.SENT


def test_nothing_stays_unfinished_past_the_catch_up_window(user, django_capture_on_commit_callbacks):
    reminder = due_reminder(user)
    long_ago = timezone.now() - timedelta(minutes=45)
    rows = {
        "sending, email in doubt": (DeliveryStatus.SENDING, {"email": "sending"}, DeliveryStatus.UNCERTAIN),
        "retrying, push reached": (DeliveryStatus.RETRYING, {"push_sent_to": [1]}, DeliveryStatus.SENT),
        "pending, message lost": (DeliveryStatus.PENDING, {}, DeliveryStatus.FAILED),
    }
    for n, (slot, (status, results, _)) in enumerate(rows.items()):
        ReminderDelivery.objects.create(
            reminder=reminder,
            user=user,
            local_date=date(2026, 1, 1 + n),
            slot=slot[:32],
            scheduled_for=long_ago,
            status=status,
            channel_results=results,
            claimed_until=long_ago,
        )
    dispatch(django_capture_on_commit_callbacks)
    final = {d.slot: d.status for d in ReminderDelivery.objects.filter(scheduled_for=long_ago)}
    assert final == {slot[:32]: expected for slot, (_, _, expected) in rows.items()}
    assert "catch-up window" in ReminderDelivery.objects.get(status=DeliveryStatus.FAILED).reason


def test_a_long_retry_after_is_capped_to_the_catch_up_window(user, vapid, push_services):
    service = push_services(statuses=[503])
    subscribe(user, service, "phone")
    delivery = make_delivery(user, due_reminder(user, channels=("web_push",)))
    service.retry_after = "3600"
    with pytest.raises(reminders.RetryLater) as retry:
        reminders.deliver(delivery.pk)
    assert retry.value.countdown <= 30 * 60


def test_a_reminder_turned_off_after_its_push_went_out_is_recorded_as_sent(user, vapid, push_service):
    subscribe(user, push_service, "phone")
    reminder = due_reminder(user, channels=("web_push",))
    delivery = make_delivery(user, reminder)
    abandoned(delivery, push_sent_to=[PushSubscription.objects.get().pk])
    Reminder.objects.filter(pk=reminder.pk).update(enabled=False)
    assert reminders.deliver(delivery.pk) == DeliveryStatus.SENT
    assert push_service.requests == []


# --- Reminders that are safe at the edges of the tables (issue 9) ----------------------------------------


def usual_dose(user, form, mg, days=(1, 2, 3)):
    for days_ago in days:
        services.dose_create(
            user=user, form=form, elemental_mg=Decimal(mg), taken_at=timezone.now() - timedelta(days=days_ago)
        )


def test_a_usual_dose_past_the_limit_is_not_suggested(user, citrate):
    usual_dose(user, citrate, 400)
    today = services.local_today(profile=user.profile)
    body = content.supplement_reminder(user=user, day=today).body
    assert "400 mg of citrate would take today's supplements to 400 mg, past the 350 mg upper limit" in body
    assert "Time for your magnesium" not in body


def test_a_toddlers_usual_dose_is_checked_against_her_own_limit(user, citrate):
    today = services.local_today(profile=user.profile)
    services.profile_update(user=user, birth_date=today.replace(year=today.year - 2, day=1))
    usual_dose(user, citrate, 100)
    body = content.supplement_reminder(user=user, day=today).body
    assert "past the 65 mg upper limit" in body and "Time for your" not in body
    usual_dose(user, citrate, 30, days=(4, 5, 6, 7))  # now the usual dose is 30 mg, within her limit
    assert (
        content.supplement_reminder(user=user, day=today).body
        == "Time for your magnesium citrate: 30 mg elemental."
    )


def test_with_kidney_disease_no_dose_is_suggested_and_only_a_doctors_plan_is_reminded(user, citrate):
    usual_dose(user, citrate, 200)
    today = services.local_today(profile=user.profile)
    services.profile_update(user=user, kidney_disease=True)
    message = content.supplement_reminder(user=user, day=today)
    assert message.skip_reason.startswith("kidney disease")
    services.profile_update(user=user, target_override_mg=300)
    message = content.supplement_reminder(user=user, day=today)
    assert not message.skip_reason and "200" not in message.body
    assert "take only what your doctor advised" in message.body


def test_no_supplement_dose_is_named_for_an_infant(user, citrate):
    today = services.local_today(profile=user.profile)
    services.profile_update(user=user, birth_date=today - timedelta(days=90))
    usual_dose(user, citrate, 50)
    body = content.supplement_reminder(user=user, day=today).body
    assert "50" not in body and "under 1 year" in body


def test_meal_reminders_suggest_no_food_under_twelve_months(user):
    today = services.local_today(profile=user.profile)
    services.profile_update(user=user, birth_date=today - timedelta(days=90))
    message = content.meal_reminder(user=user, day=today)
    assert message.body == "30 mg to go today."  # the infant AI, and no foods
    services.profile_update(user=user, birth_date=today.replace(year=today.year - 2, day=1))
    assert ": " in content.meal_reminder(user=user, day=today).body  # a toddler gets real portions


def test_in_eager_mode_a_dispatched_reminder_is_sent_in_this_process(
    user, smtp, settings, django_capture_on_commit_callbacks
):
    """The services queue work by task name (they never import tracker/tasks.py); with
    CELERY_TASK_ALWAYS_EAGER there is no worker, so the task must run here all the same."""
    from tracker.celery import app

    app.conf.task_always_eager = True
    try:
        reminder = due_reminder(user, channels=("email",))
        with django_capture_on_commit_callbacks(execute=True):
            reminders.dispatch_due(now=reminder.next_fire_at)
    finally:
        app.conf.task_always_eager = False
    assert ReminderDelivery.objects.get().status == "sent" and len(smtp.messages) == 1
