"""A day, a week and a period (30 or 90 days) of magnesium against the target."""

from datetime import timedelta
from decimal import Decimal

from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import DaySummarySerializer, day_json
from api.fields import MG, BoundedDateField, DecimalField
from foods.nutrition import round_mg
from tracker import services


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
    complete = serializers.BooleanField(help_text="Marked complete by the user (a day of zero counts then).")
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


class DailySummaryView(APIView):
    @extend_schema(parameters=[DayQuerySerializer], responses=DaySummarySerializer)
    def get(self, request):
        """One local day: food, supplements, total, target, remaining, and the supplement limit."""
        query = DayQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        profile = services.profile_get(user=request.user)
        day = query.validated_data.get("date") or services.local_today(profile=profile)
        summary = services.daily_summaries(user=request.user, start=day, end=day, profile=profile)[0]
        return Response(day_json(summary))


class WeeklySummaryView(APIView):
    @extend_schema(parameters=[WeekQuerySerializer], responses=WeekSummarySerializer)
    def get(self, request):
        """The seven local days ending at `end`, ascending, with the average and the days on target. A
        day with nothing logged has `no_data` and is left out of both."""
        query = WeekQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        profile = services.profile_get(user=request.user)
        end = query.validated_data.get("end") or services.local_today(profile=profile)
        days = services.daily_summaries(
            user=request.user, start=end - timedelta(days=6), end=end, profile=profile
        )
        counted = [d for d in days if services.has_data(d)]
        week = {
            "start": days[0].date,
            "end": days[-1].date,
            "days": [{**day_json(day), "no_data": not services.has_data(day)} for day in days],
            "average_mg": round_mg(sum((d.total_mg for d in counted), Decimal(0)) / len(counted))
            if counted
            else Decimal(0),
            "days_with_data": len(counted),
            "days_target_met": sum(1 for d in counted if d.total_mg >= d.target_mg),
            "days_over_limit": sum(1 for d in counted if d.supplement_over_limit),
            "target_mg": days[-1].target_mg,
        }
        return Response(week)


class PeriodSummaryView(APIView):
    @extend_schema(parameters=[PeriodQuerySerializer], responses=PeriodSummarySerializer)
    def get(self, request):
        """`days` local days ending at `end` (30 for a month, 90 for a trend): each day's food and
        supplements with a 7-day rolling average, the average, the days on target and the foods that
        gave the most. One request per chart; the query count does not grow with the range."""
        query = PeriodQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        profile = services.profile_get(user=request.user)
        end = query.validated_data.get("end") or services.local_today(profile=profile)
        return Response(
            services.period_summary(
                user=request.user, end=end, days=query.validated_data["days"], profile=profile
            )
        )
