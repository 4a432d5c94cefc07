"""A user's own foods, entered from a nutrition label. Private: only the owner finds or logs them.

A label gives a serving (grams, or a household measure with its grams) and the magnesium in it, in mg
or as a percentage of the Daily Value (on current US labels 100 % = 420 mg). The food stores mg per
100 g like every other food, and the serving as its portion, so it is logged like any food; editing it
changes later entries only (an entry's magnesium is fixed when logged).
"""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from foods import reference
from foods.models import Food, FoodCategory, Origin, Portion
from foods.text import gtin_problem, normalize_gtin
from tracker import limits
from tracker.models import IntakeEntry, SavedMeal, SavedMealItem

MAX_PERCENT_DV = Decimal(476)  # 476 % of 420 mg is 2,000 mg, the most one serving may hold
MIN_SERVING_GRAMS = Decimal("0.1")
MAX_MG_PER_100G = Decimal(10000)  # 10 % of the weight: beyond any food (the catalogue's own bound)
DEFAULT_SERVING = "1 serving"


def magnesium_from_label(*, magnesium_mg: Decimal | None, percent_dv: Decimal | None) -> Decimal:
    """mg in a serving, from mg or from % Daily Value (100 % = 420 mg, ODS)."""
    if magnesium_mg is not None:
        return Decimal(magnesium_mg)
    return Decimal(percent_dv) * reference.DAILY_VALUE_MG / 100


def _validated(*, user, food: Food | None, name, serving_grams, magnesium_mg, percent_dv, barcode) -> dict:
    errors: dict = {}
    if name is not None and not name.strip():
        errors["name"] = ["Give the food a name."]
    if serving_grams is not None and not (MIN_SERVING_GRAMS <= serving_grams <= limits.MAX_GRAMS):
        errors["serving_grams"] = [f"A serving weighs from {MIN_SERVING_GRAMS} to {limits.MAX_GRAMS} g."]
    if magnesium_mg is not None and percent_dv is not None:
        errors["magnesium_percent_dv"] = ["Give the magnesium in mg or as % Daily Value, not both."]
    if magnesium_mg is not None and not (0 <= magnesium_mg <= limits.MAX_ELEMENTAL_MG):
        errors["magnesium_mg"] = [f"From 0 to {limits.MAX_ELEMENTAL_MG} mg in a serving."]
    if percent_dv is not None and not (0 <= percent_dv <= MAX_PERCENT_DV):
        errors["magnesium_percent_dv"] = [f"From 0 to {MAX_PERCENT_DV} % (2,000 mg)."]
    gtin = None
    if barcode:
        problem = gtin_problem(barcode)
        if problem:
            errors["barcode"] = [problem]
        else:
            gtin = normalize_gtin(barcode)
            twin = Food.objects.filter(owner=user, gtin=gtin, retired=False)
            if food is not None:
                twin = twin.exclude(pk=food.pk)
            twin = twin.first()
            if twin is not None:
                errors["barcode"] = [f'Your food "{twin.name}" already has this barcode.']
    if errors:
        raise ValidationError(errors)
    return {"gtin": gtin}


@transaction.atomic
def own_food_create(
    *,
    user: AbstractBaseUser,
    name: str,
    serving_grams: Decimal,
    serving_label: str = "",
    magnesium_mg: Decimal | None = None,
    percent_dv: Decimal | None = None,
    brand: str = "",
    barcode: str = "",
) -> Food:
    if magnesium_mg is None and percent_dv is None:
        raise ValidationError(
            {"magnesium_mg": ["Give the magnesium in a serving, in mg or as % Daily Value."]}
        )
    checked = _validated(
        user=user,
        food=None,
        name=name,
        serving_grams=serving_grams,
        magnesium_mg=magnesium_mg,
        percent_dv=percent_dv,
        barcode=barcode,
    )
    per_serving = magnesium_from_label(magnesium_mg=magnesium_mg, percent_dv=percent_dv)
    food = Food.objects.create(
        owner=user,
        origin=Origin.OWN,
        name=name.strip(),
        brand=brand.strip(),
        gtin=checked["gtin"] or "",
        category=FoodCategory.OTHER,
        magnesium_mg_per_100g=per_100g(per_serving, serving_grams, _amount_field(percent_dv)),
        source="Your own food, from its nutrition label",
    )
    Portion.objects.create(
        food=food, label=(serving_label or "").strip() or DEFAULT_SERVING, grams=serving_grams
    )
    return food


def per_100g(magnesium_mg: Decimal, grams: Decimal, field: str = "magnesium_mg") -> Decimal:
    """mg per 100 g; more than 10 g of magnesium in 100 g is a typo in the serving or the amount."""
    value = Decimal(magnesium_mg) * 100 / Decimal(grams)
    if value > MAX_MG_PER_100G:
        raise ValidationError(
            {
                field: [
                    f"That is {value.quantize(Decimal(1))} mg per 100 g, more than any food holds: check the serving weight."
                ]
            }
        )
    return value.quantize(Decimal("0.0001"))


def _amount_field(percent_dv) -> str:
    return "magnesium_percent_dv" if percent_dv is not None else "magnesium_mg"


def own_food_serving(food: Food) -> Portion | None:
    return food.portions.order_by("id").first()


@transaction.atomic
def own_food_update(
    *,
    food: Food,
    name: str | None = None,
    serving_grams: Decimal | None = None,
    serving_label: str | None = None,
    magnesium_mg: Decimal | None = None,
    percent_dv: Decimal | None = None,
    brand: str | None = None,
    barcode: str | None = None,
) -> Food:
    """Change an own food. Entries already logged keep their magnesium. A recipe's food follows its
    ingredients: it is changed through the recipe, not here."""
    if SavedMeal.objects.filter(food=food).exists():
        raise ValidationError(
            {
                "non_field_errors": [
                    "This food is a recipe: change its ingredients or servings in your saved meals."
                ]
            }
        )
    checked = _validated(
        user=food.owner,
        food=food,
        name=name,
        serving_grams=serving_grams,
        magnesium_mg=magnesium_mg,
        percent_dv=percent_dv,
        barcode=barcode,
    )
    serving = own_food_serving(food)
    old_grams = serving.grams if serving else Decimal(100)
    old_per_serving = food.magnesium_mg_in(old_grams)
    grams = serving_grams if serving_grams is not None else old_grams
    if magnesium_mg is not None or percent_dv is not None:
        per_serving = magnesium_from_label(magnesium_mg=magnesium_mg, percent_dv=percent_dv)
    else:
        per_serving = old_per_serving  # the label's mg per serving stays; a new weight re-spreads it
    food.magnesium_mg_per_100g = per_100g(per_serving, grams, _amount_field(percent_dv))
    if name is not None:
        food.name = name.strip()
    if brand is not None:
        food.brand = brand.strip()
    if barcode is not None:
        food.gtin = checked["gtin"] or ""
    food.save()
    if serving is None:
        serving = Portion(food=food, label=DEFAULT_SERVING, grams=grams)
    serving.grams = grams
    if serving_label is not None:
        serving.label = serving_label.strip() or DEFAULT_SERVING
    serving.save()
    return food


@transaction.atomic
def own_food_delete(*, food: Food) -> bool:
    """Delete an own food. One that logged entries, a saved meal or a recipe still use is hidden
    instead (so the history keeps its name); returns whether it was deleted."""
    if (
        IntakeEntry.objects.filter(food=food).exists()
        or SavedMealItem.objects.filter(food=food).exists()
        or SavedMeal.objects.filter(food=food).exists()
    ):
        food.retired = True
        food.save(update_fields=["retired"])
        return False
    food.delete()
    return True
