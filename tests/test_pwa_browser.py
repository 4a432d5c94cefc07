"""The PWA in a real browser (Debian's Chromium via Playwright), phone-sized, against the live server.
Screenshots of each screen are saved in test-artifacts/."""

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tracker.models import IntakeEntry, SupplementDose
from tracker.reminders.models import PushSubscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "magnesium-and-me-42"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate(
        "document.getElementById('toast').hidden = true"
    )  # a passing message would cover the screen
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def wait_for_service_worker(page) -> None:
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15000
    )


def register(page, live_server, username="mara"):
    page.goto(f"{live_server.url}/#/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="About you")).to_be_visible()


def set_profile(page):
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Birth date").fill("1990-06-15")
    expect(page.get_by_label("Time zone")).not_to_have_value("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#target")).to_have_text("320 mg a day")
    expect(page.locator("#target-why")).to_contain_text("RDA for a woman aged 31–50 years")


def add_food(page, query, name_pattern):
    """Search, then tap the food found: it joins the meal being built with its first portion."""
    page.get_by_label("Search foods").fill(query)
    found = page.get_by_role("list", name="Foods found").get_by_role(
        "button", name=re.compile(rf"^Add {name_pattern}")
    )
    found.first.click()
    expect(page.get_by_label("Search foods")).to_have_value("")  # ready for the next food


def log_almonds(page):
    page.goto(page.url.split("#")[0] + "#/log")
    add_food(page, "almonds", "Almonds")
    expect(page.locator(".tray-total")).to_have_text("1 food · 78 mg")  # 1 of the first portion
    page.locator("#log-tray").click()


def test_register_log_food_and_supplement_see_the_week_and_sync_offline_once(page, context, live_server):
    register(page, live_server)
    wait_for_service_worker(page)
    set_profile(page)
    shot(page, "1-profile")
    page.get_by_role("link", name="Start logging").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    log_almonds(page)
    expect(page.locator("#total")).to_have_text("78 mg")
    expect(page.locator("#remaining")).to_have_text("242 mg to go")
    shot(page, "2-today")
    page.get_by_role("button", name="Almonds, 1 × 1 oz, 78 mg: edit").click()  # a tap opens the entry
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.locator("#total")).to_have_text("0 mg")
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#total")).to_have_text("78 mg")
    assert IntakeEntry.objects.count() == 1

    page.get_by_role("navigation").get_by_role("link", name="Supplement").click()
    page.get_by_label("Form").select_option(label="Citrate")
    page.get_by_label("Amount (mg)").fill("400")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#limit-warning")).to_contain_text("above the 350 mg upper limit")
    shot(page, "3-today-over-limit")
    assert SupplementDose.objects.get().elemental_mg == 400

    page.get_by_role("navigation").get_by_role("link", name="Week").click()
    expect(page.locator("svg.chart g.day")).to_have_count(7)
    # nothing logged on the six days before: "no data", out of the average
    expect(page.locator("svg.chart g.no-data")).to_have_count(6)
    expect(page.locator("#week-average")).to_have_text(
        "Average 478 mg a day · on target 1 of 1 day · supplements over the upper limit on 1 day (⚠) "
        "(6 days with nothing logged left out)"
    )
    shot(page, "4-week")

    # Offline: the entry waits in the outbox, the app shell and data still answer.
    context.set_offline(True)
    log_almonds(page)
    expect(page.locator("#sync-status")).to_have_text("1 entry waiting to sync")
    expect(page.get_by_text("waiting to sync").first).to_be_visible()
    shot(page, "5-offline")
    assert IntakeEntry.objects.count() == 1
    page.reload()  # answered by the service worker's cache
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#sync-status")).to_be_hidden(timeout=15000)
    expect(page.locator("#total")).to_have_text("556 mg")  # 78 + 78 food + 400 supplements
    time.sleep(0.5)
    assert IntakeEntry.objects.count() == 2  # synced exactly once


def test_manifest_icons_and_service_worker(page, live_server):
    manifest = page.request.get(f"{live_server.url}/manifest.webmanifest").json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/#/today"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        response = page.request.get(live_server.url + icon["src"])
        assert response.ok and response.headers["content-type"] == "image/png"
    page.goto(f"{live_server.url}/#/login")
    state = page.evaluate("navigator.serviceWorker.ready.then(r => r.active && r.active.state)")
    assert state in ("activating", "activated")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


