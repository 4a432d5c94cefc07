from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


class FloorView(APIView):
    """The floor: an authenticated DRF view that returns a constant, served like every endpoint."""

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("bench/floor/", FloorView.as_view()),
    path("", include("tracker.urls")),
]
