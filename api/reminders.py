"""Reminders, their deliveries, and Web Push subscriptions."""

import re

from django.conf import settings
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.entries import AdviceSerializer
from api.fields import BooleanField, ClockTimeField, DateTimeField, UUIDField
from tracker import services
from tracker.reminders import adherence, answers
from tracker.reminders import services as reminder_services
from tracker.reminders.models import Answer, Channel, DeliveryStatus, Reminder, ReminderDelivery, ReminderKind


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
    email_fallback = BooleanField(
        required=False,
        default=True,
        help_text="Email when push reached no browser (the email's unsubscribe link turns it off).",
    )
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


class DoseOfferSerializer(serializers.Serializer):
    form = serializers.IntegerField()
    form_name = serializers.CharField()
    elemental_mg = serializers.CharField()


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
    answers = serializers.SerializerMethodField(
        help_text="The answers this delivery takes (the notification's buttons): taken, snoozed, skipped."
    )
    offer = serializers.SerializerMethodField(help_text='The dose "taken" logs; null when it names none.')
    answer = serializers.ChoiceField(choices=Answer.choices, read_only=True, allow_blank=True)
    answered_at = DateTimeField(read_only=True, allow_null=True)
    answered_via = serializers.CharField(read_only=True, help_text='"push", "email" or "app".')
    dose = UUIDField(source="dose_id", read_only=True, allow_null=True, help_text='The dose "taken" logged.')
    snooze_of = UUIDField(source="snooze_of_id", read_only=True, allow_null=True)
    group_leader = UUIDField(
        read_only=True,
        allow_null=True,
        help_text="Sent in one notification and one email with the deliveries of the same group_leader.",
    )

    def get_channels(self, delivery) -> dict[str, str]:
        results = delivery.channel_results or {}
        return {name: str(results[name]) for name in ("web_push", "email") if name in results}

    def get_answers(self, delivery) -> list[str]:
        return list(answers.answers_for(delivery))

    @extend_schema_field(DoseOfferSerializer(allow_null=True))
    def get_offer(self, delivery) -> dict | None:
        offer = delivery.offer or {}
        if not offer:
            return None
        return {"form": offer["form"], "form_name": offer["form_name"], "elemental_mg": offer["elemental_mg"]}


class AnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=Answer.choices)


class AnswerResultSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=Answer.choices, help_text="The occurrence's answer now.")
    recorded = serializers.BooleanField(help_text="False: it was answered already and nothing changed.")
    message = serializers.CharField()
    dose = UUIDField(allow_null=True, help_text='The dose "taken" logged.')
    snooze = UUIDField(allow_null=True, help_text="The delivery a snooze made, due 30 minutes later.")
    delivery = DeliverySerializer()


class AdherenceQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=adherence.MAX_DAYS, required=False, default=30)


class AdherenceDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    status = serializers.ChoiceField(choices=["taken", "skipped", "missed", "pending", "not_scheduled"])
    by = serializers.CharField(help_text='For taken: "answer" (Taken) or "logged" (a dose logged by hand).')


class AdherenceSerializer(serializers.Serializer):
    reminder = serializers.IntegerField()
    today = serializers.DateField()
    days = AdherenceDaySerializer(many=True)
    streak = serializers.IntegerField(help_text="Consecutive due days taken, back from the latest answered.")
    share_days = serializers.IntegerField()
    taken_days = serializers.IntegerField()
    counted_days = serializers.IntegerField(
        help_text="Due days of the last 30, today left out until answered."
    )
    share_percent = serializers.IntegerField(allow_null=True)


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


