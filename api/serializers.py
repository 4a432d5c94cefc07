"""Serializers: shapes and types of the JSON. The rules live in tracker.services."""

import re
from contextvars import ContextVar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import ReturnDict

from foods.catalogue_cache import catalogue_row
from foods.importers.records import DATA_TYPE_LABELS
from foods.models import Food, FoodCategory, Portion, SupplementForm
from foods.nutrition import magnesium_in_grams, round_mg, whole_mg
from tracker import limits
from tracker.guidance import DISCLAIMER, medicines, risk_factors, supplements
from tracker.models import Meal, MealKind, Profile, Sex, available_time_zones, validate_time_zone
from tracker.reminders.models import Channel, DeliveryStatus, ReminderKind

User = get_user_model()

MG = {"max_digits": 9, "decimal_places": 2, "coerce_to_string": False}


_BOUND: dict = {}


def _bound(serializer_class, without: tuple = ()) -> serializers.Serializer:
    """An instance of ``serializer_class`` whose fields are bound once per process (less ``without``).

    DRF deep-copies every declared field for each serializer instance (a logged entry with its day is
    about 30 fields), which costs more than validating or rendering them. The shared instance keeps no
    per-request state (no instance, data, context or ``partial``): threads may share it. Only for
    serializers whose fields read no context."""
    bound = _BOUND.get((serializer_class, without))
    if bound is None:
        bound = serializer_class()
        for name in without:
            del bound.fields[name]
        _BOUND[(serializer_class, without)] = bound
    return bound


def represent(serializer: serializers.Serializer, **built) -> ReturnDict:
    """``serializer.data``, rendered by the class's bound instance; ``built``: the JSON of some fields,
    already made by the caller (the day's summary), in their place. ``serializer`` itself stays
    attached to the data, as DRF's renderers expect."""
    names = list(_bound(type(serializer)).fields)
    data = _bound(type(serializer), tuple(sorted(built))).to_representation(serializer.instance)
    data.update(built)
    return ReturnDict({name: data[name] for name in names}, serializer=serializer)


def validated(serializer_class, data) -> dict:
    """``serializer_class(data=data)``'s validated data, validated by the class's bound instance (not for
    partial updates). Invalid data is validated again the usual way, so that the 400 is DRF's own."""
    try:
        return _bound(serializer_class).run_validation(data)
    except (serializers.ValidationError, DjangoValidationError):
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# --- Strict field types: what a client sends must be what it means ------------------------------------