STUB_PUSH = """
  PushManager.prototype.getSubscription = async function () { return window.__subscription || null; };
  PushManager.prototype.subscribe = async function () {
    window.__subscription = {
      endpoint: "https://push.example.net/stub/device-1",
      toJSON() { return { endpoint: this.endpoint, expirationTime: null,
        keys: { p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
                auth: "tBHItJI5svbpez7KI4CCXg" } }; },
    };
    return window.__subscription;
  };
"""


def test_push_subscription_and_a_notification_from_the_service_worker(page, context, live_server, settings):
    from tracker.reminders.push import generate_vapid_keys

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = generate_vapid_keys()
    context.grant_permissions(["notifications"], origin=live_server.url)
    context.add_init_script(STUB_PUSH)
    register(page, live_server, "noor")
    set_profile(page)
    wait_for_service_worker(page)
    page.goto(f"{live_server.url}/#/reminders")
    page.get_by_role("button", name="Add a reminder").click()
    page.get_by_label("Time").fill("08:00")
    page.get_by_role("button", name="Save reminder").click()
    expect(page.get_by_text("Log meals at 08:00")).to_be_visible()
    page.get_by_role("button", name="Enable push notifications").click()
    expect(page.get_by_text("Push notifications are on for this device.")).to_be_visible()
    assert PushSubscription.objects.get().endpoint == "https://push.example.net/stub/device-1"
    shot(page, "6-reminders")

    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    registration_id = registrations[0]["registrationId"]
    payload = {
        "title": "Time to log your meals",
        "body": "242 mg to go today: 1 oz almonds (78 mg)",
        "url": "/#/log",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": registration_id, "data": json.dumps(payload)},
    )
    page.wait_for_function(
        "() => document.body.dataset.lastNotification === 'Time to log your meals'", timeout=10000
    )
    notifications = page.evaluate(
        "navigator.serviceWorker.ready.then(r => r.getNotifications())"
        ".then(ns => ns.map(n => ({title: n.title, body: n.body, url: n.data.url})))"
    )
    assert notifications == [{"title": payload["title"], "body": payload["body"], "url": "/#/log"}]


