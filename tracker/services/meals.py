"""Saved meals, recipes, and logging several foods at once.

- A saved meal is a named group of foods ("my breakfast"); logging it creates one entry per food, in
  one request and one transaction.
- A recipe is cooked in a number of servings. It is also the user's own food (mg per 100 g from its
  ingredients, "1 serving" as its portion), so that a serving is one entry with its share of the
  magnesium, and the recipe is found by search like any food.
- "Log again" copies one past entry to now; "copy a meal" copies a day's breakfast (lunch, …) to today.

Every way of logging several entries is idempotent as a whole: the client sends one id for the action
and each entry's id is derived from it (uuid5), so a replay stores nothing new.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from foods.models import Food, FoodCategory, Origin, Portion
from foods.nutrition import round_mg
from tracker import limits
from tracker.models import IntakeEntry, MealKind, SavedMeal, SavedMealItem
from tracker.services.entries import (
    RECIPE_SERVING,
    _check_food_visible,
    _resolve_amount,
    intake_create,
    magnesium_of,
    saved_meal_magnesium,
)
from tracker.services.profile import local_today, profile_get

MAX_ITEMS = 50
MAX_SERVINGS = Decimal(100)


def _amount(row) -> dict:
    """The food and amount of an entry or a saved item, as intake_create takes them."""
    if row.portion_id:
        return {"food": row.food, "portion": row.portion, "quantity": row.quantity}
    return {"food": row.food, "grams": row.grams}


def entry_id(action_id: uuid.UUID | None, part: str) -> uuid.UUID | None:
    """The id of one entry of a multi-entry action: stable for the same action id and part."""
    return uuid.uuid5(action_id, part) if action_id is not None else None


# --- Saved meals and recipes -------------------------------------------------------------------------


def _items(*, user, items: list[dict]) -> list[SavedMealItem]:
    if not items:
        raise ValidationError({"items": ["A meal needs at least one food."]})
    if len(items) > MAX_ITEMS:
        raise ValidationError({"items": [f"At most {MAX_ITEMS} foods."]})
    rows: list[SavedMealItem] = []
    errors: list[str] = []
    for position, item in enumerate(items):
        item_errors: dict = {}
        food = item["food"]
        _check_food_visible(food, user, item_errors)
        amount = _resolve_amount(
            user=user,
            food=food,
            portion=item.get("portion"),
            quantity=item.get("quantity"),
            grams=item.get("grams"),
            errors=item_errors,
        )
        if item_errors:
            errors.extend(
                f"Food {position + 1}, {field.replace('_', ' ')}: {message}"
                for field, messages in item_errors.items()
                for message in messages
            )
            continue
        rows.append(
            SavedMealItem(
                food=food,
                portion=amount.portion,
                quantity=amount.quantity,
                grams=amount.grams,
                position=position,
            )
        )
    if errors:
        raise ValidationError({"items": errors})
    return rows


def _items_from_entries(*, user, entry_ids: list) -> list[dict]:
    entries = {
        e.pk: e
        for e in IntakeEntry.objects.filter(user=user, pk__in=entry_ids).select_related("food", "portion")
    }
    missing = [str(pk) for pk in entry_ids if pk not in entries]
    if missing:
        raise ValidationError({"from_entries": [f"No entry of yours has the id {missing[0]}."]})
    return [_amount(entries[pk]) for pk in entry_ids]


def _check_servings(kind: str, servings) -> Decimal:
    servings = Decimal(servings if servings is not None else 1)
    if not (0 < servings <= MAX_SERVINGS):
        raise ValidationError({"servings": [f"More than 0 and at most {MAX_SERVINGS}."]})
    if kind == MealKind.MEAL and servings != 1:
        raise ValidationError({"servings": ["Only a recipe has servings."]})
    return servings


@transaction.atomic
def saved_meal_create(
    *,
    user: AbstractBaseUser,
    name: str,
    kind: str = MealKind.MEAL,
    servings: Decimal | None = None,
    items: list[dict] | None = None,
    from_entries: list | None = None,
) -> SavedMeal:
    """Save foods under a name: given as items, or taken from logged entries (``from_entries``)."""
    if not name or not name.strip():
        raise ValidationError({"name": ["Give the meal a name."]})
    if items and from_entries:
        raise ValidationError({"from_entries": ["Give items or entries, not both."]})
    if from_entries:
        items = _items_from_entries(user=user, entry_ids=from_entries)
    rows = _items(user=user, items=items or [])
    servings = _check_servings(kind, servings)
    meal = SavedMeal.objects.create(user=user, name=name.strip(), kind=kind, servings=servings)
    for row in rows:
        row.meal = meal
    SavedMealItem.objects.bulk_create(rows)
    if kind == MealKind.RECIPE:
        _sync_recipe_food(meal, rows)
    return meal


@transaction.atomic
def saved_meal_update(
    *, meal: SavedMeal, name: str | None = None, servings=None, items: list[dict] | None = None
) -> SavedMeal:
    """Rename, re-serve or replace the foods. A recipe's own food follows; past entries do not."""
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": ["Give the meal a name."]})
        meal.name = name.strip()
    if servings is not None:
        meal.servings = _check_servings(meal.kind, servings)
    if items is not None:
        rows = _items(user=meal.user, items=items)
        if meal.kind == MealKind.RECIPE:
            _check_no_cycle(meal, rows)
        meal.items.all().delete()
        for row in rows:
            row.meal = meal
        SavedMealItem.objects.bulk_create(rows)
    meal.save()
    if meal.kind == MealKind.RECIPE:
        _sync_recipe_food(meal, list(meal.items.select_related("food", "portion")))
    return meal


