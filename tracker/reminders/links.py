"""What a delivered reminder offers to act on: the notification's action buttons and the email's links,
each a signed link to one answer of one delivery (tracker/reminders/answers.py). The links are served
by api/links.py, found here by their URL names."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from tracker.nutrition import meal_for_local_time
from tracker.reminders import answers
from tracker.reminders.models import Answer, ReminderDelivery, ReminderKind

LABELS = {
    Answer.TAKEN: "Taken",
    Answer.SNOOZED: "Snooze 30 min",
    Answer.SKIPPED: "Skip today",
    Answer.COMPLETED: "I've logged everything today",
}


def answer_path(delivery: ReminderDelivery, answer: str) -> str:
    return reverse("reminder-answer-link", args=[answers.answer_token(delivery, answer)])


def unsubscribe_url(reminders) -> str:
    """The one-click unsubscribe of these reminders' email (all of a grouped email's)."""
    return settings.SITE_URL + reverse(
        "reminder-unsubscribe-link", args=[answers.unsubscribe_token(reminders)]
    )


@dataclass(frozen=True)
class Outgoing:
    """What one send says: one delivery's message, or a group's in one notification and one email."""

    delivery: ReminderDelivery  # the one whose screen a tap opens (the leader for a group)
    title: str
    body: str
    url: str
    push_extra: dict  # the notification's actions and the dose they log
    email_text: str
    unsubscribe_url: str


def outgoing(parts: list[ReminderDelivery], url: str) -> Outgoing:
    """``parts``: the deliveries going out together (the first is the one sending), each with its
    message built; ``url``: the first one's screen."""
    first = parts[0]
    unsubscribe = unsubscribe_url([part.reminder for part in parts])
    if len(parts) == 1:
        return Outgoing(
            first,
            first.title,
            first.body,
            url,
            push_actions(first),
            email_text(parts, url, unsubscribe),
            unsubscribe,
        )
    # one notification for several: each line a reminder; the buttons when only one of them takes
    # answers, else a tap opens the screen that lists each with its own
    answerable = [part for part in parts if answers.answers_for(part)]
    extra = push_actions(answerable[0]) if len(answerable) == 1 else {}
    group_url = f"/#/answer/{first.pk}"
    return Outgoing(
        first,
        f"{len(parts)} reminders",
        "\n".join(f"{part.title}: {part.body}" for part in parts),
        group_url if len(answerable) > 1 else url,
        extra,
        email_text(parts, group_url, unsubscribe),
        unsubscribe,
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
            title = "All logged today" if answer == Answer.COMPLETED else LABELS[answer]  # buttons are short
            actions.append({"action": answer, "title": title, "link": answer_path(delivery, answer)})
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


def email_text(parts: list[ReminderDelivery], url: str, unsubscribe: str) -> str:
    """Each reminder's text with its answers as links (valid 24 hours), the app, and the way out."""
    site = settings.SITE_URL
    lines = []
    any_answers = False
    for part in parts:
        if len(parts) > 1:
            lines.append(f"{part.title}:")
        lines.append(part.body)
        offered = answers.answers_for(part)
        any_answers = any_answers or bool(offered)
        for answer in offered:
            if answer == Answer.TAKEN and not part.offer:
                lines.append(f"Log the dose you took: {site}/#/supplement")
                continue
            label = LABELS[answer]
            if answer == Answer.TAKEN:
                offer = part.offer
                label = f"Taken (logs {answers.mg_text(offer['elemental_mg'])} mg of {offer['form_name'].lower()})"
            lines.append(f"{label}: {site}{answer_path(part, answer)}")
        lines.append("")
    if any_answers:
        lines.append("(These links work for 24 hours, once each; each opens a page with one button.)")
        lines.append("")
    lines.append(f"Open the tracker: {site}{url}")
    lines.append(f"Change your reminders: {site}/#/reminders")
    lines.append(f"Stop these reminder emails: {unsubscribe}")
    return "\n".join(lines)
