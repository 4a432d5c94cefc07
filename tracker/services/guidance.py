"""The guidance services: the symptom journal and its red flags, daily context, lab results, the
advice that goes with a dose, a profile's risk factors, and insights. The rules themselves are pure
functions in tracker/guidance/; these read and write the rows they need."""

import uuid
from dataclasses import asdict
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from foods import reference
from tracker import limits
from tracker.guidance import DISCLAIMER, insights, labs, medicines, red_flags, risk_factors, supplements
from tracker.models import (
    DailyContext,
    LabResult,
    Profile,
    RedFlagDismissal,
    SymptomEntry,
)
from tracker.services.entries import checked_moment, idempotent_create
from tracker.services.profile import local_today, profile_get
from tracker.services.suggestions import everyday_portions
from tracker.services.summaries import DaySummary, daily_summaries, has_data, top_foods

# --- Symptom journal and red flags -----------------------------------------------------------------------


def _symptom_errors(fields: dict, errors: dict) -> None:
    severity = fields.get("severity")
    if severity is not None and not 1 <= severity <= 5:
        errors["severity"] = ["From 1 (mild) to 5 (severe)."]
    minutes = fields.get("duration_minutes")
    if minutes is not None and not 0 <= minutes <= limits.MAX_SYMPTOM_MINUTES:
        errors["duration_minutes"] = [
            f"At most {limits.MAX_SYMPTOM_MINUTES} minutes (a week); record a longer one day by day."
        ]
    if len(fields.get("note") or "") > 500:
        errors["note"] = ["At most 500 characters."]


def symptom_create(
    *,
    user: AbstractBaseUser,
    kind: str,
    severity: int,
    occurred_at: datetime | None = None,
    body_area: str = "",
    duration_minutes: int | None = None,
    note: str = "",
    id: uuid.UUID | None = None,
) -> tuple[SymptomEntry, bool]:
    """Record a symptom (idempotent by client id, like entries). Returns (entry, created)."""
    profile = profile_get(user=user)
    errors: dict = {}
    fields = {
        "kind": kind,
        "severity": severity,
        "body_area": body_area,
        "duration_minutes": duration_minutes,
        "note": note,
    }
    _symptom_errors(fields, errors)
    given_time = occurred_at
    occurred_at = checked_moment(occurred_at, "occurred_at", errors, profile)
    if errors:
        raise ValidationError(errors)
    fields |= {"occurred_at": occurred_at, "local_date": occurred_at.astimezone(profile.zone).date()}
    compare = {key: fields[key] for key in ("kind", "severity", "body_area", "duration_minutes", "note")}
    if given_time is not None:
        compare["occurred_at"] = occurred_at
    return idempotent_create(SymptomEntry, user=user, id=id, fields=fields, compare=compare)


def symptom_update(*, entry: SymptomEntry, **changes) -> SymptomEntry:
    profile = profile_get(user=entry.user)
    errors: dict = {}
    _symptom_errors(changes, errors)
    if "occurred_at" in changes:
        changes["occurred_at"] = checked_moment(changes["occurred_at"], "occurred_at", errors, profile)
    if errors:
        raise ValidationError(errors)
    for name, value in changes.items():
        setattr(entry, name, value)
    if "occurred_at" in changes:
        entry.local_date = entry.occurred_at.astimezone(profile.zone).date()
    entry.save()
    return entry


def active_red_flags(*, user: AbstractBaseUser, profile: Profile | None = None) -> list[red_flags.RedFlag]:
    """The red flags the journal raises today (the user's local day), less those dismissed since their
    latest evidence. Two queries: the window's symptoms and the dismissals."""
    profile = profile or profile_get(user=user)
    today = local_today(profile=profile)
    first = today - timedelta(days=red_flags.LONGEST_WINDOW_DAYS)
    rows = SymptomEntry.objects.filter(
        user=user, local_date__gte=first, local_date__lte=today + timedelta(days=1)
    )
    history = [
        red_flags.Symptom(kind, area, day, written)
        for kind, area, day, written in rows.values_list("kind", "body_area", "local_date", "updated_at")
    ]
    dismissed = dict(RedFlagDismissal.objects.filter(user=user).values_list("code", "dismissed_at"))
    return red_flags.red_flags(history, today, dismissed)


def red_flag_dismiss(*, user: AbstractBaseUser, code: str) -> None:
    """Hide a flag until a symptom recorded after now raises it again."""
    if code not in red_flags.CODES:
        raise ValidationError({"code": [f'Unknown red flag "{code}".']})
    RedFlagDismissal.objects.update_or_create(user=user, code=code, defaults={"dismissed_at": timezone.now()})


# --- Daily context ---------------------------------------------------------------------------------------

CONTEXT_FIELDS = ("caffeine_drinks", "sleep_hours", "stress", "intense_exercise")


