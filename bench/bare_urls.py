from django.urls import path

from bench.urls import FloorView

urlpatterns = [path("bench/floor/", FloorView.as_view())]
