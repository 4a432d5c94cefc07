"""Reminders you can answer: Taken, Snooze 30 min and Skip today from the notification, the email's
signed links and the app; one-click unsubscribe; adherence; a day marked complete."""

import email
import email.policy
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client
from django.utils import timezone

from tests.test_reminders import abandoned, due_reminder, make_delivery, subscribe, usual_dose
from tracker import services
from tracker.models import DailyContext, SupplementDose
from tracker.reminders import adherence, answers, content
from tracker.reminders import services as reminders
from tracker.reminders.models import DeliveryStatus, Reminder, ReminderDelivery

pytestmark = pytest.mark.django_db


def daytime_zone() -> str:
    """A time zone where it is day now: a snooze in the evening would be refused (it would come the next
    day), and these tests must not depend on the hour they run at."""
    from zoneinfo import ZoneInfo

    for name in (
        "UTC",
        "Asia/Tokyo",
        "America/New_York",
        "Pacific/Kiritimati",
        "Pacific/Honolulu",
        "Asia/Kolkata",
    ):
        if 6 <= timezone.now().astimezone(ZoneInfo(name)).hour < 20:
            return name
    raise AssertionError("some zone has daytime now")


@pytest.fixture(autouse=True)
def _daytime(user):
    services.profile_update(user=user, time_zone=daytime_zone())
    user.refresh_from_db()


def supplement_delivery(user, citrate, *, mg=200, channels=("web_push",)):
    usual_dose(user, citrate, mg)
    return make_delivery(user, due_reminder(user, kind="take_supplement", channels=channels))


def sent_delivery(user, citrate, **kwargs):
    """A supplement reminder as it was sent: its message built (naming the usual dose) and sent."""
    delivery = supplement_delivery(user, citrate, **kwargs)
    message = content.build_message(kind="take_supplement", user=user, day=delivery.local_date)
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, title=message.title, body=message.body, offer=message.offer
    )
    delivery.refresh_from_db()
    return delivery


def sent_push(user, citrate, vapid, push_service, **kwargs):
    browser = subscribe(user, push_service, "push/1")
    delivery = supplement_delivery(user, citrate, **kwargs)
    assert reminders.deliver(delivery.pk) == "sent"
    return delivery, browser.decrypt(push_service.requests[-1]["body"])


def post_link(path, *, json=True, data=None):
    """What the service worker does with an action (JSON), or the page's button (HTML)."""
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return Client().post(path, data or {}, **headers)


def doses_of(user):
    return list(
        SupplementDose.objects.filter(user=user, local_date=services.local_today(profile=user.profile))
    )


# --- From the notification ------------------------------------------------------------------------------


def test_a_supplement_push_carries_taken_snooze_and_skip_and_taken_logs_the_dose_it_states_once(
    user, citrate, vapid, push_service
):
    delivery, message = sent_push(user, citrate, vapid, push_service, mg="200.5")
    assert message["body"] == "Time for your magnesium citrate: 200.5 mg elemental."
    assert [a["action"] for a in message["actions"]] == ["taken", "snoozed", "skipped"]
    assert [a["title"] for a in message["actions"]] == ["Taken", "Snooze 30 min", "Skip today"]
    assert message["dose"] == "200.5 mg citrate"
    taken = message["actions"][0]["link"]
    before = len(doses_of(user))
    first = post_link(taken + "?via=push")
    second = post_link(taken + "?via=push")  # a second tap, or a retry after a lost answer
    assert first.status_code == second.status_code == 200
    assert first.json()["recorded"] is True and second.json()["recorded"] is False
    assert first.json()["message"] == "Logged: 200.5 mg of citrate."
    assert second.json()["message"] == "Already recorded: taken (200.5 mg of citrate)."
    assert len(doses_of(user)) == before + 1
    dose = SupplementDose.objects.get(pk=first.json()["dose"])
    assert dose.elemental_mg == Decimal("200.50") and dose.form == citrate
    assert dose.pk == answers.dose_id_for(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.answer, delivery.answered_via, delivery.dose_id) == ("taken", "push", dose.pk)


def test_taken_where_the_reminder_names_no_dose_opens_the_supplement_form(
    user, citrate, vapid, push_service, api
):
    subscribe(user, push_service, "push/1")
    delivery = make_delivery(user, due_reminder(user, kind="take_supplement", channels=("web_push",)))
    reminders.deliver(delivery.pk)  # no dose logged yet: no usual dose to name
    [request] = push_service.requests
    delivery.refresh_from_db()
    assert delivery.offer == {}
    from tracker.reminders import links

    actions = links.push_actions(delivery)["actions"]
    assert actions[0] == {"action": "taken", "title": "Taken", "open": "/#/supplement"}
    response = api.post(
        f"/api/v1/reminders/deliveries/{delivery.pk}/answer/", {"answer": "taken"}, format="json"
    )
    assert response.status_code == 400
    assert "named no dose" in response.json()["answer"][0]
    assert not SupplementDose.objects.filter(user=user).exists()
    assert request is not None


