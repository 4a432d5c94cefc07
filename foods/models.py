"""The shared catalogue: foods, their household portions and supplement forms. No per-user data."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from foods.nutrition import magnesium_in_grams
from foods.text import search_text_for


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


class Origin(models.TextChoices):
    CURATED = "curated", "Curated by this project"
    USDA = "usda", "USDA FoodData Central"
    OPEN_FOOD_FACTS = "open_food_facts", "Open Food Facts"
    OWN = "own", "Your own food"
    IMPORTED = "imported", "Imported from another tracker"


class SearchTier(models.IntegerChoices):
    """Where a food ranks in search, before the match itself is weighed (see foods.search)."""

    OWN = 0, "Your own foods and recipes"
    CURATED = 1, "Curated"
    WHOLE = 2, "Whole and generic foods (survey, SR Legacy, Foundation)"
    SAMPLES = 3, "Laboratory samples (agricultural acquisition, sub-sample)"
    BRANDED = 4, "Branded products"


class FoodQuerySet(models.QuerySet):
    def visible_to(self, user) -> "FoodQuerySet":
        """The shared catalogue and the user's own foods; never another user's."""
        if user is None or not user.is_authenticated:
            return self.filter(owner__isnull=True)
        return self.filter(Q(owner__isnull=True) | Q(owner=user))


class Food(models.Model):
    name = models.CharField(max_length=255)
    category = models.CharField(max_length=32, choices=FoodCategory.choices)
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
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.CURATED)
    data_type = models.CharField(
        max_length=32, blank=True, help_text="The FoodData Central data type (survey_fndds_food, …)."
    )
    source_key = models.CharField(  # noqa: DJ001 - NULL for curated and own foods: unique only when set
        max_length=120,
        null=True,
        blank=True,
        help_text="Stable key of an imported row: a re-import updates this food instead of adding one.",
    )
    release = models.CharField(max_length=60, blank=True, help_text="The data set release it came from.")
    source_category = models.CharField(max_length=120, blank=True)
    brand = models.CharField(max_length=200, blank=True)
    gtin = models.CharField(max_length=14, blank=True, help_text="Barcode as a 14-digit GTIN (zero-padded).")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_foods",
        help_text="Set for a user's own food: only that user sees it.",
    )
    retired = models.BooleanField(
        default=False, help_text="An own food deleted by its owner while entries still use it: hidden."
    )
    common_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="What people call it, for one of the everyday foods (fixtures/everyday_foods.csv): "
        "found by that name and ranked before other matches.",
    )
    search_text = models.CharField(max_length=500, blank=True, editable=False)
    search_tier = models.PositiveSmallIntegerField(choices=SearchTier.choices, default=SearchTier.CURATED)

    objects = FoodQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # Declared here rather than with db_index/unique on the fields: on PostgreSQL those add a
        # second, varchar_pattern_ops index per column (for LIKE), which nothing here asks and every
        # import paid for (35 MB at 400,000 foods).
        indexes = [
            models.Index(fields=["category"], name="food_category"),
            models.Index(fields=["gtin"], name="food_gtin"),
        ]
        constraints = [models.UniqueConstraint(fields=["source_key"], name="food_source_key_unique")]

    def __str__(self) -> str:
        return self.name

    def prepare_for_search(self) -> None:
        """Fill the search columns from the name and owner. Called before every save (a pre_save
        signal, so that loaddata's raw saves get it too); bulk imports compute the same columns."""
        self.search_text = search_text_for(self.name, self.brand, self.common_name)
        if self.owner_id is not None:
            self.origin, self.search_tier = Origin.OWN, SearchTier.OWN
        elif self.origin == Origin.CURATED:
            self.search_tier = SearchTier.CURATED

    def magnesium_mg_in(self, grams: Decimal) -> Decimal:
        return magnesium_in_grams(self.magnesium_mg_per_100g, grams)


class FoodUse(models.Model):
    """How often a shared food was logged on this server, over every account: a search ranks what
    people here log most higher. Never per person (no user, no date), so it tells nothing of anyone."""

    food = models.OneToOneField(Food, on_delete=models.CASCADE, primary_key=True, related_name="use")
    uses = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.food_id}: {self.uses}"


class Portion(models.Model):
    food = models.ForeignKey(Food, on_delete=models.CASCADE, related_name="portions")
    label = models.CharField(max_length=100, help_text='A household measure: "1 oz", "½ cup cooked".')
    grams = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(5000))],
    )

    class Meta:
        # by the column, not by the food's own ordering (its name): that would join the food table
        # into every prefetch of portions
        ordering = ["food_id", "id"]
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


class CatalogueImport(models.Model):
    """One finished import of a data set: what file, which release, what it did."""

    dataset = models.CharField(max_length=60)
    release = models.CharField(max_length=60)
    sha256 = models.CharField(
        max_length=64, help_text="Of the file imported: an unchanged file is not read again."
    )
    summary = models.TextField()
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"{self.dataset} {self.release}"


class ProductLookup(models.Model):
    """A barcode asked of Open Food Facts that gave no food: unknown there, or known without its
    magnesium. Kept so that the next scan answers at once (re-asked after a while)."""

    class Status(models.TextChoices):
        NOT_FOUND = "not_found", "Unknown to Open Food Facts"
        NO_MAGNESIUM = "no_magnesium_data", "Known, without magnesium"

    gtin = models.CharField(max_length=14, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    name = models.CharField(max_length=255, blank=True)
    brand = models.CharField(max_length=200, blank=True)
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.gtin}: {self.status}"