class DecimalField(serializers.DecimalField):
    """A number, rounded half up to the field's decimal places (0.125 g is 0.13 g; DRF would refuse
    every extra digit, a limit no schema states). Its bounds are min_value and max_value, which the
    schema states. An empty string is not a number (DRF would read it as null, and null means "the
    default")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("rounding", ROUND_HALF_UP)
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if isinstance(data, str) and not data.strip():
            self.fail("invalid")
        return super().validate_empty_values(data)

    def validate_precision(self, value):
        """Only the whole digits are limited (the schema's maximum); decimals are rounded."""
        whole = value.adjusted() + 1 if value else 0
        if self.max_whole_digits is not None and whole > self.max_whole_digits:
            self.fail("max_whole_digits", max_whole_digits=self.max_whole_digits)
        return value

    def quantize(self, value):
        return value.quantize(Decimal(1).scaleb(-self.decimal_places), rounding=self.rounding)


def amount_field(*, minimum, maximum, places: int = 2, **kwargs) -> DecimalField:
    """A positive amount from ``minimum`` (the smallest step above zero) to ``maximum``, both stated in
    the schema."""
    return DecimalField(
        max_digits=len(str(int(maximum))) + places,
        decimal_places=places,
        min_value=Decimal(minimum),
        max_value=Decimal(maximum),
        **kwargs,
    )


# A GTIN as printed under a barcode: EAN-8, UPC-A (12), EAN-13 or GTIN-14 digits (the check digit is
# checked apart).
BARCODE_PATTERN = r"^([0-9]{8}|[0-9]{12,14})$"
# A primary key: a JSON integer from 1 to 2^63 - 1 (the schema says so; a larger one is no id).
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


class BooleanField(serializers.BooleanField):
    """true or false: DRF would also take "yes", "0", "on" and 1, which the schema does not promise."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class UUIDField(serializers.UUIDField):
    """A UUID is a string: DRF would also take an integer and store UUID(int=…), a different id."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class TextField(serializers.CharField):
    """Text is a string: DRF would also store the number 0 as "0"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class WholeNumberField(serializers.IntegerField):
    """A JSON integer: DRF would also take "3", 3.0 and true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


# Dates and times from 1900 to 2200, as the schema states it (a pattern on the year).
YEAR_PATTERN = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-"


DATE_PATTERN = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$"
_DATE_SPELLING = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@extend_schema_field({"type": "string", "format": "date", "pattern": DATE_PATTERN})
class BoundedDateField(serializers.DateField):
    """A calendar date from 1900 to 2200: beyond, a date is a typo (and date arithmetic would overflow).
    One spelling, YYYY-MM-DD: "2026-1-1" and "20261201" are not other names of a day."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not _DATE_SPELLING.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        day = super().to_internal_value(value)
        if not date(limits.EARLIEST_YEAR, 1, 1) <= day <= date(limits.LATEST_YEAR, 12, 31):
            raise serializers.ValidationError(
                f"Enter a date from {limits.EARLIEST_YEAR} to {limits.LATEST_YEAR}."
            )
        return day


@extend_schema_field({"type": "string", "format": "date-time", "pattern": YEAR_PATTERN})
class DateTimeField(serializers.DateTimeField):
    """A moment from 1900 to 2200. Without an offset it is read on the user's clock, and at the
    calendar's edge (9999-12-31 in Los Angeles, 0001-01-01 in Tokyo) that moment has no UTC time."""

    def to_internal_value(self, value):
        from datetime import UTC

        message = f"Enter a date and time from {limits.EARLIEST_YEAR} to {limits.LATEST_YEAR}."
        try:
            moment = super().to_internal_value(value)
            moment.astimezone(UTC)
        except (OverflowError, ValueError):
            raise serializers.ValidationError(message) from None
        if not limits.EARLIEST_YEAR <= moment.year <= limits.LATEST_YEAR:
            raise serializers.ValidationError(message)
        return moment


CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field({"type": "string", "pattern": CLOCK_PATTERN, "example": "08:00"})
class ClockTimeField(serializers.TimeField):
    """A time of day shown as HH:MM (accepts HH:MM and HH:MM:SS)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


# --- Auth ---------------------------------------------------------------------------------------------


def _password_min_length() -> int:
    from django.conf import settings

    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith("MinimumLengthValidator"):
            return validator.get("OPTIONS", {}).get("min_length", 8)
    return 1


class RegisterSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True,
        min_length=_password_min_length(),
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Kept exactly as typed. Not too common, not all digits, not like the user name or email.",
    )

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("This username is taken.")
        return value

    def validate_email(self, value: str) -> str:
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError("An account with this email address exists already.")
        return value

    def validate(self, attrs):
        candidate = User(username=attrs["username"], email=attrs["email"])
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    username = serializers.CharField()


# --- Profile --------------------------------------------------------------------------------------------


class MedicineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=medicines.CHOICES)
    times = serializers.ListField(
        child=ClockTimeField(),
        required=False,
        default=list,
        max_length=medicines.MAX_TIMES,
        help_text="When you usually take it (HH:MM): supplement times are checked against these.",
    )


class RiskFactorSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    meaning = serializers.CharField()
    source = serializers.CharField()
    raises = serializers.ChoiceField(choices=["deficiency", "excess", "interaction"])


@extend_schema_field({"type": "string", "enum": sorted(available_time_zones()), "example": "Europe/Paris"})
class TimeZoneField(serializers.CharField):
    """An IANA time zone this server knows (the schema lists them)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=64, validators=[validate_time_zone], **kwargs)


