"""What a new user's trial of the phone app found (issue 11), each fixed and checked on a 390 × 844
Chromium: the About-you result in view, offline entries counted and deletable, recent foods offline,
a "synced" message that covers nothing, no wrapping, the time zone list and errors at their field,
no 401 on the first visit, the empty ring, and charts whose numbers are the API's."""

import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import log_portions
from tests.test_pwa_browser import log_almonds, register, set_profile, shot, wait_for_service_worker
from tracker.models import IntakeEntry, SupplementDose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
User = get_user_model()


def in_view(page, selector) -> bool:
    return page.evaluate(
        f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect(); "
        "return r.top >= 0 && r.bottom <= innerHeight; })()"
    )


def test_first_visit_has_no_401_the_zone_is_a_list_errors_sit_at_their_field_and_the_result_shows(
    page, live_server
):
    failures = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert failures == []
    link = page.get_by_role("link", name="Create an account")
    assert link.evaluate("a => getComputedStyle(a).color") != "rgb(0, 0, 238)"  # not the default blue
    register(page, live_server, "zoe")
    zone = page.get_by_label("Time zone")
    assert zone.get_attribute("list") == "zones"
    options = page.locator("datalist#zones option")
    assert options.count() > 300 and page.locator('datalist#zones option[value="Europe/Paris"]').count() == 1
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Birth date").fill("1990-06-15")
    zone.fill("Mars/Olympus")
    page.get_by_role("button", name="Save").click()
    error = page.locator(".field-error")
    expect(error).to_contain_text("IANA time zone")
    assert zone.get_attribute("aria-invalid") == "true" and zone.get_attribute(
        "aria-describedby"
    ) == error.get_attribute("id")
    # the message sits right under its field, not at the bottom of the form
    assert abs(error.bounding_box()["y"] - (zone.bounding_box()["y"] + zone.bounding_box()["height"])) < 30
    zone.fill("Europe/Paris")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#target")).to_have_text("320 mg a day")
    assert in_view(page, "#target")  # the result is brought into view
    shot(page, "trial-setup-result")


def test_offline_entries_count_can_be_deleted_and_a_sync_says_so_without_covering_anything(
    page, context, live_server
):
    register(page, live_server, "otto")
    wait_for_service_worker(page)
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    expect(page.locator(".ring-part")).to_have_count(0)  # 0 %: no dot
    log_almonds(page)  # online: the Food screen's recent foods are kept for offline
    expect(page.locator("#total")).to_have_text("78 mg")
    expect(page.locator(".ring-part")).to_have_count(1)
    context.set_offline(True)
    page.get_by_role("navigation").get_by_role("link", name="Food").click()
    quick = page.get_by_role("button", name="Add Almonds", exact=True)
    expect(quick).to_be_visible()  # recent and frequent, offline
    quick.click()
    expect(page.locator(".tray-total")).to_have_text("1 food · 78 mg")
    page.locator("#log-tray").click()
    expect(page.locator("#total")).to_have_text("156 mg")  # the waiting entry counts
    expect(page.locator("#waiting-total")).to_have_text("78 mg of it waiting to sync")
    expect(page.locator("#remaining")).to_have_text("164 mg to go")
    waiting = page.get_by_role("list", name="Waiting to sync")
    assert waiting.locator("strong").evaluate("s => s.getClientRects().length") == 1  # "78 mg" on one line
    shot(page, "trial-offline-waiting")
    page.get_by_role("button", name="Delete Almonds, 1 × 1 oz (waiting)").click()
    expect(page.locator("#total")).to_have_text("78 mg")
    expect(page.locator("#sync-status")).to_be_hidden()
    log_almonds(page)
    expect(page.locator("#sync-status")).to_have_text("1 entry waiting to sync")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    toast = page.locator("#toast")
    expect(toast).to_have_text("Synced: 1 entry sent.", timeout=15000)
    box = toast.bounding_box()
    assert box["y"] < 120  # at the top: the entries and Save buttons below stay uncovered
    expect(page.locator("#total")).to_have_text("156 mg")
    assert IntakeEntry.objects.count() == 2  # the deleted one never reached the server


def test_buttons_and_totals_do_not_wrap_at_390_px(page, live_server):
    register(page, live_server, "una")
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    food = page.get_by_role("link", name="Log food")
    supplement = page.get_by_role("link", name="Log supplement")
    expect(supplement).to_be_visible()
    assert supplement.bounding_box()["height"] == food.bounding_box()["height"] < 60
    assert page.locator("#total").evaluate("s => s.getClientRects().length") == 1
    for name in ("Today", "Food", "Supplement", "Symptoms", "Week", "More"):
        tab = page.get_by_role("navigation").get_by_role("link", name=name)
        assert tab.evaluate("a => a.scrollWidth <= a.clientWidth"), name  # each label fits its tab


