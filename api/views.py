"""HTTP only: parse, call a service, render. Every per-user queryset is filtered by request.user, so
another user's object is a 404."""

from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable, NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.export import export_csv, export_json
from api.schema import CONFLICT
from api.throttles import BarcodeThrottle, ScopedThrottle
from foods import open_food_facts
from foods.barcode import barcode_lookup
from foods.catalogue_cache import catalogue_json, one_catalogue_version
from foods.models import Food, SupplementForm
from foods.nutrition import round_mg
from foods.search import search_foods
from tracker import services
from tracker.account import account_delete
from tracker.guidance import DISCLAIMER
from tracker.models import IntakeEntry, SavedMeal, SupplementDose
from tracker.reminders import services as reminder_services
from tracker.reminders.models import Reminder, ReminderDelivery
from tracker.services import guidance as guidance_services

User = get_user_model()


# --- Docs ---------------------------------------------------------------------------------------------


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its start-up script served as a file (the strict CSP allows no inline script). It is
    an HTML page: a client that accepts only JSON gets a JSON 406 that points at the schema."""

    renderer_classes = [TemplateHTMLRenderer, JSONRenderer]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not isinstance(request.accepted_renderer, TemplateHTMLRenderer):
            raise NotAcceptable("The docs are an HTML page; the OpenAPI schema is at /api/v1/schema/.")
        return super().get(request, *args, **kwargs)


# --- Auth ---------------------------------------------------------------------------------------------


class AuthThrottled:
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _refuse_cross_site(request)


def _refuse_cross_site(request) -> None:
    """Login CSRF: another site must not be able to sign a visitor's browser in (to an account it
    controls). These endpoints take no CSRF token (a new client has none), so the browser's own
    Origin and Sec-Fetch-Site headers decide; a client that is not a browser sends neither."""
    origin = request.META.get("HTTP_ORIGIN")
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if origin is not None:
        if origin in settings.CSRF_TRUSTED_ORIGINS:
            return
        if origin != f"{request.scheme}://{request.get_host()}":
            raise PermissionDenied("Cross-site requests cannot sign in or create an account.")
    if fetch_site in ("cross-site", "same-site"):
        raise PermissionDenied("Cross-site requests cannot sign in or create an account.")


class RegisterView(AuthThrottled, APIView):
    @extend_schema(request=s.RegisterSerializer, responses={201: s.TokenSerializer}, auth=[])
    def post(self, request):
        """Create an account. Returns a token, and signs the browser in (session) for the PWA."""
        serializer = s.RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=data["username"], email=data["email"], password=data["password"]
                )
                services.profile_get(user=user)
                token = Token.objects.create(user=user)
        except IntegrityError:  # the same name or address registered at this very moment
            raise ValidationError(
                {"non_field_errors": ["This username or email address was just taken; try another."]}
            ) from None
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response({"token": token.key, "username": user.username}, status=status.HTTP_201_CREATED)


class LoginView(AuthThrottled, APIView):
    @extend_schema(request=s.LoginSerializer, responses={200: s.TokenSerializer}, auth=[])
    def post(self, request):
        """Exchange a username and password for a token (and a session for the PWA)."""
        serializer = s.LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request._request, **serializer.validated_data)
        if user is None and getattr(request._request, "axes_locked_out", False):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            return Response(
                {
                    "detail": f"Too many wrong passwords for this account: sign-in is locked for "
                    f"{minutes} minutes."
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(minutes * 60)},
            )
        if user is None:
            raise ValidationError({"non_field_errors": ["Wrong username or password."]})
        token, _ = Token.objects.get_or_create(user=user)
        login(request._request, user)
        return Response({"token": token.key, "username": user.username})


class LogoutView(APIView):
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth"

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        """Revoke the token and end the session."""
        Token.objects.filter(user=request.user).delete()
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionView(APIView):
    """Who is signed in, asked without an error: the app's first request on every start."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "Session",
            {
                "authenticated": drf_serializers.BooleanField(),
                "profile": s.ProfileSerializer(allow_null=True),
            },
        )
    )
    def get(self, request):
        """`{"authenticated": false, "profile": null}` before sign-in (a 200, not a 401), else the
        profile, as `GET profile/` gives it."""
        if not request.user.is_authenticated:
            return Response({"authenticated": False, "profile": None})
        return Response(
            {
                "authenticated": True,
                "profile": s.ProfileSerializer(services.profile_get(user=request.user)).data,
            }
        )


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


