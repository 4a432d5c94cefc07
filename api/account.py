"""The user's data: export everything, delete the account."""

from django.contrib.auth import logout
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.export import export_csv, export_json
from tracker.account import account_delete


class ExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["json", "csv"], required=False, default="json")


class ExportView(APIView):
    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Everything, as JSON"
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Every entry, one row each"),
        },
    )
    def get(self, request):
        """All of the user's data: account, profile, every food entry and supplement dose."""
        query = ExportQuerySerializer(data=request.query_params.dict())
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
