"""Guidance beside the log: the daily context (caffeine, sleep, stress, exercise), insights over
complete days, and the fixed lists the app's forms choose from. Shapes here, rules in
tracker/guidance/ (pure) and tracker/services/guidance.py. Every answer that gives guidance carries
the "not medical advice" line."""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import DateRangeQuerySerializer, date_range
from api.fields import (
    DATE_PATTERN,
    BooleanField,
    BoundedDateField,
    DateTimeField,
    DecimalField,
    WholeNumberField,
)
from api.profile import RiskFactorSerializer
from api.summaries import TopFoodSerializer
from api.symptoms import RedFlagSerializer, _flags_json
from tracker import limits, services
from tracker.guidance import DISCLAIMER, labs, medicines, red_flags, risk_factors, supplements
from tracker.models import DailyContext
from tracker.services import guidance


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
    completed_at = DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the day was marked complete (days/{date}/complete/); null: not marked.",
    )
    updated_at = DateTimeField(read_only=True, allow_null=True, help_text="null: nothing set that day.")


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
    logged = serializers.BooleanField(help_text="Counted in the insights (logged, or marked complete).")
    complete = serializers.BooleanField(help_text="Marked complete by the user.")
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
    complete_only = serializers.BooleanField(help_text="Only the days marked complete were counted.")
    days_complete = serializers.IntegerField(help_text="Days of the period marked complete.")
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
    complete_only = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Count only the days marked complete (a day not marked may be a forgotten one).",
    )


def _choices(pairs) -> list[dict]:
    return [{"value": value, "label": label} for value, label in pairs if value]


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


def path_day(value: str):
    """A local day from the URL, YYYY-MM-DD, or a 400 naming it."""
    try:
        return BoundedDateField().to_internal_value(value)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"date": exc.detail}) from None


@extend_schema_view(
    get=extend_schema(parameters=[DAY_PARAMETER]),
    put=extend_schema(parameters=[DAY_PARAMETER]),
    patch=extend_schema(parameters=[DAY_PARAMETER]),
)
class DailyContextView(APIView):
    @extend_schema(responses=DailyContextSerializer)
    def get(self, request, day: str):
        """One local day's context; empty fields when nothing was set."""
        date = path_day(day)
        row = DailyContext.objects.filter(user=request.user, date=date).first()
        return Response(DailyContextSerializer(row or DailyContext(date=date)).data)

    @extend_schema(request=DailyContextSerializer, responses=DailyContextSerializer)
    def put(self, request, day: str):
        """Set some of a day's context; fields not sent are kept (null clears one)."""
        serializer = DailyContextSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = guidance.context_set(user=request.user, day=path_day(day), **serializer.validated_data)
        return Response(DailyContextSerializer(row).data)

    patch = put


@extend_schema_view(
    put=extend_schema(parameters=[DAY_PARAMETER]),
    delete=extend_schema(parameters=[DAY_PARAMETER]),
)
class DayCompleteView(APIView):
    """ "I've logged everything today": a day marked complete counts in the summaries, charts and
    insights even with little logged (it is a low day, not a forgotten one), and its meal reminders
    are not sent."""

    @extend_schema(request=None, responses=DailyContextSerializer)
    def put(self, request, day: str):
        """Mark a local day complete (again: nothing changes). Not a day after today."""
        row = guidance.day_complete_set(user=request.user, day=path_day(day), complete=True)
        return Response(DailyContextSerializer(row).data)

    @extend_schema(request=None, responses={200: DailyContextSerializer})
    def delete(self, request, day: str):
        """Unmark a day (not marked: nothing changes)."""
        row = guidance.day_complete_set(user=request.user, day=path_day(day), complete=False)
        return Response(DailyContextSerializer(row).data)


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
        return Response(
            guidance.insights_for(
                user=request.user,
                weeks=query.validated_data["weeks"],
                complete_only=query.validated_data["complete_only"],
            )
        )


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
