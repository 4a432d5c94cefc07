"""The API layer's own work for the worker: rendering a long report's PDF (api/report.py)."""

from celery import shared_task


@shared_task(ignore_result=True)
def render_report_pdf(file_id: str) -> None:
    """Render a long range's PDF into its ReportFile; the waiting page serves it once done. Safe to run
    twice: a file already rendered is left alone."""
    from api.report import render_file

    render_file(file_id)
