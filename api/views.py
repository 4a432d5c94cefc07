"""HTTP only: parse, call a service, render. Every per-user queryset is filtered by request.user, so
another user's object is a 404."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api import serializers as s
from api.export import export_csv, export_json
from api.schema import CONFLICT
from foods.catalogue_cache import cached_catalogue
from foods.models import Food, SupplementForm
from foods.nutrition import round_mg
from tracker import services
from tracker.models import IntakeEntry, SupplementDose
from tracker.reminders import services as reminder_services
from tracker.reminders.models import Reminder, ReminderDelivery

User = get_user_model()


# --- Auth ---------------------------------------------------------------------------------------------


class AuthThrottled:
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class RegisterView(AuthThrottled, APIView):
    @extend_schema(request=s.RegisterSerializer, responses={201: s.TokenSerializer}, auth=[])
    def post(self, request):
        """Create an account. Returns a token, and signs the browser in (session) for the PWA."""
        serializer = s.RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            user = User.objects.create_user(
                username=data["username"], email=data["email"], password=data["password"]
            )
            services.profile_get(user=user)
            token = Token.objects.create(user=user)
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response({"token": token.key, "username": user.username}, status=status.HTTP_201_CREATED)


class LoginView(AuthThrottled, APIView):
    @extend_schema(request=s.LoginSerializer, responses={200: s.TokenSerializer}, auth=[])
    def post(self, request):
        """Exchange a username and password for a token (and a session for the PWA)."""
        serializer = s.LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request._request, **serializer.validated_data)
        if user is None:
            raise ValidationError({"non_field_errors": ["Wrong username or password."]})
        token, _ = Token.objects.get_or_create(user=user)
        login(request._request, user)
        return Response({"token": token.key, "username": user.username})


class LogoutView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        """Revoke the token and end the session."""
        Token.objects.filter(user=request.user).delete()
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Profile --------------------------------------------------------------------------------------------


class ProfileView(APIView):
    serializer_class = s.ProfileSerializer

    @extend_schema(responses=s.ProfileSerializer)
    def get(self, request):
        return Response(s.ProfileSerializer(services.profile_get(user=request.user)).data)

    @extend_schema(request=s.ProfileSerializer, responses=s.ProfileSerializer)
    def patch(self, request):
        profile = services.profile_get(user=request.user)
        serializer = s.ProfileSerializer(profile, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_update(user=request.user, **serializer.validated_data)
        return Response(s.ProfileSerializer(profile).data)


# --- Catalogue ------------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(parameters=[s.FoodQuerySerializer]))
class FoodViewSet(viewsets.ReadOnlyModelViewSet):
    """The food catalogue, each food with its household portions and the whole mg in each.
    Pages are cached per catalogue version (foods.catalogue_cache)."""

    serializer_class = s.FoodSerializer

    def get_queryset(self):
        foods = Food.objects.prefetch_related("portions")
        if self.action != "list":
            return foods.order_by("name")
        query = s.FoodQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data.get("category"):
            foods = foods.filter(category=query.validated_data["category"])
        text = query.validated_data.get("search", "").strip()
        return foods.search(text) if text else foods.order_by("name")

    def list(self, request, *args, **kwargs):
        params = request.query_params
        key = f"foods:{request.get_host()}:" + "|".join(
            params.get(name, "")[:200].strip().lower() for name in ("search", "category", "page", "page_size")
        )
        page = cached_catalogue(key, lambda: super(FoodViewSet, self).list(request, *args, **kwargs).data)
        return Response(page)

    def retrieve(self, request, *args, **kwargs):
        key = f"food:{kwargs.get('pk', '')[:40]}"
        return Response(
            cached_catalogue(key, lambda: super(FoodViewSet, self).retrieve(request, *args, **kwargs).data)
        )


class SupplementFormViewSet(viewsets.ReadOnlyModelViewSet):
    """Supplement forms with their elemental fraction, bioavailability and side effects."""

    serializer_class = s.SupplementFormSerializer
    queryset = SupplementForm.objects.order_by("name")
    pagination_class = None


# --- Logging --------------------------------------------------------------------------------------------


def _day_status(user, local_date: date):
    return services.daily_summaries(user=user, start=local_date, end=local_date)[0]


def _date_range(request):
    query = s.DateRangeQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("start"), query.validated_data.get("end")


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
            start, end = _date_range(self.request)
            if start:
                rows = rows.filter(local_date__gte=start)
            if end:
                rows = rows.filter(local_date__lte=end)
        return rows

    def _respond(self, row, serializer_class, code=status.HTTP_200_OK):
        row.day = _day_status(self.request.user, row.local_date)
        return Response(serializer_class(row, context=self.get_serializer_context()).data, status=code)

    def _validated(self, serializer):
        """Validate with the user's zone active: a time sent without an offset is their local time."""
        with timezone.override(services.profile_get(user=self.request.user).zone):
            serializer.is_valid(raise_exception=True)
        return serializer.validated_data

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


