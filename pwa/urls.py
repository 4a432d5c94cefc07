from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from pwa import views

urlpatterns = [
    path("", views.index, name="pwa"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("favicon.ico", RedirectView.as_view(url=static("pwa/icons/icon-192.png"))),
]
