"""Serum magnesium results, flagged against the report's range (or the ODS range), in every unit."""

from drf_spectacular.utils import (
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from api.fields import (
    BoundedDateField,
    DateTimeField,
    TextField,
    amount_field,
)
from tracker import limits
from tracker.guidance import DISCLAIMER, labs
from tracker.models import LabResult
from tracker.services import guidance


class LabResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    taken_on = BoundedDateField()
    value = amount_field(
        minimum="0.001",
        maximum=limits.MAX_LAB_VALUE,
        places=3,
        help_text=f"As printed on the report: more than 0, at most {limits.MAX_LAB_VALUE} (3 decimals).",
    )
    unit = serializers.ChoiceField(choices=labs.UNITS)
    range_low = amount_field(
        minimum="0.001",
        maximum=limits.MAX_LAB_VALUE,
        places=3,
        required=False,
        allow_null=True,
        help_text="The low end of the range printed on the report, in the same unit (optional; with "
        "range_high, below it).",
    )
    range_high = amount_field(
        minimum="0.001", maximum=limits.MAX_LAB_VALUE, places=3, required=False, allow_null=True
    )
    note = TextField(required=False, allow_blank=True, max_length=500)
    flag = serializers.SerializerMethodField()
    values = serializers.SerializerMethodField(help_text="The result in mg/dL, mmol/L and mEq/L.")
    range_used = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    caveat = serializers.SerializerMethodField()
    disclaimer = serializers.SerializerMethodField()
    created_at = DateTimeField(read_only=True)

    def _reading(self, lab) -> labs.Reading:
        cache = self.context.setdefault("_readings", {})
        if lab.pk not in cache:
            cache[lab.pk] = guidance.lab_reading(lab)
        return cache[lab.pk]

    def get_flag(self, lab) -> str:
        return self._reading(lab).flag

    @extend_schema_field(
        inline_serializer(
            "LabValues",
            {code: serializers.DecimalField(max_digits=9, decimal_places=3) for code, _ in labs.UNITS},
        )
    )
    def get_values(self, lab) -> dict:
        return self._reading(lab).values

    @extend_schema_field(
        inline_serializer(
            "LabRange",
            {
                "low": serializers.DecimalField(max_digits=9, decimal_places=3),
                "high": serializers.DecimalField(max_digits=9, decimal_places=3),
                "unit": serializers.CharField(),
                "source": serializers.CharField(),
            },
        )
    )
    def get_range_used(self, lab) -> dict:
        reading = self._reading(lab)
        return {
            "low": labs.range_shown(reading.range_low, lab.unit, reported=lab.range_low is not None),
            "high": labs.range_shown(
                reading.range_high, lab.unit, reported=lab.range_low is not None, high=True
            ),
            "unit": lab.unit,
            "source": reading.range_source,
        }

    def get_message(self, lab) -> str:
        return self._reading(lab).message

    def get_caveat(self, lab) -> str:
        return labs.CAVEAT

    def get_disclaimer(self, lab) -> str:
        return DISCLAIMER


class LabResultViewSet(viewsets.ModelViewSet):
    """Serum magnesium results, flagged against the report's range (or the ODS range), in every unit."""

    serializer_class = LabResultSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LabResult.objects.none()
        return LabResult.objects.filter(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = LabResultSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lab = guidance.lab_create(user=request.user, **serializer.validated_data)
        return Response(LabResultSerializer(lab).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        lab = self.get_object()
        serializer = LabResultSerializer(lab, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        return Response(LabResultSerializer(guidance.lab_update(lab=lab, **serializer.validated_data)).data)
