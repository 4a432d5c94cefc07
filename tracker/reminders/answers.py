"""Answers to a delivered reminder: Taken, Snooze 30 min, Skip today (from the notification's buttons,
the email's signed links or the app), and the email's one-click unsubscribe.

An occurrence is a reminder's delivery for one local day and slot, with the deliveries its snoozes
made. Its answer is final once it is "taken" or "skipped": a second tap, a retried request or a replayed
link changes nothing and says what was recorded. "Taken" logs the dose the reminder named, under an id
derived from the delivery, so it is stored once however often it arrives. "Snooze" makes one new
delivery 30 minutes later (the dispatcher sends it when due, with every guarantee of a delivery); a
delivery can be snoozed once, and an occurrence at most MAX_SNOOZES times. "Skip" ends the day's
reminder: a snooze not sent yet is cancelled.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from foods.models import SupplementForm
from tracker.models import Profile, SupplementDose, zone_named
from tracker.reminders.models import Answer, Channel, DeliveryStatus, Reminder, ReminderDelivery, ReminderKind
from tracker.services.entries import dose_create
from tracker.services.guidance import day_complete_set
from tracker.services.summaries import daily_summaries

SNOOZE = timedelta(minutes=30)
MAX_SNOOZES = 3
LINK_MAX_AGE = timedelta(hours=24)
VIAS = ("push", "email", "app")
_DOSE_NAMESPACE = uuid.UUID("6f1c2a7e-93d4-4f0e-9a51-0c8d2b7e4a10")

# Which answers each kind of reminder takes (a weekly summary is only read).
ANSWERS_BY_KIND = {
    ReminderKind.TAKE_SUPPLEMENT: (Answer.TAKEN, Answer.SNOOZED, Answer.SKIPPED),
    ReminderKind.LOG_MEALS: (Answer.SNOOZED, Answer.SKIPPED),
    ReminderKind.WEEKLY_SUMMARY: (),
}
# A meal reminder from this time on (dinner and later) also offers to mark the day complete.
EVENING = time(17)
FINAL = (Answer.TAKEN, Answer.SKIPPED, Answer.COMPLETED)


class NoDoseNamed(ValidationError):
    """Taken, where the reminder named no dose: the dose is logged from the supplement form instead."""


@dataclass(frozen=True)
class Outcome:
    delivery: ReminderDelivery  # the delivery answered
    recorded: bool  # False: it had been answered already, nothing changed
    answer: str  # the occurrence's answer now
    dose: SupplementDose | None = None  # logged by Taken
    snooze: ReminderDelivery | None = None  # made by Snooze
    message: str = ""  # for the confirmation (notification, page, toast)


def dose_id_for(delivery_id) -> uuid.UUID:
    """The dose a delivery's "Taken" logs: one id per delivery, so two taps store one dose."""
    return uuid.uuid5(_DOSE_NAMESPACE, f"taken:{delivery_id}")


def occurrence_of(delivery: ReminderDelivery) -> list[ReminderDelivery]:
    """The deliveries of one occurrence: the first and every snooze of it (a snooze of a snooze too)."""
    root = delivery
    while root.snooze_of_id:
        root = ReminderDelivery.objects.select_related("reminder", "user__profile").get(pk=root.snooze_of_id)
    chain, frontier = [root], [root.pk]
    while frontier:
        children = list(
            ReminderDelivery.objects.filter(snooze_of_id__in=frontier).select_related(
                "reminder", "user__profile"
            )
        )
        chain += children
        frontier = [child.pk for child in children]
    return chain


def _final(chain: list[ReminderDelivery]) -> ReminderDelivery | None:
    # a Taken whose dose was deleted since (a mistake undone) is no answer: it can be answered again
    return next(
        (d for d in chain if d.answer in FINAL and not (d.answer == Answer.TAKEN and not d.dose_id)), None
    )


def answers_for(delivery: ReminderDelivery) -> tuple[str, ...]:
    """The answers a delivery offers (what the notification's buttons and the email's links are)."""
    if delivery.slot.startswith("test-"):
        return ()
    offered = ANSWERS_BY_KIND.get(delivery.reminder.kind, ())
    if delivery.reminder.kind == ReminderKind.LOG_MEALS and delivery.reminder.local_time >= EVENING:
        offered = (Answer.COMPLETED, *offered)
    return offered


def answer(
    *,
    delivery: ReminderDelivery,
    answer: str,
    via: str = "app",
    now: datetime | None = None,
    tapped_at: datetime | None = None,
) -> Outcome:
    """Record ``answer`` on ``delivery`` (already checked to be the user's or a valid link's).
    ``tapped_at``: when the user answered, for an answer sent later (a tap while offline): the dose is
    logged then, within [the time the reminder was due, now]."""
    now = now or timezone.now()
    if answer not in Answer.values:
        raise ValidationError({"answer": [f"Choose one of: {', '.join(Answer.values)}."]})
    if answer not in answers_for(delivery):
        kind = "a test" if delivery.slot.startswith("test-") else delivery.reminder.get_kind_display().lower()
        raise ValidationError({"answer": [f'"{answer}" is not an answer to {kind} reminder.']})
    moment = min(max(tapped_at, delivery.scheduled_for), now) if tapped_at else now
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _answer_locked(delivery.pk, answer, via, now, moment)
        except IntegrityError:  # two first answers at once (the dose or the snooze's slot): read the winner
            if attempt:
                raise
        except ObjectDoesNotExist:  # deleted (the reminder, the account) since it was read
            raise ValidationError({"answer": ["This reminder no longer exists."]}) from None
    raise AssertionError("unreachable")


