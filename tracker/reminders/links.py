"""What a delivered reminder offers to act on: the notification's action buttons and the email's links,
each a signed link to one answer of one delivery (tracker/reminders/answers.py). The links are served
by api/links.py, found here by their URL names."""

from django.conf import settings
from django.urls import reverse

from tracker.nutrition import meal_for_local_time
from tracker.reminders import answers
from tracker.reminders.models import Answer, ReminderDelivery, ReminderKind

LABELS = {Answer.TAKEN: "Taken", Answer.SNOOZED: "Snooze 30 min", Answer.SKIPPED: "Skip today"}


def answer_path(delivery: ReminderDelivery, answer: str) -> str:
    return reverse("reminder-answer-link", args=[answers.answer_token(delivery, answer)])


def unsubscribe_url(reminder) -> str:
    return settings.SITE_URL + reverse(
        "reminder-unsubscribe-link", args=[answers.unsubscribe_token(reminder)]
    )


def push_actions(delivery: ReminderDelivery) -> dict:
    """The push payload's part for its buttons: each action with the signed link the service worker
    POSTs to (no session needed, so it works with the app closed), or the screen it opens instead."""
    kind = delivery.reminder.kind
    actions = []
    for answer in answers.answers_for(delivery):
        if answer == Answer.TAKEN and not delivery.offer:
            # no dose named (none usual yet, or past the limit): "Taken" opens the supplement form
            actions.append({"action": answer, "title": LABELS[answer], "open": "/#/supplement"})
        else:
            actions.append({"action": answer, "title": LABELS[answer], "link": answer_path(delivery, answer)})
    if kind == ReminderKind.LOG_MEALS and not delivery.slot.startswith("test-"):
        meal = meal_for_local_time(delivery.reminder.local_time)
        actions.insert(0, {"action": "log", "title": "Log food", "open": f"/#/log/{meal}"})
    if not actions:
        return {}
    extra = {"actions": actions}
    if delivery.offer:
        extra["dose"] = (
            f"{answers.mg_text(delivery.offer['elemental_mg'])} mg {delivery.offer['form_name'].lower()}"
        )
    return extra


def email_text(delivery: ReminderDelivery, url: str) -> str:
    """The reminder's text, its answers as links (valid 24 hours), the app, and the way out."""
    site = settings.SITE_URL
    lines = [delivery.body, ""]
    offered = answers.answers_for(delivery)
    for answer in offered:
        if answer == Answer.TAKEN and not delivery.offer:
            lines.append(f"Log the dose you took: {site}/#/supplement")
            continue
        label = LABELS[answer]
        if answer == Answer.TAKEN:
            offer = delivery.offer
            label = (
                f"Taken (logs {answers.mg_text(offer['elemental_mg'])} mg of {offer['form_name'].lower()})"
            )
        lines.append(f"{label}: {site}{answer_path(delivery, answer)}")
    if offered:
        lines.append("(These links work for 24 hours, once each; each opens a page with one button.)")
        lines.append("")
    lines.append(f"Open the tracker: {site}{url}")
    lines.append(f"Change your reminders: {site}/#/reminders")
    lines.append(f"Stop emails for this reminder: {unsubscribe_url(delivery.reminder)}")
    return "\n".join(lines)
