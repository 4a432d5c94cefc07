"""The API's documentation page (Swagger UI, served from here, under the strict CSP)."""

from drf_spectacular.utils import (
    extend_schema,
)
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAcceptable
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its start-up script served as a file (the strict CSP allows no inline script). It is
    an HTML page: a client that accepts only JSON gets a JSON 406 that points at the schema."""

    renderer_classes = [TemplateHTMLRenderer, JSONRenderer]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not isinstance(request.accepted_renderer, TemplateHTMLRenderer):
            raise NotAcceptable("The docs are an HTML page; the OpenAPI schema is at /api/v1/schema/.")
        return super().get(request, *args, **kwargs)