def test_every_screen_is_accessible_and_fits_360_px(page, live_server):
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size({"width": 360, "height": 740})
    register(page, live_server, "lin")
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    for screen, heading in [
        ("today", "Today"),
        ("log", "Log food"),
        ("supplement", "Log supplement"),
        ("week", "Week"),
        ("reminders", "Reminders"),
        ("settings", "Settings"),
    ]:
        page.goto(f"{live_server.url}/#/{screen}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, screen
        shot(page, f"360px-{screen}")
        result = Axe().run(page)
        assert result.violations_count == 0, (screen, result.generate_report())
    # keyboard: the skip link comes first, and a food can be found and chosen with keys alone
    assert (
        page.evaluate("document.querySelector('a, button, input, select').textContent") == "Skip to content"
    )
    page.goto(f"{live_server.url}/#/log")
    expect(page.get_by_role("heading", name="Log food")).to_be_visible()
    page.keyboard.press("Tab")  # from the screen's heading to the search field
    page.keyboard.type("spinach")
    expect(page.get_by_role("button", name=re.compile("^Add Spinach")).first).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # adds the first food found to the meal
    expect(page.locator(".tray-total")).to_contain_text("1 food · ")


def test_the_outbox_keeps_entries_through_server_errors_and_only_sends_its_owners(
    page, context, live_server, monkeypatch
):
    register(page, live_server, "ada")
    wait_for_service_worker(page)
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    log_almonds(page)  # online: cached search and the Today screen
    expect(page.locator("#total")).to_have_text("78 mg")

    context.set_offline(True)
    log_almonds(page)
    expect(page.locator("#sync-status")).to_have_text("1 entry waiting to sync")
    # back online, but the server answers 503 (restarting): the entry must stay
    from rest_framework.response import Response

    from api.entries import EntryBatchView, IntakeViewSet

    def restarting(*args, **kwargs):
        return Response({"detail": "restarting"}, status=503)

    monkeypatch.setattr(IntakeViewSet, "create", restarting)
    monkeypatch.setattr(EntryBatchView, "post", restarting)
    context.set_offline(False)
    page.evaluate("import('/static/pwa/api.js').then(m => m.flush())")
    expect(page.locator("#sync-status")).to_have_text("1 entry waiting to sync")
    log_almonds(page)  # online, while the server fails: kept too, not lost
    expect(page.locator("#sync-status")).to_have_text("2 entries waiting to sync")
    # let every flush that this log set off (directly, or through the service worker's background
    # sync) meet the failing server before the account changes: none may reach a recovered one as ada
    page.evaluate("import('/static/pwa/api.js').then(m => m.flush())")
    time.sleep(1)
    page.evaluate("import('/static/pwa/api.js').then(m => m.flush())")
    expect(page.locator("#sync-status")).to_have_text("2 entries waiting to sync")
    # entries wait for the account that logged them: as another account, nothing is sent (set before the
    # server recovers, so that no background flush can run as ada in between)
    page.evaluate("import('/static/pwa/api.js').then(m => m.setOwner('someone-else'))")
    monkeypatch.undo()
    page.evaluate("import('/static/pwa/api.js').then(m => m.flush())")
    assert IntakeEntry.objects.count() == 1
    page.evaluate("import('/static/pwa/api.js').then(m => { m.setOwner('ada'); return m.flush(); })")
    expect(page.locator("#sync-status")).to_be_hidden()
    assert IntakeEntry.objects.count() == 3


def test_no_screen_breaks_the_content_security_policy(page, live_server):
    """The strict policy (no inline script or style, nothing from elsewhere) holds on every screen, on
    a food search and a logged entry, and on the API docs: the browser reports no violation."""
    violations = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "(window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    register(page, live_server, "csp")
    set_profile(page)
    log_almonds(page)
    for screen in ("today", "supplement", "week", "reminders", "settings"):
        page.goto(f"{live_server.url}/#/{screen}")
        page.wait_for_load_state("networkidle")
        violations += page.evaluate("() => window.__csp || []")
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui").first).to_be_visible(timeout=15000)
    violations += page.evaluate("() => window.__csp || []")
    assert violations == []


def test_tapping_a_notification_opens_the_screen_it_names(page, context, live_server):
    """The service worker's notificationclick, dispatched in the worker's own context: the open app
    goes to the screen the message names."""
    context.grant_permissions(["notifications"], origin=live_server.url)
    register(page, live_server, "tap")
    wait_for_service_worker(page)
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    worker = context.service_workers[0]
    for url, heading in (("/#/supplement", "Log supplement"), ("/#/symptoms", "Symptoms")):
        worker.evaluate(
            """async (url) => {
                await self.registration.showNotification("Magnesium supplement", { body: "Time for it", tag: "t", data: { url } });
                const [shown] = await self.registration.getNotifications({ tag: "t" });
                self.dispatchEvent(new NotificationEvent("notificationclick", { notification: shown }));
            }""",
            url,
        )
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert page.url.endswith(url.removeprefix("/"))
    # the tapped notification is closed
    assert worker.evaluate("self.registration.getNotifications().then((ns) => ns.length)") == 0


def test_manifest_shortcuts_maskable_icon_and_dark_mode(page, live_server):
    from axe_playwright_python.sync_playwright import Axe

    manifest = page.request.get(f"{live_server.url}/manifest.webmanifest").json()
    assert [(s["name"], s["url"]) for s in manifest["shortcuts"]][:2] == [
        ("Log food", "/#/log"),
        ("Log supplement", "/#/supplement"),
    ]
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    page.emulate_media(color_scheme="dark")
    register(page, live_server, "night")
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    log_almonds(page)
    expect(page.locator("#total")).to_have_text("78 mg")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 18, 32)", background
    for screen in (
        "today",
        "week",
        "month",
        "trend",
        "symptoms",
        "supplement",
        "insights",
        "health",
        "more",
        "reminders",
        "settings",
        "log",
    ):
        page.goto(f"{live_server.url}/#/{screen}")
        page.wait_for_load_state("networkidle")
        result = Axe().run(page)
        assert result.violations_count == 0, (screen, result.generate_report())
    shot(page, "dark-supplement")
