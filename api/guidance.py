"""The guidance endpoints: symptom journal, red flags, daily context, lab results, insights, and the
fixed lists the app's forms choose from. Shapes here, rules in tracker/guidance/ (pure) and
tracker/services/guidance.py. Every answer that gives guidance carries the "not medical advice" line."""

from dataclasses import asdict

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import DateRangeQuerySerializer, OwnedViewSet, date_range, validating_for
from api.fields import (
    DATE_PATTERN,
    BooleanField,
    BoundedDateField,
    DateTimeField,
    DecimalField,
    TextField,
    UUIDField,
    WholeNumberField,
    amount_field,
    change_of,
)
from api.profile import RiskFactorSerializer
from api.schema import CONFLICT
from api.summaries import TopFoodSerializer
from tracker import limits, services
from tracker.guidance import DISCLAIMER, labs, medicines, red_flags, risk_factors, supplements
from tracker.models import DailyContext, LabResult, SymptomEntry
from tracker.services import guidance

# --- Shapes ----------------------------------------------------------------------------------------------


class RedFlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=red_flags.CODES)
    level = serializers.ChoiceField(choices=[red_flags.URGENT, red_flags.SEE_DOCTOR])
    title = serializers.CharField()
    message = serializers.CharField()
    source = serializers.CharField()
    evidence_at = DateTimeField(help_text="When the latest entry behind it was recorded.")


class RedFlagsSerializer(serializers.Serializer):
    red_flags = RedFlagSerializer(many=True, help_text="Urgent first. Empty: nothing to act on.")
    disclaimer = serializers.CharField()


class SymptomSerializer(serializers.Serializer):
    id = UUIDField(required=False, help_text="Optional client-chosen UUID; a replay is stored once.")
    kind = serializers.ChoiceField(choices=red_flags.SYMPTOM_KINDS)
    body_area = serializers.ChoiceField(choices=red_flags.BODY_AREAS, required=False, allow_blank=True)
    severity = WholeNumberField(min_value=1, max_value=5, help_text="1 mild … 5 severe.")
    duration_minutes = WholeNumberField(
        min_value=0, max_value=limits.MAX_SYMPTOM_MINUTES, required=False, allow_null=True
    )
    occurred_at = DateTimeField(required=False, help_text="ISO 8601 with offset; default now.")
    note = TextField(required=False, allow_blank=True, max_length=500)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    body_area_label = serializers.CharField(source="get_body_area_display", read_only=True)
    local_date = serializers.DateField(read_only=True)
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)


class SymptomSavedSerializer(SymptomSerializer):
    red_flags = RedFlagSerializer(many=True, read_only=True, help_text="Evaluated after this save.")
    disclaimer = serializers.CharField(read_only=True)


class DailyContextSerializer(serializers.Serializer):
    date = serializers.DateField(read_only=True)
    caffeine_drinks = WholeNumberField(min_value=0, max_value=30, required=False, allow_null=True)
    sleep_hours = DecimalField(
        max_digits=3,
        decimal_places=1,
        min_value=0,
        max_value=24,
        required=False,
        allow_null=True,
        coerce_to_string=False,
    )
    stress = WholeNumberField(
        min_value=1, max_value=5, required=False, allow_null=True, help_text="1 calm … 5 very stressed."
    )
    intense_exercise = BooleanField(required=False, allow_null=True)
    updated_at = DateTimeField(read_only=True, allow_null=True, help_text="null: nothing set that day.")


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


class SymptomComparisonSerializer(serializers.Serializer):
    low_days = serializers.IntegerField(help_text="Logged days under the target.")
    low_days_with_symptoms = serializers.IntegerField()
    low_rate_percent = DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False, allow_null=True)
    other_days = serializers.IntegerField(help_text="Logged days at or over the target.")
    other_days_with_symptoms = serializers.IntegerField()
    other_rate_percent = DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False, allow_null=True)
    summary = serializers.CharField(help_text="In words, without a causal claim.")


class ClosingFoodSerializer(serializers.Serializer):
    food = serializers.CharField()
    portion = serializers.CharField()
    count = serializers.IntegerField(help_text="Portions needed, 1 to 3.")
    magnesium_mg = serializers.IntegerField()
    text = serializers.CharField(help_text='"2 × 1 oz almonds (156 mg)"')


class InsightDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    logged = serializers.BooleanField()
    total_mg = DecimalField(max_digits=9, decimal_places=2, coerce_to_string=False)
    target_mg = serializers.IntegerField()
    supplement_over_limit = serializers.BooleanField(
        help_text="Oral supplements passed the upper limit for supplements on the day."
    )
    symptoms = serializers.BooleanField(help_text="At least one symptom recorded that day.")


class InsightsSerializer(serializers.Serializer):
    MG = {"max_digits": 9, "decimal_places": 2, "coerce_to_string": False, "allow_null": True}
    PERCENT = {"max_digits": 5, "decimal_places": 1, "coerce_to_string": False, "allow_null": True}

    weeks = serializers.IntegerField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True, help_text="Yesterday: today is not complete.")
    days_in_period = serializers.IntegerField()
    days_logged = serializers.IntegerField()
    average_mg = DecimalField(**MG)
    average_target_mg = DecimalField(**MG)
    average_percent_of_target = DecimalField(**PERCENT)
    days_on_target = serializers.IntegerField()
    supplement_share_percent = DecimalField(**PERCENT)
    usual_gap_mg = DecimalField(max_digits=9, decimal_places=2, coerce_to_string=False)
    symptoms = SymptomComparisonSerializer()
    top_foods = TopFoodSerializer(many=True)
    closing_foods = ClosingFoodSerializer(many=True)
    days = InsightDaySerializer(many=True)
    disclaimer = serializers.CharField()


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class MedicineInfoSerializer(ChoiceSerializer):
    examples = serializers.CharField()
    meaning = serializers.CharField()
    spacing = serializers.BooleanField(help_text="Whether a supplement's time is checked against it.")
    source = serializers.CharField()


class GuidanceSerializer(serializers.Serializer):
    disclaimer = serializers.CharField()
    symptom_kinds = ChoiceSerializer(many=True)
    body_areas = ChoiceSerializer(many=True)
    conditions = ChoiceSerializer(many=True)
    medicines = MedicineInfoSerializer(many=True)
    supplement_aims = ChoiceSerializer(many=True)
    lab_units = ChoiceSerializer(many=True)
    risk_factors = RiskFactorSerializer(many=True)
    red_flags = RedFlagSerializer(many=True)


class InsightsQuerySerializer(serializers.Serializer):
    weeks = serializers.IntegerField(
        min_value=1, max_value=limits.MAX_INSIGHT_WEEKS, required=False, default=4
    )


def _choices(pairs) -> list[dict]:
    return [{"value": value, "label": label} for value, label in pairs if value]


# --- Views -----------------------------------------------------------------------------------------------


def _flags_json(user) -> list[dict]:
    return [asdict(flag) for flag in guidance.active_red_flags(user=user)]


