"""Daily totals: one grouped SUM over both entry tables for any range of local days."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

from foods.models import SupplementForm
from foods.nutrition import round_mg
from foods.search import count_uses_sql
from tracker import limits
from tracker.models import DailyContext, IntakeEntry, Meal, Profile, SupplementDose
from tracker.nutrition import DailyTarget
from tracker.services.profile import profile_get, target_on

# --- Daily totals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DaySummary:
    date: date
    food_mg: Decimal
    supplement_mg: Decimal  # oral supplements: what counts toward the day and the upper limit
    total_mg: Decimal  # food and oral supplements
    target_mg: int
    target_label: str
    percent_of_target: Decimal
    remaining_mg: Decimal
    supplement_upper_limit_mg: int | None
    supplement_over_limit: bool
    meals: dict  # food mg per meal slot: {"breakfast": …, "lunch": …, "dinner": …, "snack": …}
    logged: bool  # at least one food or oral supplement on the day (skin and hospital records apart)
    topical_mg: Decimal  # on the skin: shown apart, absorption not established [S4]
    intravenous_mg: Decimal  # a hospital record: shown apart, never counted toward the oral limit
    complete: bool = False  # the user marked the day complete: everything eaten is logged


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
    meals, supplements, complete = _sums_by_day(user.pk, start, end)
    # Each day's target is the profile's on that day. Targets change only where an age band does, and
    # every band has its own target and label, so the same target on the first and last day is the
    # target of every day between (a range across a birthday that changes band is computed day by day).
    first, last = target_on(profile=profile, on=start), target_on(profile=profile, on=end)
    days = []
    day = start
    while day <= end:
        target = first if first == last else target_on(profile=profile, on=day)
        days.append(_summarise(day, meals.get(day, {}), supplements.get(day), target, day in complete))
        day += timedelta(days=1)
    return days


# Grouped by day and by "part": a meal slot for food, the form's route for a supplement, and "complete"
# for a day the user marked complete (the three sets of names do not overlap). The 13-row forms table
# is joined by primary key.
_SUMS_BY_DAY = """
    SELECT local_date, part, SUM(mg) FROM (
        SELECT local_date, meal AS part, magnesium_mg AS mg
          FROM {intakes} WHERE user_id = %s AND local_date BETWEEN %s AND %s
        UNION ALL
        SELECT d.local_date, f.route, d.elemental_mg
          FROM {doses} d JOIN {forms} f ON f.id = d.form_id
         WHERE d.user_id = %s AND d.local_date BETWEEN %s AND %s
        UNION ALL
        SELECT date, 'complete', 0 FROM {contexts}
         WHERE user_id = %s AND date BETWEEN %s AND %s AND completed_at IS NOT NULL
    ) AS entries GROUP BY local_date, part
"""
ROUTES = (ORAL, TOPICAL, INTRAVENOUS) = ("oral", "topical", "intravenous")
COMPLETE = "complete"
MEAL_SLOTS = tuple(Meal.values)  # (Django's enum builds the list anew on every access)
ZERO = Decimal(0)


def _sums_by_day(user_id: int, start: date, end: date) -> tuple[dict, dict, set]:
    """Food mg per local day and meal slot, and supplement mg per local day and route, in one grouped
    query over both tables (written in SQL: this is the hottest query of the app, and the ORM would
    compile two; the day indexes cover the columns it reads)."""
    sql = _SUMS_BY_DAY.format(
        intakes=IntakeEntry._meta.db_table,
        doses=SupplementDose._meta.db_table,
        forms=SupplementForm._meta.db_table,
        contexts=DailyContext._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, start, end] * 3)
        return _by_day_and_part(cursor.fetchall())


def _by_day_and_part(rows) -> tuple[dict, dict, set]:
    meals: dict = {}
    supplements: dict = {}
    complete: set = set()
    for day, part, mg in rows:
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        if part == COMPLETE:
            complete.add(day)
            continue
        bucket = supplements if part in ROUTES else meals
        bucket.setdefault(day, {})[part] = Decimal(str(mg))
    return meals, supplements, complete


# The day's sums with an entry being inserted by the same statement: the INSERT's RETURNING feeds the
# grouped SUM (the main query reads the table as it was before the statement, so the new row is added
# from RETURNING, once). {also} may add more data-modifying steps that read "new".
_INSERT_AND_SUM_DAY = """
    WITH new AS ({insert} RETURNING local_date, meal, magnesium_mg, food_id){also}
    SELECT local_date, part, SUM(mg), (SELECT count(*) FROM new) FROM (
        SELECT local_date, meal AS part, magnesium_mg AS mg
          FROM {intakes} WHERE user_id = %s AND local_date = %s
        UNION ALL
        SELECT local_date, meal, magnesium_mg FROM new
        UNION ALL
        SELECT d.local_date, f.route, d.elemental_mg
          FROM {doses} d JOIN {forms} f ON f.id = d.form_id
         WHERE d.user_id = %s AND d.local_date = %s
        UNION ALL
        SELECT date, 'complete', 0 FROM {contexts}
         WHERE user_id = %s AND date = %s AND completed_at IS NOT NULL
    ) AS entries GROUP BY local_date, part