class ProfileSerializer(serializers.ModelSerializer):
    birth_date = BoundedDateField(required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=Sex.choices, allow_blank=True, required=False)
    time_zone = TimeZoneField(required=False)
    kidney_disease = BooleanField(required=False)
    target_override_mg = serializers.IntegerField(
        min_value=limits.MIN_TARGET_MG, max_value=limits.MAX_TARGET_MG, allow_null=True, required=False
    )
    conditions = serializers.ListField(
        child=serializers.ChoiceField(choices=risk_factors.CONDITIONS),
        required=False,
        max_length=len(risk_factors.CONDITIONS),
        help_text="Conditions that raise the risk of low magnesium.",
    )
    medicines = MedicineSerializer(
        many=True, required=False, help_text="Medicines that interact with magnesium (a fixed list)."
    )
    supplement_aim = serializers.ChoiceField(choices=supplements.AIMS, required=False, allow_blank=True)
    username = serializers.CharField(source="user.username", read_only=True)
    life_stage_label = serializers.CharField(source="get_life_stage_display", read_only=True)
    daily_target_mg = serializers.SerializerMethodField()
    target_label = serializers.SerializerMethodField()
    rda_mg = serializers.SerializerMethodField()
    supplement_upper_limit_mg = serializers.SerializerMethodField()
    today = serializers.SerializerMethodField()
    risk_factors = serializers.SerializerMethodField()
    disclaimer = serializers.SerializerMethodField()

    class Meta:
        model = Profile
        fields = [
            "username",
            "sex",
            "birth_date",
            "life_stage",
            "life_stage_label",
            "time_zone",
            "kidney_disease",
            "target_override_mg",
            "conditions",
            "medicines",
            "supplement_aim",
            "risk_factors",
            "disclaimer",
            "daily_target_mg",
            "target_label",
            "rda_mg",
            "supplement_upper_limit_mg",
            "today",
        ]

    def _target(self, profile):
        from tracker import services

        cache = self.context.setdefault("_targets", {})
        if profile.pk not in cache:
            cache[profile.pk] = services.target_on(profile=profile, on=services.local_today(profile=profile))
        return cache[profile.pk]

    def get_daily_target_mg(self, profile) -> int:
        return self._target(profile).target_mg

    def get_target_label(self, profile) -> str:
        return self._target(profile).label

    def get_rda_mg(self, profile) -> int:
        return self._target(profile).rda_mg

    def get_supplement_upper_limit_mg(self, profile) -> int | None:
        return self._target(profile).supplement_upper_limit_mg

    def get_today(self, profile) -> str:
        from tracker import services

        return services.local_today(profile=profile).isoformat()

    @extend_schema_field(RiskFactorSerializer(many=True))
    def get_risk_factors(self, profile) -> list:
        from tracker.services import guidance

        return guidance.profile_risk_factors(profile)

    def get_disclaimer(self, profile) -> str:
        return DISCLAIMER

    def validate_conditions(self, value):
        return list(dict.fromkeys(value))  # a condition given twice is the same condition

    def validate_medicines(self, value):
        if any("kind" not in entry for entry in value):  # a PATCH is partial down to the nested items
            raise serializers.ValidationError("Each medicine needs its kind.")
        # a medicine given twice is one medicine taken at each of the times given
        times: dict[str, set] = {}
        for entry in value:
            times.setdefault(entry["kind"], set()).update(
                at.strftime("%H:%M") for at in entry.get("times", [])
            )
        if any(len(at) > medicines.MAX_TIMES for at in times.values()):
            raise serializers.ValidationError(f"At most {medicines.MAX_TIMES} times for one medicine.")
        return [{"kind": kind, "times": sorted(at)} for kind, at in times.items()]


# --- Catalogue ------------------------------------------------------------------------------------------


class PortionSerializer(serializers.ModelSerializer):
    grams = DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False)
    magnesium_mg = serializers.SerializerMethodField(help_text="Whole mg in one portion, as shown to users.")

    class Meta:
        model = Portion
        fields = ["id", "label", "grams", "magnesium_mg"]

    def get_magnesium_mg(self, portion) -> int:
        return whole_mg(portion.food.magnesium_mg_in(portion.grams))


class FoodSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    magnesium_mg_per_100g = DecimalField(
        max_digits=9, decimal_places=4, coerce_to_string=False, read_only=True
    )
    origin_label = serializers.CharField(
        source="get_origin_display", read_only=True, help_text="Where the food comes from."
    )
    data_type_label = serializers.SerializerMethodField(help_text="The USDA data type, in words.")
    own = serializers.SerializerMethodField(help_text="The user's own food (or recipe): only they see it.")
    portions = serializers.SerializerMethodField()
    other_sources = serializers.SerializerMethodField(
        help_text="In a search: the same food (same name and brand) from other sources, each with its "
        "own value and portions; the result itself is the best ranked of them."
    )

    class Meta:
        model = Food
        fields = [
            "id",
            "name",
            "common_name",
            "brand",
            "category",
            "category_label",
            "magnesium_mg_per_100g",
            "origin",
            "origin_label",
            "data_type",
            "data_type_label",
            "source",
            "source_id",
            "source_key",
            "release",
            "source_category",
            "gtin",
            "own",
            "portions",
            "other_sources",
        ]
        extra_kwargs = {
            "common_name": {
                "read_only": True,
                "help_text": "What people call it, for an everyday food (search finds it by it).",
            }
        }

    def get_other_sources(self, food) -> list[dict]:
        return []

    def get_data_type_label(self, food) -> str:
        return DATA_TYPE_LABELS.get(food.data_type, food.data_type)

    def get_own(self, food) -> bool:
        return food.owner_id is not None

    def get_portions(self, food) -> PortionSerializer(many=True):
        for portion in food.portions.all():
            portion.food = food  # no query per portion
        return PortionSerializer(food.portions.all(), many=True).data