@extend_schema_view(
    create=extend_schema(
        request=ReminderSerializer,
        responses={201: ReminderSerializer},
        description=f"Create a reminder. An account has at most {reminder_services.MAX_REMINDERS_PER_USER} "
        "reminders: one more is a 400.",
    ),
    update=extend_schema(request=ReminderSerializer, responses=ReminderSerializer),
    partial_update=extend_schema(request=ReminderSerializer, responses=ReminderSerializer),
)
class ReminderViewSet(viewsets.ModelViewSet):
    """Reminders to log meals, take a supplement or look at the week, at a local time on chosen days."""

    serializer_class = ReminderSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reminder.objects.none()
        return Reminder.objects.filter(user=self.request.user).order_by("local_time", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "profile": services.profile_get(user=self.request.user)}

    def _fields(self, data: dict) -> dict:
        fields = dict(data)
        if "weekday_list" in fields:
            fields["weekdays"] = fields.pop("weekday_list")
        return fields

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reminder = reminder_services.reminder_create(
            user=request.user, **self._fields(serializer.validated_data)
        )
        return Response(
            ReminderSerializer(reminder, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def update(self, request, *args, **kwargs):
        reminder = self.get_object()
        serializer = self.get_serializer(reminder, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        reminder = reminder_services.reminder_update(
            reminder=reminder, **self._fields(serializer.validated_data)
        )
        return Response(ReminderSerializer(reminder, context=self.get_serializer_context()).data)

    @extend_schema(parameters=[AdherenceQuerySerializer], responses=AdherenceSerializer)
    @action(detail=True, methods=["get"])
    def adherence(self, request, pk=None):
        """For a supplement reminder: each of the last `days` days taken, skipped, missed, pending
        (today) or not scheduled, the current streak and the last 30 days' share. A dose logged by hand
        counts as taken; a dose on a day the reminder was not due is no missed day."""
        reminder = self.get_object()
        if reminder.kind != ReminderKind.TAKE_SUPPLEMENT:
            raise serializers.ValidationError({"reminder": ["Adherence is kept for supplement reminders."]})
        query = AdherenceQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        return Response(adherence.adherence(reminder=reminder, days=query.validated_data["days"]))

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send this reminder now on its channels (a test); the delivery shows how it went."""
        delivery = reminder_services.test_send(reminder=self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryQuerySerializer(serializers.Serializer):
    group = UUIDField(required=False, help_text="Only the deliveries sent together with this one.")


@extend_schema_view(
    list=extend_schema(
        summary="Every reminder sent, skipped (and why) or failed (and why)",
        parameters=[DeliveryQuerySerializer],
    )
)
class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReminderDelivery.objects.none()
        return (
            ReminderDelivery.objects.filter(user=self.request.user)
            .select_related("reminder")
            .order_by("-scheduled_for", "reminder__local_time", "reminder_id")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        query = DeliveryQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        if "group" in query.validated_data:
            queryset = queryset.filter(group_leader=query.validated_data["group"])
        return queryset

    @extend_schema(request=AnswerSerializer, responses=AnswerResultSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer a delivered reminder from the app: taken (logs the dose it named, once however often
        it is sent), snoozed (sent again 30 minutes later) or skipped (nothing more today). Once taken
        or skipped, the answer is final: another answer changes nothing (`recorded` is false)."""
        delivery = self.get_object()
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = answers.answer(delivery=delivery, answer=serializer.validated_data["answer"], via="app")
        delivery = self.get_queryset().get(pk=outcome.delivery.pk)
        return Response(
            {
                "answer": outcome.answer,
                "recorded": outcome.recorded,
                "message": outcome.message,
                "dose": outcome.dose.pk if outcome.dose else None,
                "snooze": outcome.snooze.pk if outcome.snooze else None,
                "delivery": DeliverySerializer(delivery).data,
            }
        )


class PushPublicKeyView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=PublicKeySerializer)
    def get(self, request):
        """The VAPID public key the browser subscribes with (applicationServerKey)."""
        if not settings.VAPID_PUBLIC_KEY:
            raise NotFound("Web Push is not configured on this server.")
        return Response({"public_key": settings.VAPID_PUBLIC_KEY})


class PushSubscriptionView(APIView):
    @extend_schema(request=PushSubscriptionSerializer, responses={201: None, 200: None})
    def post(self, request):
        """Store this browser's subscription (the JSON of PushSubscription)."""
        serializer = PushSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _, created = reminder_services.subscription_save(
            user=request.user,
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
        )
        return Response(status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(parameters=[PushEndpointSerializer], request=None, responses={204: None})
    def delete(self, request):
        """Forget a subscription, given its endpoint as `?endpoint=` (URL-encoded). A JSON body
        `{"endpoint": …}` is taken too, for clients that send one with DELETE."""
        serializer = PushEndpointSerializer(data=request.data or request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        if not reminder_services.subscription_delete(
            user=request.user, endpoint=serializer.validated_data["endpoint"]
        ):
            raise NotFound("No such subscription.")
        return Response(status=status.HTTP_204_NO_CONTENT)