def context_set(*, user: AbstractBaseUser, day: date, **fields) -> DailyContext:
    """Set some of a day's context (the others are kept); creates the day's row on first use."""
    unknown = set(fields) - set(CONTEXT_FIELDS)
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    errors = {}
    if fields.get("caffeine_drinks") is not None and not 0 <= fields["caffeine_drinks"] <= 30:
        errors["caffeine_drinks"] = ["From 0 to 30 drinks."]
    if fields.get("sleep_hours") is not None and not 0 <= fields["sleep_hours"] <= 24:
        errors["sleep_hours"] = ["From 0 to 24 hours."]
    if fields.get("stress") is not None and not 1 <= fields["stress"] <= 5:
        errors["stress"] = ["From 1 (calm) to 5 (very stressed)."]
    if errors:
        raise ValidationError(errors)
    for attempt in range(2):
        try:
            with transaction.atomic():
                row, _ = DailyContext.objects.select_for_update().get_or_create(user=user, date=day)
                for name, value in fields.items():
                    setattr(row, name, value)
                row.save()
                return row
        except IntegrityError:  # two first writes of the same day at once: the second updates
            if attempt:
                raise
    raise AssertionError("unreachable")


def day_complete_set(*, user: AbstractBaseUser, day: date, complete: bool) -> DailyContext:
    """Mark a local day complete ("I've logged everything") or unmark it. Marking twice keeps the
    first time; a day after the user's today cannot be complete yet."""
    if complete and day > local_today(profile=profile_get(user=user)):
        raise ValidationError({"date": ["A day after today cannot be complete yet."]})
    for attempt in range(2):
        try:
            with transaction.atomic():
                if not complete:
                    row = DailyContext.objects.select_for_update().filter(user=user, date=day).first()
                    if row is None:
                        return DailyContext(user=user, date=day)
                else:
                    row, _ = DailyContext.objects.select_for_update().get_or_create(user=user, date=day)
                if bool(row.completed_at) != complete:
                    row.completed_at = timezone.now() if complete else None
                    row.save()
                return row
        except IntegrityError:  # two first writes of the same day at once: the second updates
            if attempt:
                raise
    raise AssertionError("unreachable")


# --- Lab results -----------------------------------------------------------------------------------------


def lab_check(
    *, value, unit, range_low=None, range_high=None, taken_on: date | None = None, profile=None
) -> None:
    errors = {}
    if value is not None and not 0 < value <= limits.MAX_LAB_VALUE:
        errors["value"] = [f"Must be more than 0 and at most {limits.MAX_LAB_VALUE}."]
    if (range_low is None) != (range_high is None):
        errors["range_low" if range_low is None else "range_high"] = [
            "Give both ends of the range printed on your report, or neither."
        ]
    elif range_low is not None:
        if not 0 < range_low < range_high <= limits.MAX_LAB_VALUE:
            errors["range_high"] = [
                f"The range must run from more than 0 up to a higher value, at most {limits.MAX_LAB_VALUE}."
            ]
    if taken_on is not None and profile is not None and taken_on > local_today(profile=profile):
        errors["taken_on"] = ["A lab result cannot be in the future."]
    if errors:
        raise ValidationError(errors)


def lab_create(
    *, user: AbstractBaseUser, value, unit, taken_on: date, range_low=None, range_high=None, note=""
) -> LabResult:
    lab_check(
        value=value,
        unit=unit,
        range_low=range_low,
        range_high=range_high,
        taken_on=taken_on,
        profile=profile_get(user=user),
    )
    return LabResult.objects.create(
        user=user,
        value=value,
        unit=unit,
        taken_on=taken_on,
        range_low=range_low,
        range_high=range_high,
        note=note,
    )


def lab_update(*, lab: LabResult, **changes) -> LabResult:
    if (
        "unit" in changes
        and changes["unit"] != lab.unit
        and lab.range_low is not None
        and "range_low" not in changes
    ):
        raise ValidationError(
            {"unit": ["The report's range is in the old unit: send it again in the new one (or null)."]}
        )
    merged = {
        name: changes.get(name, getattr(lab, name))
        for name in ("value", "unit", "range_low", "range_high", "taken_on")
    }
    lab_check(**merged, profile=profile_get(user=lab.user))
    for name, value in changes.items():
        setattr(lab, name, value)
    lab.save()
    return lab


def lab_reading(lab: LabResult) -> labs.Reading:
    return labs.read(lab.value, lab.unit, lab.range_low, lab.range_high)


# --- Supplements and medicines ---------------------------------------------------------------------------


