from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    # signed links from reminder emails and notifications
    path("r/", include("api.links")),
    # the report as a page and a PDF (the app's session)
    path("report/", include("api.report")),
    # a report shared with a clinician, no account needed
    path("s/", include("api.shared_links")),
    path("", include("pwa.urls")),
]

handler400 = "api.exceptions.bad_request"
handler403 = "api.exceptions.permission_denied"
handler404 = "api.exceptions.not_found"
handler500 = "api.exceptions.server_error"
