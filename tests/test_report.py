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
