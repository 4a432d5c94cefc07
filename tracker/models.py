"""Per-user tracking data: the profile, logged foods and supplement doses."""

import functools
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from foods import reference
from foods.models import Food, Portion, SupplementForm
from tracker import limits
from tracker.guidance import labs, red_flags, supplements


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(f'"{value}" is not an IANA time zone (for example "Europe/Paris").')


_ZONES: frozenset[str] = frozenset()
# In the system's zone folder but not places: "localtime" is whatever the server's clock is set to,
# "Factory" is a placeholder whose abbreviation reads "-00", "posixrules" a file of rules.
_NOT_PLACES = {"localtime", "Factory", "posixrules"}


def available_time_zones() -> frozenset[str]:
    global _ZONES
    if not _ZONES:
        _ZONES = frozenset(
            zone
            for zone in zoneinfo.available_timezones()
            if zone not in _NOT_PLACES and not zone.startswith(("posix/", "right/"))
        )
    return _ZONES


@functools.lru_cache(maxsize=1024)
def zone_named(name: str) -> zoneinfo.ZoneInfo:
    """A time zone by its IANA name, loaded once per process: zoneinfo keeps only the 8 zones used last
    alive, so a dispatcher going through users of 12 zones read the zone files from disk 100,000
    times (2 of its 10 seconds at 20,000 reminders)."""
    return zoneinfo.ZoneInfo(name)


class Sex(models.TextChoices):
    FEMALE = reference.FEMALE, "Female"
    MALE = reference.MALE, "Male"


class LifeStage(models.TextChoices):
    NONE = reference.NO_LIFE_STAGE, "Neither"
    PREGNANT = reference.PREGNANT, "Pregnant"
    LACTATING = reference.LACTATING, "Breastfeeding"


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    sex = models.CharField(max_length=8, choices=Sex.choices, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    life_stage = models.CharField(max_length=16, choices=LifeStage.choices, default=LifeStage.NONE)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    kidney_disease = models.BooleanField(
        default=False, help_text="Impaired kidney function raises the risk of excess magnesium."
    )
    target_override_mg = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(limits.MIN_TARGET_MG), MaxValueValidator(limits.MAX_TARGET_MG)],
        help_text="A daily target set by the user's doctor; replaces the RDA.",
    )
    conditions = models.JSONField(
        default=list, blank=True, help_text="Risk factors the user ticked (tracker/guidance/risk_factors.py)."
    )
    medicines = models.JSONField(
        default=list,
        blank=True,
        help_text='Medicines that interact with magnesium: [{"kind": …, "times": ["08:00"]}].',
    )
    supplement_aim = models.CharField(max_length=24, choices=supplements.AIMS, blank=True)

    def __str__(self) -> str:
        return f"Profile of user {self.user_id}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zone_named(self.time_zone)

    def clean(self) -> None:
        if self.life_stage != LifeStage.NONE and self.sex == Sex.MALE:
            raise ValidationError({"life_stage": "Pregnancy and breastfeeding apply to the female sex only."})


class Meal(models.TextChoices):
    BREAKFAST = "breakfast", "Breakfast"
    LUNCH = "lunch", "Lunch"
    DINNER = "dinner", "Dinner"
    SNACK = "snack", "Snack"