def food_json(food) -> dict:
    """FoodSerializer's shape, built directly: a page of search results is the hottest read of the
    catalogue, and building serializer fields per food and per portion cost more than the search
    (tests/test_food_search.py checks that both give the same JSON)."""
    per_100g = food.magnesium_mg_per_100g
    return {
        "id": food.id,
        "name": food.name,
        "common_name": food.common_name,
        "brand": food.brand,
        "category": food.category,
        "category_label": food.get_category_display(),
        "magnesium_mg_per_100g": float(per_100g),
        "origin": food.origin,
        "origin_label": food.get_origin_display(),
        "data_type": food.data_type,
        "data_type_label": DATA_TYPE_LABELS.get(food.data_type, food.data_type),
        "source": food.source,
        "source_id": food.source_id,
        "source_key": food.source_key,
        "release": food.release,
        "source_category": food.source_category,
        "gtin": food.gtin,
        "own": food.owner_id is not None,
        "portions": [
            {
                "id": portion.id,
                "label": portion.label,
                "grams": float(portion.grams),
                "magnesium_mg": whole_mg(magnesium_in_grams(per_100g, portion.grams)),
            }
            for portion in food.portions.all()
        ],
        "other_sources": [],
    }


class OwnFoodSerializer(FoodSerializer):
    """A food of the user's own, from a nutrition label: a serving and the magnesium in it."""

    name = TextField(max_length=200)
    brand = TextField(max_length=200, required=False, allow_blank=True)
    serving_label = TextField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text='The household measure: "1 bar", "2 tbsp".',
    )
    serving_grams = amount_field(
        minimum="0.1",
        maximum=limits.MAX_GRAMS,
        help_text=f"What a serving weighs, 0.1 to {limits.MAX_GRAMS} g.",
    )
    magnesium_mg = DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=limits.MAX_ELEMENTAL_MG,
        required=False,
        allow_null=True,
        help_text=f"Magnesium in a serving, 0 to {limits.MAX_ELEMENTAL_MG} mg (or give magnesium_percent_dv, "
        "not both); at most 10,000 mg per 100 g.",
    )
    magnesium_percent_dv = DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(476),
        required=False,
        allow_null=True,
        write_only=True,
        help_text="Magnesium in a serving as % Daily Value, 0 to 476 (100 % = 420 mg on current US labels).",
    )
    barcode = serializers.RegexField(
        BARCODE_PATTERN,
        max_length=14,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="EAN-8, UPC-A, EAN-13 or GTIN-14 digits, with a right check digit.",
    )

    class Meta(FoodSerializer.Meta):
        fields = [
            *FoodSerializer.Meta.fields,
            "serving_label",
            "serving_grams",
            "magnesium_mg",
            "magnesium_percent_dv",
            "barcode",
            "retired",
        ]
        read_only_fields = [name for name in FoodSerializer.Meta.fields if name not in ("name", "brand")] + [
            "retired"
        ]

    def to_representation(self, food):
        data = dict(FoodSerializer(food, context=self.context).data)
        data["retired"] = food.retired
        serving = food.portions.all()[0] if food.portions.all() else None
        data["serving_label"] = serving.label if serving else None
        data["serving_grams"] = serving.grams if serving else None
        data["magnesium_mg"] = round_mg(food.magnesium_mg_in(serving.grams)) if serving else None
        return data


class BarcodeResultSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The code as asked.")
    gtin = serializers.CharField(help_text="The same code as a 14-digit GTIN.")
    status = serializers.ChoiceField(choices=["found", "no_magnesium_data", "not_found"])
    source = serializers.ChoiceField(choices=["local", "open_food_facts"], allow_null=True)
    food = FoodSerializer(allow_null=True)
    product = serializers.DictField(
        allow_null=True, help_text="Name and brand of a product without magnesium data."
    )
    detail = serializers.CharField()


class SupplementFormSerializer(serializers.ModelSerializer):
    elemental_fraction = DecimalField(max_digits=5, decimal_places=4, coerce_to_string=False)

    class Meta:
        model = SupplementForm
        fields = [
            "id",
            "name",
            "route",
            "elemental_fraction",
            "bioavailability",
            "best_for",
            "side_effects",
            "source",
        ]


class FoodQuerySerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=200)
    category = serializers.ChoiceField(choices=FoodCategory.choices, required=False)


# The user whose request is being validated (api.views.validating_for): another user's own food, or a
# portion of it, is then an id that does not exist, in the same words.
VIEWER: ContextVar = ContextVar("viewer", default=None)