def test_a_meal_push_carries_log_food_opening_that_meal(user, vapid, push_service):
    browser = subscribe(user, push_service, "push/1")
    reminder = due_reminder(user, channels=("web_push",), local_time=time(19, 30))
    delivery = make_delivery(user, reminder)
    reminders.deliver(delivery.pk)
    message = browser.decrypt(push_service.requests[-1]["body"])
    assert message["url"] == "/#/log/dinner"
    assert message["actions"][0] == {"action": "log", "title": "Log food", "open": "/#/log/dinner"}
    assert [a["action"] for a in message["actions"][1:]] == [
        "completed",
        "snoozed",
        "skipped",
    ]  # 19:30: evening


# --- Snooze and skip ------------------------------------------------------------------------------------------


def test_snooze_sends_the_reminder_once_more_30_minutes_later(
    user, citrate, vapid, push_service, django_capture_on_commit_callbacks
):
    delivery, message = sent_push(user, citrate, vapid, push_service)
    snooze_link = message["actions"][1]["link"]
    now = timezone.now()
    assert post_link(snooze_link).json()["answer"] == "snoozed"
    assert post_link(snooze_link).json()["recorded"] is False  # two taps: one snooze
    [snooze] = ReminderDelivery.objects.filter(snooze_of=delivery)
    assert snooze.slot == "08:00+1" and snooze.status == DeliveryStatus.PENDING
    assert timedelta(minutes=29) < snooze.scheduled_for - now < timedelta(minutes=31)
    # not before it is due: neither the dispatcher nor a stray task sends it
    with django_capture_on_commit_callbacks(execute=True):
        reminders.dispatch_due(now=now + timedelta(minutes=10))
    assert reminders.deliver(snooze.pk, now=now + timedelta(minutes=10)) == "taken"
    snooze.refresh_from_db()
    assert snooze.status == DeliveryStatus.PENDING and len(push_service.requests) == 1
    # due: the dispatcher's next run sends it, once
    later = now + timedelta(minutes=31)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        reminders.dispatch_due(now=later)
    assert queued, "the due snooze is queued"
    assert reminders.deliver(snooze.pk, now=later) == "sent"
    assert reminders.deliver(snooze.pk, now=later) == "taken"
    assert len(push_service.requests) == 2
    # the snoozed reminder has its own buttons; Taken there logs the dose once for the occurrence
    assert post_link(answers_link(snooze, "taken")).json()["recorded"] is True
    assert post_link(message["actions"][0]["link"]).json()["recorded"] is False
    assert (
        SupplementDose.objects.filter(
            pk__in=[answers.dose_id_for(delivery.pk), answers.dose_id_for(snooze.pk)]
        ).count()
        == 1
    )


def answers_link(delivery, answer):
    from tracker.reminders import links

    return links.answer_path(delivery, answer)


def test_a_worker_killed_mid_snooze_sends_it_once_never_loses_it(user, citrate, vapid, push_service):
    delivery, message = sent_push(user, citrate, vapid, push_service)
    post_link(message["actions"][1]["link"])
    snooze = ReminderDelivery.objects.get(snooze_of=delivery)
    ReminderDelivery.objects.filter(pk=snooze.pk).update(scheduled_for=timezone.now() - timedelta(minutes=1))
    abandoned(snooze)  # the worker claimed it and died before anything went out
    result = reminders.dispatch_due()
    assert result.requeued >= 1
    assert reminders.deliver(snooze.pk) == "sent"
    assert reminders.deliver(snooze.pk) == "taken"
    assert len(push_service.requests) == 2  # the first reminder and the snooze, each once


