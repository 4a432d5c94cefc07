from collections import OrderedDict

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response


class LookaheadPagination(pagination.BasePagination):
    """Pages by number without counting the whole result: it reads one row past the page to know
    whether a next page exists. A COUNT over a large search costs as much as the search itself."""

    page_size = 50
    max_page_size = 200
    max_page = 10_000
    page_query_param = "page"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_number = self._positive_int(self.page_query_param, 1, self.max_page)
        self.size = self._positive_int(self.page_size_query_param, self.page_size, self.max_page_size)
        offset = (self.page_number - 1) * self.size
        rows = list(queryset[offset : offset + self.size + 1])
        self.has_next = len(rows) > self.size
        return rows[: self.size]

    def _positive_int(self, name, default, maximum):
        raw = self.request.query_params.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if not 1 <= value <= maximum:
            raise ValidationError({name: [f"Enter a whole number from 1 to {maximum}."]})
        return value

    def _link(self, number):
        from rest_framework.utils.urls import replace_query_param

        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("next", self._link(self.page_number + 1) if self.has_next else None),
                    ("previous", self._link(self.page_number - 1) if self.page_number > 1 else None),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": f"Page number, from 1 to {self.max_page}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