@extend_schema_field(ID_SCHEMA)
class CatalogueRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key to the catalogue, read through the per-process catalogue rows (no query when the
    row was read before in this catalogue version). Another user's own food or portion is refused as
    an unknown id."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError, OverflowError):  # 1e400 is inf: no int
            self.fail("incorrect_type", data_type=type(data).__name__)
        if str(pk) != str(data).strip() or not -(2**63) <= pk < 2**63:
            self.fail("incorrect_type", data_type=type(data).__name__)
        row = catalogue_row(self.queryset.model, pk)
        if row is None or not _visible(row, VIEWER.get()):
            self.fail("does_not_exist", pk_value=data)
        return row


def _visible(row, viewer) -> bool:
    owner = getattr(row, "owner_id", None)
    if owner is None and isinstance(row, Portion):
        owner = row.food.owner_id
    return owner is None or viewer is None or owner == viewer.pk


# --- Logging --------------------------------------------------------------------------------------------


class MealTotalsSerializer(serializers.Serializer):
    breakfast = DecimalField(**MG)
    lunch = DecimalField(**MG)
    dinner = DecimalField(**MG)
    snack = DecimalField(**MG)


class DaySummarySerializer(serializers.Serializer):
    date = serializers.DateField()
    food_mg = DecimalField(**MG)
    supplement_mg = DecimalField(**MG)
    total_mg = DecimalField(**MG)
    target_mg = serializers.IntegerField()
    target_label = serializers.CharField()
    percent_of_target = DecimalField(max_digits=8, decimal_places=1, coerce_to_string=False)
    remaining_mg = DecimalField(**MG)
    supplement_upper_limit_mg = serializers.IntegerField(allow_null=True)
    supplement_over_limit = serializers.BooleanField()
    meals = MealTotalsSerializer(help_text="Food mg per meal slot (supplements are apart).")
    logged = serializers.BooleanField(help_text="Whether anything was logged on the day.")
    topical_mg = DecimalField(
        **MG,
        help_text="On the skin: shown apart, not in the total nor the limit (absorption not established).",
    )
    intravenous_mg = DecimalField(
        **MG, help_text="Hospital records: shown apart, not in the total nor the limit for supplements."
    )


class IntakeEntrySerializer(serializers.Serializer):
    """A plain Serializer with every field declared: a ModelSerializer would introspect the model on
    every request of the hottest write."""

    id = UUIDField(required=False, help_text="Optional client-chosen UUID; a replay is stored once.")
    food = CatalogueRelatedField(queryset=Food.objects.all())
    portion = CatalogueRelatedField(queryset=Portion.objects.all(), required=False, allow_null=True)
    quantity = amount_field(
        minimum="0.001",
        maximum=limits.MAX_QUANTITY,
        places=3,
        required=False,
        allow_null=True,
        help_text=f"Number of portions, 0.001 to {limits.MAX_QUANTITY} (rounded to 3 decimals); default 1. "
        "The amount must weigh at least 0.01 g.",
    )
    grams = amount_field(
        minimum="0.01",
        maximum=limits.MAX_GRAMS,
        required=False,
        allow_null=True,
        help_text=f"Weight eaten instead of a portion, 0.01 to {limits.MAX_GRAMS} g (rounded to 0.01 g).",
    )
    consumed_at = DateTimeField(required=False, help_text="ISO 8601 with offset; default now.")
    meal = serializers.ChoiceField(
        choices=Meal.choices,
        required=False,
        help_text="breakfast, lunch, dinner or snack; default from the local time of day.",
    )
    note = TextField(required=False, allow_blank=True, max_length=500)
    food_name = serializers.CharField(source="food.name", read_only=True)
    portion_label = serializers.CharField(
        source="portion.label", read_only=True, allow_null=True, default=None
    )
    magnesium_mg = DecimalField(read_only=True, **MG)
    local_date = serializers.DateField(read_only=True)
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)


def change_of(serializer_class):
    """The request of a change (PUT, PATCH) to an entry: the same fields, but the id is the URL's and
    read-only, as the schema then says."""
    name = serializer_class.__name__.removesuffix("Serializer") + "ChangeSerializer"
    return type(name, (serializer_class,), {"id": UUIDField(read_only=True)})


class IntakeCreatedSerializer(IntakeEntrySerializer):
    day = DaySummarySerializer(read_only=True, help_text="The entry's local day after the change.")