def test_the_charts_show_the_apis_numbers_and_a_tap_opens_the_day(page, live_server, almonds_oz, citrate):
    register(page, live_server, "cleo")
    set_profile(page)
    user = User.objects.get(username="cleo")
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=60))
    today = timezone.now().astimezone(UTC).date()
    log_portions(user, almonds_oz, (0, 1), (1, 3), (3, 5), (20, 2), (45, 4))
    day = today - timedelta(days=1)
    SupplementDose.objects.create(
        user=user,
        form=citrate,
        elemental_mg=Decimal(100),
        taken_at=datetime(day.year, day.month, day.day, 8, tzinfo=UTC),
        local_date=day,
    )
    page.goto(f"{live_server.url}/#/week")
    api = page.request.get(f"{live_server.url}/api/v1/summary/weekly/").json()
    bars = page.locator("svg.chart g.day")
    expect(bars).to_have_count(7)
    values = [bars.nth(i).locator("text.value").text_content() for i in range(7)]
    # a day with nothing logged is "no data", not 0
    assert values == ["no data" if d["no_data"] else str(round(float(d["total_mg"]))) for d in api["days"]]
    assert values.count("no data") == 4
    assert page.locator("svg.chart rect.bar.supplement").count() == 1  # stacked on yesterday's food
    expect(page.locator("#week-average")).to_have_text(
        f"Average {round(float(api['average_mg']))} mg a day · on target {api['days_target_met']} of 3 days "
        "(4 days with nothing logged left out)"
    )
    shot(page, "trial-week")
    # a tap on yesterday's bar opens yesterday
    bars.nth(5).locator("rect.bar.food").click()
    expect(page).to_have_url(re.compile(rf"#/today/{day.isoformat()}$"))
    expect(page.get_by_role("heading", level=2)).not_to_have_text("Today")
    expect(page.locator("#total")).to_have_text("334 mg")  # 3 × 78 + 100

    page.goto(f"{live_server.url}/#/month")
    month = page.request.get(f"{live_server.url}/api/v1/summary/period/?days=30").json()
    expect(page.locator("svg.chart g.day")).to_have_count(30)
    expect(page.locator("#month-average")).to_contain_text(
        f"Average {round(float(month['average_mg']))} mg a day"
    )
    expect(page.locator("#top-foods li").first).to_have_text(
        f"Almonds: {round(float(month['top_foods'][0]['magnesium_mg']))} mg"
    )
    shot(page, "trial-month")

    page.goto(f"{live_server.url}/#/trend")
    trend = page.request.get(f"{live_server.url}/api/v1/summary/period/?days=90").json()
    # the rolling average is drawn across days with nothing logged (a flat stretch has no height, so
    # "attached" rather than "visible"), broken only where no day of its 7 was logged
    rolling_lines = page.locator("svg.chart polyline.rolling")
    expect(rolling_lines.first).to_be_attached()
    drawn = sum(1 for d in trend["days"] if d["rolling_7_day_mg"] is not None)
    points = sum(
        len((rolling_lines.nth(i).get_attribute("points") or "").split())
        for i in range(rolling_lines.count())
    )
    assert points == drawn
    page.get_by_text("Each day as a table").click()
    rows = page.locator("table.days tbody tr")
    expect(rows).to_have_count(90)
    last = trend["days"][-1]
    expect(rows.last).to_contain_text(f"{round(float(last['rolling_7_day_mg']))} mg")
    expect(page.locator("table.days tbody tr", has_text="no data")).to_have_count(
        sum(1 for d in trend["days"] if d["no_data"])
    )
    shot(page, "trial-trend")


def test_the_remaining_screens_pass_axe_and_the_reminder_button_keeps_its_distance(page, live_server):
    from axe_playwright_python.sync_playwright import Axe

    for screen in ("login", "register"):
        page.goto(f"{live_server.url}/#/{screen}")
        page.wait_for_load_state("networkidle")
        assert Axe().run(page).violations_count == 0, screen
    register(page, live_server, "ada")
    assert Axe().run(page).violations_count == 0, "setup"
    set_profile(page)
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    for screen, heading in (("month", "30 days"), ("trend", "90 days"), (f"today/{yesterday}", None)):
        page.goto(f"{live_server.url}/#/{screen}")
        if heading:
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, screen
        result = Axe().run(page)
        assert result.violations_count == 0, (screen, result.generate_report())
    page.goto(f"{live_server.url}/#/reminders")
    add = page.get_by_role("button", name="Add a reminder")
    below = page.get_by_role("heading", name="Recent deliveries")
    assert below.bounding_box()["y"] - (add.bounding_box()["y"] + add.bounding_box()["height"]) >= 12
    profile = page.request.get(f"{live_server.url}/api/v1/profile/").json()
    assert profile["life_stage_label"] == "Neither"  # as the app says it


# --- Found by an independent review of the offline paths (each failed before its fix) ----------------------


def go_offline_with_one_waiting(page, context, live_server, username):
    register(page, live_server, username)
    wait_for_service_worker(page)
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    log_almonds(page)
    expect(page.locator("#total")).to_have_text("78 mg")
    context.set_offline(True)
    log_almonds(page)
    expect(page.locator("#sync-status")).to_have_text("1 entry waiting to sync")