def _answer_locked(delivery_id, answer: str, via: str, now: datetime, moment: datetime) -> Outcome:
    # Answers to one reminder wait in turn on its row (the dispatcher skips a reminder locked so, and
    # takes it on its next run): the occurrence read below is the one every other answer sees.
    reminder_id = ReminderDelivery.objects.filter(pk=delivery_id).values_list("reminder_id", flat=True).get()
    Reminder.objects.select_for_update().filter(pk=reminder_id).first()
    delivery = ReminderDelivery.objects.select_related("reminder", "user__profile").get(pk=delivery_id)
    chain = occurrence_of(delivery)
    final = _final(chain)
    if final is not None:
        return Outcome(final, False, final.answer, message=_already(final))
    zone = delivery.user.profile.zone
    today = moment.astimezone(zone).date()
    if delivery.local_date < today and answer in (Answer.TAKEN, Answer.SNOOZED):
        # a dose logged now would count on today, not on the day the reminder was for
        raise ValidationError(
            {
                "answer": [
                    f"This reminder was for {delivery.local_date:%a} {delivery.local_date.day} {delivery.local_date:%b}, "
                    "a day that is over: log a dose "
                    "from the supplement screen with the time you took it."
                ]
            }
        )
    if answer == Answer.SNOOZED:
        if delivery.status == DeliveryStatus.PENDING:  # a snooze still to come, say
            raise ValidationError(
                {"answer": ["This reminder has not been sent yet: snooze it once it comes."]}
            )
        if (now + SNOOZE).astimezone(zone).date() != delivery.local_date:
            raise ValidationError(
                {"answer": ["Too late to snooze: it would come tomorrow. Take it now, or skip today."]}
            )
        return _snooze(delivery, chain, via, now)
    dose = _log_dose(delivery, moment) if answer == Answer.TAKEN else None
    if answer == Answer.COMPLETED:
        day_complete_set(user=delivery.user, day=delivery.local_date, complete=True)
    delivery.answer, delivery.answered_at, delivery.answered_via = answer, now, via
    delivery.dose = dose
    delivery.save(update_fields=["answer", "answered_at", "answered_via", "dose"])
    _cancel_snoozes(chain, now)
    if dose is not None:
        message = f"Logged: {mg_text(dose.elemental_mg)} mg of {dose.form.name.lower()}." + _limit_note(dose)
    elif answer == Answer.COMPLETED:
        message = "Day marked complete: no more meal reminders today."
    else:
        message = "Skipped for today."
    return Outcome(delivery, True, answer, dose=dose, message=message)


def _limit_note(dose: SupplementDose) -> str:
    """The reminder named a dose within the upper limit when it was sent; other doses may have been
    logged since (or another reminder's Taken): say so when this one takes the day past it."""
    if dose.form.route != "oral":
        return ""
    [day] = daily_summaries(user=dose.user, start=dose.local_date, end=dose.local_date)
    if not day.supplement_over_limit or day.supplement_upper_limit_mg is None:
        return ""
    return (
        f" Today's supplements are now {mg_text(day.supplement_mg)} mg, above the "
        f"{day.supplement_upper_limit_mg} mg upper limit for supplements: talk to your doctor before taking more."
    )


def _log_dose(delivery: ReminderDelivery, moment: datetime) -> SupplementDose:
    offer = delivery.offer or {}
    form = SupplementForm.objects.filter(pk=offer.get("form")).first() if offer else None
    if form is None:
        raise NoDoseNamed(
            {"answer": ["This reminder named no dose: log it from the supplement screen (/#/supplement)."]}
        )
    dose, _ = dose_create(
        user=delivery.user,
        form=form,
        elemental_mg=Decimal(offer["elemental_mg"]),
        taken_at=moment,
        id=dose_id_for(delivery.pk),
    )
    return dose


def _snooze(delivery: ReminderDelivery, chain: list[ReminderDelivery], via: str, now: datetime) -> Outcome:
    if delivery.answer == Answer.SNOOZED:  # a second tap on the same notification
        snooze = next((d for d in chain if d.snooze_of_id == delivery.pk), None)
        return Outcome(delivery, False, Answer.SNOOZED, snooze=snooze, message=_snoozed_until(snooze))
    snoozes = len(chain) - 1
    if snoozes >= MAX_SNOOZES:
        raise ValidationError({"answer": [f"Snoozed {MAX_SNOOZES} times already: take it, or skip today."]})
    root = chain[0]
    snooze = ReminderDelivery.objects.create(
        reminder_id=delivery.reminder_id,
        user_id=delivery.user_id,
        local_date=delivery.local_date,
        slot=f"{root.slot}+{snoozes + 1}",
        scheduled_for=now + SNOOZE,
        snooze_of=delivery,
    )
    delivery.answer, delivery.answered_at, delivery.answered_via = Answer.SNOOZED, now, via
    delivery.save(update_fields=["answer", "answered_at", "answered_via"])
    return Outcome(delivery, True, Answer.SNOOZED, snooze=snooze, message=_snoozed_until(snooze))


