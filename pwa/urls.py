from django.urls import path

from pwa import views

urlpatterns = [
    path("", views.index, name="pwa"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("favicon.ico", views.favicon),
]
