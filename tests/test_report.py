"""The one-page report: its figures against the summaries for the same range, the page, the PDF (made
without any fetch, user text escaped)."""

import io
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader

from api.report import render_pdf
from tracker import services
from tracker.services import guidance, report

pytestmark = pytest.mark.django_db

END = date(2026, 11, 28)


@pytest.fixture
def history(user, almonds_oz, oat_bran_half_cup, citrate):
    """Four weeks ending on END: almonds most days, oat bran on some, citrate on some (one day past the
    limit), a day marked complete with nothing logged, symptoms, a serum result, a medicine."""
    start = END - timedelta(days=27)
    for n in range(28):
        day = start + timedelta(days=n)
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        if n % 7 == 3:
            continue  # nothing logged
        services.intake_create(
            user=user, food=almonds_oz.food, portion=almonds_oz, quantity=Decimal(2), consumed_at=noon
        )
        if n % 3 == 0:
            services.intake_create(
                user=user, food=oat_bran_half_cup.food, portion=oat_bran_half_cup, consumed_at=noon
            )
        if n % 4 == 0:
            services.dose_create(user=user, form=citrate, elemental_mg=Decimal(200), taken_at=noon)
    services.dose_create(
        user=user, form=citrate, elemental_mg=Decimal(200), taken_at=datetime(2026, 11, 1, 20, tzinfo=UTC)
    )
    guidance.day_complete_set(user=user, day=start + timedelta(days=3), complete=True)  # a day of zero
    guidance.symptom_create(
        user=user,
        kind="twitching",
        body_area="eyelid",
        severity=2,
        occurred_at=datetime(2026, 11, 10, 9, tzinfo=UTC),
    )
    guidance.lab_create(user=user, value=Decimal("1.6"), unit="mg_dl", taken_on=date(2026, 11, 12))
    services.profile_update(user=user, medicines=[{"kind": "quinolone", "times": ["08:00"]}])
    return user