def dose_advice(*, dose, day: DaySummary, profile: Profile) -> list[dict]:
    """What to know about a logged dose: the form's safety notes and, for an oral dose, its spacing
    from the user's interacting medicines at the local time it was taken."""
    form = dose.form
    notes = [
        asdict(note)
        for note in supplements.dose_notes(
            form_name=form.name,
            route=form.route,
            bioavailability=form.bioavailability,
            side_effects=form.side_effects,
            elemental_mg=dose.elemental_mg,
            day_oral_mg=day.supplement_mg,
            upper_limit_mg=day.supplement_upper_limit_mg,
            aim=profile.supplement_aim,
            kidney_disease=profile.kidney_disease,
        )
    ]
    if form.route == supplements.ORAL and profile.medicines:
        at = dose.taken_at.astimezone(profile.zone).time().replace(second=0, microsecond=0)
        notes += [interaction_json(c) for c in medicines.spacing_conflicts(at, profile.medicines)]
    return notes


def interaction_json(conflict: medicines.Conflict) -> dict:
    return {
        "code": f"spacing_{conflict.medicine}",
        "level": "warning" if conflict.severity == "conflict" else "caution",
        "message": conflict.message,
        "source": conflict.source,
    }


def supplement_time_conflicts(*, profile: Profile, at: time) -> list[dict]:
    return [interaction_json(c) for c in medicines.spacing_conflicts(at, profile.medicines or [])]


def recent_habits(profile: Profile, today: date) -> risk_factors.Habits:
    """The last HABIT_DAYS days: stress and exercise as recorded (today included), and the magnesium
    from food over the complete days logged (up to yesterday). Two queries."""
    start = today - timedelta(days=risk_factors.HABIT_DAYS - 1)
    contexts = DailyContext.objects.filter(user_id=profile.user_id, date__gte=start, date__lte=today)
    stress, exercise = [], 0
    for level, intense in contexts.values_list("stress", "intense_exercise"):
        if level is not None:
            stress.append(level)
        exercise += bool(intense)
    days = daily_summaries(
        user=profile.user,
        start=today - timedelta(days=risk_factors.HABIT_DAYS),
        end=today - timedelta(days=1),
        profile=profile,
    )
    logged = [d for d in days if has_data(d)]  # a day marked complete with nothing logged is a low day
    return risk_factors.Habits(
        stress_levels=tuple(stress),
        exercise_days=exercise,
        food_average_mg=float(sum(d.food_mg for d in logged) / len(logged)) if logged else None,
        food_days=len(logged),
        target_mg=int(days[-1].target_mg) if days else 0,
    )


def profile_risk_factors(profile: Profile) -> list[dict]:
    today = local_today(profile=profile)
    return [
        asdict(factor)
        for factor in risk_factors.risk_factors(
            conditions=profile.conditions or [],
            medicines=profile.medicines or [],
            kidney_disease=profile.kidney_disease,
            birth_date=profile.birth_date,
            on=today,
            habits=recent_habits(profile, today),
        )
    ]


# --- Insights --------------------------------------------------------------------------------------------


def insights_for(*, user: AbstractBaseUser, weeks: int, complete_only: bool = False) -> dict:
    """Insights over the ``weeks`` × 7 days that end yesterday (today is still being logged): every day
    with something logged or marked complete counts, whenever the account was made (as in the
    summaries); with ``complete_only``, only the days the user marked complete (a day not marked may
    be a forgotten one). See tracker/guidance/insights.py for the arithmetic."""
    profile = profile_get(user=user)
    today = local_today(profile=profile)
    end = today - timedelta(days=1)
    start = today - timedelta(days=weeks * 7)
    if end < start:
        days: list[DaySummary] = []
        logged_dates: set[date] = set()
    else:
        days = daily_summaries(user=user, start=start, end=end, profile=profile)
        logged_dates = {d.date for d in days if (d.complete if complete_only else has_data(d))}
    logged = [d for d in days if d.date in logged_dates]
    symptom_dates = (
        set(
            SymptomEntry.objects.filter(user=user, local_date__gte=start, local_date__lte=end)
            .values_list("local_date", flat=True)
            .distinct()
        )
        if days
        else set()
    )
    numbers = insights.totals(len(days), logged)
    comparison = insights.compare_symptoms(logged, symptom_dates)
    top = top_foods(user_id=user.pk, start=start, end=end, logged=logged) if days else []
    gap = int(numbers.usual_gap_mg)
    infant = reference.under_one_year(profile.birth_date, today)  # no food suggestions under 12 months
    closing = [] if infant or not gap else insights.closing_foods(gap, everyday_portions())
    return {
        "weeks": weeks,
        "complete_only": complete_only,
        "days_complete": sum(1 for d in days if d.complete),
        "start": start if days else None,
        "end": end if days else None,
        **asdict(numbers),
        "symptoms": asdict(comparison),
        "top_foods": top,
        "closing_foods": [{**asdict(option), "text": str(option)} for option in closing],
        "days": [
            {
                "date": d.date,
                "logged": d.date in logged_dates,
                "complete": d.complete,
                "total_mg": d.total_mg,
                "target_mg": d.target_mg,
                "supplement_over_limit": d.supplement_over_limit,
                "symptoms": d.date in symptom_dates,
            }
            for d in days
        ],
        "disclaimer": DISCLAIMER,
    }