def test_an_occurrence_is_snoozed_at_most_three_times(user, citrate, api):
    delivery = sent_delivery(user, citrate)
    current = delivery
    for _ in range(answers.MAX_SNOOZES):
        response = api.post(
            f"/api/v1/reminders/deliveries/{current.pk}/answer/", {"answer": "snoozed"}, format="json"
        )
        assert response.status_code == 200, response.json()
        current = ReminderDelivery.objects.get(pk=response.json()["snooze"])
        ReminderDelivery.objects.filter(pk=current.pk).update(status=DeliveryStatus.SENT)  # it came
    response = api.post(
        f"/api/v1/reminders/deliveries/{current.pk}/answer/", {"answer": "snoozed"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["answer"] == ["Snoozed 3 times already: take it, or skip today."]
    assert current.slot == "08:00+3"


def test_skip_ends_the_days_reminder_and_a_later_taken_changes_nothing(user, citrate, api):
    delivery = sent_delivery(user, citrate)
    url = f"/api/v1/reminders/deliveries/{delivery.pk}/answer/"
    snooze_id = api.post(url, {"answer": "snoozed"}, format="json").json()["snooze"]
    snooze_url = f"/api/v1/reminders/deliveries/{snooze_id}/answer/"
    skipped = api.post(url, {"answer": "skipped"}, format="json").json()
    assert skipped["recorded"] is True and skipped["message"] == "Skipped for today."
    snooze = ReminderDelivery.objects.get(pk=snooze_id)
    assert snooze.status == DeliveryStatus.SKIPPED and snooze.reason == "answered before the snooze was due"
    doses = SupplementDose.objects.filter(user=user).count()
    later = api.post(snooze_url, {"answer": "taken"}, format="json").json()
    assert later == {
        **later,
        "recorded": False,
        "answer": "skipped",
        "message": "Already recorded: skipped for today.",
    }
    assert SupplementDose.objects.filter(user=user).count() == doses


def test_a_weekly_summary_or_a_test_takes_no_answer_and_anothers_delivery_is_not_found(
    user, citrate, api, other_api
):
    weekly = make_delivery(user, due_reminder(user, kind="weekly_summary"))
    response = api.post(
        f"/api/v1/reminders/deliveries/{weekly.pk}/answer/", {"answer": "skipped"}, format="json"
    )
    assert response.status_code == 400 and "weekly summary" in response.json()["answer"][0]
    delivery = sent_delivery(user, citrate)
    assert (
        other_api.post(
            f"/api/v1/reminders/deliveries/{delivery.pk}/answer/", {"answer": "taken"}, format="json"
        ).status_code
        == 404
    )
    assert (
        api.post(
            f"/api/v1/reminders/deliveries/{delivery.pk}/answer/", {"answer": "eaten"}, format="json"
        ).status_code
        == 400
    )
    delivery.refresh_from_db()
    assert delivery.answer == ""


# --- From the email ---------------------------------------------------------------------------------------


def test_the_email_carries_signed_links_and_a_one_click_unsubscribe(user, citrate, smtp):
    delivery = supplement_delivery(user, citrate, channels=("email",))
    assert reminders.deliver(delivery.pk) == "sent"
    [raw] = smtp.messages
    message = email.message_from_string(raw, policy=email.policy.default)
    text = message.get_content().replace("\r\n", "\n")
    links = dict(re.findall(r"^(.+?): (http://\S+)$", text, re.M))
    assert set(links) >= {
        "Taken (logs 200 mg of citrate)",
        "Snooze 30 min",
        "Skip today",
        "Stop these reminder emails",
    }
    assert "/#/reminders" in text
    assert message["List-Unsubscribe"].strip() == f"<{links['Stop these reminder emails']}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = links["Taken (logs 200 mg of citrate)"].split("127.0.0.1:8000", 1)[-1]
    # opening the link shows a button and changes nothing (mail scanners open links)
    page = Client().get(path)
    assert page.status_code == 200 and b"Taken: log 200 mg of citrate" in page.content
    assert page["Cache-Control"] == "no-store" and "noindex" in page["X-Robots-Tag"]
    assert not ReminderDelivery.objects.filter(pk=delivery.pk).exclude(answer="").exists()
    before = SupplementDose.objects.filter(user=user).count()
    done = post_link(path, json=False)
    assert done.status_code == 200 and b"Logged: 200 mg of citrate." in done.content
    replay = post_link(path, json=False)
    assert b"Already answered" in replay.content and b"Already recorded: taken" in replay.content
    assert SupplementDose.objects.filter(user=user).count() == before + 1
    delivery.refresh_from_db()
    assert (delivery.answer, delivery.answered_via) == ("taken", "email")


def test_an_expired_an_altered_or_another_deliverys_link_says_so_and_changes_nothing(
    user, citrate, monkeypatch
):
    delivery = supplement_delivery(user, citrate)
    other = make_delivery(user, due_reminder(user, kind="take_supplement", local_time=time(20)))
    past = clock_now() - 25 * 3600
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: past)
        old = answers.answer_token(delivery, "taken")
    expired = Client().post(f"/r/answer/{old}/")
    assert expired.status_code == 410 and b"expired" in expired.content
    fresh = answers.answer_token(delivery, "taken")
    altered = fresh[:-3] + ("AAA" if not fresh.endswith("AAA") else "BBB")
    assert Client().post(f"/r/answer/{altered}/").status_code == 400
    # another delivery's signature on this payload
    mine, theirs = fresh.split(":"), answers.answer_token(other, "taken").split(":")
    swapped = ":".join([mine[0], *theirs[1:]])
    response = Client().post(f"/r/answer/{swapped}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert Client().get("/r/answer/not-a-token/").status_code == 400
    assert not ReminderDelivery.objects.exclude(answer="").exists()
    assert not SupplementDose.objects.filter(pk=answers.dose_id_for(delivery.pk)).exists()


def clock_now():
    import time as clock

    return clock.time()


def test_one_click_unsubscribe_turns_that_reminders_email_off_fallback_included(user, vapid, smtp):
    reminder = due_reminder(user, channels=("web_push", "email"))
    kept = due_reminder(user, channels=("email",), local_time=time(20))
    token = answers.unsubscribe_token(reminder)
    page = Client().get(f"/r/unsubscribe/{token}/")
    assert page.status_code == 200 and b"Stop these emails" in page.content
    reminder.refresh_from_db()
    assert "email" in reminder.channels  # opening it changed nothing
    # RFC 8058: the mail client POSTs List-Unsubscribe=One-Click, no cookie, no CSRF token
    response = Client(enforce_csrf_checks=True).post(
        f"/r/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and b"It still comes as a push notification." in response.content
    reminder.refresh_from_db()
    assert reminder.channels == ["web_push"] and reminder.email_fallback is False and reminder.enabled
    kept.refresh_from_db()
    assert kept.channels == ["email"]
    # push reaches no browser (none subscribed): no email as a fallback any more
    delivery = make_delivery(user, reminder)
    assert reminders.deliver(delivery.pk) == "skipped"
    assert smtp.messages == []
    # an email-only reminder unsubscribed is turned off (its channel kept, for the app to turn it on)
    done = Client().post(f"/r/unsubscribe/{answers.unsubscribe_token(kept)}/")
    assert b"It had no other channel, so it is now off." in done.content
    kept.refresh_from_db()
    assert (kept.enabled, kept.next_fire_at, kept.channels) == (False, None, ["email"])
    assert Client().post(f"/r/unsubscribe/{token[:-2]}xx/").status_code == 400


def test_reminder_api_turns_an_unsubscribed_reminder_and_its_email_fallback_back_on(user, api):
    reminder = due_reminder(user, channels=("web_push", "email"))
    answers.unsubscribe_email(reminder=reminder)
    listed = api.get("/api/v1/reminders/").json()["results"][0]
    assert (listed["channels"], listed["email_fallback"], listed["enabled"]) == (["web_push"], False, True)
    response = api.patch(
        f"/api/v1/reminders/{reminder.pk}/",
        {"channels": ["web_push", "email"], "email_fallback": True},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["channels"] == ["email", "web_push"] and response.json()["email_fallback"] is True


# --- Adherence -------------------------------------------------------------------------------------------


def delivered(reminder, day, *, answer="", dose=None, hour=8):
    zone = reminder.user.profile.zone
    return ReminderDelivery.objects.create(
        reminder=reminder,
        user=reminder.user,
        local_date=day,
        slot=f"{hour:02}:00",
        scheduled_for=datetime.combine(day, time(hour), tzinfo=zone),
        status=DeliveryStatus.SENT,
        answer=answer,
        dose=dose,
    )


def test_adherence_across_a_dst_change_with_exact_figures(user, citrate, api):
    services.profile_update(user=user, time_zone="Europe/Berlin")
    user.refresh_from_db()
    zone = user.profile.zone
    reminder = reminders.reminder_create(user=user, kind="take_supplement", local_time=time(8))
    # Berlin's clocks go forward on Sunday 29 March 2026
    days = [date(2026, 3, 25) + timedelta(days=n) for n in range(8)]  # 25 March … 1 April
    taken_dose, _ = services.dose_create(
        user=user, form=citrate, elemental_mg=Decimal(200), taken_at=datetime(2026, 3, 25, 8, 5, tzinfo=zone)
    )
    delivered(reminder, days[0], answer="taken", dose=taken_dose)  # 25: Taken
    delivered(reminder, days[1], answer="skipped")  # 26: skipped
    delivered(reminder, days[2])  # 27: no answer, nothing logged: missed
    delivered(reminder, days[3])  # 28: a dose logged by hand
    services.dose_create(
        user=user, form=citrate, elemental_mg=Decimal(200), taken_at=datetime(2026, 3, 28, 21, tzinfo=zone)
    )
    # 29 (the DST day): a dose at 23:30 local, 21:30 UTC, counts on the 29th
    delivered(reminder, days[4])
    services.dose_create(
        user=user, form=citrate, elemental_mg=Decimal(200), taken_at=datetime(2026, 3, 29, 21, 30, tzinfo=UTC)
    )
    # 30: not due (no delivery: the reminder was off), a dose "as needed" is no missed day
    services.dose_create(
        user=user, form=citrate, elemental_mg=Decimal(100), taken_at=datetime(2026, 3, 30, 12, tzinfo=zone)
    )
    # 31: Taken
    dose_31, _ = services.dose_create(
        user=user, form=citrate, elemental_mg=Decimal(200), taken_at=datetime(2026, 3, 31, 8, 2, tzinfo=zone)
    )
    delivered(reminder, days[6], answer="taken", dose=dose_31)
    Reminder.objects.filter(pk=reminder.pk).update(next_fire_at=datetime(2026, 4, 1, 8, tzinfo=zone))
    now = datetime(2026, 4, 1, 7, 0, tzinfo=zone)  # 1 April, before the reminder's time
    result = adherence.adherence(reminder=Reminder.objects.get(pk=reminder.pk), days=8, now=now)
    assert [(d["date"].day, d["status"], d["by"]) for d in result["days"]] == [
        (25, "taken", "answer"),
        (26, "skipped", ""),
        (27, "missed", ""),
        (28, "taken", "logged"),
        (29, "taken", "logged"),
        (30, "not_scheduled", ""),
        (31, "taken", "answer"),
        (1, "pending", ""),
    ]
    assert result["streak"] == 3  # 31, (30 not due), 29, 28; 27 missed
    assert (result["taken_days"], result["counted_days"], result["share_percent"]) == (4, 6, 67)


def test_one_hand_dose_and_two_reminders_the_earlier_is_taken(user, citrate, api):
    morning = reminders.reminder_create(user=user, kind="take_supplement", local_time=time(8))
    evening = reminders.reminder_create(user=user, kind="take_supplement", local_time=time(20))
    today = services.local_today(profile=user.profile)
    yesterday = today - timedelta(days=1)
    delivered(morning, yesterday)
    delivered(evening, yesterday, hour=20)
    services.dose_create(
        user=user,
        form=citrate,
        elemental_mg=Decimal(150),
        taken_at=datetime.combine(yesterday, time(21), tzinfo=user.profile.zone),
    )
    first = api.get(f"/api/v1/reminders/{morning.pk}/adherence/?days=2").json()
    second = api.get(f"/api/v1/reminders/{evening.pk}/adherence/?days=2").json()
    assert first["days"][0] == {"date": str(yesterday), "status": "taken", "by": "logged"}
    assert second["days"][0] == {"date": str(yesterday), "status": "missed", "by": ""}
    assert api.get(f"/api/v1/reminders/{morning.pk}/adherence/?days=0").status_code == 400
    assert api.get(f"/api/v1/reminders/{morning.pk}/adherence/?days=367").status_code == 400


def test_adherence_is_for_supplement_reminders_and_the_owner(user, api, other_api):
    meal = reminders.reminder_create(user=user, kind="log_meals", local_time=time(8))
    assert api.get(f"/api/v1/reminders/{meal.pk}/adherence/").status_code == 400
    supplement = reminders.reminder_create(user=user, kind="take_supplement", local_time=time(8))
    assert other_api.get(f"/api/v1/reminders/{supplement.pk}/adherence/").status_code == 404


# --- A day marked complete ---------------------------------------------------------------------------------


def test_a_day_marked_complete_counts_as_a_low_day_and_skips_its_meal_reminder(user, api, smtp, almonds_oz):
    today = services.local_today(profile=user.profile)
    yesterday = today - timedelta(days=1)
    response = api.put(f"/api/v1/days/{yesterday}/complete/")
    assert response.status_code == 200 and response.json()["completed_at"]
    first = response.json()["completed_at"]
    assert api.put(f"/api/v1/days/{yesterday}/complete/").json()["completed_at"] == first  # again: unchanged
    week = api.get(f"/api/v1/summary/period/?end={today}&days=7").json()
    row = next(d for d in week["days"] if d["date"] == str(yesterday))
    assert row["no_data"] is False and Decimal(str(row["total_mg"])) == 0  # marked: a day of zero
    daily = api.get(f"/api/v1/summary/daily/?date={yesterday}").json()
    assert daily["complete"] is True
    # today marked complete: the meal reminder is not sent
    api.put(f"/api/v1/days/{today}/complete/")
    delivery = make_delivery(user, due_reminder(user))
    assert reminders.deliver(delivery.pk) == "skipped"
    delivery.refresh_from_db()
    assert delivery.reason == "the day is marked complete" and smtp.messages == []
    assert api.delete(f"/api/v1/days/{today}/complete/").json()["completed_at"] is None
    assert api.get(f"/api/v1/summary/daily/?date={today}").json()["complete"] is False
    assert api.put(f"/api/v1/days/{today + timedelta(days=2)}/complete/").status_code == 400
    assert api.put("/api/v1/days/2026-13-01/complete/").status_code == 400
    export = api.get("/api/v1/export/").json()
    assert [row["date"] for row in export["daily_context"] if row["completed_at"]] == [str(yesterday)]


def test_insights_limited_to_complete_days(user, api, almonds_oz):
    today = services.local_today(profile=user.profile)
    for days_ago, servings in ((1, 4), (2, 1), (3, 2)):
        services.intake_create(
            user=user,
            food=almonds_oz.food,
            portion=almonds_oz,
            quantity=Decimal(servings),
            consumed_at=datetime.combine(
                today - timedelta(days=days_ago), time(12), tzinfo=user.profile.zone
            ),
        )
    api.put(f"/api/v1/days/{today - timedelta(days=1)}/complete/")
    api.put(f"/api/v1/days/{today - timedelta(days=4)}/complete/")  # nothing logged: a day of zero
    every = api.get("/api/v1/insights/?weeks=1").json()
    complete = api.get("/api/v1/insights/?weeks=1&complete_only=true").json()
    assert every["days_logged"] == 4 and every["days_complete"] == 2
    assert complete["complete_only"] is True and complete["days_logged"] == 2
    assert Decimal(str(complete["average_mg"])) == Decimal(4 * 78 + 0) / 2
    assert DailyContext.objects.filter(user=user, completed_at__isnull=False).count() == 2


# --- Several reminders in the same minute ----------------------------------------------------------------


def send(callbacks) -> None:
    """What the worker does with the batches the dispatcher queued: deliver each."""
    for callback in callbacks:
        task, ids = callback.args
        assert task == "send_reminder_batch"
        for delivery_id in ids:
            reminders.deliver(delivery_id)


def test_three_reminders_due_at_eight_give_one_push_and_one_email(
    user, citrate, vapid, push_service, smtp, django_capture_on_commit_callbacks
):
    browser = subscribe(user, push_service, "push/1")
    usual_dose(user, citrate, 200)
    due = timezone.now() - timedelta(seconds=5)
    channels = ("web_push", "email")
    supplement = due_reminder(user, kind="take_supplement", channels=channels, at=due)
    meal = due_reminder(user, kind="log_meals", channels=channels, at=due)
    weekly = due_reminder(user, kind="weekly_summary", channels=channels, at=due)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = reminders.dispatch_due()
    assert result.due == 3 and result.queued == 1  # the group goes out through one delivery
    rows = {d.reminder_id: d for d in ReminderDelivery.objects.filter(user=user)}
    leader = rows[supplement.pk].group_leader
    assert {d.group_leader for d in rows.values()} == {leader}
    send(callbacks)
    assert len(push_service.requests) == 1 and len(smtp.messages) == 1
    message = browser.decrypt(push_service.requests[0]["body"])
    assert message["title"] == "3 reminders"
    lines = message["body"].split("\n")
    assert [line.split(":")[0] for line in lines] == [
        "Magnesium supplement",
        "Time to log your meals",
        "Your magnesium week",
    ]
    # two of them take answers: a tap opens the screen that lists each with its buttons
    assert message["url"] == f"/#/answer/{leader}" and "actions" not in message
    for row in ReminderDelivery.objects.filter(user=user):
        assert row.status == DeliveryStatus.SENT and row.body, row
        assert row.channel_results["web_push"] == "sent to 1 device(s)"
    mail = email.message_from_string(smtp.messages[0], policy=email.policy.default)
    assert mail["Subject"] == "3 reminders"
    text = mail.get_content()
    assert text.count("Skip today: ") == 2 and "Taken (logs 200 mg of citrate)" in text
    # the one unsubscribe link covers the three
    unsubscribe = mail["List-Unsubscribe"].strip()[1:-1].split("127.0.0.1:8000", 1)[1]
    Client().post(unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert [r.channels for r in Reminder.objects.filter(user=user)] == [["web_push"]] * 3
    assert meal.pk and weekly.pk


def test_a_grouped_reminder_with_nothing_to_say_is_skipped_and_the_others_go_out(
    user, citrate, smtp, almonds_oz, django_capture_on_commit_callbacks
):
    for _ in range(5):  # 390 mg from food: the meal reminder has nothing to say
        services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz, quantity=Decimal(1))
    due = timezone.now() - timedelta(seconds=5)
    meal = due_reminder(user, kind="log_meals", at=due)  # the leader: created first
    supplement = due_reminder(user, kind="take_supplement", at=due)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders.dispatch_due()
    send(callbacks)
    meal_row = ReminderDelivery.objects.get(reminder=meal)
    supplement_row = ReminderDelivery.objects.get(reminder=supplement)
    assert meal_row.status == DeliveryStatus.SKIPPED and meal_row.reason.startswith("goal already met")
    assert supplement_row.status == DeliveryStatus.SENT
    [raw] = smtp.messages
    mail = email.message_from_string(raw, policy=email.policy.default)
    assert mail["Subject"] == "Magnesium supplement"  # one left: an ordinary reminder


def test_a_killed_leader_is_requeued_alone_and_its_group_still_goes_out_once(
    user, smtp, django_capture_on_commit_callbacks
):
    due = timezone.now() - timedelta(seconds=5)
    first = due_reminder(user, kind="log_meals", at=due)
    due_reminder(user, kind="weekly_summary", at=due)
    with django_capture_on_commit_callbacks(execute=False):
        reminders.dispatch_due()
    leader = ReminderDelivery.objects.get(user=user, group_leader=F("id"))
    assert leader.reminder_id == first.pk  # the reminder made first leads
    abandoned(leader)  # claimed, then the worker died before sending
    with django_capture_on_commit_callbacks(execute=False) as queued:
        result = reminders.dispatch_due()
    assert result.requeued == 1 and len(queued) == 1  # the leader only: its member waits for it
    send(queued)
    assert len(smtp.messages) == 1
    assert set(ReminderDelivery.objects.filter(user=user).values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }


def test_a_reminder_of_a_day_that_is_over_takes_no_answer(user, citrate, api):
    delivery = sent_delivery(user, citrate)
    ReminderDelivery.objects.filter(pk=delivery.pk).update(local_date=delivery.local_date - timedelta(days=1))
    response = api.post(
        f"/api/v1/reminders/deliveries/{delivery.pk}/answer/", {"answer": "taken"}, format="json"
    )
    assert response.status_code == 400
    assert "a day that is over: log a dose from the supplement screen" in response.json()["answer"][0]
    assert not SupplementDose.objects.filter(pk=answers.dose_id_for(delivery.pk)).exists()


def test_an_evening_meal_reminder_marks_the_day_complete_in_one_tap(user, vapid, push_service, api):
    browser = subscribe(user, push_service, "push/1")
    morning = make_delivery(user, due_reminder(user, channels=("web_push",), local_time=time(8)))
    evening = make_delivery(user, due_reminder(user, channels=("web_push",), local_time=time(19)))
    reminders.deliver(morning.pk)
    reminders.deliver(evening.pk)
    first, second = (browser.decrypt(r["body"]) for r in push_service.requests)
    assert [a["action"] for a in first["actions"]] == ["log", "snoozed", "skipped"]
    assert [a["title"] for a in second["actions"]] == [
        "Log food",
        "All logged today",
        "Snooze 30 min",
        "Skip today",
    ]
    answer = post_link(second["actions"][1]["link"] + "?via=push").json()
    assert answer["message"] == "Day marked complete: no more meal reminders today."
    today = services.local_today(profile=user.profile)
    assert api.get(f"/api/v1/summary/daily/?date={today}").json()["complete"] is True
    evening.refresh_from_db()
    assert (evening.answer, evening.answered_via) == ("completed", "push")
    # the next meal reminder of the day is not sent
    later = make_delivery(user, due_reminder(user, channels=("web_push",), local_time=time(21)))
    assert reminders.deliver(later.pk) == "skipped"
    assert len(push_service.requests) == 2


def test_a_member_whose_leader_is_gone_is_sent_alone_and_members_close_as_their_leader(
    user, smtp, django_capture_on_commit_callbacks
):
    due = timezone.now() - timedelta(seconds=5)
    first = due_reminder(user, kind="log_meals", at=due)
    second = due_reminder(user, kind="weekly_summary", at=due)
    with django_capture_on_commit_callbacks(execute=False):
        reminders.dispatch_due()
    member = ReminderDelivery.objects.get(reminder=second)
    # the leader's reminder is deleted while its send waits: the member goes out on its own
    first.delete()
    ReminderDelivery.objects.filter(pk=member.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        result = reminders.dispatch_due()
    assert result.requeued == 1
    send(queued)
    member.refresh_from_db()
    assert member.status == DeliveryStatus.SENT and len(smtp.messages) == 1


def test_snooze_is_refused_past_midnight_and_before_the_reminder_is_sent(user, citrate, api):
    delivery = sent_delivery(user, citrate)
    ReminderDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT)
    zone = user.profile.zone
    late = datetime.combine(delivery.local_date, time(23, 45), tzinfo=zone)
    with pytest.raises(ValidationError, match="Too late to snooze"):
        answers.answer(delivery=delivery, answer="snoozed", now=late)
    snooze = answers.answer(delivery=delivery, answer="snoozed", now=late - timedelta(hours=2)).snooze
    with pytest.raises(ValidationError, match="has not been sent yet"):
        answers.answer(delivery=snooze, answer="snoozed", now=late - timedelta(hours=2))
    assert ReminderDelivery.objects.filter(snooze_of__isnull=False).count() == 1


def test_an_offline_tap_logs_the_dose_when_it_was_tapped_and_warns_past_the_limit(user, citrate):
    delivery = sent_delivery(user, citrate)  # names the usual 200 mg
    ReminderDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT)
    delivery.refresh_from_db()
    services.dose_create(user=user, form=citrate, elemental_mg=Decimal(200))  # 200 mg by hand since
    tapped = delivery.scheduled_for + timedelta(minutes=3)
    outcome = answers.answer(
        delivery=delivery, answer="taken", via="push", tapped_at=tapped, now=tapped + timedelta(hours=2)
    )
    assert outcome.dose.taken_at == tapped
    assert outcome.message == (
        "Logged: 200 mg of citrate. Today's supplements are now 400 mg, above the 350 mg upper limit for "
        "supplements: talk to your doctor before taking more."
    )
    # a tap time from before the reminder, or from the future, is held to [due, now]
    other = make_delivery(user, due_reminder(user, kind="take_supplement", local_time=time(20)))
    ReminderDelivery.objects.filter(pk=other.pk).update(
        status=DeliveryStatus.SENT,
        offer={"form": citrate.pk, "form_name": "Citrate", "elemental_mg": "50.00"},
    )
    other.refresh_from_db()
    future = answers.answer(delivery=other, answer="taken", tapped_at=timezone.now() + timedelta(days=3))
    assert future.dose.taken_at <= timezone.now()


def test_a_taken_whose_dose_was_deleted_can_be_answered_again_and_is_not_counted(user, citrate, api):
    delivery = sent_delivery(user, citrate)
    ReminderDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT)
    first = answers.answer(delivery=delivery, answer="taken")
    assert api.delete(f"/api/v1/supplement-doses/{first.dose.pk}/").status_code == 204
    result = adherence.adherence(reminder=delivery.reminder, days=1)
    assert result["days"][0]["status"] == "pending"  # today, no dose: not taken
    again = answers.answer(delivery=delivery, answer="taken")
    assert again.recorded and SupplementDose.objects.filter(pk=again.dose.pk).exists()


def test_a_signed_links_token_never_reaches_the_log(user, citrate, caplog):
    from tracker.middleware import RequestIdFilter

    delivery = sent_delivery(user, citrate)
    token = answers.answer_token(delivery, "taken")
    ReminderDelivery.objects.filter(pk=delivery.pk).update(local_date=delivery.local_date - timedelta(days=1))
    with caplog.at_level("WARNING", logger="django.request"):
        assert Client().post(f"/r/answer/{token}/").status_code == 400  # a day that is over
        assert Client().post(f"/r/unsubscribe/{token}x/").status_code == 400
    assert caplog.records
    for record in caplog.records:
        RequestIdFilter().filter(record)  # what the console handler applies to every record
        line = record.getMessage() + str(getattr(record, "request", ""))
        assert token not in line and "[token]" in line, line


def test_the_service_workers_tap_time_is_when_the_dose_is_logged(user, citrate):
    delivery = sent_delivery(user, citrate)
    due = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    ReminderDelivery.objects.filter(pk=delivery.pk).update(scheduled_for=due)
    tapped = due + timedelta(minutes=10)  # tapped offline, sent an hour later
    link = answers_link(delivery, "taken")
    body = post_link(f"{link}?via=push&at={int(tapped.timestamp() * 1000)}").json()
    assert SupplementDose.objects.get(pk=body["dose"]).taken_at == tapped
    # a tap time that is not one is ignored (never a server error)
    for junk in ("x", "-5", "9" * 30, "99999999999999"):
        response = post_link(f"{answers_link(delivery, 'skipped')}?at={junk}")
        assert response.status_code == 200 and response.json()["recorded"] is False