def test_every_figure_is_the_one_the_summaries_give_for_the_same_days(history, api):
    body = api.get(f"/api/v1/report/?start={END - timedelta(days=27)}&end={END}").json()
    period = api.get(f"/api/v1/summary/period/?end={END}&days=28").json()
    assert body["days_in_range"] == 28
    assert body["days_logged"] == period["days_with_data"] == 25  # 24 logged + 1 marked complete
    assert body["days_complete"] == 1
    assert body["average_mg"] == period["average_mg"]
    assert body["days_at_or_above_target"] == period["days_target_met"]
    assert body["days_over_limit"] == period["days_over_limit"] == 1
    counted = [d for d in period["days"] if not d["no_data"]]
    totals = sorted(Decimal(str(d["total_mg"])) for d in counted)
    assert Decimal(str(body["median_mg"])) == totals[len(totals) // 2]  # 25 days: the 13th
    share = Decimal(body["days_at_or_above_target"] * 100) / 25
    assert Decimal(str(body["share_at_or_above_target_percent"])) == share.quantize(Decimal("0.1"))
    [citrate_row] = body["supplements"]
    assert (
        citrate_row["form"] == "Citrate"
        and citrate_row["doses"] == 6 + 1
        and citrate_row["days_over_limit"] == 1
    )
    assert body["labs"][0]["flag"] == "low" and body["labs"][0]["unit"] == "mg/dL"
    assert body["medicines"][0]["times"] == ["08:00"] and "quinolone" in body["medicines"][0]["label"].lower()
    assert body["target_mg"] == 320 and body["target_label"] == "RDA for a woman aged 31–50 years"
    day_10 = next(d for d in body["days"] if d["date"] == "2026-11-10")
    assert day_10["symptoms"] == ["Twitching 2/5"]
    assert any("does not rule out a low body store" in c for c in body["caveats"])
    assert any("Self-reported" in c for c in body["caveats"]) and any(
        "Not a diagnosis" in c for c in body["caveats"]
    )


def test_the_default_range_is_the_last_28_days_and_bad_ranges_are_400(user, api):
    body = api.get("/api/v1/report/").json()
    today = services.local_today(profile=user.profile)
    assert (body["start"], body["end"]) == (str(today - timedelta(days=27)), str(today))
    assert api.get("/api/v1/report/?start=2026-11-10&end=2026-11-01").status_code == 400
    too_long = api.get("/api/v1/report/?start=2025-10-31&end=2026-11-01")
    assert too_long.status_code == 400 and too_long.json()["end"] == ["A report covers at most 366 days."]
    assert api.get("/api/v1/report/?end=2026-13-01").status_code == 400


def test_the_page_and_the_pdf_carry_the_same_figures(history, client, user):
    client.force_login(user)
    query = f"?start={END - timedelta(days=27)}&end={END}"
    figures = report.report_for(user=user, start=END - timedelta(days=27), end=END)
    page = client.get(f"/report/{query}")
    assert page.status_code == 200 and page["Cache-Control"].startswith("no-store")
    html = page.content.decode()
    average = f"{figures['average_mg']:.0f} mg"
    assert average in html and "25 of 28" in html and "Download PDF" in html
    pdf = client.get(f"/report/pdf/{query}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert average in text and "25 of 28" in text and "Citrate" in text
    assert "does not rule out a low body store" in " ".join(text.split())


def test_signed_out_the_page_sends_to_sign_in(client):
    assert client.get("/report/")["Location"] == "/#/login"
    assert client.get("/report/pdf/")["Location"] == "/#/login"


def test_the_pdf_fetches_nothing_and_escapes_user_text(history, user):
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        figures = report.report_for(user=user, start=END - timedelta(days=27), end=END)
        figures["supplements"][0]["form"] = f'<img src="{url}/img"><link rel="stylesheet" href="{url}/css">'
        figures["target_label"] = f"<style>@import url({url}/import);</style>"
        response = render_pdf(figures, "x.pdf")
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    finally:
        server.shutdown()
    assert hits == []
    assert "<img src=" in text  # shown as text, never loaded


# --- Share links ----------------------------------------------------------------------------------------


def make_link(api, **body):
    response = api.post(
        "/api/v1/share-links/",
        {"start": str(END - timedelta(days=27)), "end": str(END), **body},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def path_of(url: str) -> str:
    return url.split("127.0.0.1:8000", 1)[1]


def test_a_share_link_opens_the_report_without_an_account_and_counts_its_openings(history, api, client):
    link = make_link(api)
    assert link["url"].startswith("http") and link["open_count"] == 0 and link["active"] is True
    token = path_of(link["url"]).split("/")[2]
    assert len(token) >= 32  # 192 bits, base64url
    from tracker.models import ShareLink

    stored = ShareLink.objects.get(pk=link["id"])
    assert token not in stored.token_hash and len(stored.token_hash) == 64  # only its hash is kept
    page = client.get(path_of(link["url"]))
    assert page.status_code == 200 and b"Magnesium intake report" in page.content
    assert page["Cache-Control"].startswith("no-store") and "noindex" in page["X-Robots-Tag"]
    assert b"Back to the app" not in page.content and history.username.encode() not in page.content
    pdf = client.get(path_of(link["url"]) + "pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    listed = api.get("/api/v1/share-links/").json()["results"][0]
    assert listed["open_count"] == 2 and listed["last_opened_at"] and "url" not in listed
    # nothing else of the account: the API still wants a sign-in
    assert client.get("/api/v1/summary/daily/").status_code in (401, 403)
    export = api.get("/api/v1/export/").json()
    assert export["share_links"][0]["open_count"] == 2 and token not in str(export)


def test_expired_revoked_guessed_and_deleted_links_answer_the_same_not_available(
    history, api, client, other_api
):
    from django.utils import timezone

    from tracker.models import ShareLink

    expired, revoked, kept = make_link(api, days_valid=1), make_link(api), make_link(api, days_valid=30)
    ShareLink.objects.filter(pk=expired["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert other_api.delete(f"/api/v1/share-links/{revoked['id']}/").status_code == 404  # another account's
    assert api.delete(f"/api/v1/share-links/{revoked['id']}/").json()["active"] is False
    answers = [client.get(path_of(link["url"])) for link in (expired, revoked)]
    answers.append(client.get("/s/" + "A" * 32 + "/"))  # a guessed token
    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1 and b"not available" in answers[0].content
    assert client.get(path_of(kept["url"])).status_code == 200
    history.delete()  # deleting the account ends every link
    assert client.get(path_of(kept["url"])).status_code == 404


def test_share_link_limits(history, api, client, settings):
    assert api.post("/api/v1/share-links/", {"days_valid": 31}, format="json").status_code == 400
    assert api.post("/api/v1/share-links/", {"days_valid": 0}, format="json").status_code == 400
    link = make_link(api)
    import api.report as views

    settings_before = views.SHARED_PER_ADDRESS
    views.SHARED_PER_ADDRESS = 3
    try:
        codes = [client.get("/s/" + "B" * 32 + "/").status_code for _ in range(5)]
    finally:
        views.SHARED_PER_ADDRESS = settings_before
    assert codes == [404, 404, 404, 429, 429]  # guessing is rate-limited per address
    assert client.get(path_of(link["url"]), REMOTE_ADDR="10.9.9.9").status_code in (200, 429)


def test_a_long_range_pdf_is_rendered_by_the_worker_and_waited_for(
    history, client, user, other_user, api, django_capture_on_commit_callbacks
):
    from django.test import Client

    from api.report import render_file

    client.force_login(user)
    start = END - timedelta(days=199)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get(f"/report/pdf/?start={start}&end={END}")
    assert response.status_code == 302 and len(queued) == 1
    wait = response["Location"]
    page = client.get(wait)
    assert page.status_code == 200 and b"Preparing the PDF" in page.content and page["Refresh"] == "2"
    stranger = Client()
    stranger.force_login(other_user)
    assert stranger.get(wait).status_code == 404  # another account's file is not available
    render_file(wait.rstrip("/").split("/")[-1])  # the worker's part
    pdf = client.get(wait)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "200 days" in text
    # through a share link too
    link = make_link(api, start=str(start))
    with django_capture_on_commit_callbacks(execute=False):
        shared = Client().get(path_of(link["url"]) + "pdf/")
    assert shared.status_code == 302 and shared["Location"].startswith(path_of(link["url"]) + "pdf/")


def test_a_shared_links_token_never_reaches_the_log(history, api, client, caplog):
    from tracker.middleware import RequestIdFilter

    link = make_link(api)
    token = path_of(link["url"]).split("/")[2]
    api.delete(f"/api/v1/share-links/{link['id']}/")
    with caplog.at_level("WARNING", logger="django.request"):
        assert client.get(path_of(link["url"])).status_code == 404  # Django logs "Not Found: <path>"
    assert caplog.records
    for record in caplog.records:
        RequestIdFilter().filter(record)
        line = record.getMessage() + str(getattr(record, "request", ""))
        assert token not in line and "/s/[token]" in line, line
