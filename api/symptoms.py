"""The symptom journal and the red flags it raises (urgent first), with their dismissal."""

from dataclasses import asdict

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import DateRangeQuerySerializer, OwnedViewSet, validating_for
from api.fields import (
    DateTimeField,
    TextField,
    UUIDField,
    WholeNumberField,
    change_of,
)
from api.schema import CONFLICT
from tracker import limits
from tracker.guidance import DISCLAIMER, red_flags
from tracker.models import SymptomEntry
from tracker.services import guidance


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