class SearchResults:
    """A search's results as the paginator slices them: each slice is one ranked search
    (foods.search), then the JSON of the foods of that page. A shared food's JSON is cached per
    catalogue version; a user's own food is always read afresh."""

    def __init__(self, *, query: str, user, category: str | None):
        self.query, self.user, self.category = query, user, category

    def __getitem__(self, window: slice):
        user_id = self.user.pk if self.user.is_authenticated else None
        groups = search_foods(
            query=self.query,
            user_id=user_id,
            recent_sql=services.RECENT_FOODS_SQL,
            category=self.category,
            limit=window.stop - window.start,
            offset=window.start,
        )
        ids = [pk for pk, others in groups for pk in (pk, *others)]
        foods = {food["id"]: food for food in catalogue_json(ids, s.food_json)}
        return [
            {**foods[pk], "other_sources": [foods[other] for other in others if other in foods]}
            for pk, others in groups
            if pk in foods
        ]


@extend_schema_view(
    list=extend_schema(
        parameters=[s.FoodQuerySerializer],
        summary="Search the catalogue and your own foods, best first (see the README for the ranking)",
    )
)
class FoodViewSet(viewsets.ReadOnlyModelViewSet):
    """The food catalogue and the user's own foods, each with household portions and the whole mg in
    each. Another user's own food is a 404."""

    serializer_class = s.FoodSerializer

    def get_queryset(self):
        foods = Food.objects.visible_to(self.request.user).prefetch_related("portions")
        if self.action != "list":
            return foods.order_by("name")
        query = s.FoodQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        category = query.validated_data.get("category")
        text = query.validated_data.get("search", "").strip()
        if text:
            return SearchResults(query=text, user=self.request.user, category=category)
        foods = foods.filter(retired=False)
        if category:
            foods = foods.filter(category=category)
        return foods.order_by("search_tier", "name", "id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            [row if isinstance(row, dict) else s.food_json(row) for row in page]
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "code", {"type": "string", "pattern": s.BARCODE_PATTERN}, OpenApiParameter.PATH, required=True
            )
        ],
        responses={
            200: s.BarcodeResultSerializer,
            400: OpenApiResponse(description="Not a GTIN (8, 12, 13 or 14 digits with a right check digit)"),
            404: s.BarcodeResultSerializer,
            502: OpenApiResponse(description="Open Food Facts answered with an error"),
            504: OpenApiResponse(description="Open Food Facts did not answer in time"),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"barcode/(?P<code>[^/]+)",
        throttle_classes=[BarcodeThrottle],
    )
    def barcode(self, request, code=None):
        """A product by its barcode: your own foods and the local catalogue first, then Open Food Facts.
        200 with the food, 200 with status no_magnesium_data (add the label's value as your own food),
        or 404 with status not_found."""
        try:
            result = barcode_lookup(code=code, user=request.user)
        except open_food_facts.TimedOut:
            return Response(
                {
                    "detail": "Open Food Facts did not answer in time. Try again, or add the food from its label."
                },
                status=status.HTTP_504_GATEWAY_TIMEOUT,
            )
        except open_food_facts.Unavailable:
            return Response(
                {
                    "detail": "Open Food Facts could not be asked just now. Try again, or add the food from its label."
                },
                status=status.HTTP_502_BAD_GATEWAY,
            )
        body = {
            "code": code,
            "gtin": result.gtin,
            "status": result.status,
            "source": result.source,
            "food": s.food_json(result.food) if result.food else None,
            "product": {"name": result.name, "brand": result.brand}
            if result.status == "no_magnesium_data"
            else None,
            "detail": result.detail,
        }
        return Response(body, status=status.HTTP_404_NOT_FOUND if result.status == "not_found" else 200)


