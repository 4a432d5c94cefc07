"""The profile: sex, birth date, life stage, time zone, target, conditions and medicines; the
target, the limit and the risk factors it gives."""

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.fields import BooleanField, BoundedDateField, ClockTimeField
from tracker import limits, services
from tracker.guidance import DISCLAIMER, medicines, risk_factors, supplements
from tracker.models import Profile, Sex, available_time_zones, validate_time_zone


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


class ProfileView(APIView):
    serializer_class = ProfileSerializer

    @extend_schema(responses=ProfileSerializer)
    def get(self, request):
        return Response(ProfileSerializer(services.profile_get(user=request.user)).data)

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer)
    def patch(self, request):
        profile = services.profile_get(user=request.user)
        serializer = ProfileSerializer(profile, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_update(user=request.user, **serializer.validated_data)
        return Response(ProfileSerializer(profile).data)