def _check_no_cycle(meal: SavedMeal, rows: list[SavedMealItem]) -> None:
    """A recipe may hold another recipe's servings, but never itself, directly or through others: its
    magnesium would be computed from its own old value."""
    if meal.food_id is None:
        return
    seen: set[int] = set()
    frontier = {row.food_id for row in rows}
    while frontier:
        if meal.food_id in frontier:
            raise ValidationError(
                {"items": ["A recipe cannot contain itself, directly or through another recipe."]}
            )
        seen |= frontier
        frontier = (
            set(
                SavedMealItem.objects.filter(
                    meal__food_id__in=frontier, meal__kind=MealKind.RECIPE
                ).values_list("food_id", flat=True)
            )
            - seen
        )


def _sync_recipe_food(meal: SavedMeal, rows: list[SavedMealItem]) -> None:
    total_grams = sum((row.grams for row in rows), Decimal(0))
    total_mg = sum((_item_mg(row) for row in rows), Decimal(0))
    serving_grams = (total_grams / meal.servings).quantize(Decimal("0.01"))
    if not (Decimal("0.01") <= serving_grams <= limits.MAX_GRAMS):
        raise ValidationError(
            {
                "servings": [
                    f"A serving would weigh {serving_grams} g: from 0.01 to {limits.MAX_GRAMS} g, please."
                ]
            }
        )
    food = meal.food or Food(owner=meal.user, origin=Origin.OWN, category=FoodCategory.OTHER)
    food.name = meal.name
    food.source = "Your recipe: the sum of its ingredients"
    food.magnesium_mg_per_100g = (total_mg * 100 / total_grams).quantize(Decimal("0.0001"))
    food.retired = False
    food.save()
    serving = food.portions.filter(label=RECIPE_SERVING).first() or Portion(food=food, label=RECIPE_SERVING)
    serving.grams = serving_grams
    serving.save()
    if meal.food_id != food.pk:
        meal.food = food
        meal.save(update_fields=["food"])


def _item_mg(row: SavedMealItem) -> Decimal:
    return magnesium_of(food=row.food, portion=row.portion, quantity=row.quantity, grams=row.grams)