class IntakeEntry(models.Model):
    """A food eaten. ``magnesium_mg`` is fixed when logged: later edits to the catalogue keep history."""

    id = models.UUIDField(
        primary_key=True,
        default=uuid.uuid4,
        editable=False,
        help_text="May be chosen by the client, so that an offline replay does not duplicate the entry.",
    )
    # No single-column indexes: (user, local_date) serves every per-user query and the account's
    # deletion, and nothing reads entries by food. Each index would cost every insert.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intakes", db_index=False
    )
    # RESTRICT, not PROTECT: a food stays while entries use it, but an account's deletion may remove
    # its own foods together with the entries that use them.
    food = models.ForeignKey(Food, on_delete=models.RESTRICT, related_name="+", db_index=False)
    portion = models.ForeignKey(
        Portion, on_delete=models.RESTRICT, null=True, blank=True, related_name="+", db_index=False
    )
    quantity = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    grams = models.DecimalField(max_digits=8, decimal_places=2)
    magnesium_mg = models.DecimalField(max_digits=9, decimal_places=2)
    consumed_at = models.DateTimeField()
    local_date = models.DateField(help_text="The day in the user's time zone when it was eaten.")
    meal = models.CharField(
        max_length=16, choices=Meal.choices, help_text="Defaults from the local time of day."
    )
    note = models.CharField(max_length=500, blank=True)
    import_batch = models.ForeignKey(
        "tracker.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the partial index intake_import
        help_text="The import that brought it (an import is undone as a whole).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-consumed_at"]
        verbose_name_plural = "intake entries"
        indexes = [
            # covering on PostgreSQL: the daily sums read only the index
            models.Index(
                fields=["user", "local_date"],
                include=["magnesium_mg", "meal", "food"],
                name="intake_user_day_meal",
            ),
            models.Index(
                fields=["import_batch"], condition=models.Q(import_batch__isnull=False), name="intake_import"
            ),
        ]
        constraints = [
            # an imported serving may have no known weight ("1.00 full recipe"): its magnesium is the export's
            models.CheckConstraint(
                condition=models.Q(grams__gt=0) | models.Q(grams=0, import_batch__isnull=False),
                name="intake_grams_positive",
            ),
            models.CheckConstraint(condition=models.Q(magnesium_mg__gte=0), name="intake_mg_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Intake {self.id}"


class SupplementDose(models.Model):
    """A supplement taken. Elemental magnesium is what counts toward the day and the upper limit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplement_doses", db_index=False
    )
    form = models.ForeignKey(SupplementForm, on_delete=models.PROTECT, related_name="+", db_index=False)
    elemental_mg = models.DecimalField(max_digits=8, decimal_places=2)
    compound_mg = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, help_text="The compound weight, if given."
    )
    taken_at = models.DateTimeField()
    local_date = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    import_batch = models.ForeignKey(
        "tracker.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the partial index dose_import
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-taken_at"]
        indexes = [
            # covering on PostgreSQL, the form's route included through its id (the daily sums)
            models.Index(
                fields=["user", "local_date"], include=["elemental_mg", "form"], name="dose_user_day_form"
            ),
            models.Index(
                fields=["import_batch"], condition=models.Q(import_batch__isnull=False), name="dose_import"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(elemental_mg__gt=0), name="dose_elemental_positive"),
        ]

    def __str__(self) -> str:
        return f"Supplement dose {self.id}"


class MealKind(models.TextChoices):
    MEAL = "meal", "Saved meal"
    RECIPE = "recipe", "Recipe"


class SavedMeal(models.Model):
    """A named group of foods. A saved meal logs one entry per item in one tap; a recipe is cooked in
    ``servings`` and becomes the user's own food (``food``), so that a serving logs its share."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_meals")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=MealKind.choices, default=MealKind.MEAL)
    servings = models.DecimalField(
        max_digits=6, decimal_places=2, default=1, help_text="A recipe's number of servings."
    )
    food = models.OneToOneField(
        Food,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recipe",
        help_text="The recipe as the user's own food (one serving is its portion).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["user", "name"], name="saved_meal_user_name")]

    def __str__(self) -> str:
        return self.name


class SavedMealItem(models.Model):
    """One food of a saved meal or recipe: a portion times a quantity, or grams."""

    meal = models.ForeignKey(SavedMeal, on_delete=models.CASCADE, related_name="items")
    food = models.ForeignKey(Food, on_delete=models.CASCADE, related_name="+")
    portion = models.ForeignKey(Portion, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    quantity = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    grams = models.DecimalField(max_digits=8, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["meal", "position", "id"]

    def __str__(self) -> str:
        return f"Item {self.pk} of saved meal {self.meal_id}"


class SymptomEntry(models.Model):
    """A symptom in the journal. Red flags are read from these (tracker/guidance/red_flags.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="symptoms", db_index=False
    )
    kind = models.CharField(max_length=24, choices=red_flags.SYMPTOM_KINDS)
    body_area = models.CharField(max_length=16, choices=red_flags.BODY_AREAS, blank=True)
    severity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    duration_minutes = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(limits.MAX_SYMPTOM_MINUTES)]
    )
    occurred_at = models.DateTimeField()
    local_date = models.DateField(help_text="The day in the user's time zone when it happened.")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["user", "local_date"], name="symptom_user_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__gte=1, severity__lte=5), name="symptom_severity_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"Symptom {self.id}"


class DailyContext(models.Model):
    """Other things that cause twitching [S0][S3], one per local day: each is optional."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_contexts"
    )
    date = models.DateField()
    caffeine_drinks = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(30)]
    )
    sleep_hours = models.DecimalField(
        max_digits=3, decimal_places=1, null=True, blank=True, validators=[MaxValueValidator(24)]
    )
    stress = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    intense_exercise = models.BooleanField(null=True, blank=True)
    completed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text='When the user said "I\'ve logged everything today"; null: not marked.',
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="context_one_per_day")]

    def __str__(self) -> str:
        return f"Context of user {self.user_id} on {self.date}"


class LabResult(models.Model):
    """A serum magnesium result as printed on the report: value, unit, and the report's range if any."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_results")
    taken_on = models.DateField()
    value = models.DecimalField(max_digits=6, decimal_places=3)
    unit = models.CharField(max_length=8, choices=labs.UNITS)
    range_low = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    range_high = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_on", "-id"]
        indexes = [models.Index(fields=["user", "taken_on"], name="lab_user_day")]

    def __str__(self) -> str:
        return f"Lab result {self.pk}"


class RedFlagDismissal(models.Model):
    """The user dismissed a red flag: it stays hidden until an entry recorded later raises it again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="red_flag_dismissals"
    )
    code = models.CharField(max_length=40)
    dismissed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code"], name="dismissal_once_per_flag")]

    def __str__(self) -> str:
        return f"Dismissal of {self.code}"


class UserSession(AbstractBaseSession):
    """A browser session (the PWA signs in with one), with the user it belongs to, so that deleting an
    account deletes its sessions too (Django's own table cannot tell whose a session is without
    decoding every row). SESSION_ENGINE = "tracker.sessions"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    @classmethod
    def get_session_store_class(cls):
        from django.conf import settings as project_settings
        from django.utils.module_loading import import_string

        return import_string(f"{project_settings.SESSION_ENGINE}.SessionStore")


class ShareLink(models.Model):
    """A read-only link to one report (a range of days), for a clinician without an account. Only a
    hash of its token is stored: the link is shown once, when it is made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the link's token.")
    start = models.DateField()
    end = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="share_user_recent")]

    def __str__(self) -> str:
        return f"Share link {self.pk}"


class ReportFile(models.Model):
    """A report's PDF rendered by the worker (a long range), kept for a day to be downloaded."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_files")
    share_link = models.ForeignKey(
        "tracker.ShareLink", on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    start = models.DateField()
    end = models.DateField()
    pdf = models.BinaryField(blank=True, default=b"", editable=False)
    done = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Report file {self.pk}"
