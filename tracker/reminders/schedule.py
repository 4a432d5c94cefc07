"""When a reminder is due. Pure functions on zoneinfo: no database.

A reminder set for 08:00 fires when the user's own clock shows 08:00 on one of its weekdays. On the
day the clocks go forward a time inside the skipped hour (02:30) does not exist: it fires at the same
distance past the change (03:30), as zoneinfo resolves fold=0. On the day they go back a time inside
the repeated hour (01:30) happens twice: it fires at the first, and deliveries are keyed by local date
and slot, so the second cannot send again.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A missed occurrence is still sent this long after it was due (workers back after a restart);
# older ones are recorded as skipped ("stale") and not sent.
CATCH_UP_WINDOW = timedelta(minutes=30)


def local_occurrence(day: date, local_time: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of ``local_time`` on ``day`` in ``zone`` (gaps resolved forward, folds to the first)."""
    return datetime.combine(day, local_time, tzinfo=zone).astimezone(UTC)


def next_fire_at(*, local_time: time, weekdays: int, zone: ZoneInfo, after: datetime) -> datetime | None:
    """The first instant strictly after ``after`` at which the reminder is due; None without weekdays."""
    if not weekdays & 0b1111111:
        return None
    local_time = local_time.replace(second=0, microsecond=0, tzinfo=None)
    first_day = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(9):
        day = first_day + timedelta(days=offset)
        if not weekdays & (1 << day.weekday()):
            continue
        moment = local_occurrence(day, local_time, zone)
        if moment > after:
            return moment
    raise AssertionError("a weekday recurs within 9 days")  # pragma: no cover


def slot_of(local_time: time) -> str:
    return local_time.strftime("%H:%M")


def is_stale(due: datetime, now: datetime) -> bool:
    return now - due > CATCH_UP_WINDOW