def recipe_serving_mg(meal: SavedMeal) -> Decimal:
    """One serving: the total ÷ servings, rounded once (half up), as a serving's entry stores it."""
    return round_mg(saved_meal_magnesium(meal) / (meal.servings or 1))


@transaction.atomic
def saved_meal_delete(*, meal: SavedMeal) -> None:
    from tracker.services.own_foods import own_food_delete

    food = meal.food
    meal.delete()
    if food is not None:
        own_food_delete(food=food)


@transaction.atomic
def saved_meal_log(
    *,
    meal: SavedMeal,
    id: uuid.UUID | None = None,
    consumed_at: datetime | None = None,
    slot: str | None = None,
    servings: Decimal | None = None,
) -> tuple[list[IntakeEntry], bool]:
    """Log a saved meal (one entry per food) or servings of a recipe (one entry). All or nothing;
    returns (entries, created) and a replay of the same ``id`` returns the stored entries."""
    user = meal.user
    if meal.kind == MealKind.RECIPE:
        serving = meal.food.portions.filter(label=RECIPE_SERVING).first() if meal.food else None
        if serving is None:
            raise ValidationError({"detail": ["This recipe has no ingredients yet."]})
        entry, created = intake_create(
            user=user,
            food=meal.food,
            portion=serving,
            quantity=servings if servings is not None else Decimal(1),
            consumed_at=consumed_at,
            meal=slot,
            id=entry_id(id, "recipe"),
        )
        return [entry], created
    if servings is not None and servings != 1:
        raise ValidationError({"servings": ["Only a recipe has servings."]})
    results = [
        intake_create(
            user=user,
            **_amount(item),
            consumed_at=consumed_at,
            meal=slot,
            id=entry_id(id, str(item.position)),
        )
        for item in meal.items.select_related("food", "portion")
    ]
    return [entry for entry, _ in results], any(created for _, created in results)


# --- Again and copies ----------------------------------------------------------------------------------


def entry_log_again(
    *,
    entry: IntakeEntry,
    id: uuid.UUID | None = None,
    consumed_at: datetime | None = None,
    slot: str | None = None,
) -> tuple[IntakeEntry, bool]:
    """The same food and amount as a past entry, now (or at ``consumed_at``)."""
    return intake_create(
        user=entry.user,
        **_amount(entry),
        consumed_at=consumed_at,
        meal=slot,
        note=entry.note,
        id=id,
    )


@transaction.atomic
def meal_copy(
    *,
    user: AbstractBaseUser,
    from_date: date,
    slot: str,
    to_date: date | None = None,
    id: uuid.UUID | None = None,
) -> tuple[list[IntakeEntry], bool]:
    """Copy one meal slot of a day ("yesterday's breakfast") to another day (today by default), each
    entry at the same local time of day. Nothing to copy is a 400 that says so."""
    profile = profile_get(user=user)
    to_date = to_date or local_today(profile=profile)
    if from_date == to_date:
        raise ValidationError({"from_date": ["Copy from another day than the one you copy to."]})
    sources = list(
        IntakeEntry.objects.filter(user=user, local_date=from_date, meal=slot)
        .select_related("food", "portion")
        .order_by("consumed_at")
    )
    if not sources:
        raise ValidationError({"from_date": [f"Nothing was logged for {slot} on {from_date.isoformat()}."]})
    results = []
    for source in sources:
        local = source.consumed_at.astimezone(profile.zone)
        # on to_date itself, even when the zone changed since the meal was logged
        moment = datetime.combine(to_date, local.time(), tzinfo=profile.zone)
        results.append(
            intake_create(
                user=user,
                **_amount(source),
                consumed_at=moment,
                meal=slot,
                note=source.note,
                id=entry_id(id, str(source.pk)),
            )
        )
    return [entry for entry, _ in results], any(created for _, created in results)
