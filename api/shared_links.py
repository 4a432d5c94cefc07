"""/s/<token>/: a shared report, opened without an account (the views are in api/report.py)."""

from api.report import shared_urlpatterns as urlpatterns  # noqa: F401 - the URLconf Django reads