"""


def insert_intake_with_day(entry: IntakeEntry, *, profile: Profile, count_use: bool) -> DaySummary | None:
    """Store a new entry and read its day's totals in one statement and one round trip (PostgreSQL,
    in autocommit: the statement is its own durable transaction). With ``count_use``, the same
    statement counts the shared food's use (``foods.search.count_logged`` does it otherwise).

    Returns the day's summary with the entry in it, or None when the id is already stored (nothing was
    written; the caller reads the stored row: a replay, or another entry's id)."""
    query = InsertQuery(IntakeEntry, on_conflict=OnConflict.IGNORE)
    query.insert_values(IntakeEntry._meta.concrete_fields, [entry])
    [(insert, insert_params)] = query.get_compiler(connection=connection).as_sql()
    also = f", used AS ({count_uses_sql('SELECT food_id AS id FROM new')})" if count_use else ""
    sql = _INSERT_AND_SUM_DAY.format(
        insert=insert,
        also=also,
        intakes=IntakeEntry._meta.db_table,
        doses=SupplementDose._meta.db_table,
        forms=SupplementForm._meta.db_table,
        contexts=DailyContext._meta.db_table,
    )
    day, user_id = entry.local_date, entry.user_id
    with connection.cursor() as cursor:
        cursor.execute(sql, [*insert_params, user_id, day, user_id, day, user_id, day])
        rows = cursor.fetchall()
    if not rows or not rows[0][3]:
        return None
    entry._state.adding, entry._state.db = False, connection.alias  # as save() leaves a stored row
    meals, supplements, complete = _by_day_and_part(row[:3] for row in rows)
    target = target_on(profile=profile, on=day)
    return _summarise(day, meals.get(day, {}), supplements.get(day), target, day in complete)


def _summarise(
    day: date, meal_mg: dict, route_mg: dict | None, target: DailyTarget, complete: bool = False
) -> DaySummary:
    meals = {slot: round_mg(meal_mg.get(slot, ZERO)) for slot in MEAL_SLOTS}
    food_mg = round_mg(sum(meal_mg.values(), Decimal(0)))
    route_mg = route_mg or {}
    supplement_mg = round_mg(route_mg.get(ORAL, Decimal(0)))
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
        logged=bool(meal_mg) or ORAL in route_mg,
        topical_mg=round_mg(route_mg.get(TOPICAL, Decimal(0))),
        intravenous_mg=round_mg(route_mg.get(INTRAVENOUS, Decimal(0))),
        complete=complete,
    )


# --- Periods: charts over weeks and months ------------------------------------------------------------


def top_foods(
    *, user_id: int, start: date, end: date, logged: list[DaySummary], limit: int = 5
) -> list[dict]:
    """The foods that gave the most magnesium from ``start`` to ``end``, with their share of the food
    total of the ``logged`` days. One grouped query, the name joined in."""
    rows = (
        IntakeEntry.objects.filter(user_id=user_id, local_date__gte=start, local_date__lte=end)
        .values("food_id", "food__name")
        .annotate(mg=Sum("magnesium_mg"))
        .order_by("-mg", "food_id")[:limit]
    )
    food_total = sum((d.food_mg for d in logged), Decimal(0))
    return [
        {
            "food": row["food_id"],
            "name": row["food__name"],
            "magnesium_mg": round_mg(row["mg"]).quantize(Decimal("0.1")),
            "share_of_food_percent": (row["mg"] * 100 / food_total).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if food_total
            else None,
        }
        for row in rows
    ]


def has_data(day: DaySummary) -> bool:
    """One rule for every summary and for insights: a day with something logged counts, whenever the
    account was made (a history entered later or imported is analysed); a day with nothing logged is
    no data, not a day of zero: charts show "no data" and averages leave it out. A day the user marked
    complete counts even with nothing logged: they said so, it is a day of zero."""
    return day.logged or day.complete


def period_summary(*, user: AbstractBaseUser, end: date, days: int, profile: Profile | None = None) -> dict:
    """``days`` local days ending at ``end`` for a chart: each day's food and supplements, whether it
    has data (a day with nothing logged has none and is left out of the average), and a 7-day rolling
    average of the days with data; the average, the days on target and
    the foods that gave the most. Three queries at most (profile, sums, top foods)."""
    profile = profile or profile_get(user=user)
    start = end - timedelta(days=days - 1)
    window = daily_summaries(user=user, start=start - timedelta(days=6), end=end, profile=profile)
    counted = {d.date: has_data(d) for d in window}
    rows = []
    for index, day in enumerate(window[6:], start=6):
        recent = [d.total_mg for d in window[index - 6 : index + 1] if counted[d.date]]
        rows.append(
            {
                "date": day.date,
                "food_mg": day.food_mg,
                "supplement_mg": day.supplement_mg,
                "total_mg": day.total_mg,
                "target_mg": day.target_mg,
                "no_data": not counted[day.date],
                "complete": day.complete,
                "supplement_over_limit": day.supplement_over_limit,
                "rolling_7_day_mg": round_mg(sum(recent, Decimal(0)) / len(recent)) if recent else None,
            }
        )
    with_data = [d for d in window[6:] if counted[d.date]]
    return {
        "start": start,
        "end": end,
        "days": rows,
        "days_with_data": len(with_data),
        "average_mg": round_mg(sum((d.total_mg for d in with_data), Decimal(0)) / len(with_data))
        if with_data
        else None,
        "days_target_met": sum(1 for d in with_data if d.total_mg >= d.target_mg),
        "days_over_limit": sum(1 for d in with_data if d.supplement_over_limit),
        "target_mg": window[-1].target_mg,
        "top_foods": top_foods(
            user_id=user.pk, start=start, end=end, logged=[d for d in window[6:] if d.logged]
        ),
    }
