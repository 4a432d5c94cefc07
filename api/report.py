"""The one-page report (tracker/services/report.py): JSON for the API, a page for the screen and the
same page as a PDF, rendered by WeasyPrint from the same template. The PDF is made with no fetch at
all: its stylesheet is read from the app's own static files and every other URL is refused, and
Django escapes every user string, so no text a user typed can make the server fetch anything."""

from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.fields import BoundedDateField
from tracker.services import report


class ReportQuerySerializer(serializers.Serializer):
    start = BoundedDateField(required=False, help_text="First local day; default 27 days before `end`.")
    end = BoundedDateField(required=False, help_text="Last local day; default today.")


class ReportSupplementSerializer(serializers.Serializer):
    form = serializers.CharField()
    route = serializers.CharField()
    elemental_mg = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False)
    doses = serializers.IntegerField()
    days = serializers.IntegerField()
    days_over_limit = serializers.IntegerField()


class ReportDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    food_mg = serializers.DecimalField(max_digits=9, decimal_places=2, coerce_to_string=False)
    supplement_mg = serializers.DecimalField(max_digits=9, decimal_places=2, coerce_to_string=False)
    total_mg = serializers.DecimalField(max_digits=9, decimal_places=2, coerce_to_string=False)
    target_mg = serializers.IntegerField()
    no_data = serializers.BooleanField()
    complete = serializers.BooleanField()
    supplement_over_limit = serializers.BooleanField()
    symptoms = serializers.ListField(child=serializers.CharField())


class ReportSerializer(serializers.Serializer):
    MG = {"max_digits": 9, "decimal_places": 2, "coerce_to_string": False, "allow_null": True}
    start = serializers.DateField()
    end = serializers.DateField()
    days_in_range = serializers.IntegerField()
    days_logged = serializers.IntegerField(help_text="Days with something logged, or marked complete.")
    days_complete = serializers.IntegerField()
    target_mg = serializers.IntegerField()
    target_label = serializers.CharField()
    target_why = serializers.CharField()
    supplement_upper_limit_mg = serializers.IntegerField(allow_null=True)
    average_mg = serializers.DecimalField(**MG, help_text="As the period summary computes it for the range.")
    median_mg = serializers.DecimalField(**MG)
    average_food_mg = serializers.DecimalField(**MG)
    average_supplement_mg = serializers.DecimalField(**MG)
    days_at_or_above_target = serializers.IntegerField()
    share_at_or_above_target_percent = serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    days_over_limit = serializers.IntegerField()
    supplements = ReportSupplementSerializer(many=True)
    symptom_count = serializers.IntegerField()
    labs = serializers.ListField(child=serializers.DictField())
    red_flags = serializers.ListField(child=serializers.DictField())
    medicines = serializers.ListField(child=serializers.DictField())
    days = ReportDaySerializer(many=True)
    caveats = serializers.ListField(child=serializers.CharField())


def _range(user, params) -> tuple:
    query = ReportQuerySerializer(data=params)
    query.is_valid(raise_exception=True)
    try:
        return report.report_range(
            user=user, start=query.validated_data.get("start"), end=query.validated_data.get("end")
        )
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from None


class ReportView(APIView):
    @extend_schema(parameters=[ReportQuerySerializer], responses=ReportSerializer)
    def get(self, request):
        """The one-page report for a range (default the last 28 days): every figure as the summaries give
        it for the same days, with symptoms, serum results, red flags, medicines and the target."""
        start, end = _range(request.user, request.query_params.dict())
        return Response(ReportSerializer(report.report_for(user=request.user, start=start, end=end)).data)


# --- The page and the PDF ---------------------------------------------------------------------------


def _private(response):
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def render_page(request, figures: dict, *, pdf_href: str, back_href: str = "/#/week"):
    links = [("Download PDF", pdf_href)]
    if back_href:
        links.append(("Back to the app", back_href))
    html = render_to_string(
        "report/report.html", {"r": figures, "links": links, "pdf": False}, request=request
    )
    return _private(HttpResponse(html))


def _refuse_fetch(url, *args, **kwargs):
    raise ValueError(f"the report loads nothing: {url[:60]!r} refused")


def render_pdf(figures: dict, filename: str) -> HttpResponse:
    try:
        from weasyprint import CSS, HTML
    except OSError:  # Pango missing on this server
        return _private(
            JsonResponse(
                {"detail": "PDF rendering is not available on this server (WeasyPrint needs Pango)."},
                status=503,
            )
        )
    html = render_to_string("report/report.html", {"r": figures, "links": [], "pdf": True})
    with open(finders.find("report/report.css"), encoding="utf-8") as css:
        stylesheet = CSS(string=css.read(), url_fetcher=_refuse_fetch)
    document = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(stylesheets=[stylesheet])
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


def _page_range(request):
    try:
        return _range(request.user, request.GET.dict())
    except ValidationError as exc:
        return exc


def report_page(request):
    """GET /report/?start=&end=: the report on screen for the signed-in user (the app's session)."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect("/#/login")
    found = _page_range(request)
    if isinstance(found, ValidationError):
        return _private(JsonResponse(found.detail, status=400))
    start, end = found
    figures = report.report_for(user=request.user, start=start, end=end)
    return render_page(request, figures, pdf_href=f"/report/pdf/?start={start}&end={end}")


def report_pdf(request):
    """GET /report/pdf/?start=&end=: the same report as a PDF."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect("/#/login")
    found = _page_range(request)
    if isinstance(found, ValidationError):
        return _private(JsonResponse(found.detail, status=400))
    start, end = found
    figures = report.report_for(user=request.user, start=start, end=end)
    return render_pdf(figures, f"magnesium-report-{start}-{end}.pdf")


urlpatterns = [
    path("", report_page, name="report-page"),
    path("pdf/", report_pdf, name="report-pdf"),
]
