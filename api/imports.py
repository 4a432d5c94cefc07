"""Bring your history: upload a Cronometer export or the CSV template, read the preview, confirm,
follow a large file's progress, undo an import as a whole."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from api.fields import DateTimeField, UUIDField
from api.throttles import throttle_cache
from tracker.imports import parsers, services
from tracker.imports.models import ImportBatch, ImportStatus

TEMPLATE = """date,time,meal,food,amount,unit,magnesium_mg
2026-11-02,07:45,breakfast,Oat bran,0.5,cup,96
2026-11-02,12:30,lunch,Spinach boiled,1,cup,157
2026-11-02,,snack,Almonds,28,g,77
2026-11-02,21:00,,Magnesium glycinate,1,capsule,120
"""


class CSVBodyParser(BaseParser):
    """A file sent as the body itself (`curl --data-binary @export.csv -H 'Content-Type: text/csv'`)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return {"file": stream.read(parsers.MAX_BYTES + 1) if stream else b""}


class ImportThrottle(UserRateThrottle):
    """Reading a file costs the server: 30 uploads an hour per account."""

    cache = throttle_cache
    scope = "imports"
    rate = "30/hour"


class RefusedLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The line number in the file (the header is line 1).")
    reason = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    source = serializers.CharField(help_text='"Cronometer" or "CSV".')
    rows_read = serializers.IntegerField()
    first_date = serializers.DateField(allow_null=True)
    last_date = serializers.DateField(allow_null=True)
    days = serializers.IntegerField()
    entries = serializers.IntegerField(help_text="Food entries to create (already imported ones left out).")
    doses = serializers.IntegerField(help_text="Supplement doses to create.")
    to_review = serializers.IntegerField(
        help_text="Food entries that look like a supplement of unknown form."
    )
    weight_unknown = serializers.IntegerField(help_text='Entries whose amount is not a weight ("1 cup").')
    magnesium_mg = serializers.CharField(help_text="The magnesium of what is to be created, in total.")
    already_imported = serializers.IntegerField(help_text="Rows stored by an earlier import: skipped.")
    refused_count = serializers.IntegerField()
    refused = RefusedLineSerializer(many=True, help_text="The first 200 lines refused, each with why.")


class ImportSerializer(serializers.Serializer):
    id = UUIDField(read_only=True)
    source = serializers.CharField()
    filename = serializers.CharField()
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    preview = PreviewSerializer()
    created = serializers.DictField(
        child=serializers.IntegerField(), help_text="entries, doses, foods added."
    )
    progress = serializers.IntegerField(help_text="Rows written so far (a large file runs in the worker).")
    error = serializers.CharField()
    created_at = DateTimeField()
    finished_at = DateTimeField(allow_null=True)
    undone_at = DateTimeField(allow_null=True)


UPLOAD = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "required": ["file"],
    },
    "text/csv": {"type": "string", "format": "binary"},
}


@extend_schema_view(
    list=extend_schema(summary="Your imports, newest first"),
    destroy=extend_schema(
        summary="Undo an import: every entry and dose it added is deleted",
        responses={200: ImportSerializer},
    ),
)
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportBatch.objects.none()
        return ImportBatch.objects.filter(user=self.request.user).defer("content")

    def get_parsers(self):
        # called before the action is known: an upload is the POST without an id
        request = getattr(self, "request", None)  # none while the schema is generated
        if request is not None and request.method == "POST" and "pk" not in getattr(self, "kwargs", {}):
            return [MultiPartParser(), CSVBodyParser()]
        return super().get_parsers()

    def get_throttles(self):
        return (
            [*super().get_throttles(), ImportThrottle()]
            if self.action == "create"
            else super().get_throttles()
        )

    @extend_schema(
        request=UPLOAD,
        responses={201: ImportSerializer},
        description=(
            "Read a file and preview it; nothing is imported until `confirm/`. Cronometer's "
            '"Food & Recipe Entries" export or the CSV template (`imports/template/`), UTF-8, at most '
            f"{parsers.MAX_BYTES // (1024 * 1024)} MB and {parsers.MAX_ROWS:,} rows. A file that cannot be "
            "read as one (binary, another encoding, a formula cell, no magnesium column: a MyFitnessPal "
            "export carries none) is a 400 saying why; a line that cannot be read is listed in the preview."
        ),
        examples=[OpenApiExample("template", value=TEMPLATE, media_type="text/csv", request_only=True)],
    )
    def create(self, request):
        upload = request.data.get("file")
        if upload is None:
            raise ValidationError(
                {"file": ["Send the file as multipart form field `file`, or as a text/csv body."]}
            )
        if isinstance(upload, bytes | bytearray):
            data, filename = bytes(upload), ""
        elif hasattr(upload, "read"):
            data, filename = upload.read(parsers.MAX_BYTES + 1), getattr(upload, "name", "") or ""
        else:
            raise ValidationError({"file": ["Send a file, not a text field."]})
        try:
            batch = services.import_preview(user=request.user, data=data, filename=str(filename))
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(ImportSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ImportSerializer, 202: ImportSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Import what the preview said. A file of more than 2,000 rows goes to the worker (202): follow
        `progress` and `status` until `done`."""
        batch = services.import_confirm(batch=self.get_object())
        code = status.HTTP_202_ACCEPTED if batch.status == ImportStatus.QUEUED else status.HTTP_200_OK
        return Response(ImportSerializer(batch).data, status=code)

    def destroy(self, request, pk=None):
        batch = services.import_undo(batch=self.get_object())
        return Response(ImportSerializer(batch).data)

    @extend_schema(responses={(200, "text/csv"): {"type": "string"}}, auth=[])
    @action(detail=False, methods=["get"], permission_classes=[AllowAny])
    def template(self, request):
        """The CSV template, an example to fill in: date (YYYY-MM-DD), time (19:30 or 07:30 PM, may be
        empty), meal (breakfast, lunch, dinner, snack, may be empty), food, amount and unit (a weight in
        g, kg, oz or lb gives the entry its weight; any other unit is kept as written), magnesium_mg."""
        response = HttpResponse(TEMPLATE, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="magnesium-import-template.csv"'
        return response
