"""OpenAPI: every operation documents the error shapes it can return."""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
FIELD_ERRORS = {
    "type": "object",
    "description": "One list of messages per field in error; `non_field_errors` or `detail` for the rest.",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}, {"type": "object"}]
    },
}

ERRORS = {
    "400": ("Bad input: one list of messages per field.", FIELD_ERRORS),
    "401": ("Not authenticated (token clients).", DETAIL),
    "403": ("Not authenticated (session clients) or not allowed.", DETAIL),
    "404": ("Not found, or not yours.", DETAIL),
    "405": ("Method not allowed.", DETAIL),
    "406": ("Not acceptable.", DETAIL),
    "413": ("The request body is larger than the server takes (1 MiB by default).", DETAIL),
    "414": ("The URL is longer than 4096 characters.", DETAIL),
    "415": ("Unsupported media type: the API takes JSON only.", DETAIL),
    "429": ("Too many requests; retry after the Retry-After header.", DETAIL),
}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, (description, schema) in ERRORS.items():
            if code == "429" and not self.view.get_throttles():
                continue
            responses.setdefault(
                code, {"description": description, "content": {"application/json": {"schema": schema}}}
            )
        return responses


CONFLICT = OpenApiResponse(
    response=inline_serializer("Conflict", {"id": serializers.ListField(child=serializers.CharField())}),
    description="The client id is already used by an entry with different data.",
)
