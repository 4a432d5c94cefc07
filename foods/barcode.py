"""Barcode look-up: the local catalogue first, then Open Food Facts; what is found is kept.

Order: the user's own foods with that GTIN, then the shared catalogue (imported branded products,
products found before); else the answer kept from an earlier remote look-up (for a day when unknown,
a week when known without magnesium); else Open Food Facts. A product with magnesium per 100 g
becomes a catalogue food (origin open_food_facts) served locally from then on; one without is a clear
"no magnesium data" so the user can add the label's value as their own food.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from foods import open_food_facts
from foods.models import Food, FoodCategory, Origin, Portion, ProductLookup, SearchTier
from foods.text import gtin_problem, normalize_gtin

KEEP_NOT_FOUND = timedelta(days=1)
KEEP_NO_MAGNESIUM = timedelta(days=7)


@dataclass(frozen=True)
class BarcodeResult:
    code: str
    gtin: str
    status: str  # found, no_magnesium_data, not_found
    source: str | None  # local, open_food_facts
    food: Food | None = None
    name: str = ""
    brand: str = ""

    @property
    def detail(self) -> str:
        if self.status == "found":
            return f"{self.food.name}: {self.food.magnesium_mg_per_100g.normalize():f} mg per 100 g."
        product = " ".join(part for part in (self.brand, self.name) if part) or "This product"
        if self.status == "no_magnesium_data":
            return (
                f"{product} is known to Open Food Facts, but not its magnesium. "
                "Add the value from its label as your own food."
            )
        return "No product with this barcode is known. Add it from its label as your own food."


def _remote_code(gtin: str) -> str:
    """Open Food Facts files products under EAN-13 (UPC-A with a leading zero)."""
    return gtin[1:] if gtin.startswith("0") else gtin


def barcode_lookup(*, code: str, user) -> BarcodeResult:
    """Raises ValidationError for a code that is no GTIN, open_food_facts.Unavailable or TimedOut when
    the remote look-up fails."""
    problem = gtin_problem(code)
    if problem:
        raise ValidationError({"code": [problem]})
    gtin = normalize_gtin(code)
    local = (
        Food.objects.visible_to(user)
        .filter(gtin=gtin, retired=False)
        .prefetch_related("portions")
        .order_by("search_tier", "id")
        .first()
    )
    if local is not None:
        return BarcodeResult(code, gtin, "found", "local", food=local)
    kept = ProductLookup.objects.filter(gtin=gtin).first()
    if kept is not None and timezone.now() - kept.checked_at < (
        KEEP_NOT_FOUND if kept.status == ProductLookup.Status.NOT_FOUND else KEEP_NO_MAGNESIUM
    ):
        return BarcodeResult(code, gtin, kept.status, "local", name=kept.name, brand=kept.brand)
    if not open_food_facts.enabled():
        return BarcodeResult(code, gtin, "not_found", None)
    product = open_food_facts.fetch_product(_remote_code(gtin))
    if product is None or (product.magnesium_mg_per_100g is None and not product.name):
        _keep(gtin, ProductLookup.Status.NOT_FOUND)
        return BarcodeResult(code, gtin, "not_found", "open_food_facts")
    if product.magnesium_mg_per_100g is None:
        _keep(gtin, ProductLookup.Status.NO_MAGNESIUM, product.name, product.brand)
        return BarcodeResult(
            code, gtin, "no_magnesium_data", "open_food_facts", name=product.name, brand=product.brand
        )
    food = _store(gtin, product)
    return BarcodeResult(code, gtin, "found", "open_food_facts", food=food)


def _keep(gtin: str, status: str, name: str = "", brand: str = "") -> None:
    ProductLookup.objects.update_or_create(
        gtin=gtin, defaults={"status": status, "name": name, "brand": brand, "checked_at": timezone.now()}
    )


def _store(gtin: str, product: open_food_facts.Product) -> Food:
    try:
        with transaction.atomic():
            food = Food.objects.create(
                name=product.name or f"Product {gtin.lstrip('0')}",
                brand=product.brand,
                gtin=gtin,
                category=FoodCategory.OTHER,
                magnesium_mg_per_100g=product.magnesium_mg_per_100g,
                origin=Origin.OPEN_FOOD_FACTS,
                search_tier=SearchTier.BRANDED,
                source="Open Food Facts (ODbL), magnesium per 100 g from the product's label",
                source_id=product.code,
                source_key=f"off:{gtin}",
                release=f"looked up {timezone.now().date().isoformat()}",
            )
            if product.serving_grams:
                Portion.objects.create(
                    food=food, label=product.serving_label or "1 serving", grams=product.serving_grams
                )
            ProductLookup.objects.filter(gtin=gtin).delete()
    except IntegrityError:  # two scans of a new product at once: the other one stored it
        food = Food.objects.get(source_key=f"off:{gtin}")
    return Food.objects.prefetch_related("portions").get(pk=food.pk)
