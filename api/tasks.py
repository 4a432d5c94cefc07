"""The API layer's work for the worker, found here by Celery's autodiscovery: rendering a long report's
PDF (defined beside the report, api/report.py)."""

from api.report import render_report_pdf  # noqa: F401 - registers the task
