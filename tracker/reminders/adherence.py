"""Adherence to a supplement reminder: for each local day, taken, skipped or missed.

A day counts for a reminder when the reminder was due that day and reached the user: the dispatcher
made a delivery for it that went out (not one the app skipped, because the reminder was off, the
workers were down past the catch-up window, no channel or kidney disease without a doctor's plan, nor
one that failed), or it is still to come today. Any other day is "not_scheduled": a dose logged then
("as needed") is no missed day, and no day before the reminder existed is missed either.

On a day that counts:
- "taken": the reminder was answered Taken (from the notification, the email or the app; a Taken
  whose dose was deleted since no longer counts), or a dose was logged by hand that day. Hand-logged doses are shared among the user's supplement reminders of
  the day that were not answered Taken, in the order of their times (two reminders and one dose: the
  earlier one is taken, the later one is not);
- "skipped": answered Skip today, with no dose for it;
- "missed": neither, once the day's time is past;
- "pending": today, not answered yet and nothing logged.
The streak is the number of consecutive counted days taken, back from the latest that is not pending;
the share is the taken days among the counted days (pending left out) of the last 30 days.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from tracker.models import SupplementDose, zone_named
from tracker.reminders.models import Answer, DeliveryStatus, Reminder, ReminderDelivery, ReminderKind

# a delivery that never reached the user: the app skipped it, or it failed
NOT_SENT = (DeliveryStatus.SKIPPED, DeliveryStatus.FAILED)
SHARE_DAYS = 30
HISTORY_DAYS = 366  # how far back a streak is followed
MAX_DAYS = 366


@dataclass(frozen=True)
class Day:
    date: date
    status: str  # taken, skipped, missed, pending, not_scheduled
    by: str = ""  # for taken: "answer" (Taken) or "logged" (a dose logged by hand)


def adherence(*, reminder: Reminder, days: int, now=None) -> dict:
    """The last ``days`` local days (today included), newest last, with the streak and the 30-day share.
    Three queries: the deliveries, the user's supplement reminders, the doses."""
    from django.utils import timezone

    now = now or timezone.now()
    profile = reminder.user.profile
    zone = zone_named(profile.time_zone)
    today = now.astimezone(zone).date()
    start = today - timedelta(days=max(days, SHARE_DAYS, HISTORY_DAYS) - 1)
    reminders = list(
        Reminder.objects.filter(user_id=reminder.user_id, kind=ReminderKind.TAKE_SUPPLEMENT).only(
            "id", "local_time", "weekdays", "enabled", "next_fire_at"
        )
    )
    deliveries = (
        ReminderDelivery.objects.filter(reminder__in=reminders, local_date__gte=start, local_date__lte=today)
        .exclude(slot__startswith="test-")
        .values("reminder_id", "local_date", "snooze_of_id", "status", "reason", "answer", "dose_id")
    )
    due: dict[int, set[date]] = defaultdict(set)  # reminder → days it was due
    answered: dict[tuple[int, date], str] = {}  # (reminder, day) → taken / skipped
    answer_doses: set = set()
    for row in deliveries:
        key = (row["reminder_id"], row["local_date"])
        if row["snooze_of_id"] is None and row["status"] not in NOT_SENT:
            due[row["reminder_id"]].add(row["local_date"])
        if row["answer"] == Answer.TAKEN and row["dose_id"]:
            answered[key] = Answer.TAKEN
            if row["dose_id"]:
                answer_doses.add(row["dose_id"])
        elif row["answer"] == Answer.SKIPPED and answered.get(key) != Answer.TAKEN:
            answered[key] = Answer.SKIPPED
    # today's occurrence still to come counts as due today
    for other in reminders:
        if other.enabled and other.next_fire_at and other.next_fire_at.astimezone(zone).date() == today:
            due[other.pk].add(today)
    hand_doses: dict[date, int] = defaultdict(int)
    for dose_id, day in SupplementDose.objects.filter(
        Q(user_id=reminder.user_id, local_date__gte=start, local_date__lte=today, form__route="oral")
    ).values_list("id", "local_date"):
        if dose_id not in answer_doses:
            hand_doses[day] += 1

    by_time = sorted(reminders, key=lambda r: (r.local_time, r.pk))
    statuses: dict[date, Day] = {}
    day = start
    while day <= today:
        statuses[day] = _status(reminder, day, today, due, answered, hand_doses, by_time)
        day += timedelta(days=1)
    shown = [statuses[today - timedelta(days=n)] for n in reversed(range(days))]
    recent = [statuses[today - timedelta(days=n)] for n in range(SHARE_DAYS)]
    counted = [d for d in recent if d.status in ("taken", "skipped", "missed")]
    streak = 0
    for n in range((today - start).days + 1):
        status = statuses[today - timedelta(days=n)].status
        if status in ("pending", "not_scheduled"):
            continue
        if status != "taken":
            break
        streak += 1
    return {
        "reminder": reminder.pk,
        "today": today,
        "days": [{"date": d.date, "status": d.status, "by": d.by} for d in shown],
        "streak": streak,
        "share_days": SHARE_DAYS,
        "taken_days": sum(1 for d in counted if d.status == "taken"),
        "counted_days": len(counted),
        "share_percent": round(100 * sum(1 for d in counted if d.status == "taken") / len(counted))
        if counted
        else None,
    }


def _status(reminder, day, today, due, answered, hand_doses, by_time) -> Day:
    if day not in due[reminder.pk]:
        return Day(day, "not_scheduled")
    answer = answered.get((reminder.pk, day))
    if answer == Answer.TAKEN:
        return Day(day, "taken", "answer")
    # hand-logged doses go to the day's due reminders not answered Taken, earliest time first
    waiting = [r.pk for r in by_time if day in due[r.pk] and answered.get((r.pk, day)) != Answer.TAKEN]
    if waiting.index(reminder.pk) < hand_doses.get(day, 0):
        return Day(day, "taken", "logged")
    if answer == Answer.SKIPPED:
        return Day(day, "skipped")
    if day == today:
        return Day(day, "pending")
    return Day(day, "missed")