@extend_schema_view(
    list=extend_schema(parameters=[s.DateRangeQuerySerializer], summary="List food entries"),
    create=extend_schema(
        request=s.IntakeEntrySerializer,
        responses={201: s.IntakeCreatedSerializer, 200: s.IntakeCreatedSerializer, 409: CONFLICT},
        summary="Log a food (replaying a client id returns the stored entry with 200)",
    ),
    update=extend_schema(responses=s.IntakeCreatedSerializer),
    partial_update=extend_schema(responses=s.IntakeCreatedSerializer),
)
class IntakeViewSet(OwnedViewSet):
    serializer_class = s.IntakeEntrySerializer
    model = IntakeEntry
    related = ("food", "portion")

    def create(self, request, *args, **kwargs):
        data = self._validated(self.get_serializer(data=request.data))
        entry, created = services.intake_create(
            user=request.user,
            food=data["food"],
            portion=data.get("portion"),
            quantity=data.get("quantity"),
            grams=data.get("grams"),
            consumed_at=data.get("consumed_at"),
            note=data.get("note", ""),
            id=data.get("id"),
        )
        return self._respond(entry, s.IntakeCreatedSerializer, status.HTTP_201_CREATED if created else 200)

    def _update(self, request, partial):
        entry, changes = self._changes(request, partial)
        entry = services.intake_update(entry=entry, **changes)
        return self._respond(entry, s.IntakeCreatedSerializer)


@extend_schema_view(
    list=extend_schema(parameters=[s.DateRangeQuerySerializer], summary="List supplement doses"),
    create=extend_schema(
        request=s.SupplementDoseSerializer,
        responses={201: s.DoseCreatedSerializer, 200: s.DoseCreatedSerializer, 409: CONFLICT},
        summary="Log a supplement; `day.supplement_over_limit` tells whether the day passed the upper limit",
    ),
    update=extend_schema(responses=s.DoseCreatedSerializer),
    partial_update=extend_schema(responses=s.DoseCreatedSerializer),
)
class SupplementDoseViewSet(OwnedViewSet):
    serializer_class = s.SupplementDoseSerializer
    model = SupplementDose
    related = ("form",)

    def create(self, request, *args, **kwargs):
        data = self._validated(self.get_serializer(data=request.data))
        dose, created = services.dose_create(
            user=request.user,
            form=data["form"],
            elemental_mg=data.get("elemental_mg"),
            compound_mg=data.get("compound_mg"),
            taken_at=data.get("taken_at"),
            note=data.get("note", ""),
            id=data.get("id"),
        )
        return self._respond(dose, s.DoseCreatedSerializer, status.HTTP_201_CREATED if created else 200)

    def _update(self, request, partial):
        dose, changes = self._changes(request, partial)
        dose = services.dose_update(dose=dose, **changes)
        return self._respond(dose, s.DoseCreatedSerializer)


# --- Summaries ------------------------------------------------------------------------------------------


def _day_json(summary: services.DaySummary) -> dict:
    """The DaySummarySerializer shape, built directly: summaries are the hottest reads of the app."""
    return {name: getattr(summary, name) for name in s.DaySummarySerializer._declared_fields}


class DailySummaryView(APIView):
    @extend_schema(parameters=[s.DayQuerySerializer], responses=s.DaySummarySerializer)
    def get(self, request):
        """One local day: food, supplements, total, target, remaining, and the supplement limit."""
        query = s.DayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        profile = services.profile_get(user=request.user)
        day = query.validated_data.get("date") or services.local_today(profile=profile)
        summary = services.daily_summaries(user=request.user, start=day, end=day, profile=profile)[0]
        return Response(_day_json(summary))


