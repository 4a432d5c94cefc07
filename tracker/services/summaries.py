"""Daily totals: one grouped SUM over both entry tables for any range of local days."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection

from foods.nutrition import round_mg
from tracker import limits
from tracker.models import IntakeEntry, Meal, Profile, SupplementDose
from tracker.nutrition import DailyTarget
from tracker.services.profile import profile_get, target_on

# --- Daily totals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DaySummary:
    date: date
    food_mg: Decimal
    supplement_mg: Decimal
    total_mg: Decimal
    target_mg: int
    target_label: str
    percent_of_target: Decimal
    remaining_mg: Decimal
    supplement_upper_limit_mg: int | None
    supplement_over_limit: bool
    meals: dict  # food mg per meal slot: {"breakfast": …, "lunch": …, "dinner": …, "snack": …}


def daily_summaries(
    *, user: AbstractBaseUser, start: date, end: date, profile: Profile | None = None
) -> list[DaySummary]:
    """One summary per local day from ``start`` to ``end`` inclusive, ascending.

    Two queries at most whatever the range or the history: the profile (none when the caller or the
    authentication already loaded it), then one grouped SUM over both tables.
    Days are the user's local days, fixed on each entry when it was logged.
    """
    if end < start:
        raise ValidationError({"end": "The end date is before the start date."})
    if (end - start).days >= limits.MAX_SUMMARY_DAYS:
        raise ValidationError({"end": f"A range covers at most {limits.MAX_SUMMARY_DAYS} days."})
    profile = profile or profile_get(user=user)
    meals, supplements = _sums_by_day(user.pk, start, end)
    days = []
    day = start
    while day <= end:
        days.append(
            _summarise(day, meals.get(day, {}), supplements.get(day), target_on(profile=profile, on=day))
        )
        day += timedelta(days=1)
    return days


_SUMS_BY_DAY = """
    SELECT local_date, meal, SUM(food_mg), SUM(supplement_mg) FROM (
        SELECT local_date, meal, magnesium_mg AS food_mg, 0 AS supplement_mg
          FROM {intakes} WHERE user_id = %s AND local_date BETWEEN %s AND %s
        UNION ALL
        SELECT local_date, NULL, 0, elemental_mg
          FROM {doses} WHERE user_id = %s AND local_date BETWEEN %s AND %s
    ) AS entries GROUP BY local_date, meal
"""


def _sums_by_day(user_id: int, start: date, end: date) -> tuple[dict, dict]:
    """Food mg per local day and meal slot, and supplement mg per local day, in one grouped query over
    both tables (written in SQL: this is the hottest query of the app, and the ORM would compile two;
    the day indexes cover the columns it reads)."""
    sql = _SUMS_BY_DAY.format(intakes=IntakeEntry._meta.db_table, doses=SupplementDose._meta.db_table)
    meals: dict = {}
    supplements: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, start, end, user_id, start, end])
        for day, meal, food_mg, supplement_mg in cursor.fetchall():
            day = day if isinstance(day, date) else date.fromisoformat(str(day))
            if meal is not None:
                meals.setdefault(day, {})[meal] = Decimal(str(food_mg))
            else:
                supplements[day] = Decimal(str(supplement_mg))
    return meals, supplements


def _summarise(day: date, meal_mg: dict, supplement_mg, target: DailyTarget) -> DaySummary:
    meals = {slot: round_mg(Decimal(meal_mg.get(slot, 0))) for slot in Meal.values}
    food_mg = round_mg(sum(meal_mg.values(), Decimal(0)))
    supplement_mg = round_mg(Decimal(supplement_mg or 0))
    total = food_mg + supplement_mg
    if target.supplement_upper_limit_mg is None:
        over = supplement_mg > 0  # infants: no UL is established, so any supplement needs a clinician
    else:
        over = supplement_mg > target.supplement_upper_limit_mg
    return DaySummary(
        date=day,
        food_mg=food_mg,
        supplement_mg=supplement_mg,
        total_mg=total,
        target_mg=target.target_mg,
        target_label=target.label,
        percent_of_target=(total * 100 / target.target_mg).quantize(Decimal("0.1")),
        remaining_mg=max(Decimal(0), Decimal(target.target_mg) - total),
        supplement_upper_limit_mg=target.supplement_upper_limit_mg,
        supplement_over_limit=over,
        meals=meals,
    )
