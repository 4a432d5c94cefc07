"""The shared catalogue: foods, their household portions and supplement forms. No per-user data."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from foods.nutrition import magnesium_in_grams


class FoodCategory(models.TextChoices):
    LEAFY_GREENS = "leafy_greens", "Leafy greens"
    NUTS_AND_SEEDS = "nuts_seeds", "Nuts and seeds"
    LEGUMES = "legumes", "Legumes"
    WHOLE_GRAINS = "whole_grains", "Whole grains"
    FRUIT = "fruit", "Fruit"
    VEGETABLES = "vegetables", "Vegetables"
    DAIRY_AND_SOY = "dairy_soy", "Dairy and soy"
    FISH_AND_MEAT = "fish_meat", "Fish and meat"
    SWEETS = "sweets", "Sweets"
    FORTIFIED_CEREALS = "fortified_cereals", "Fortified cereals"
    OTHER = "other", "Other"


class FoodQuerySet(models.QuerySet):
    def search(self, text: str) -> "FoodQuerySet":
        """Foods whose name contains any word of ``text`` (case-insensitive), best matches first.

        Rank: how many of the words the name holds, then names starting with the first word, then
        shorter names (``almonds`` before ``almond butter``), then alphabetical.
        """
        words = [w for w in text.lower().split() if w][:8]
        if not words:
            return self
        match_any = Q()
        hits = []
        for word in words:
            match_any |= Q(name__icontains=word)
            hits.append(models.Case(models.When(name__icontains=word, then=1), default=0))
        starts = models.Case(models.When(name__istartswith=words[0], then=1), default=0)
        return (
            self.filter(match_any)
            .annotate(
                search_hits=sum(hits[1:], hits[0]),
                search_starts=starts,
                name_length=models.functions.Length("name"),
            )
            .order_by("-search_hits", "-search_starts", "name_length", "name")
        )


class Food(models.Model):
    name = models.CharField(max_length=200, unique=True)
    category = models.CharField(max_length=32, choices=FoodCategory.choices, db_index=True)
    magnesium_mg_per_100g = models.DecimalField(
        "magnesium (mg per 100 g)",
        max_digits=9,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10000))],
    )
    source = models.CharField(max_length=300, help_text="Where the value comes from, e.g. the ODS table row.")
    source_id = models.CharField(
        max_length=100, blank=True, help_text="USDA FoodData Central id, or the reference row used."
    )

    objects = FoodQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def magnesium_mg_in(self, grams: Decimal) -> Decimal:
        return magnesium_in_grams(self.magnesium_mg_per_100g, grams)


class Portion(models.Model):
    food = models.ForeignKey(Food, on_delete=models.CASCADE, related_name="portions")
    label = models.CharField(max_length=100, help_text='A household measure: "1 oz", "½ cup cooked".')
    grams = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(5000))],
    )

    class Meta:
        ordering = ["food", "id"]
        constraints = [
            models.UniqueConstraint(fields=["food", "label"], name="unique_portion_label_per_food")
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.food.name}"

    @property
    def magnesium_mg(self) -> Decimal:
        return self.food.magnesium_mg_in(self.grams)


class Route(models.TextChoices):
    ORAL = "oral", "Oral"
    TOPICAL = "topical", "Topical"
    INTRAVENOUS = "intravenous", "Intravenous"


class Bioavailability(models.TextChoices):
    HIGH = "high", "High"
    LOW = "low", "Low"
    UNKNOWN = "unknown", "Not rated"


class SupplementForm(models.Model):
    name = models.CharField(max_length=100, unique=True)
    route = models.CharField(max_length=16, choices=Route.choices, default=Route.ORAL)
    elemental_fraction = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal(1))],
        help_text="Elemental magnesium by weight of the compound (0.162 for trimagnesium dicitrate).",
    )
    bioavailability = models.CharField(
        max_length=16, choices=Bioavailability.choices, default=Bioavailability.UNKNOWN
    )
    best_for = models.CharField(max_length=300, blank=True)
    side_effects = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
