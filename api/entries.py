"""Logging: food entries and supplement doses (idempotent by client id), log again, copy a meal, and
batches of entries (the offline outbox)."""

from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import (
    DateRangeQuerySerializer,
    DaySummarySerializer,
    OwnedViewSet,
    day_json,
    day_status,
    validating_for,
)
from api.fields import (
    MG,
    BoundedDateField,
    CatalogueRelatedField,
    DateTimeField,
    DecimalField,
    TextField,
    UUIDField,
    amount_field,
    change_of,
)
from api.schema import CONFLICT
from foods.models import Food, Portion, SupplementForm
from tracker import limits, services
from tracker.guidance import DISCLAIMER
from tracker.models import IntakeEntry, Meal, SupplementDose
from tracker.services import guidance as guidance_services


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
    """Each entry is validated by its own type's serializer in the view (EntryBatchView below)."""


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


@extend_schema_view(
    list=extend_schema(parameters=[DateRangeQuerySerializer], summary="List food entries"),
    create=extend_schema(
        request=IntakeEntrySerializer,
        responses={201: IntakeCreatedSerializer, 200: IntakeCreatedSerializer, 409: CONFLICT},
        summary="Log a food (replaying a client id returns the stored entry with 200)",
    ),
    update=extend_schema(request=change_of(IntakeEntrySerializer), responses=IntakeCreatedSerializer),
    partial_update=extend_schema(request=change_of(IntakeEntrySerializer), responses=IntakeCreatedSerializer),
)
class IntakeViewSet(OwnedViewSet):
    serializer_class = IntakeEntrySerializer
    model = IntakeEntry
    related = ("food", "portion")

    def create(self, request, *args, **kwargs):
        data = self._validated_new(request.data)
        entry, created = services.intake_create(
            user=request.user,
            food=data["food"],
            portion=data.get("portion"),
            quantity=data.get("quantity"),
            grams=data.get("grams"),
            consumed_at=data.get("consumed_at"),
            meal=data.get("meal"),
            note=data.get("note", ""),
            id=data.get("id"),
        )
        return self._respond(entry, IntakeCreatedSerializer, status.HTTP_201_CREATED if created else 200)

    @extend_schema(
        request=LogAgainSerializer,
        responses={201: IntakeCreatedSerializer, 200: IntakeCreatedSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="log-again")
    def log_again(self, request, pk=None):
        """The same food and amount as this entry, now (or at `consumed_at`)."""
        source = self.get_object()
        data = self._validated(LogAgainSerializer(data=request.data))
        entry, created = services.entry_log_again(
            entry=source, id=data.get("id"), consumed_at=data.get("consumed_at"), slot=data.get("meal")
        )
        return self._respond(entry, IntakeCreatedSerializer, status.HTTP_201_CREATED if created else 200)

    @extend_schema(
        request=MealCopySerializer,
        responses={201: EntriesResultSerializer, 200: EntriesResultSerializer, 409: CONFLICT},
    )
    @action(detail=False, methods=["post"], url_path="copy-meal")
    def copy_meal(self, request):
        """Copy one meal of a day ("yesterday's breakfast") to today (or `to_date`), each entry at the
        same local time of day. Send an `id` to make a retry store nothing new."""
        data = self._validated(MealCopySerializer(data=request.data))
        entries, created = services.meal_copy(
            user=request.user,
            from_date=data["from_date"],
            slot=data["meal"],
            to_date=data.get("to_date"),
            id=data.get("id"),
        )
        return entries_response(request.user, entries, created)

    def _update(self, request, partial):
        entry, changes = self._changes(request, partial)
        entry = services.intake_update(entry=entry, **changes)
        return self._respond(entry, IntakeCreatedSerializer)


@extend_schema_view(
    list=extend_schema(parameters=[DateRangeQuerySerializer], summary="List supplement doses"),
    create=extend_schema(
        request=SupplementDoseSerializer,
        responses={201: DoseCreatedSerializer, 200: DoseCreatedSerializer, 409: CONFLICT},
        summary="Log a supplement; `day.supplement_over_limit` tells whether the day passed the upper limit",
    ),
    update=extend_schema(request=change_of(SupplementDoseSerializer), responses=DoseCreatedSerializer),
    partial_update=extend_schema(
        request=change_of(SupplementDoseSerializer), responses=DoseCreatedSerializer
    ),
)
class SupplementDoseViewSet(OwnedViewSet):
    serializer_class = SupplementDoseSerializer
    model = SupplementDose
    related = ("form",)

    def _annotate(self, dose) -> None:
        profile = services.profile_get(user=self.request.user)
        dose.advice = guidance_services.dose_advice(dose=dose, day=dose.day, profile=profile)
        dose.disclaimer = DISCLAIMER

    def create(self, request, *args, **kwargs):
        data = self._validated_new(request.data)
        dose, created = services.dose_create(
            user=request.user,
            form=data["form"],
            elemental_mg=data.get("elemental_mg"),
            compound_mg=data.get("compound_mg"),
            taken_at=data.get("taken_at"),
            note=data.get("note", ""),
            id=data.get("id"),
        )
        return self._respond(dose, DoseCreatedSerializer, status.HTTP_201_CREATED if created else 200)

    def _update(self, request, partial):
        dose, changes = self._changes(request, partial)
        dose = services.dose_update(dose=dose, **changes)
        return self._respond(dose, DoseCreatedSerializer)


def entries_response(user, entries, created: bool) -> Response:
    day = day_status(user, entries[0].local_date)
    body = {"entries": IntakeEntrySerializer(entries, many=True).data, "day": day_json(day)}
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _batch_error(errors: dict, detail: str, code=status.HTTP_400_BAD_REQUEST) -> Response:
    """Per entry, by position ("0" is the first), and a sentence naming the first bad one."""
    return Response({"entries": errors, "detail": [detail]}, status=code)


BATCH_ERROR = inline_serializer(
    "BatchError",
    {
        "entries": drf_serializers.DictField(
            help_text='Per entry in error, by position ("0" is the first): its messages per field.'
        ),
        "detail": drf_serializers.ListField(
            child=drf_serializers.CharField(), help_text="The first bad entry, in words."
        ),
    },
)


class EntryBatchView(APIView):
    """Several food entries and supplement doses in one request: all stored, or none."""

    @extend_schema(
        request=BatchSerializer,
        responses={
            201: BatchResultSerializer,
            200: BatchResultSerializer,
            400: BATCH_ERROR,
            409: OpenApiResponse(
                response=BATCH_ERROR, description="An entry's id is already used by another entry."
            ),
        },
    )
    def post(self, request):
        """Store every entry or none. Each entry carries its own client `id` (required): replaying the
        batch returns 200 and stores nothing new. A bad entry is a 400 naming its position and id."""
        batch = BatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        entries, errors = [], {}
        with validating_for(request.user):
            for position, raw in enumerate(batch.validated_data["entries"]):
                kind = raw.get("type")
                if kind not in (services.INTAKE, services.DOSE):
                    errors[str(position)] = {"type": ['Give "type": "intake" or "supplement_dose".']}
                    continue
                serializer_class = (
                    IntakeEntrySerializer if kind == services.INTAKE else SupplementDoseSerializer
                )
                item = serializer_class(data={k: v for k, v in raw.items() if k != "type"})
                if not item.is_valid():
                    errors[str(position)] = item.errors
                    continue
                if item.validated_data.get("id") is None:
                    errors[str(position)] = {"id": [services.BATCH_ID_REQUIRED]}
                    continue
                entries.append((kind, dict(item.validated_data)))
        if errors:
            first = min(errors, key=int)
            entry_id = batch.validated_data["entries"][int(first)].get("id")
            where = f"entry {int(first) + 1}" + (f" (id {entry_id})" if isinstance(entry_id, str) else "")
            return _batch_error(errors, f"{where} is invalid: nothing was stored.")
        try:
            results = services.entries_create_batch(user=request.user, entries=entries)
        except services.BatchInvalid as exc:
            return _batch_error({str(exc.position): exc.errors}, str(exc))
        except services.BatchConflict as exc:
            return _batch_error({str(exc.position): {"id": [str(exc)]}}, str(exc), status.HTTP_409_CONFLICT)
        created = sum(1 for _, _, was_created in results if was_created)
        intakes = [row for kind, row, _ in results if kind == services.INTAKE]
        doses = [row for kind, row, _ in results if kind == services.DOSE]
        dates = sorted({row.local_date for _, row, _ in results})
        profile = services.profile_get(user=request.user)
        days = services.daily_summaries(user=request.user, start=dates[0], end=dates[-1], profile=profile)
        body = {
            "created": created,
            "replayed": len(results) - created,
            "intakes": IntakeEntrySerializer(intakes, many=True).data,
            "supplement_doses": SupplementDoseSerializer(doses, many=True).data,
            "days": [day_json(day) for day in days if day.date in dates],
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
