"""Reads and writes of the tracking domain. Views, serializers, commands and tasks call these; the rules
live here so that every way in gets the same answers."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from foods.models import Food, Portion, SupplementForm
from foods.nutrition import elemental_from_compound, round_mg
from tracker import limits
from tracker.models import IntakeEntry, Profile, SupplementDose
from tracker.nutrition import DailyTarget, target_for_profile


class IdConflict(Exception):
    """A client-chosen id that is already used for a different entry."""


# --- Profile -----------------------------------------------------------------------------------------


def profile_get(*, user: AbstractBaseUser) -> Profile:
    """The user's profile, created on first use; cached on the user object (no query when the
    authentication already loaded it)."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


def profile_update(*, user: AbstractBaseUser, **fields) -> Profile:
    """Change profile fields; raises ValidationError (per field) and saves nothing on bad input."""
    profile = profile_get(user=user)
    unknown = set(fields) - {
        "sex",
        "birth_date",
        "life_stage",
        "time_zone",
        "kidney_disease",
        "target_override_mg",
    }
    if unknown:
        raise ValidationError({name: "Unknown profile field." for name in sorted(unknown)})
    old_zone = profile.time_zone
    for name, value in fields.items():
        setattr(profile, name, value)
    errors = {}
    if profile.birth_date is not None:
        # The latest "today" anywhere on Earth (UTC+14): the zone itself may be the field in error.
        latest_today = (timezone.now() + timedelta(hours=14)).astimezone(UTC).date()
        if profile.birth_date > latest_today:
            errors["birth_date"] = ["The birth date cannot be in the future."]
        elif profile.birth_date.year < limits.EARLIEST_YEAR:
            errors["birth_date"] = [f"The birth date cannot be before {limits.EARLIEST_YEAR}."]
    try:
        profile.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        profile.refresh_from_db()  # the cached profile must not keep the rejected values
        raise ValidationError(errors)
    zone_changed = profile.time_zone != old_zone
    profile.save()
    if zone_changed:
        from tracker.reminders.services import reminders_reschedule

        reminders_reschedule(user=user)
    return profile


