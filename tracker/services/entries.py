"""Logging food entries and supplement doses: validation, the magnesium fixed at logging, idempotent
replays by client id."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from foods.models import Food, Portion, Route, SupplementForm
from foods.nutrition import elemental_from_compound, round_mg, whole_mg
from foods.search import count_logged
from tracker import limits
from tracker.models import IntakeEntry, MealKind, Profile, SavedMeal, SupplementDose
from tracker.nutrition import meal_for_local_time
from tracker.services.profile import profile_get
from tracker.services.summaries import insert_intake_with_day

# A recipe is the user's own food with this one portion (tracker/services/meals.py).
RECIPE_SERVING = "1 serving"


class IdConflict(Exception):
    """A client-chosen id that is already used for a different entry."""


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


def checked_moment(value: datetime | None, field: str, errors: dict, profile: Profile) -> datetime | None:
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


def idempotent_create(model, *, user, id: uuid.UUID | None, fields: dict, compare: dict):
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
        return replayed(existing, user=user, compare=compare), False
    return row, True


def replayed(existing, *, user, compare: dict):
    if existing.user_id != user.pk:
        raise IdConflict("This id is already used by another entry.")
    for name, value in compare.items():
        if getattr(existing, name) != value:
            raise IdConflict("This id is already used by an entry with different data.")
    return existing


# --- Intake entries -------------------------------------------------------------------------------------


def _no_such_object(pk) -> str:
    """The words of an unknown id (DRF's), for an object the user may not see."""
    return f'Invalid pk "{pk}" - object does not exist.'


def _check_food_visible(food: Food, user, errors: dict) -> None:
    """Another user's own food is as if it did not exist (the same words as an unknown id)."""
    if food.owner_id is not None and food.owner_id != user.pk:
        errors["food"] = [_no_such_object(food.pk)]


@dataclass(frozen=True)
class _ResolvedAmount:
    portion: Portion | None
    quantity: Decimal | None
    grams: Decimal


def _resolve_amount(
    *, user, food: Food, portion: Portion | None, quantity, grams, errors: dict
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
        if grams is not None and round_mg(grams) <= 0:
            errors["grams"] = ["Too small an amount: less than 0.01 g."]
            return None
        return _ResolvedAmount(None, None, round_mg(grams)) if grams is not None else None
    if portion.food_id != food.pk:
        owner = Food.objects.filter(pk=portion.food_id).values_list("owner_id", flat=True).first()
        errors["portion"] = [
            # another user's portion reads as an id that does not exist: its existence tells nothing
            _no_such_object(portion.pk)
            if owner is not None and owner != user.pk
            else f'This portion belongs to another food, not to "{food.name}".'
        ]
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
    grams = round_mg(portion.grams * quantity)
    if grams <= 0:
        errors["quantity"] = ["Too small an amount: less than 0.01 g."]
        return None
    return _ResolvedAmount(portion, quantity, grams)


def magnesium_of(*, food: Food, portion: Portion | None, quantity: Decimal | None, grams: Decimal) -> Decimal:
    """The magnesium in an amount of a food, rounded once to 0.01 mg (half up).

    A recipe's serving is its share of the recipe's total, quantity × total ÷ servings, computed from the
    ingredients (not from the serving's rounded weight times a rounded value per 100 g): two servings
    of a recipe showing 70.565 mg a serving are 141.13 mg, not twice 70.56."""
    if portion is None:
        return food.magnesium_mg_in(grams)
    if food.owner_id is not None and portion.label == RECIPE_SERVING:
        recipe = (
            SavedMeal.objects.filter(food_id=food.pk, kind=MealKind.RECIPE)
            .prefetch_related("items__food", "items__portion")
            .first()
        )
        if recipe is not None and recipe.servings:
            return round_mg(quantity * saved_meal_magnesium(recipe) / recipe.servings)
    return round_mg(portion.magnesium_mg * quantity)


def saved_meal_magnesium(meal: SavedMeal) -> Decimal:
    """A saved meal's or recipe's magnesium with today's catalogue: the sum of its items, each rounded
    as an entry of it would be. A recipe inside a recipe counts its own share (recipes hold no cycle)."""
    return sum(
        (
            magnesium_of(food=item.food, portion=item.portion, quantity=item.quantity, grams=item.grams)
            for item in meal.items.all()
        ),
        Decimal(0),
    )


def intake_create(
    *,
    user: AbstractBaseUser,
    food: Food,
    portion: Portion | None = None,
    quantity: Decimal | None = None,
    grams: Decimal | None = None,
    consumed_at: datetime | None = None,
    meal: str | None = None,
    note: str = "",
    id: uuid.UUID | None = None,
) -> tuple[IntakeEntry, bool]:
    """Log a food: a portion times a quantity (1 by default), or a weight in grams.

    The magnesium is computed now and stored, so later edits to the catalogue (or to the user's own
    food) do not rewrite history. The meal slot defaults from the local time of day. Returns
    (entry, created); replaying the same client ``id`` returns the stored entry. On PostgreSQL outside
    a transaction, a new entry also carries ``entry.day``, its day's summary read by the same statement.
    """
    profile = profile_get(user=user)
    errors: dict = {}
    _check_food_visible(food, user, errors)
    amount = _resolve_amount(
        user=user, food=food, portion=portion, quantity=quantity, grams=grams, errors=errors
    )
    given_time = consumed_at
    consumed_at = checked_moment(consumed_at, "consumed_at", errors, profile)
    if len(note) > 500:
        errors["note"] = ["At most 500 characters."]
    if errors:
        raise ValidationError(errors)
    magnesium_mg = magnesium_of(
        food=food, portion=amount.portion, quantity=amount.quantity, grams=amount.grams
    )
    local_moment = consumed_at.astimezone(profile.zone)
    fields = {
        "food": food,
        "portion": amount.portion,
        "quantity": amount.quantity,
        "grams": amount.grams,
        "magnesium_mg": magnesium_mg,
        "consumed_at": consumed_at,
        "local_date": local_moment.date(),
        "meal": meal or meal_for_local_time(local_moment.time()),
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
    if meal:
        compare["meal"] = meal
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The hot path: the insert, the food's use count and the day's new totals in one statement
        entry = IntakeEntry(id=id or uuid.uuid4(), user=user, **fields)
        entry.day = insert_intake_with_day(entry, profile=profile, count_use=food.owner_id is None)
        if entry.day is not None:
            return entry, True
        existing = IntakeEntry.objects.filter(pk=entry.pk).first()
        if existing is None:  # the row that held the id was deleted between the two statements
            raise IdConflict("This id belonged to an entry deleted a moment ago: log it with a new id.")
        return replayed(existing, user=user, compare=compare), False
    entry, created = idempotent_create(IntakeEntry, user=user, id=id, fields=fields, compare=compare)
    if created and food.owner_id is None:
        count_logged(food.pk)
    return entry, created


_UNSET = object()


def intake_update(
    *,
    entry: IntakeEntry,
    food: Food | None = None,
    portion=_UNSET,
    quantity=_UNSET,
    grams=_UNSET,
    consumed_at: datetime | None = None,
    meal: str | None = None,
    note: str | None = None,
) -> IntakeEntry:
    """Change an entry. A new food or amount recomputes the magnesium from today's catalogue."""
    profile = profile_get(user=entry.user)
    errors: dict = {}
    if food is not None:
        _check_food_visible(food, entry.user, errors)
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
        amount = _resolve_amount(
            user=entry.user, food=food, portion=portion, quantity=quantity, grams=grams, errors=errors
        )
    if consumed_at is not None:
        consumed_at = checked_moment(consumed_at, "consumed_at", errors, profile)
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
        entry.magnesium_mg = magnesium_of(
            food=food, portion=amount.portion, quantity=amount.quantity, grams=amount.grams
        )
    if consumed_at is not None:
        entry.consumed_at = consumed_at
        entry.local_date = consumed_at.astimezone(profile.zone).date()
    if meal:
        entry.meal = meal
    if note is not None:
        entry.note = note
    entry.save()
    return entry


# --- Supplement doses ---------------------------------------------------------------------------------


# A dose given as both a compound weight and an elemental amount is accepted when the two agree within
# 5 % (or 1 mg) of the form's fraction: labels round their figures.
DOSE_AGREEMENT = Decimal("0.05")


def _resolve_elemental(*, form: SupplementForm, elemental_mg, compound_mg, errors: dict):
    if form.route == Route.INTRAVENOUS:
        # [S4]: intravenous magnesium is a hospital treatment. Earlier records are kept and shown apart.
        errors["form"] = ["An intravenous form is given in hospital, not logged from the app."]
        return None, None
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
    elif compound is not None:
        # Both given: only when they agree with the form (a label's rounding allowed), or the stored
        # elemental amount could say 1 mg of a 1,000 mg oxide tablet and the limit would never warn.
        expected = elemental_from_compound(compound, form.elemental_fraction)
        if abs(elemental - expected) > max(expected * DOSE_AGREEMENT, Decimal(1)):
            percent = (form.elemental_fraction * 100).normalize()
            errors["elemental_mg"] = [
                f"{compound.normalize():f} mg of {form.name} gives about {whole_mg(expected)} mg of "
                f"magnesium ({percent:f} %), not {elemental.normalize():f} mg: give the compound weight "
                "or the elemental magnesium from the label, not both."
            ]
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
    taken_at = checked_moment(taken_at, "taken_at", errors, profile)
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
    return idempotent_create(SupplementDose, user=user, id=id, fields=fields, compare=compare)


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
        taken_at = checked_moment(taken_at, "taken_at", errors, profile)
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


# The foods the user logged most recently (in their last 100 entries), as a subquery that food search
# runs inside its own query (the user's id as %(user)s): search ranks them first. The day index covers
# food_id, so on PostgreSQL this reads the index alone.
RECENT_FOODS_SQL = f"SELECT food_id FROM {IntakeEntry._meta.db_table} WHERE user_id = %(user)s ORDER BY local_date DESC LIMIT 100"
