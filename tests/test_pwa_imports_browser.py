"""Bringing a history in a real browser: upload a Cronometer export, read the preview, import, see the
days in Today and the week, undo. Screenshots at 390 px in test-artifacts/."""

import pytest
from playwright.sync_api import expect

from tests.test_imports import CRONOMETER
from tests.test_pwa_browser import register, set_profile, shot
from tracker.models import IntakeEntry, SupplementDose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cronometer_history_is_previewed_imported_shown_and_undone(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    register(page, live_server, "eva")
    set_profile(page)
    page.goto(f"{live_server.url}/#/more")
    page.get_by_role("link", name="Bring your history").click()
    expect(page.get_by_role("heading", name="Bring your history")).to_be_visible()
    page.get_by_label("Export file (CSV)").set_input_files(
        {"name": "servings.csv", "mimeType": "text/csv", "buffer": CRONOMETER.encode()}
    )
    page.get_by_role("button", name="Read the file").click()
    preview = page.locator("#import-preview")
    expect(preview).to_contain_text("Cronometer file: 8 rows read")
    expect(preview).to_contain_text("From 2026-10-01 to 2026-10-02 (2 days)")
    expect(preview).to_contain_text(
        "To create: 5 food entries and 1 supplement dose, 759 mg of magnesium in all"
    )
    expect(preview).to_contain_text("Line 8: no magnesium value")
    shot(page, "22-import-preview")
    assert not IntakeEntry.objects.exists()
    page.get_by_role("button", name="Import 6 entries").click()
    expect(page.get_by_role("button", name="Undo the import of servings.csv")).to_be_visible()
    assert IntakeEntry.objects.count() == 5 and SupplementDose.objects.count() == 1
    page.goto(f"{live_server.url}/#/today/2026-10-02")
    expect(page.get_by_text("Chocolate Cake, 1.00 full recipe")).to_be_visible()
    shot(page, "23-imported-day")
    page.goto(f"{live_server.url}/#/import")
    page.get_by_role("button", name="Undo the import of servings.csv").click()
    expect(page.get_by_text("undone")).to_be_visible()
    assert not IntakeEntry.objects.exists() and not SupplementDose.objects.exists()


def test_the_report_opens_from_the_week_at_390_px(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    register(page, live_server, "fay")
    set_profile(page)
    page.goto(f"{live_server.url}/#/import")
    page.get_by_label("Export file (CSV)").set_input_files(
        {"name": "servings.csv", "mimeType": "text/csv", "buffer": CRONOMETER.encode()}
    )
    page.get_by_role("button", name="Read the file").click()
    page.get_by_role("button", name="Import 6 entries").click()
    expect(page.get_by_role("button", name="Undo the import of servings.csv")).to_be_visible()
    page.goto(f"{live_server.url}/#/week/2026-10-07")
    page.locator("#report-link").click()
    expect(page.get_by_role("heading", name="Magnesium intake report")).to_be_visible()
    expect(page.get_by_text("2 of 28")).to_be_visible()  # the two imported days
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    # nothing wider than the phone: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="test-artifacts/24-report.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == "magnesium-report-2026-09-10-2026-10-07.pdf"


def test_a_share_link_is_made_opened_elsewhere_and_revoked(page, context, live_server, browser):
    page.set_viewport_size({"width": 390, "height": 844})
    register(page, live_server, "gil")
    set_profile(page)
    page.goto(f"{live_server.url}/#/more")
    page.get_by_role("link", name="Report for your doctor").click()
    page.get_by_label("Link works for (days, 1 to 30)").fill("3")
    page.get_by_role("button", name="Make a link").click()
    url = page.locator("#share-url").input_value()
    assert "/s/" in url
    shot(page, "25-share")
    # the doctor's browser: no account, no cookies
    doctor = browser.new_context()
    other = doctor.new_page()
    other.goto(live_server.url + "/s/" + url.split("/s/", 1)[1])
    expect(other.get_by_role("heading", name="Magnesium intake report")).to_be_visible()
    page.reload()
    expect(page.locator("#share-links")).to_contain_text("opened 1 time")
    page.locator("#share-links").get_by_role("button").click()
    expect(page.locator("#share-links")).to_contain_text("revoked")
    other.reload()
    expect(other.get_by_role("heading", name="Not available")).to_be_visible()
    doctor.close()
