"""The one-page report (tracker/services/report.py): JSON for the API, a page for the screen and the
same page as a PDF, rendered by WeasyPrint from the same template. The PDF is made with no fetch at
all: its stylesheet is read from the app's own static files and every other URL is refused, and
Django escapes every user string, so no text a user typed can make the server fetch anything."""

import time
from datetime import timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.fields import BoundedDateField
from tracker.models import ReportFile, ShareLink
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


class PdfUnavailable(Exception):
    pass


def pdf_bytes(figures: dict) -> bytes:
    try:
        from weasyprint import CSS, HTML
    except OSError as exc:  # Pango missing on this server
        raise PdfUnavailable from exc
    html = render_to_string("report/report.html", {"r": figures, "links": [], "pdf": True})
    with open(finders.find("report/report.css"), encoding="utf-8") as css:
        stylesheet = CSS(string=css.read(), url_fetcher=_refuse_fetch)
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(stylesheets=[stylesheet])


def _pdf_response(document: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


def _unavailable():
    detail = "PDF rendering is not available on this server (WeasyPrint needs Pango)."
    return _private(JsonResponse({"detail": detail}, status=503))


def render_pdf(figures: dict, filename: str) -> HttpResponse:
    try:
        return _pdf_response(pdf_bytes(figures), filename)
    except PdfUnavailable:
        return _unavailable()


# A range longer than this is rendered by the worker: the request answers with a page that waits for it.
SYNC_PDF_DAYS = 92


def render_file(file_id) -> None:
    """The worker's part: render a ReportFile's PDF (once)."""
    file = ReportFile.objects.select_related("user").filter(pk=file_id, done=False).first()
    if file is None:
        return
    try:
        document = pdf_bytes(report.report_for(user=file.user, start=file.start, end=file.end))
    except PdfUnavailable:
        ReportFile.objects.filter(pk=file.pk).update(done=True, error="PDF rendering is not available here.")
        return
    ReportFile.objects.filter(pk=file.pk).update(pdf=document, done=True)


@shared_task(ignore_result=True, name="api.tasks.render_report_pdf")
def render_report_pdf(file_id: str) -> None:
    """The worker renders a long range's PDF into its ReportFile; the waiting page serves it once done.
    Safe to run twice: a file already rendered is left alone."""
    render_file(file_id)


def _pdf_or_job(request, *, user, start, end, wait_href, link=None):
    """The PDF now for a range up to SYNC_PDF_DAYS, else a job for the worker and a redirect to the page
    that waits for it."""
    filename = f"magnesium-report-{start}-{end}.pdf"
    if (end - start).days < SYNC_PDF_DAYS:
        return render_pdf(report.report_for(user=user, start=start, end=end), filename)
    ReportFile.objects.filter(created_at__lt=timezone.now() - timedelta(days=1)).delete()  # kept a day
    file = ReportFile.objects.create(user=user, start=start, end=end, share_link=link)
    transaction.on_commit(partial(render_report_pdf.delay, str(file.pk)), robust=True)
    return HttpResponseRedirect(wait_href(file.pk))


def _waiting_file(request, file):
    """The rendered PDF once the worker is done; until then a page that looks again every 2 seconds."""
    if file is None or file.created_at < timezone.now() - timedelta(days=1):
        return _not_available(request)
    if not file.done:
        response = render(request, "report/waiting.html", {"start": file.start, "end": file.end})
        response["Refresh"] = "2"
        return _private(response)
    if file.error:
        return _unavailable()
    return _pdf_response(bytes(file.pdf), f"magnesium-report-{file.start}-{file.end}.pdf")


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
    """GET /report/pdf/?start=&end=: the same report as a PDF (a long range: rendered by the worker)."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect("/#/login")
    found = _page_range(request)
    if isinstance(found, ValidationError):
        return _private(JsonResponse(found.detail, status=400))
    start, end = found
    return _pdf_or_job(
        request, user=request.user, start=start, end=end, wait_href=lambda pk: f"/report/pdf/{pk}/"
    )


def report_pdf_file(request, file_id):
    """GET /report/pdf/<id>/: a long report's PDF, once the worker has rendered it (its owner only)."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect("/#/login")
    return _waiting_file(
        request, ReportFile.objects.filter(pk=file_id, user=request.user, share_link=None).first()
    )


urlpatterns = [
    path("", report_page, name="report-page"),
    path("pdf/", report_pdf, name="report-pdf"),
    path("pdf/<uuid:file_id>/", report_pdf_file, name="report-pdf-file"),
]


# --- Share links -----------------------------------------------------------------------------------


class ShareLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    start = BoundedDateField(
        required=False, help_text="First day of the report; default 27 days before `end`."
    )
    end = BoundedDateField(required=False, help_text="Last day; default today.")
    days_valid = serializers.IntegerField(
        write_only=True,
        required=False,
        default=report.SHARE_DAYS_DEFAULT,
        min_value=1,
        max_value=report.SHARE_DAYS_MAX,
        help_text="How long the link works, 1 to 30 days (default 7).",
    )
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_opened_at = serializers.DateTimeField(read_only=True, allow_null=True)
    open_count = serializers.IntegerField(read_only=True)
    active = serializers.SerializerMethodField()

    def get_active(self, link) -> bool:
        from django.utils import timezone

        return link.revoked_at is None and link.expires_at > timezone.now()


class NewShareLinkSerializer(ShareLinkSerializer):
    url = serializers.CharField(read_only=True, help_text="The link: shown this once, never stored.")


@extend_schema_view(
    destroy=extend_schema(
        summary="Revoke a link (it answers “not available” from now on)", responses={200: ShareLinkSerializer}
    ),
)
class ShareLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read-only links to one report, for a clinician without an account."""

    serializer_class = ShareLinkSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ShareLink.objects.none()
        return ShareLink.objects.filter(user=self.request.user)

    @extend_schema(request=ShareLinkSerializer, responses={201: NewShareLinkSerializer})
    def create(self, request):
        """Make a link to the report of a range. The answer holds its `url` this once: only a hash of its
        token is kept. At most 20 live links."""
        serializer = ShareLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            link, token = report.share_create(
                user=request.user, start=data.get("start"), end=data.get("end"), days_valid=data["days_valid"]
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        body = ShareLinkSerializer(link).data
        body["url"] = f"{settings.SITE_URL}/s/{token}/"
        return Response(body, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        return Response(ShareLinkSerializer(report.share_revoke(link=self.get_object())).data)


def _not_available(request):
    response = render(request, "report/not_available.html", status=404)
    response["Referrer-Policy"] = "no-referrer"
    return _private(response)


def _limited(request, link_key: str) -> bool:
    """At most SHARED_PER_LINK openings of one link an hour, and SHARED_PER_ADDRESS requests a minute
    from one address (a guessed token costs a guesser as much as a valid one)."""
    from api.throttles import client_ip, throttle_cache

    address = f"share:ip:{client_ip(request)}:{int(time.time() // 60)}"
    if _count(throttle_cache, address, 60) > SHARED_PER_ADDRESS:
        return True
    return (
        bool(link_key)
        and _count(throttle_cache, f"share:link:{link_key}:{int(time.time() // 3600)}", 3600)
        > SHARED_PER_LINK
    )


def _count(cache, key: str, timeout: int) -> int:
    """A request more in this window (the throttles' cache: shared across processes, or each process's
    own while the cache is down, as DRF's throttles here)."""
    count = (cache.get(key) or 0) + 1
    cache.set(key, count, timeout)
    return count


SHARED_PER_ADDRESS = 30
SHARED_PER_LINK = 120


def _shared(request, token: str):
    if _limited(request, ""):
        return None, _private(
            HttpResponse("Too many requests: try again in a minute.", status=429, content_type="text/plain")
        )
    link = report.share_open(token=token)
    if link is None:
        return None, _not_available(request)
    if _limited(request, str(link.pk)):
        return None, _private(
            HttpResponse("Too many requests: try again later.", status=429, content_type="text/plain")
        )
    return link, None


def shared_page(request, token: str):
    """GET /s/<token>/: the report a link names, without an account, and nothing else of it."""
    link, refused = _shared(request, token)
    if refused:
        return refused
    figures = report.report_for(user=link.user, start=link.start, end=link.end)
    response = render_page(request, figures, pdf_href=f"/s/{token}/pdf/", back_href="")
    response["Referrer-Policy"] = "no-referrer"
    return response


def shared_pdf(request, token: str):
    link, refused = _shared(request, token)
    if refused:
        return refused
    return _pdf_or_job(
        request,
        user=link.user,
        start=link.start,
        end=link.end,
        wait_href=lambda pk: f"/s/{token}/pdf/{pk}/",
        link=link,
    )


def shared_pdf_file(request, token: str, file_id):
    link, refused = _shared(request, token)
    if refused:
        return refused
    return _waiting_file(request, ReportFile.objects.filter(pk=file_id, share_link=link).first())


shared_urlpatterns = [
    path("<str:token>/", shared_page, name="shared-report"),
    path("<str:token>/pdf/", shared_pdf, name="shared-report-pdf"),
    path("<str:token>/pdf/<uuid:file_id>/", shared_pdf_file, name="shared-report-pdf-file"),
]