def _cancel_snoozes(chain: list[ReminderDelivery], now: datetime) -> int:
    """Snoozes not sent yet are not sent: the occurrence is answered."""
    return ReminderDelivery.objects.filter(
        pk__in=[d.pk for d in chain if d.snooze_of_id], status=DeliveryStatus.PENDING
    ).update(status=DeliveryStatus.SKIPPED, reason="answered before the snooze was due", finished_at=now)


def mg_text(value) -> str:
    """200.50 → "200.5": the dose as the message states it."""
    return f"{Decimal(value).normalize():f}"


def _snoozed_until(snooze: ReminderDelivery | None) -> str:
    if snooze is None:
        return "Snoozed."
    zone = zone_named(
        Profile.objects.filter(user_id=snooze.user_id).values_list("time_zone", flat=True).first() or "UTC"
    )
    return f"Snoozed: reminding you again at {snooze.scheduled_for.astimezone(zone):%H:%M}."


def _already(final: ReminderDelivery) -> str:
    if final.answer == Answer.TAKEN:
        dose = SupplementDose.objects.filter(pk=final.dose_id).select_related("form").first()
        what = f" ({mg_text(dose.elemental_mg)} mg of {dose.form.name.lower()})" if dose else ""
        return f"Already recorded: taken{what}."
    if final.answer == Answer.COMPLETED:
        return "Already recorded: the day is marked complete."
    return "Already recorded: skipped for today."


# --- Signed links (email) -------------------------------------------------------------------------------

_ANSWER_SALT = "tracker.reminders.answer"
_UNSUBSCRIBE_SALT = "tracker.reminders.unsubscribe"


class LinkInvalid(Exception):
    """An altered or unknown link."""


class LinkExpired(Exception):
    pass


def answer_token(delivery: ReminderDelivery, answer: str) -> str:
    """A link's token for one answer to one delivery: signed with the SECRET_KEY, valid 24 hours."""
    return signing.dumps({"d": str(delivery.pk), "a": answer}, salt=_ANSWER_SALT)


def read_answer_token(token: str) -> tuple[ReminderDelivery, str]:
    try:
        data = signing.loads(token, salt=_ANSWER_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    if not isinstance(data, dict) or data.get("a") not in Answer.values:
        raise LinkInvalid
    try:
        delivery_id = uuid.UUID(str(data.get("d")))
    except ValueError as exc:
        raise LinkInvalid from exc
    delivery = (
        ReminderDelivery.objects.select_related("reminder", "user__profile").filter(pk=delivery_id).first()
    )
    if delivery is None:  # the account or the reminder was deleted since
        raise LinkInvalid
    return delivery, data["a"]


def unsubscribe_token(reminders) -> str:
    """The one-click unsubscribe of some reminders' email (RFC 8058), those of one email: no expiry,
    it only turns email off."""
    reminders = list(reminders) if not isinstance(reminders, Reminder) else [reminders]
    return signing.dumps(
        {"r": sorted(r.pk for r in reminders), "u": reminders[0].user_id}, salt=_UNSUBSCRIBE_SALT
    )


def read_unsubscribe_token(token: str) -> list[Reminder]:
    """The reminders a link names that still exist (none left: the link is no longer valid)."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    ids = data.get("r") if isinstance(data, dict) else None
    if not isinstance(ids, list) or not all(isinstance(pk, int) for pk in ids):
        raise LinkInvalid
    reminders = list(
        Reminder.objects.filter(pk__in=ids[:100], user_id=data.get("u")).order_by("local_time", "id")
    )
    if not reminders:
        raise LinkInvalid
    return reminders


def unsubscribe_email(*, reminder: Reminder) -> bool:
    """Turn off this reminder's email: as a channel, and as the fallback when push reaches no browser.
    A reminder whose only channel was email is turned off instead (its channels are kept, so turning
    it on again is a choice the user makes in the app). Returns False when it was off already."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
        only_email = reminder.channels == [Channel.EMAIL]
        if (only_email and not reminder.enabled) or (
            not only_email and Channel.EMAIL not in reminder.channels and not reminder.email_fallback
        ):
            return False
        reminder.email_fallback = False
        fields = ["channels", "email_fallback", "updated_at"]
        if only_email:
            reminder.enabled, reminder.next_fire_at = False, None
            fields += ["enabled", "next_fire_at"]
        else:
            reminder.channels = [c for c in reminder.channels if c != Channel.EMAIL]
        reminder.save(update_fields=fields)
    return True
