"""Reminders answered in a real browser: the service worker's notification actions (handled in the
worker's own context, online and offline), the answer screen a tap opens, a day marked complete, and
a supplement reminder's adherence on the Reminders screen. Screenshots at 390 px in test-artifacts/."""

import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from tests.test_pwa_browser import register, set_profile, shot, wait_for_service_worker
from tracker import services
from tracker.models import SupplementDose
from tracker.reminders import answers, content, links
from tracker.reminders import services as reminders
from tracker.reminders.models import DeliveryStatus, ReminderDelivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def supplement_delivery(
    username: str, *, mg: int = 200, slot: str = "08:00", daytime: bool = True
) -> ReminderDelivery:
    """A supplement reminder sent to ``username`` today, naming the usual dose of ``mg`` citrate."""
    from foods.models import SupplementForm
    from tests.test_reminder_answers import daytime_zone

    user = get_user_model().objects.get(username=username)
    if daytime:  # a snooze must not cross midnight
        services.profile_update(user=user, time_zone=daytime_zone())
        user.refresh_from_db()
    citrate = SupplementForm.objects.get(name="Citrate")
    for days_ago in (1, 2, 3):
        services.dose_create(
            user=user,
            form=citrate,
            elemental_mg=Decimal(mg),
            taken_at=timezone.now() - timedelta(days=days_ago),
        )
    reminder = reminders.reminder_create(
        user=user, kind="take_supplement", local_time=timezone.datetime.strptime(slot, "%H:%M").time()
    )
    today = services.local_today(profile=user.profile)
    message = content.build_message(kind="take_supplement", user=user, day=today)
    return ReminderDelivery.objects.create(
        reminder=reminder,
        user=user,
        local_date=today,
        slot=slot,
        scheduled_for=timezone.now(),
        status=DeliveryStatus.SENT,
        title=message.title,
        body=message.body,
        offer=message.offer,
    )


def push(page, context, live_server, delivery) -> None:
    """Deliver the delivery's push message to the service worker, as the push service would."""
    payload = {
        "title": delivery.title,
        "body": delivery.body,
        "url": "/#/supplement",
        "tag": f"reminder-{delivery.reminder_id}",
        "delivery": str(delivery.pk),
        **links.push_actions(delivery),
    }
    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    page.evaluate("delete document.body.dataset.lastNotification")  # the same title may come twice
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url,
            "registrationId": registrations[0]["registrationId"],
            "data": json.dumps(payload),
        },
    )
    page.wait_for_function(f"() => document.body.dataset.lastNotification === {json.dumps(delivery.title)}")


# ``times`` taps on the same notification (a double tap before it closes, or the system repeating one)
TAP = """async ([tag, action, times]) => {
    const [shown] = await self.registration.getNotifications({ tag });
    for (let i = 0; i < (times || 1); i++) {
        self.dispatchEvent(new NotificationEvent("notificationclick", { notification: shown, action }));
    }
}"""