@extend_schema_view(
    list=extend_schema(parameters=[DateRangeQuerySerializer], summary="List symptoms"),
    create=extend_schema(
        request=SymptomSerializer,
        responses={201: SymptomSavedSerializer, 200: SymptomSavedSerializer, 409: CONFLICT},
        summary="Record a symptom; the answer carries the red flags evaluated after it",
    ),
    update=extend_schema(request=change_of(SymptomSerializer), responses=SymptomSavedSerializer),
    partial_update=extend_schema(request=change_of(SymptomSerializer), responses=SymptomSavedSerializer),
)
class SymptomViewSet(OwnedViewSet):
    """The symptom journal: twitching, cramps, numbness… with body area, severity and duration."""

    serializer_class = SymptomSerializer
    model = SymptomEntry

    def _saved(self, entry, code=status.HTTP_200_OK) -> Response:
        entry.red_flags = _flags_json(self.request.user)
        entry.disclaimer = DISCLAIMER
        return Response(SymptomSavedSerializer(entry).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = SymptomSerializer(data=request.data)
        with validating_for(request.user):
            serializer.is_valid(raise_exception=True)
        entry, created = guidance.symptom_create(user=request.user, **serializer.validated_data)
        return self._saved(entry, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _update(self, request, partial):
        entry, changes = self._changes(request, partial)
        return self._saved(guidance.symptom_update(entry=entry, **changes))


class RedFlagsView(APIView):
    @extend_schema(responses=RedFlagsSerializer)
    def get(self, request):
        """The red flags the symptom journal raises today, until dismissed."""
        return Response({"red_flags": _flags_json(request.user), "disclaimer": DISCLAIMER})


class DismissSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=red_flags.CODES)


class RedFlagDismissView(APIView):
    @extend_schema(request=DismissSerializer, responses=RedFlagsSerializer)
    def post(self, request):
        """Dismiss a red flag: hidden until a symptom recorded later raises it again. The code goes in
        the body, not the URL: access logs keep URLs, and which flag a user dismissed is health data."""
        body = DismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        guidance.red_flag_dismiss(user=request.user, code=body.validated_data["code"])
        return Response({"red_flags": _flags_json(request.user), "disclaimer": DISCLAIMER})


class DailyContextListView(APIView):
    @extend_schema(parameters=[DateRangeQuerySerializer], responses=DailyContextSerializer(many=True))
    def get(self, request):
        """Daily context (caffeine, sleep, stress, exercise) of a range of local days, newest first."""
        start, end = date_range(request)
        rows = DailyContext.objects.filter(user=request.user)
        if start:
            rows = rows.filter(date__gte=start)
        if end:
            rows = rows.filter(date__lte=end)
        return Response(DailyContextSerializer(rows[:400], many=True).data)


DAY_PARAMETER = OpenApiParameter(
    "day",
    {"type": "string", "format": "date", "pattern": DATE_PATTERN},
    OpenApiParameter.PATH,
    required=True,
    description="The local day, YYYY-MM-DD, from 1900 to 2200.",
)


@extend_schema_view(
    get=extend_schema(parameters=[DAY_PARAMETER]),
    put=extend_schema(parameters=[DAY_PARAMETER]),
    patch=extend_schema(parameters=[DAY_PARAMETER]),
)
class DailyContextView(APIView):
    def _day(self, value: str):
        field = BoundedDateField()
        try:
            return field.to_internal_value(value)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"date": exc.detail}) from None

    @extend_schema(responses=DailyContextSerializer)
    def get(self, request, day: str):
        """One local day's context; empty fields when nothing was set."""
        date = self._day(day)
        row = DailyContext.objects.filter(user=request.user, date=date).first()
        return Response(DailyContextSerializer(row or DailyContext(date=date)).data)

    @extend_schema(request=DailyContextSerializer, responses=DailyContextSerializer)
    def put(self, request, day: str):
        """Set some of a day's context; fields not sent are kept (null clears one)."""
        serializer = DailyContextSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = guidance.context_set(user=request.user, day=self._day(day), **serializer.validated_data)
        return Response(DailyContextSerializer(row).data)

    patch = put


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


class InsightsView(APIView):
    @extend_schema(
        parameters=[InsightsQuerySerializer],
        responses=InsightsSerializer,
    )
    def get(self, request):
        """Average intake against target, days on target, share from supplements, the foods that gave
        the most, symptom days on low-intake days against the others, and foods that would close the
        usual gap, over the complete days (up to yesterday) of the last `weeks` weeks."""
        query = InsightsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        return Response(guidance.insights_for(user=request.user, weeks=query.validated_data["weeks"]))


class GuidanceView(APIView):
    @extend_schema(responses=GuidanceSerializer)
    def get(self, request):
        """The fixed lists the app's forms choose from (symptoms, body areas, conditions, medicines,
        aims, lab units), with what each medicine means, and the user's risk factors and red flags."""
        profile = services.profile_get(user=request.user)
        return Response(
            {
                "disclaimer": DISCLAIMER,
                "symptom_kinds": _choices(red_flags.SYMPTOM_KINDS),
                "body_areas": _choices(red_flags.BODY_AREAS),
                "conditions": _choices(risk_factors.CONDITIONS),
                "medicines": [
                    {
                        "value": m.code,
                        "label": m.label,
                        "examples": m.examples,
                        "meaning": m.meaning,
                        "spacing": m.after_hours is not None,
                        "source": medicines.SOURCE,
                    }
                    for m in medicines.MEDICINES
                ],
                "supplement_aims": _choices(supplements.AIMS),
                "lab_units": _choices(labs.UNITS),
                "risk_factors": guidance.profile_risk_factors(profile),
                "red_flags": _flags_json(request.user),
            }
        )
