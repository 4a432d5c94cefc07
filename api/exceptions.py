"""Every error is JSON with a message per field or a `detail`; Django's and the domain's errors too."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tracker.services import IdConflict


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail)
    if isinstance(exc, IdConflict):
        return Response({"id": [str(exc)]}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
