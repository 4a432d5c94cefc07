"""Signed links that act without signing in: a reminder's answers (the email's links and the
notification's buttons) and the email's one-click unsubscribe (RFC 8058).

Opening a link (GET) shows a small page with one button and changes nothing: mail scanners and link
previews open links. The button, the service worker and a mail client's one-click unsubscribe POST.
A service worker asks for JSON (Accept: application/json). The link itself is the credential, so these
views take no session and no CSRF token; they are never cached nor indexed.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import path
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from tracker.reminders import answers
from tracker.reminders.models import Answer

TITLES = {
    Answer.TAKEN: "Taken",
    Answer.SNOOZED: "Snooze 30 min",
    Answer.SKIPPED: "Skip today",
    Answer.COMPLETED: "I've logged everything today",
}


def _page(request, template: str, context: dict, status: int = 200):
    response = render(request, f"links/{template}", {"site": settings.SITE_URL, **context}, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"  # the token must not leave in a Referer
    return response


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _json(status: int, **data):
    from django.http import JsonResponse

    response = JsonResponse(data, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _tapped_at(request):
    """When a notification's button was tapped (`?at=` milliseconds since 1970, sent by the service
    worker for an answer it kept while offline); None when absent or not a time."""
    value = request.GET.get("at", "")
    if not value.isdigit() or len(value) > 15:
        return None
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _refused(request, reason: str, status: int):
    texts = {
        "expired": "This link has expired: a reminder's links work for 24 hours. Nothing was changed.",
        "invalid": "This link is not valid (altered, or its reminder was deleted). Nothing was changed.",
    }
    if _wants_json(request):
        return _json(status, detail=texts[reason], code=reason)
    return _page(request, "message.html", {"heading": "Link not usable", "text": texts[reason]}, status)


@method_decorator(csrf_exempt, name="dispatch")
class AnswerLinkView(View):
    """One answer to one delivery: Taken, Snooze 30 min or Skip today."""

    def _read(self, request, token: str):
        try:
            return answers.read_answer_token(token), None
        except answers.LinkExpired:
            return None, _refused(request, "expired", 410)
        except answers.LinkInvalid:
            return None, _refused(request, "invalid", 400)

    def get(self, request, token: str):
        read, refused = self._read(request, token)
        if refused:
            return refused
        delivery, answer = read
        what = TITLES[answer]
        if answer == Answer.TAKEN and delivery.offer:
            what = f"Taken: log {answers.mg_text(delivery.offer['elemental_mg'])} mg of {delivery.offer['form_name'].lower()}"
        return _page(
            request,
            "answer.html",
            {"delivery": delivery, "button": what, "token": token, "heading": delivery.title or "Reminder"},
        )

    def post(self, request, token: str):
        read, refused = self._read(request, token)
        if refused:
            return refused
        delivery, answer = read
        via = "push" if request.GET.get("via") == "push" else "email"
        try:
            outcome = answers.answer(delivery=delivery, answer=answer, via=via, tapped_at=_tapped_at(request))
        except ValidationError as exc:
            text = " ".join(exc.message_dict.get("answer", exc.messages))
            if _wants_json(request):
                return _json(400, detail=text, code="refused")
            return _page(request, "message.html", {"heading": "Not recorded", "text": text}, 400)
        if _wants_json(request):
            return _json(
                200,
                answer=outcome.answer,
                recorded=outcome.recorded,
                message=outcome.message,
                dose=str(outcome.dose.pk) if outcome.dose else None,
            )
        heading = "Done" if outcome.recorded else "Already answered"
        return _page(request, "message.html", {"heading": heading, "text": outcome.message})


def _named(reminder) -> str:
    return f"{reminder.get_kind_display().lower()} reminder at {reminder.local_time:%H:%M}"


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeLinkView(View):
    """Stop the email of the reminders one email was for. POST is RFC 8058's one-click (a mail client
    sends the body List-Unsubscribe=One-Click); GET shows the same as a button."""

    def get(self, request, token: str):
        try:
            reminders = answers.read_unsubscribe_token(token)
        except answers.LinkInvalid:
            return _refused(request, "invalid", 400)
        names = ", ".join(_named(r) for r in reminders)
        return _page(request, "unsubscribe.html", {"names": names, "heading": "Stop these emails"})

    def post(self, request, token: str):
        try:
            reminders = answers.read_unsubscribe_token(token)
        except answers.LinkInvalid:
            return _refused(request, "invalid", 400)
        texts = []
        for reminder in reminders:
            changed = answers.unsubscribe_email(reminder=reminder)
            reminder.refresh_from_db()
            if not changed:
                rest = "Its emails were already off."
            elif not reminder.enabled:
                rest = "It had no other channel, so it is now off."
            else:
                rest = "It still comes as a push notification."
            texts.append(f"No more emails for your {_named(reminder)}. {rest}")
        return _page(request, "message.html", {"heading": "Unsubscribed", "text": " ".join(texts)})


urlpatterns = [
    path("answer/<str:token>/", AnswerLinkView.as_view(), name="reminder-answer-link"),
    path("unsubscribe/<str:token>/", UnsubscribeLinkView.as_view(), name="reminder-unsubscribe-link"),
]
