"""What every resource shares: the owned-object viewset (a per-user log), date ranges, the validation
context (the user's zone, one catalogue version, the viewer), the day's summary shape, and the
bound-serializer helpers of the hottest paths."""

from contextlib import contextmanager
from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.serializer_helpers import ReturnDict

from api.fields import MG, VIEWER, BoundedDateField, DecimalField
from foods.catalogue_cache import one_catalogue_version
from tracker import services

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
    complete = serializers.BooleanField(
        help_text="The user marked the day complete (everything eaten is logged): a low total is a low day."
    )


class DateRangeQuerySerializer(serializers.Serializer):
    start = BoundedDateField(required=False, help_text="First local date, inclusive.")
    end = BoundedDateField(required=False, help_text="Last local date, inclusive.")

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "The end date is before the start date."})
        return attrs


def day_status(user, local_date: date):
    return services.daily_summaries(user=user, start=local_date, end=local_date)[0]


def date_range(request):
    query = DateRangeQuerySerializer(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data.get("start"), query.validated_data.get("end")


@contextmanager
def validating_for(user):
    """Validate entries with the user's zone active (a time sent without an offset is their local
    time) and the catalogue version read once for the whole request."""
    viewer = VIEWER.set(user)
    try:
        with timezone.override(services.profile_get(user=user).zone), one_catalogue_version():
            yield
    finally:
        VIEWER.reset(viewer)


class OwnedViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """A per-user log: list by local date range, create (idempotent by client id), read, change, delete."""

    model = None
    related: tuple[str, ...] = ()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model.objects.none()
        rows = self.model.objects.filter(user=self.request.user).select_related(*self.related)
        if self.action == "list":
            start, end = date_range(self.request)
            if start:
                rows = rows.filter(local_date__gte=start)
            if end:
                rows = rows.filter(local_date__lte=end)
        return rows

    def _respond(self, row, serializer_class, code=status.HTTP_200_OK):
        if getattr(row, "day", None) is None:  # else read with the insert (services.intake_create)
            row.day = day_status(self.request.user, row.local_date)
        self._annotate(row)
        serializer = serializer_class(row, context=self.get_serializer_context())
        return Response(represent(serializer, day=day_json(row.day)), status=code)

    def _annotate(self, row) -> None:
        """Add what the answer shows beyond the row and its day."""

    def _validated(self, serializer):
        with validating_for(self.request.user):
            serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _validated_new(self, data) -> dict:
        """``_validated`` for a new entry, by the serializer class's bound instance (validated)."""
        with validating_for(self.request.user):
            return validated(self.get_serializer_class(), data)

    def _changes(self, request, partial):
        row = self.get_object()
        serializer = self.get_serializer(row, data=request.data, partial=partial)
        self._validated(serializer)
        changes = dict(serializer.validated_data)
        if changes.pop("id", row.pk) != row.pk:
            raise ValidationError({"id": ["The id of an entry cannot change."]})
        return row, changes

    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)


def day_json(summary: services.DaySummary) -> dict:
    """The DaySummarySerializer shape, built directly: summaries are the hottest reads of the app."""
    return {name: getattr(summary, name) for name in DaySummarySerializer._declared_fields}
