from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("r/", include("api.links")),
    path(
        "report/", include("api.report")
    ),  # the report as a page and a PDF (the app's session)  # signed links from reminder emails and notifications
    path("", include("pwa.urls")),
]

handler400 = "api.exceptions.bad_request"
handler403 = "api.exceptions.permission_denied"
handler404 = "api.exceptions.not_found"
handler500 = "api.exceptions.server_error"