class SupplementDoseSerializer(serializers.Serializer):
    id = UUIDField(required=False, help_text="Optional client-chosen UUID; a replay is stored once.")
    form = CatalogueRelatedField(queryset=SupplementForm.objects.all())
    elemental_mg = amount_field(
        minimum="0.01",
        maximum=limits.MAX_ELEMENTAL_MG,
        required=False,
        allow_null=True,
        help_text=f"Elemental magnesium from the label, 0.01 to {limits.MAX_ELEMENTAL_MG} mg.",
    )
    compound_mg = amount_field(
        minimum="0.01",
        maximum=limits.MAX_COMPOUND_MG,
        required=False,
        allow_null=True,
        help_text=f"Compound weight instead, 0.01 to {limits.MAX_COMPOUND_MG} mg; the elemental mg is "
        "computed from the form's fraction (it must come to at least 0.01 mg). Both only when they agree "
        "with the form's fraction (within 5 % or 1 mg).",
    )
    taken_at = DateTimeField(required=False, help_text="ISO 8601 with offset; default now.")
    note = TextField(required=False, allow_blank=True, max_length=500)
    form_name = serializers.CharField(source="form.name", read_only=True)
    route = serializers.CharField(
        source="form.route", read_only=True, help_text="oral counts; topical and intravenous are shown apart."
    )
    local_date = serializers.DateField(read_only=True)
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)


class AdviceSerializer(serializers.Serializer):
    code = serializers.CharField()
    level = serializers.ChoiceField(choices=["info", "caution", "warning"])
    message = serializers.CharField()
    source = serializers.CharField()


class DoseCreatedSerializer(SupplementDoseSerializer):
    day = DaySummarySerializer(read_only=True, help_text="The entry's local day after the change.")
    advice = AdviceSerializer(
        many=True,
        read_only=True,
        help_text="The dose's elemental amount, absorption, laxative effect, the limit, and its spacing "
        "from the user's interacting medicines.",
    )
    disclaimer = serializers.CharField(read_only=True)


class DateRangeQuerySerializer(serializers.Serializer):
    start = BoundedDateField(required=False, help_text="First local date, inclusive.")
    end = BoundedDateField(required=False, help_text="Last local date, inclusive.")

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "The end date is before the start date."})
        return attrs


# --- Several entries at once: batches, saved meals, recipes, copies ------------------------------------


class BatchIntakeSerializer(IntakeEntrySerializer):
    type = serializers.ChoiceField(choices=["intake"])
    id = UUIDField(help_text="The entry's client-chosen UUID, required in a batch: a replay is stored once.")


class BatchDoseSerializer(SupplementDoseSerializer):
    type = serializers.ChoiceField(choices=["supplement_dose"])
    id = UUIDField(help_text="The dose's client-chosen UUID, required in a batch: a replay is stored once.")


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="BatchEntry",
        serializers={"intake": BatchIntakeSerializer, "supplement_dose": BatchDoseSerializer},
        resource_type_field_name="type",
        many=True,
    )
)
class BatchEntriesField(serializers.ListField):
    """Each entry is validated by its own type's serializer in the view (api/views.py)."""


class BatchSerializer(serializers.Serializer):
    entries = BatchEntriesField(
        child=serializers.DictField(),
        min_length=1,
        max_length=100,
        help_text='Each an intake or a supplement dose as their endpoints take them, plus "type" '
        '("intake" or "supplement_dose") and, for an idempotent replay, its own "id".',
    )


class BatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Entries stored by this request.")
    replayed = serializers.IntegerField(help_text="Entries that were already stored (a replay).")
    intakes = IntakeEntrySerializer(many=True)
    supplement_doses = SupplementDoseSerializer(many=True)
    days = DaySummarySerializer(many=True, help_text="Every local day the batch touched, after it.")


class SavedMealItemSerializer(serializers.Serializer):
    food = CatalogueRelatedField(queryset=Food.objects.all())
    portion = CatalogueRelatedField(queryset=Portion.objects.all(), required=False, allow_null=True)
    quantity = amount_field(
        minimum="0.001", maximum=limits.MAX_QUANTITY, places=3, required=False, allow_null=True
    )
    grams = amount_field(minimum="0.01", maximum=limits.MAX_GRAMS, required=False, allow_null=True)
    food_name = serializers.CharField(source="food.name", read_only=True)
    portion_label = serializers.CharField(
        source="portion.label", read_only=True, allow_null=True, default=None
    )
    magnesium_mg = serializers.SerializerMethodField()

    def get_magnesium_mg(self, item) -> float:
        from tracker.services.meals import _item_mg

        return float(_item_mg(item))


class SavedMealSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = TextField(max_length=200)
    kind = serializers.ChoiceField(
        choices=MealKind.choices,
        required=False,
        default=MealKind.MEAL,
        help_text="meal: logs one entry per food; recipe: logs servings of one food made of them.",
    )
    servings = amount_field(
        minimum="0.01", maximum=100, required=False, help_text="A recipe's servings, 0.01 to 100 (a meal: 1)."
    )
    items = SavedMealItemSerializer(many=True, required=False, min_length=1, max_length=50)
    from_entries = serializers.ListField(
        child=UUIDField(),
        required=False,
        write_only=True,
        max_length=50,
        help_text="Instead of items: the ids of logged food entries to save as this meal.",
    )
    magnesium_mg = serializers.SerializerMethodField(help_text="The whole meal (a recipe: every serving).")
    magnesium_mg_per_serving = serializers.SerializerMethodField()
    food = serializers.IntegerField(
        source="food_id", read_only=True, allow_null=True, help_text="A recipe's own food, to log or search."
    )
    created_at = DateTimeField(read_only=True)

    def get_magnesium_mg(self, meal) -> float:
        from tracker.services import saved_meal_magnesium

        return float(saved_meal_magnesium(meal))

    def get_magnesium_mg_per_serving(self, meal) -> float:
        from tracker.services.meals import recipe_serving_mg

        return float(recipe_serving_mg(meal))


class SavedMealLogSerializer(serializers.Serializer):
    id = UUIDField(required=False, help_text="Client id of this logging: a replay stores nothing.")
    consumed_at = DateTimeField(required=False, help_text="Default now.")
    meal = serializers.ChoiceField(choices=Meal.choices, required=False, help_text="Default from the time.")
    servings = amount_field(
        minimum="0.001",
        maximum=limits.MAX_QUANTITY,
        places=3,
        required=False,
        help_text=f"A recipe: servings eaten, 0.001 to {limits.MAX_QUANTITY}.",
    )


class LogAgainSerializer(serializers.Serializer):
    id = UUIDField(required=False, help_text="Client id of the new entry.")
    consumed_at = DateTimeField(required=False, help_text="Default now.")
    meal = serializers.ChoiceField(choices=Meal.choices, required=False)


class MealCopySerializer(serializers.Serializer):
    from_date = BoundedDateField(help_text="The local day to copy from (yesterday, say).")
    meal = serializers.ChoiceField(choices=Meal.choices)
    to_date = BoundedDateField(required=False, help_text="Default today.")
    id = UUIDField(required=False, help_text="Client id of this copy: a replay stores nothing.")


class EntriesResultSerializer(serializers.Serializer):
    entries = IntakeEntrySerializer(many=True)
    day = DaySummarySerializer()


# --- Summaries ------------------------------------------------------------------------------------------


class WeekDaySerializer(DaySummarySerializer):
    no_data = serializers.BooleanField(help_text="Before the account existed and nothing logged.")


class WeekSummarySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = WeekDaySerializer(many=True)
    average_mg = DecimalField(**MG, help_text="Over the days with data.")
    days_with_data = serializers.IntegerField()
    days_target_met = serializers.IntegerField()
    days_over_limit = serializers.IntegerField(
        help_text="Days with data whose oral supplements passed the upper limit for supplements."
    )
    target_mg = serializers.IntegerField(help_text="The target on the last day (for the chart's line).")


class PeriodDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    food_mg = DecimalField(**MG)
    supplement_mg = DecimalField(**MG)
    total_mg = DecimalField(**MG)
    target_mg = serializers.IntegerField()
    no_data = serializers.BooleanField()
    supplement_over_limit = serializers.BooleanField(
        help_text="Oral supplements passed the upper limit for supplements on the day."
    )
    rolling_7_day_mg = DecimalField(
        **MG, allow_null=True, help_text="Mean of this day and the 6 before, days with data only."
    )


class TopFoodSerializer(serializers.Serializer):
    food = serializers.IntegerField()
    name = serializers.CharField()
    magnesium_mg = DecimalField(**MG)
    share_of_food_percent = DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False, allow_null=True
    )


class PeriodSummarySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = PeriodDaySerializer(many=True)
    days_with_data = serializers.IntegerField()
    average_mg = DecimalField(**MG, allow_null=True)
    days_target_met = serializers.IntegerField()
    days_over_limit = serializers.IntegerField(
        help_text="Days with data whose oral supplements passed the upper limit for supplements."
    )
    target_mg = serializers.IntegerField()
    top_foods = TopFoodSerializer(many=True)


class PeriodQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=7, max_value=366, required=False, default=30)
    end = BoundedDateField(required=False, help_text="Last local date; default today.")


class DayQuerySerializer(serializers.Serializer):
    date = BoundedDateField(required=False, help_text="Local date; default today in the user's zone.")


class WeekQuerySerializer(serializers.Serializer):
    end = BoundedDateField(required=False, help_text="Last local date of the week; default today.")


class ExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["json", "csv"], required=False, default="json")


# --- Reminders and push -----------------------------------------------------------------------------------


class ReminderSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=ReminderKind.choices)
    local_time = ClockTimeField(help_text="On the user's own clock, e.g. 08:00.")
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        source="weekday_list",
        required=False,
        min_length=1,
        max_length=7,
        help_text="0 = Monday … 6 = Sunday; default every day.",
    )
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices),
        required=False,
        min_length=1,
        max_length=2,
        help_text="web_push and/or email; default both. Email is also the fallback when no browser is reached.",
    )
    enabled = BooleanField(required=False, default=True)
    next_fire_at = DateTimeField(read_only=True, allow_null=True)
    created_at = DateTimeField(read_only=True)
    spacing = serializers.SerializerMethodField(
        help_text="For a supplement reminder: its time against the user's interacting medicines [ODS]."
    )

    @extend_schema_field(AdviceSerializer(many=True))
    def get_spacing(self, reminder) -> list:
        from tracker.services import guidance

        if reminder.kind != ReminderKind.TAKE_SUPPLEMENT:
            return []
        profile = self.context.get("profile") or reminder.user.profile
        return guidance.supplement_time_conflicts(profile=profile, at=reminder.local_time)


class DeliverySerializer(serializers.Serializer):
    id = UUIDField(read_only=True)
    reminder = serializers.IntegerField(source="reminder_id", read_only=True)
    kind = serializers.CharField(source="reminder.kind", read_only=True)
    local_date = serializers.DateField(read_only=True)
    slot = serializers.CharField(read_only=True)
    scheduled_for = DateTimeField(read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    reason = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    channels = serializers.SerializerMethodField()
    attempts = serializers.IntegerField(read_only=True)
    finished_at = DateTimeField(read_only=True, allow_null=True)

    def get_channels(self, delivery) -> dict[str, str]:
        results = delivery.channel_results or {}
        return {name: str(results[name]) for name in ("web_push", "email") if name in results}


def _b64url_bytes(value: str) -> bytes | None:
    import base64
    import binascii

    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


# An https URL with a host name, as URLValidator and the push check take it (the host must also be a
# known push service, PUSH_SERVICE_HOSTS: the server's configuration, not the schema's).
PUSH_ENDPOINT_PATTERN = r"^https://[A-Za-z0-9.-]+(:[0-9]{1,4})?/[!-~]*$"


@extend_schema_field({"type": "string", "pattern": PUSH_ENDPOINT_PATTERN, "maxLength": 2000})
class PushEndpointField(serializers.CharField):
    """A push service's https URL, as the browser's subscription gives it. What is wrong with an address
    is said in words (not a push service, an IP address, …) before its spelling is checked."""

    def __init__(self, **kwargs):
        super().__init__(max_length=2000, **kwargs)

    def to_internal_value(self, data):
        from urllib.parse import urlsplit

        from tracker.reminders.push import endpoint_problem, loopback_allowed

        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        problem = endpoint_problem(value)
        if problem:
            raise serializers.ValidationError(f"Not a push service's address: {problem}.")
        # a local push service over http is allowed only where PUSH_ALLOW_LOOPBACK_HTTP says so (tests)
        if not re.fullmatch(PUSH_ENDPOINT_PATTERN, value) and not loopback_allowed(
            urlsplit(value).hostname or ""
        ):
            raise serializers.ValidationError("Not a push endpoint: an https URL of a push service.")
        return value


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.RegexField(
        r"^B[A-Za-z0-9_-]{86}=?$", help_text="The browser's P-256 public key: 65 bytes, base64url."
    )
    auth = serializers.RegexField(
        r"^[A-Za-z0-9_-]{21}[AQgw](==)?$", help_text="The browser's auth secret: 16 bytes, base64url."
    )

    def validate_p256dh(self, value: str) -> str:
        """The browser's public key: a P-256 point, or no message could ever be encrypted for it."""
        from cryptography.hazmat.primitives.asymmetric import ec

        raw = _b64url_bytes(value)
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw or b"")
        except ValueError as exc:
            raise serializers.ValidationError("Not a P-256 public key (base64url).") from exc
        return value

    def validate_auth(self, value: str) -> str:
        if len(_b64url_bytes(value) or b"") != 16:
            raise serializers.ValidationError("The auth secret is 16 bytes, base64url.")
        return value


class PushSubscriptionSerializer(serializers.Serializer):
    """The shape of the browser's PushSubscription.toJSON()."""

    endpoint = PushEndpointField()
    keys = PushKeysSerializer()
    expirationTime = serializers.IntegerField(required=False, allow_null=True)  # noqa: N815 - browser's name


class PushEndpointSerializer(serializers.Serializer):
    endpoint = serializers.RegexField(r"^https?://[!-~]+$", max_length=2000)


class PublicKeySerializer(serializers.Serializer):
    public_key = serializers.CharField(help_text="The VAPID applicationServerKey, base64url.")
