"""Field types shared by every resource: what a client sends must be what it means, and the schema
states each limit (a minimum, a maximum, a pattern)."""

import re
from contextvars import ContextVar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from foods.catalogue_cache import catalogue_row, owner_of
from tracker import limits

MG = {"max_digits": 9, "decimal_places": 2, "coerce_to_string": False}


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


# The user whose request is being validated (api.base.validating_for): another user's own food, or a
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
    owner = owner_of(row)
    return owner is None or viewer is None or owner == viewer.pk


def change_of(serializer_class):
    """The request of a change (PUT, PATCH) to an entry: the same fields, but the id is the URL's and
    read-only, as the schema then says."""
    name = serializer_class.__name__.removesuffix("Serializer") + "ChangeSerializer"
    return type(name, (serializer_class,), {"id": UUIDField(read_only=True)})