class WeeklySummaryView(APIView):
    @extend_schema(parameters=[s.WeekQuerySerializer], responses=s.WeekSummarySerializer)
    def get(self, request):
        """The seven local days ending at `end`, ascending, with the average and the days on target."""
        query = s.WeekQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        profile = services.profile_get(user=request.user)
        end = query.validated_data.get("end") or services.local_today(profile=profile)
        days = services.daily_summaries(
            user=request.user, start=end - timedelta(days=6), end=end, profile=profile
        )
        week = {
            "start": days[0].date,
            "end": days[-1].date,
            "days": [_day_json(day) for day in days],
            "average_mg": round_mg(sum((d.total_mg for d in days), Decimal(0)) / len(days)),
            "days_target_met": sum(1 for d in days if d.total_mg >= d.target_mg),
            "target_mg": days[-1].target_mg,
        }
        return Response(week)


# --- The user's data ------------------------------------------------------------------------------------


class ExportView(APIView):
    @extend_schema(
        parameters=[s.ExportQuerySerializer],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Everything, as JSON"
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Every entry, one row each"),
        },
    )
    def get(self, request):
        """All of the user's data: account, profile, every food entry and supplement dose."""
        query = s.ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data["format"] == "csv":
            return export_csv(request.user)
        return export_json(request.user)


class AccountView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Delete the account and every row that belongs to it (profile, entries, doses, tokens)."""
        user = request.user
        logout(request._request)
        user.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Reminders and push ---------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=s.ReminderSerializer, responses={201: s.ReminderSerializer}),
    update=extend_schema(request=s.ReminderSerializer, responses=s.ReminderSerializer),
    partial_update=extend_schema(request=s.ReminderSerializer, responses=s.ReminderSerializer),
)
class ReminderViewSet(viewsets.ModelViewSet):
    """Reminders to log meals, take a supplement or look at the week, at a local time on chosen days."""

    serializer_class = s.ReminderSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reminder.objects.none()
        return Reminder.objects.filter(user=self.request.user).order_by("local_time", "id")

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
        return Response(s.ReminderSerializer(reminder).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        reminder = self.get_object()
        serializer = self.get_serializer(reminder, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        reminder = reminder_services.reminder_update(
            reminder=reminder, **self._fields(serializer.validated_data)
        )
        return Response(s.ReminderSerializer(reminder).data)

    @extend_schema(request=None, responses={202: s.DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send this reminder now on its channels (a test); the delivery shows how it went."""
        delivery = reminder_services.test_send(reminder=self.get_object())
        return Response(s.DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(list=extend_schema(summary="Every reminder sent, skipped (and why) or failed (and why)"))
class DeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.DeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReminderDelivery.objects.none()
        return (
            ReminderDelivery.objects.filter(user=self.request.user)
            .select_related("reminder")
            .order_by("-scheduled_for")
        )


class PushPublicKeyView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=s.PublicKeySerializer)
    def get(self, request):
        """The VAPID public key the browser subscribes with (applicationServerKey)."""
        if not settings.VAPID_PUBLIC_KEY:
            raise NotFound("Web Push is not configured on this server.")
        return Response({"public_key": settings.VAPID_PUBLIC_KEY})


class PushSubscriptionView(APIView):
    @extend_schema(request=s.PushSubscriptionSerializer, responses={201: None, 200: None})
    def post(self, request):
        """Store this browser's subscription (the JSON of PushSubscription)."""
        serializer = s.PushSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _, created = reminder_services.subscription_save(
            user=request.user,
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
        )
        return Response(status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=s.PushEndpointSerializer, responses={204: None})
    def delete(self, request):
        """Forget a subscription, given its endpoint (in the body or as ?endpoint=)."""
        serializer = s.PushEndpointSerializer(data=request.data or request.query_params)
        serializer.is_valid(raise_exception=True)
        if not reminder_services.subscription_delete(
            user=request.user, endpoint=serializer.validated_data["endpoint"]
        ):
            raise NotFound("No such subscription.")
        return Response(status=status.HTTP_204_NO_CONTENT)