SHOWN = """async (tag) => (await self.registration.getNotifications({ tag })).map((n) => ({
    body: n.body, actions: n.actions.map((a) => a.title), data: n.data }))"""


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_taken_from_the_notification_stores_the_dose_once_online_and_after_an_offline_tap(
    page, context, live_server
):
    context.grant_permissions(["notifications"], origin=live_server.url)
    register(page, live_server, "ana")
    wait_for_service_worker(page)
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    delivery = supplement_delivery("ana", mg=150)
    push(page, context, live_server, delivery)
    worker = context.service_workers[0]
    tag = f"reminder-{delivery.reminder_id}"
    [shown] = worker.evaluate(SHOWN, tag)
    assert shown["body"] == "Time for your magnesium citrate: 150 mg elemental."
    assert shown["actions"][:2] == ["Taken", "Snooze 30 min"]  # as many as the browser shows (maxActions)
    dose_id = answers.dose_id_for(delivery.pk)
    # two taps on Taken, the app in the background: one dose
    worker.evaluate(TAP, [tag, "taken", 2])
    assert wait_for(lambda: SupplementDose.objects.filter(pk=dose_id).exists())
    page.wait_for_function(
        f"""() => navigator.serviceWorker.ready.then((r) => r.getNotifications({{ tag: {json.dumps(tag)} }}))
            .then((ns) => ns.some((n) => n.body.startsWith("Already recorded") || n.body === "Logged: 150 mg of citrate."))"""
    )
    time.sleep(0.5)
    assert SupplementDose.objects.filter(user__username="ana", local_date=delivery.local_date).count() == 1
    delivery.refresh_from_db()
    assert (delivery.answer, delivery.answered_via) == ("taken", "push")

    # offline: the tap is kept by the service worker and sent on reconnect, once (150 + 150 mg today:
    # within the 350 mg upper limit, so the evening reminder names the dose too)
    evening = supplement_delivery("ana", mg=150, slot="20:00")
    assert evening.offer["elemental_mg"] == "150.00"
    push(page, context, live_server, evening)
    evening_tag = f"reminder-{evening.reminder_id}"
    context.set_offline(True)
    worker.evaluate(TAP, [evening_tag, "taken"])
    page.wait_for_function(
        f"""() => navigator.serviceWorker.ready.then((r) => r.getNotifications({{ tag: {json.dumps(evening_tag)} }}))
            .then((ns) => ns.some((n) => n.body === "Taken: saved, it will be sent when you are online."))"""
    )
    assert not SupplementDose.objects.filter(pk=answers.dose_id_for(evening.pk)).exists()
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert wait_for(lambda: SupplementDose.objects.filter(pk=answers.dose_id_for(evening.pk)).exists())
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a second chance sends nothing more
    time.sleep(1)
    evening.refresh_from_db()
    assert evening.answer == "taken"
    assert (
        SupplementDose.objects.filter(user__username="ana").count() == 3 + 3 + 2
    )  # two usual histories + 2 taken


def test_a_tap_opens_the_three_choices_and_snooze_then_taken_work_from_the_screen(page, context, live_server):
    context.grant_permissions(["notifications"], origin=live_server.url)
    page.set_viewport_size({"width": 390, "height": 844})
    register(page, live_server, "ben")
    wait_for_service_worker(page)
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    delivery = supplement_delivery("ben")
    push(page, context, live_server, delivery)
    worker = context.service_workers[0]
    worker.evaluate(TAP, [f"reminder-{delivery.reminder_id}", ""])  # a tap, no button (iPhone Safari)
    expect(page.get_by_role("heading", name="Magnesium supplement")).to_be_visible()
    expect(page.get_by_text("Time for your magnesium citrate: 200 mg elemental.")).to_be_visible()
    expect(page.get_by_role("button", name="Taken: log 200 mg citrate")).to_be_visible()
    expect(page.get_by_role("button", name="Skip today")).to_be_visible()
    shot(page, "19-answer-screen")
    page.get_by_role("button", name="Snooze 30 min").click()
    expect(page.get_by_text("Snoozed: it comes again 30 minutes after you snoozed it.")).to_be_visible()
    assert ReminderDelivery.objects.filter(snooze_of=delivery, status=DeliveryStatus.PENDING).count() == 1
    page.get_by_role("button", name="Taken: log 200 mg citrate").click()
    expect(page.get_by_text("✓ Taken")).to_be_visible()
    assert SupplementDose.objects.filter(pk=answers.dose_id_for(delivery.pk)).exists()
    # the pending snooze is cancelled: nothing more today
    assert ReminderDelivery.objects.get(snooze_of=delivery).status == DeliveryStatus.SKIPPED


