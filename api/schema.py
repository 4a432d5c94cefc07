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
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A nested list (``many=True``) states its length limits, as a ListField's do."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ListSerializer) and schema.get("type") == "array":
            if getattr(field, "min_length", None) is not None:
                schema["minItems"] = field.min_length
            if getattr(field, "max_length", None) is not None:
                schema["maxItems"] = field.max_length
        return schema

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


# No text the API stores may hold a NUL character (DRF refuses it; PostgreSQL could not store it).
NO_NUL = "^[^\\u0000]*$"


def state_text_limits(result, generator, request, public):
    """drf-spectacular post-processing: every free text a client sends (a request body's string, a query
    or path parameter) says that it holds no NUL character, as the server enforces."""

    def visit(schema):
        if not isinstance(schema, dict):
            return
        if schema.get("type") == "string" and not ({"pattern", "enum", "format"} & schema.keys()):
            if not schema.get("readOnly"):
                schema["pattern"] = NO_NUL
        for key in ("properties",):
            for child in schema.get(key, {}).values():
                visit(child)
        for key in ("items", "additionalProperties"):
            visit(schema.get(key))
        for key in ("oneOf", "anyOf", "allOf"):
            for child in schema.get(key, []):
                visit(child)

    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            visit(schema)
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                visit(parameter.get("schema"))
    return result