@extend_schema_view(
    create=extend_schema(request=s.OwnFoodSerializer, responses={201: s.OwnFoodSerializer}),
    update=extend_schema(request=s.OwnFoodSerializer, responses=s.OwnFoodSerializer),
    partial_update=extend_schema(request=s.OwnFoodSerializer, responses=s.OwnFoodSerializer),
)
class OwnFoodViewSet(viewsets.ModelViewSet):
    """Your own foods from nutrition labels (and your recipes' foods). Private: another user gets 404.
    Editing one never rewrites past entries; deleting one that entries use hides it instead."""

    serializer_class = s.OwnFoodSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Food.objects.none()
        foods = (
            Food.objects.filter(owner=self.request.user).prefetch_related("portions").order_by("name", "id")
        )
        return foods if self.action != "list" else foods.filter(retired=False)

    def _fields(self, data: dict) -> dict:
        fields = dict(data)
        if "magnesium_percent_dv" in fields:
            fields["percent_dv"] = fields.pop("magnesium_percent_dv")
        return fields

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        food = services.own_food_create(user=request.user, **self._fields(serializer.validated_data))
        food = self.get_queryset().get(pk=food.pk)
        return Response(s.OwnFoodSerializer(food).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        food = self.get_object()
        serializer = self.get_serializer(food, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        services.own_food_update(food=food, **self._fields(serializer.validated_data))
        return Response(s.OwnFoodSerializer(self.get_queryset().get(pk=food.pk)).data)

    def destroy(self, request, *args, **kwargs):
        services.own_food_delete(food=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class SupplementFormViewSet(viewsets.ReadOnlyModelViewSet):
    """Supplement forms a person can log, with their elemental fraction, bioavailability and side
    effects. Intravenous forms are hospital treatments: not listed (earlier doses still show theirs)."""

    serializer_class = s.SupplementFormSerializer
    pagination_class = None

    def get_queryset(self):
        forms = SupplementForm.objects.order_by("name")
        return forms.exclude(route="intravenous") if self.action == "list" else forms


# --- Logging --------------------------------------------------------------------------------------------


def _day_status(user, local_date: date):
    return services.daily_summaries(user=user, start=local_date, end=local_date)[0]


def _date_range(request):
    query = s.DateRangeQuerySerializer(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data.get("start"), query.validated_data.get("end")


@contextmanager
def validating_for(user):
    """Validate entries with the user's zone active (a time sent without an offset is their local
    time) and the catalogue version read once for the whole request."""
    viewer = s.VIEWER.set(user)
    try:
        with timezone.override(services.profile_get(user=user).zone), one_catalogue_version():
            yield
    finally:
        s.VIEWER.reset(viewer)


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
        self._annotate(row)
        serializer = serializer_class(row, context=self.get_serializer_context())
        return Response(s.represent(serializer, day=_day_json(row.day)), status=code)

    def _annotate(self, row) -> None:
        """Add what the answer shows beyond the row and its day."""

    def _validated(self, serializer):
        with validating_for(self.request.user):
            serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _validated_new(self, data) -> dict:
        """``_validated`` for a new entry, by the serializer class's bound instance (s.validated)."""
        with validating_for(self.request.user):
            return s.validated(self.get_serializer_class(), data)

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
    update=extend_schema(request=s.change_of(s.IntakeEntrySerializer), responses=s.IntakeCreatedSerializer),
    partial_update=extend_schema(
        request=s.change_of(s.IntakeEntrySerializer), responses=s.IntakeCreatedSerializer
    ),
)
class IntakeViewSet(OwnedViewSet):
    serializer_class = s.IntakeEntrySerializer
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
        return self._respond(entry, s.IntakeCreatedSerializer, status.HTTP_201_CREATED if created else 200)

    @extend_schema(
        request=s.LogAgainSerializer,
        responses={201: s.IntakeCreatedSerializer, 200: s.IntakeCreatedSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="log-again")
    def log_again(self, request, pk=None):
        """The same food and amount as this entry, now (or at `consumed_at`)."""
        source = self.get_object()
        data = self._validated(s.LogAgainSerializer(data=request.data))
        entry, created = services.entry_log_again(
            entry=source, id=data.get("id"), consumed_at=data.get("consumed_at"), slot=data.get("meal")
        )
        return self._respond(entry, s.IntakeCreatedSerializer, status.HTTP_201_CREATED if created else 200)

    @extend_schema(
        request=s.MealCopySerializer,
        responses={201: s.EntriesResultSerializer, 200: s.EntriesResultSerializer, 409: CONFLICT},
    )
    @action(detail=False, methods=["post"], url_path="copy-meal")
    def copy_meal(self, request):
        """Copy one meal of a day ("yesterday's breakfast") to today (or `to_date`), each entry at the
        same local time of day. Send an `id` to make a retry store nothing new."""
        data = self._validated(s.MealCopySerializer(data=request.data))
        entries, created = services.meal_copy(
            user=request.user,
            from_date=data["from_date"],
            slot=data["meal"],
            to_date=data.get("to_date"),
            id=data.get("id"),
        )
        return _entries_response(request.user, entries, created)

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
    update=extend_schema(request=s.change_of(s.SupplementDoseSerializer), responses=s.DoseCreatedSerializer),
    partial_update=extend_schema(
        request=s.change_of(s.SupplementDoseSerializer), responses=s.DoseCreatedSerializer
    ),
)
class SupplementDoseViewSet(OwnedViewSet):
    serializer_class = s.SupplementDoseSerializer
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
        return self._respond(dose, s.DoseCreatedSerializer, status.HTTP_201_CREATED if created else 200)

    def _update(self, request, partial):
        dose, changes = self._changes(request, partial)
        dose = services.dose_update(dose=dose, **changes)
        return self._respond(dose, s.DoseCreatedSerializer)


# --- Several entries at once -----------------------------------------------------------------------------


def _entries_response(user, entries, created: bool) -> Response:
    day = _day_status(user, entries[0].local_date)
    body = {"entries": s.IntakeEntrySerializer(entries, many=True).data, "day": _day_json(day)}
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
        request=s.BatchSerializer,
        responses={
            201: s.BatchResultSerializer,
            200: s.BatchResultSerializer,
            400: BATCH_ERROR,
            409: OpenApiResponse(
                response=BATCH_ERROR, description="An entry's id is already used by another entry."
            ),
        },
    )
    def post(self, request):
        """Store every entry or none. Each entry carries its own client `id` (required): replaying the
        batch returns 200 and stores nothing new. A bad entry is a 400 naming its position and id."""
        batch = s.BatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        entries, errors = [], {}
        with validating_for(request.user):
            for position, raw in enumerate(batch.validated_data["entries"]):
                kind = raw.get("type")
                if kind not in (services.INTAKE, services.DOSE):
                    errors[str(position)] = {"type": ['Give "type": "intake" or "supplement_dose".']}
                    continue
                serializer_class = (
                    s.IntakeEntrySerializer if kind == services.INTAKE else s.SupplementDoseSerializer
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
            "intakes": s.IntakeEntrySerializer(intakes, many=True).data,
            "supplement_doses": s.SupplementDoseSerializer(doses, many=True).data,
            "days": [_day_json(day) for day in days if day.date in dates],
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema_view(
    create=extend_schema(request=s.SavedMealSerializer, responses={201: s.SavedMealSerializer}),
    update=extend_schema(request=s.SavedMealSerializer, responses=s.SavedMealSerializer),
    partial_update=extend_schema(request=s.SavedMealSerializer, responses=s.SavedMealSerializer),
)
class SavedMealViewSet(viewsets.ModelViewSet):
    """Saved meals ("my breakfast", logged in one tap) and recipes (servings of a dish you cook)."""

    serializer_class = s.SavedMealSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SavedMeal.objects.none()
        return (
            SavedMeal.objects.filter(user=self.request.user)
            .prefetch_related("items__food", "items__portion")
            .order_by("name", "id")
        )

    def _saved(self, meal, code=status.HTTP_200_OK):
        return Response(s.SavedMealSerializer(self.get_queryset().get(pk=meal.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        with validating_for(request.user):
            serializer.is_valid(raise_exception=True)
        meal = services.saved_meal_create(user=request.user, **serializer.validated_data)
        return self._saved(meal, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        meal = self.get_object()
        serializer = self.get_serializer(meal, data=request.data, partial=kwargs.get("partial", False))
        with validating_for(request.user):
            serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("kind", meal.kind) != meal.kind:
            raise ValidationError({"kind": ["A saved meal cannot become a recipe, nor a recipe a meal."]})
        data.pop("from_entries", None)
        meal = services.saved_meal_update(meal=meal, **data)
        return self._saved(meal)

    def destroy(self, request, *args, **kwargs):
        services.saved_meal_delete(meal=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=s.SavedMealLogSerializer,
        responses={201: s.EntriesResultSerializer, 200: s.EntriesResultSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def log(self, request, pk=None):
        """Log the meal (one entry per food) or servings of the recipe (one entry), in one request.
        Send an `id` to make a retry store nothing new."""
        meal = self.get_object()
        with timezone.override(services.profile_get(user=request.user).zone):
            query = s.SavedMealLogSerializer(data=request.data)
            query.is_valid(raise_exception=True)
        data = query.validated_data
        entries, created = services.saved_meal_log(
            meal=meal,
            id=data.get("id"),
            consumed_at=data.get("consumed_at"),
            slot=data.get("meal"),
            servings=data.get("servings"),
        )
        return _entries_response(request.user, entries, created)


# --- Summaries ------------------------------------------------------------------------------------------


def _day_json(summary: services.DaySummary) -> dict:
    """The DaySummarySerializer shape, built directly: summaries are the hottest reads of the app."""
    return {name: getattr(summary, name) for name in s.DaySummarySerializer._declared_fields}


class DailySummaryView(APIView):
    @extend_schema(parameters=[s.DayQuerySerializer], responses=s.DaySummarySerializer)
    def get(self, request):
        """One local day: food, supplements, total, target, remaining, and the supplement limit."""
        query = s.DayQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        profile = services.profile_get(user=request.user)
        day = query.validated_data.get("date") or services.local_today(profile=profile)
        summary = services.daily_summaries(user=request.user, start=day, end=day, profile=profile)[0]
        return Response(_day_json(summary))


class WeeklySummaryView(APIView):
    @extend_schema(parameters=[s.WeekQuerySerializer], responses=s.WeekSummarySerializer)
    def get(self, request):
        """The seven local days ending at `end`, ascending, with the average and the days on target. A
        day with nothing logged has `no_data` and is left out of both."""
        query = s.WeekQuerySerializer(data=request.query_params.dict())
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
            "days": [{**_day_json(day), "no_data": not services.has_data(day)} for day in days],
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
    @extend_schema(parameters=[s.PeriodQuerySerializer], responses=s.PeriodSummarySerializer)
    def get(self, request):
        """`days` local days ending at `end` (30 for a month, 90 for a trend): each day's food and
        supplements with a 7-day rolling average, the average, the days on target and the foods that
        gave the most. One request per chart; the query count does not grow with the range."""
        query = s.PeriodQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        profile = services.profile_get(user=request.user)
        end = query.validated_data.get("end") or services.local_today(profile=profile)
        return Response(
            services.period_summary(
                user=request.user, end=end, days=query.validated_data["days"], profile=profile
            )
        )


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
        query = s.ExportQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        if query.validated_data["format"] == "csv":
            return export_csv(request.user)
        return export_json(request.user)


class AccountView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Delete the account and every row that belongs to it (profile, entries, doses, tokens)."""
        user_id = request.user.pk
        logout(request._request)
        account_delete(user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Reminders and push ---------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=s.ReminderSerializer,
        responses={201: s.ReminderSerializer},
        description=f"Create a reminder. An account has at most {reminder_services.MAX_REMINDERS_PER_USER} "
        "reminders: one more is a 400.",
    ),
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
            s.ReminderSerializer(reminder, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def update(self, request, *args, **kwargs):
        reminder = self.get_object()
        serializer = self.get_serializer(reminder, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        reminder = reminder_services.reminder_update(
            reminder=reminder, **self._fields(serializer.validated_data)
        )
        return Response(s.ReminderSerializer(reminder, context=self.get_serializer_context()).data)

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

    @extend_schema(parameters=[s.PushEndpointSerializer], request=None, responses={204: None})
    def delete(self, request):
        """Forget a subscription, given its endpoint as `?endpoint=` (URL-encoded). A JSON body
        `{"endpoint": …}` is taken too, for clients that send one with DELETE."""
        serializer = s.PushEndpointSerializer(data=request.data or request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        if not reminder_services.subscription_delete(
            user=request.user, endpoint=serializer.validated_data["endpoint"]
        ):
            raise NotFound("No such subscription.")
        return Response(status=status.HTTP_204_NO_CONTENT)