def test_a_day_marked_complete_and_a_supplement_reminders_days(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    register(page, live_server, "cat")
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    delivery = supplement_delivery("cat", daytime=False)
    page.goto(f"{live_server.url}/#/today")
    page.get_by_role("button", name="I've logged everything today").click()
    expect(page.get_by_text("✓ Day marked complete")).to_be_visible()
    shot(page, "20-day-complete")
    user = delivery.user
    assert services.daily_summaries(user=user, start=delivery.local_date, end=delivery.local_date)[0].complete
    page.goto(f"{live_server.url}/#/week")
    expect(page.locator("table.days .complete-mark")).to_have_count(1)
    # yesterday's reminder went unanswered with nothing logged: a missed day; today's answered Taken
    yesterday = ReminderDelivery.objects.create(
        reminder=delivery.reminder,
        user=user,
        local_date=delivery.local_date - timedelta(days=1),
        slot="08:00",
        scheduled_for=timezone.now() - timedelta(days=1),
        status=DeliveryStatus.SENT,
    )
    SupplementDose.objects.filter(user=user, local_date=yesterday.local_date).delete()
    answers.answer(delivery=delivery, answer="taken")
    page.goto(f"{live_server.url}/#/reminders")
    strip = page.locator(f"#adherence-{delivery.reminder_id}")
    expect(strip).to_contain_text("Streak 1 day · last 30 days: 1 of 2 due days taken (50%)")
    expect(strip.locator(".cell.taken")).to_have_count(1)
    expect(strip.locator(".cell.missed")).to_have_count(1)
    shot(page, "21-reminders-adherence")
    page.goto(f"{live_server.url}/#/today")
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("button", name="I've logged everything today")).to_be_visible()


def meal_delivery(username: str, local_time) -> ReminderDelivery:
    user = get_user_model().objects.get(username=username)
    reminder = reminders.reminder_create(user=user, kind="log_meals", local_time=local_time)
    today = services.local_today(profile=user.profile)
    message = content.build_message(kind="log_meals", user=user, day=today, at=local_time)
    return ReminderDelivery.objects.create(
        reminder=reminder,
        user=user,
        local_date=today,
        slot=f"{local_time:%H:%M}",
        scheduled_for=timezone.now(),
        status=DeliveryStatus.SENT,
        title=message.title,
        body=message.body,
    )


def test_each_notification_action_in_the_workers_own_context(page, context, live_server):
    context.grant_permissions(["notifications"], origin=live_server.url)
    register(page, live_server, "dan")
    wait_for_service_worker(page)
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    worker = context.service_workers[0]
    # Snooze 30 min
    supplement = supplement_delivery("dan")
    push(page, context, live_server, supplement)
    worker.evaluate(TAP, [f"reminder-{supplement.reminder_id}", "snoozed"])
    assert wait_for(lambda: ReminderDelivery.objects.filter(snooze_of=supplement).exists())
    # Skip today, on the snoozed one: the occurrence is over, nothing logged
    snooze = ReminderDelivery.objects.get(snooze_of=supplement)
    snooze.title, snooze.body, snooze.offer = supplement.title, supplement.body, supplement.offer
    snooze.save()
    push(page, context, live_server, snooze)
    worker.evaluate(TAP, [f"reminder-{supplement.reminder_id}", "skipped"])
    assert wait_for(lambda: ReminderDelivery.objects.filter(pk=snooze.pk, answer="skipped").exists())
    assert not SupplementDose.objects.filter(
        pk__in=[answers.dose_id_for(supplement.pk), answers.dose_id_for(snooze.pk)]
    ).exists()
    # an evening meal reminder: Log food opens the food screen with dinner chosen
    dinner = meal_delivery("dan", timezone.datetime(2026, 1, 1, 19).time())
    push(page, context, live_server, dinner)
    tag = f"reminder-{dinner.reminder_id}"
    assert worker.evaluate(SHOWN, tag)[0]["actions"][:2] == ["Log food", "All logged today"]
    worker.evaluate(TAP, [tag, "log"])
    expect(page.get_by_role("heading", name="Log food")).to_be_visible()
    assert page.url.endswith("#/log/dinner")
    # … and All logged today marks the day complete
    push(page, context, live_server, dinner)
    worker.evaluate(TAP, [tag, "completed"])
    user = dinner.user
    assert wait_for(
        lambda: (
            services.daily_summaries(user=user, start=dinner.local_date, end=dinner.local_date)[0].complete
        )
    )