def local_today(*, profile: Profile, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(profile.zone).date()


def target_on(*, profile: Profile, on: date) -> DailyTarget:
    return target_for_profile(profile, on)


# --- Input checks shared by intakes and doses ----------------------------------------------------------


def _decimal(value, field: str, errors: dict, *, maximum: Decimal, unit: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = ["Enter a number."]
        return None
    if not number.is_finite():
        errors[field] = ["Enter a finite number."]
    elif number <= 0:
        errors[field] = ["Must be greater than zero."]
    elif number > maximum:
        errors[field] = [f"Must be at most {maximum} {unit}."]
    else:
        return number
    return None


def _moment(value: datetime | None, field: str, errors: dict, profile: Profile) -> datetime | None:
    """An aware datetime no more than a day ahead; naive ones are read in the user's zone."""
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        value = value.replace(tzinfo=profile.zone)
    if value > now + limits.MAX_FUTURE:
        errors[field] = ["Cannot be more than a day in the future."]
        return None
    if value.astimezone(UTC).year < limits.EARLIEST_YEAR:
        errors[field] = [f"Cannot be before {limits.EARLIEST_YEAR}."]
        return None
    return value


def _idempotent_create(model, *, user, id: uuid.UUID | None, fields: dict, compare: dict):
    """Create a row, or return the stored one when the same client id is replayed with the same data.

    Returns (row, created). The same id with different data raises IdConflict. Safe under races: the
    insert runs under the primary key, and the loser of a race reads the winner's row.
    """
    row = model(id=id or uuid.uuid4(), user=user, **fields)
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint, so that a duplicate leaves the outer block usable
                row.save(force_insert=True)
        else:
            row.save(force_insert=True)  # autocommit: a single INSERT, no BEGIN/COMMIT round trips
    except IntegrityError:
        existing = model.objects.filter(pk=row.pk).first() if id is not None else None
        if existing is None:
            raise
        return _replayed(existing, user=user, compare=compare), False
    return row, True


def _replayed(existing, *, user, compare: dict):
    if existing.user_id != user.pk:
        raise IdConflict("This id is already used by another entry.")
    for name, value in compare.items():
        if getattr(existing, name) != value:
            raise IdConflict("This id is already used by an entry with different data.")
    return existing


# --- Intake entries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ResolvedAmount:
    portion: Portion | None
    quantity: Decimal | None
    grams: Decimal


def _resolve_amount(
    *, food: Food, portion: Portion | None, quantity, grams, errors: dict
) -> _ResolvedAmount | None:
    if portion is not None and grams is not None:
        errors["grams"] = ["Give either a portion (with a quantity) or grams, not both."]
        return None
    if portion is None and grams is None:
        errors["portion"] = [
            "A quantity needs a portion."
            if quantity is not None
            else "Give a portion (with a quantity) or grams."
        ]
        return None
    if portion is None:
        if quantity is not None:
            errors["quantity"] = ["A quantity needs a portion."]
            return None
        grams = _decimal(grams, "grams", errors, maximum=limits.MAX_GRAMS, unit="g")
        return _ResolvedAmount(None, None, round_mg(grams)) if grams is not None else None
    if portion.food_id != food.pk:
        errors["portion"] = [f'This portion belongs to another food, not to "{food.name}".']
        return None
    portion.food = food  # the same row: spares a query for the portion's magnesium
    quantity = (
        Decimal(1)
        if quantity is None
        else _decimal(quantity, "quantity", errors, maximum=limits.MAX_QUANTITY, unit="portions")
    )
    if quantity is None:
        return None
    quantity = quantity.quantize(Decimal("0.001"))
    if quantity <= 0:
        errors["quantity"] = ["Must be greater than zero."]
        return None
    return _ResolvedAmount(portion, quantity, round_mg(portion.grams * quantity))


def intake_create(
    *,
    user: AbstractBaseUser,
    food: Food,
    portion: Portion | None = None,
    quantity: Decimal | None = None,
    grams: Decimal | None = None,
    consumed_at: datetime | None = None,
    note: str = "",
    id: uuid.UUID | None = None,
) -> tuple[IntakeEntry, bool]:
    """Log a food: a portion times a quantity (1 by default), or a weight in grams.

    The magnesium is computed now and stored, so later edits to the catalogue do not rewrite history.
    Returns (entry, created); replaying the same client ``id`` returns the stored entry.
    """
    profile = profile_get(user=user)
    errors: dict = {}
    amount = _resolve_amount(food=food, portion=portion, quantity=quantity, grams=grams, errors=errors)
    given_time = consumed_at
    consumed_at = _moment(consumed_at, "consumed_at", errors, profile)
    if len(note) > 500:
        errors["note"] = ["At most 500 characters."]
    if errors:
        raise ValidationError(errors)
    magnesium_mg = food.magnesium_mg_in(amount.grams)
    if amount.portion is not None:
        magnesium_mg = round_mg(amount.portion.magnesium_mg * amount.quantity)
    fields = {
        "food": food,
        "portion": amount.portion,
        "quantity": amount.quantity,
        "grams": amount.grams,
        "magnesium_mg": magnesium_mg,
        "consumed_at": consumed_at,
        "local_date": consumed_at.astimezone(profile.zone).date(),
        "note": note,
    }
    compare = {
        "food_id": food.pk,
        "portion_id": amount.portion.pk if amount.portion else None,
        "quantity": amount.quantity,
        "grams": amount.grams,
        "note": note,
    }
    if given_time is not None:
        compare["consumed_at"] = consumed_at
    return _idempotent_create(IntakeEntry, user=user, id=id, fields=fields, compare=compare)


_UNSET = object()


def intake_update(
    *,
    entry: IntakeEntry,
    food: Food | None = None,
    portion=_UNSET,
    quantity=_UNSET,
    grams=_UNSET,
    consumed_at: datetime | None = None,
    note: str | None = None,
) -> IntakeEntry:
    """Change an entry. A new food or amount recomputes the magnesium from today's catalogue."""
    profile = profile_get(user=entry.user)
    errors: dict = {}
    food = food or entry.food
    amount_changed = food.pk != entry.food_id or any(v is not _UNSET for v in (portion, quantity, grams))
    if amount_changed:
        if portion is _UNSET and grams is _UNSET:
            portion, grams = (
                (entry.portion if entry.portion_id else None),
                (None if entry.portion_id else entry.grams),
            )
        portion = None if portion is _UNSET else portion
        grams = None if grams is _UNSET else grams
        quantity = (
            (entry.quantity if portion is not None and portion == entry.portion else None)
            if quantity is _UNSET
            else quantity
        )
        amount = _resolve_amount(food=food, portion=portion, quantity=quantity, grams=grams, errors=errors)
    if consumed_at is not None:
        consumed_at = _moment(consumed_at, "consumed_at", errors, profile)
    if note is not None and len(note) > 500:
        errors["note"] = ["At most 500 characters."]
    if errors:
        raise ValidationError(errors)
    if amount_changed:
        entry.food, entry.portion, entry.quantity, entry.grams = (
            food,
            amount.portion,
            amount.quantity,
            amount.grams,
        )
        entry.magnesium_mg = (
            round_mg(amount.portion.magnesium_mg * amount.quantity)
            if amount.portion
            else food.magnesium_mg_in(amount.grams)
        )
    if consumed_at is not None:
        entry.consumed_at = consumed_at
        entry.local_date = consumed_at.astimezone(profile.zone).date()
    if note is not None:
        entry.note = note
    entry.save()
    return entry


# --- Supplement doses ---------------------------------------------------------------------------------


def _resolve_elemental(*, form: SupplementForm, elemental_mg, compound_mg, errors: dict):
    if elemental_mg is None and compound_mg is None:
        errors["elemental_mg"] = ["Give the elemental magnesium (mg) or the compound weight (mg)."]
        return None, None
    compound = _decimal(compound_mg, "compound_mg", errors, maximum=limits.MAX_COMPOUND_MG, unit="mg")
    elemental = _decimal(elemental_mg, "elemental_mg", errors, maximum=limits.MAX_ELEMENTAL_MG, unit="mg")
    if errors:
        return None, None
    if elemental is None:
        elemental = elemental_from_compound(compound, form.elemental_fraction)
        if elemental <= 0:
            errors["compound_mg"] = ["Too small to contain any magnesium."]
            return None, None
    elif compound is not None and elemental > compound:
        errors["elemental_mg"] = ["The elemental magnesium cannot exceed the compound weight."]
        return None, None
    return round_mg(elemental), (round_mg(compound) if compound is not None else None)


def dose_create(
    *,
    user: AbstractBaseUser,
    form: SupplementForm,
    elemental_mg: Decimal | None = None,
    compound_mg: Decimal | None = None,
    taken_at: datetime | None = None,
    note: str = "",
    id: uuid.UUID | None = None,
) -> tuple[SupplementDose, bool]:
    """Log a supplement: the elemental mg from the label, or a compound weight converted with the form's
    elemental fraction (500 mg of citrate at 16.2 % is 81 mg). Returns (dose, created)."""
    profile = profile_get(user=user)
    errors: dict = {}
    elemental, compound = _resolve_elemental(
        form=form, elemental_mg=elemental_mg, compound_mg=compound_mg, errors=errors
    )
    given_time = taken_at
    taken_at = _moment(taken_at, "taken_at", errors, profile)
    if len(note) > 500:
        errors["note"] = ["At most 500 characters."]
    if errors:
        raise ValidationError(errors)
    fields = {
        "form": form,
        "elemental_mg": elemental,
        "compound_mg": compound,
        "taken_at": taken_at,
        "local_date": taken_at.astimezone(profile.zone).date(),
        "note": note,
    }
    compare = {"form_id": form.pk, "elemental_mg": elemental, "compound_mg": compound, "note": note}
    if given_time is not None:
        compare["taken_at"] = taken_at
    return _idempotent_create(SupplementDose, user=user, id=id, fields=fields, compare=compare)


def dose_update(
    *,
    dose: SupplementDose,
    form: SupplementForm | None = None,
    elemental_mg=_UNSET,
    compound_mg=_UNSET,
    taken_at: datetime | None = None,
    note: str | None = None,
) -> SupplementDose:
    profile = profile_get(user=dose.user)
    errors: dict = {}
    form = form or dose.form
    changed = form.pk != dose.form_id or elemental_mg is not _UNSET or compound_mg is not _UNSET
    if changed:
        if elemental_mg is _UNSET and compound_mg is _UNSET:
            elemental_mg, compound_mg = (
                (None, dose.compound_mg) if dose.compound_mg else (dose.elemental_mg, None)
            )
        elemental_mg = None if elemental_mg is _UNSET else elemental_mg
        compound_mg = None if compound_mg is _UNSET else compound_mg
        elemental, compound = _resolve_elemental(
            form=form, elemental_mg=elemental_mg, compound_mg=compound_mg, errors=errors
        )
    if taken_at is not None:
        taken_at = _moment(taken_at, "taken_at", errors, profile)
    if note is not None and len(note) > 500:
        errors["note"] = ["At most 500 characters."]
    if errors:
        raise ValidationError(errors)
    if changed:
        dose.form, dose.elemental_mg, dose.compound_mg = form, elemental, compound
    if taken_at is not None:
        dose.taken_at = taken_at
        dose.local_date = taken_at.astimezone(profile.zone).date()
    if note is not None:
        dose.note = note
    dose.save()
    return dose


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
    food, supplements = _sums_by_day(user.pk, start, end)
    days = []
    day = start
    while day <= end:
        days.append(_summarise(day, food.get(day), supplements.get(day), target_on(profile=profile, on=day)))
        day += timedelta(days=1)
    return days


_SUMS_BY_DAY = """
    SELECT local_date, SUM(food_mg), SUM(supplement_mg) FROM (
        SELECT local_date, magnesium_mg AS food_mg, 0 AS supplement_mg
          FROM {intakes} WHERE user_id = %s AND local_date BETWEEN %s AND %s
        UNION ALL
        SELECT local_date, 0, elemental_mg
          FROM {doses} WHERE user_id = %s AND local_date BETWEEN %s AND %s
    ) AS entries GROUP BY local_date
"""


def _sums_by_day(user_id: int, start: date, end: date) -> tuple[dict, dict]:
    """Food and supplement mg per local day, in one grouped query over both tables (written in SQL:
    this is the hottest query of the app, and the ORM would compile two)."""
    sql = _SUMS_BY_DAY.format(intakes=IntakeEntry._meta.db_table, doses=SupplementDose._meta.db_table)
    food, supplements = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, start, end, user_id, start, end])
        for day, food_mg, supplement_mg in cursor.fetchall():
            day = day if isinstance(day, date) else date.fromisoformat(str(day))
            food[day] = Decimal(str(food_mg))
            supplements[day] = Decimal(str(supplement_mg))
    return food, supplements


def _summarise(day: date, food_mg, supplement_mg, target: DailyTarget) -> DaySummary:
    food_mg = round_mg(Decimal(food_mg or 0))
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
    )
