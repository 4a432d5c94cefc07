"""Accounts: sign up, sign in (token and session), sign out, the session's CSRF token."""

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import (
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework import serializers as drf_serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.profile import ProfileSerializer
from api.throttles import ScopedThrottle
from tracker import services

User = get_user_model()


def _password_min_length() -> int:
    from django.conf import settings

    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith("MinimumLengthValidator"):
            return validator.get("OPTIONS", {}).get("min_length", 8)
    return 1


class RegisterSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True,
        min_length=_password_min_length(),
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Kept exactly as typed. Not too common, not all digits, not like the user name or email.",
    )

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("This username is taken.")
        return value

    def validate_email(self, value: str) -> str:
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError("An account with this email address exists already.")
        return value

    def validate(self, attrs):
        candidate = User(username=attrs["username"], email=attrs["email"])
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    username = serializers.CharField()


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
    @extend_schema(request=RegisterSerializer, responses={201: TokenSerializer}, auth=[])
    def post(self, request):
        """Create an account. Returns a token, and signs the browser in (session) for the PWA."""
        serializer = RegisterSerializer(data=request.data)
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
    @extend_schema(request=LoginSerializer, responses={200: TokenSerializer}, auth=[])
    def post(self, request):
        """Exchange a username and password for a token (and a session for the PWA)."""
        serializer = LoginSerializer(data=request.data)
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
                "profile": ProfileSerializer(allow_null=True),
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
                "profile": ProfileSerializer(services.profile_get(user=request.user)).data,
            }
        )