def test_after_a_release_the_app_still_starts_offline(page, context, live_server, monkeypatch, tmp_path):
    import shutil

    from pwa import views

    register(page, live_server, "rita")
    wait_for_service_worker(page)
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    log_almonds(page)
    expect(page.locator("#total")).to_have_text("78 mg")
    # a release: one file changes, so the service worker's version changes
    copy = tmp_path / "pwa"
    shutil.copytree(views.STATIC, copy)
    (copy / "styles.css").write_text((copy / "styles.css").read_text() + "\n/* release */\n")
    monkeypatch.setattr(views, "STATIC", copy)
    monkeypatch.setattr(views, "_WORKER", {})
    version = re.search(
        r'const VERSION = "(\w+)"', page.request.get(f"{live_server.url}/sw.js").text()
    ).group(1)
    page.reload()
    page.wait_for_function(
        f"caches.keys().then((keys) => keys.includes('shell-{version}') && keys.length === 2)", timeout=15000
    )
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.locator("#total")).to_have_text("78 mg")


def test_deleting_a_waiting_entry_while_it_is_being_sent_deletes_it_on_the_server(
    page, context, live_server, monkeypatch
):
    from api.entries import EntryBatchView

    go_offline_with_one_waiting(page, context, live_server, "saul")
    original = EntryBatchView.post

    def slow(self, request, *args, **kwargs):
        time.sleep(2)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(EntryBatchView, "post", slow)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the sync starts, and takes 2 s
    page.get_by_role("button", name="Delete Almonds, 1 × 1 oz (waiting)").click()
    expect(page.locator("#toast")).to_have_text("Deleted Almonds, 1 × 1 oz.", timeout=10000)
    expect(page.locator("#total")).to_have_text("78 mg")
    time.sleep(0.5)
    assert IntakeEntry.objects.count() == 1  # stored by the sync, then deleted: not there twice


def test_synced_is_said_only_for_what_was_sent_and_a_refused_entry_is_named(
    page, context, live_server, monkeypatch
):
    go_offline_with_one_waiting(page, context, live_server, "tess")
    page.get_by_role("button", name="Delete Almonds, 1 × 1 oz (waiting)").click()
    expect(page.locator("#toast")).to_have_text("Deleted Almonds, 1 × 1 oz.")
    page.wait_for_timeout(500)
    expect(page.locator("#toast")).to_have_text("Deleted Almonds, 1 × 1 oz.")  # no "Synced" for a deletion
    # an entry the server refuses (its food deleted meanwhile, say) is named, not reported as synced
    log_almonds(page)
    from rest_framework.response import Response

    from api.entries import EntryBatchView

    monkeypatch.setattr(
        EntryBatchView,
        "post",
        lambda self, request: Response(
            {"entries": {"0": {"food": ["This food no longer exists."]}}}, status=400
        ),
    )
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#toast")).to_have_text(
        "Not stored: Almonds, 1 × 1 oz (This food no longer exists.).", timeout=10000
    )


def test_an_offline_dose_past_the_limit_warns_and_counts_in_its_section(page, context, live_server):
    go_offline_with_one_waiting(page, context, live_server, "ugo")
    page.get_by_role("navigation").get_by_role("link", name="Supplement").click()
    page.get_by_label("Form").select_option(label="Citrate")
    page.get_by_label("Amount (mg)").fill("400")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#limit-warning")).to_contain_text(
        "Supplements today: 400 mg, above the 350 mg upper limit"
    )
    expect(page.get_by_role("region", name="Supplements").locator(".subtotal")).to_have_text("400 mg")
    expect(
        page.locator("#meal-lunch, #meal-breakfast, #meal-dinner, #meal-snack").filter(has_text="156 mg")
    ).to_have_count(1)
    # another day's screen does not list today's waiting entries
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    context.set_offline(False)
    page.goto(f"{live_server.url}/#/today/{yesterday}")
    expect(page.locator("#total")).to_have_text("0 mg")
    expect(page.get_by_role("list", name="Waiting to sync")).to_have_count(0)


def test_offline_past_midnight_today_is_a_new_day(page, context, live_server):
    register(page, live_server, "vera")
    wait_for_service_worker(page)
    set_profile(page)  # the zone is the browser's (UTC here)
    page.get_by_role("link", name="Start logging").click()
    log_almonds(page)
    expect(page.locator("#total")).to_have_text("78 mg")
    context.set_offline(True)
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(UTC).replace(hour=0, minute=30)
    page.clock.install(time=tomorrow)
    page.reload()  # the cached day is yesterday's now
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.locator("#total")).to_have_text("0 mg")
    log_almonds(page)  # logged offline after midnight: counts on the new day
    expect(page.locator("#total")).to_have_text("78 mg")
    expect(page.locator("#waiting-total")).to_have_text("78 mg of it waiting to sync")
