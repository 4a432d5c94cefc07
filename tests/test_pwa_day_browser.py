"""A real day in the phone app (Chromium at 390 × 844), from a fresh account on the whole bundled
catalogue: four meals, twelve foods found by search, a protein bar by a barcode that Open Food Facts
cannot answer (added from its label), and a glycinate capsule. Every action a person takes is counted
(a tap, a field filled, an option chosen): at most 40. Every mg on the screen is checked against the API."""

import socket
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.conftest import token_client
from tests.test_pwa_browser import register, set_profile, shot
from tracker.models import IntakeEntry, SupplementDose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (meal, [(what the person types, the food they mean)]); the food is the everyday row of each query
DAY = [
    (
        "breakfast",
        [
            ("oatmeal", "Cereals, oats"),
            ("milk", "Milk"),
            ("banana", "Banana"),
            ("coffee", "Beverages, coffee, brewed"),
        ],
    ),
    ("lunch", [("cheese pizza", 'Fast Food, Pizza Chain, 14" pizza, cheese topping'), ("apple", "Apple")]),
    ("snack", [("almonds", "Almonds"), ("greek yogurt", "Yogurt, Greek")]),
    (
        "dinner",
        [
            ("salmon", "Salmon, Atlantic, farmed, cooked"),
            ("brown rice", "Rice, brown, cooked"),
            ("spinach", "Spinach, raw"),
        ],
    ),
]
BARCODE = "4006381333931"  # valid check digit, unknown here; Open Food Facts does not answer


# The contrast of every SVG text on the screen against the card behind it (axe does not check SVG text).
SVG_TEXT_CONTRAST = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  return [...document.querySelectorAll("main svg text")].map((t) => {
    let el = t.closest("svg").parentElement;
    while (el && getComputedStyle(el).backgroundColor.startsWith("rgba(0, 0, 0, 0")) el = el.parentElement;
    const [a, b] = [lum(rgb(getComputedStyle(t).fill)), lum(rgb(getComputedStyle(el || document.body).backgroundColor))];
    return { text: t.textContent, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
  });
}"""


class Counter:
    """Each call is one action of the person: a tap, a field filled or an option chosen."""

    def __init__(self):
        self.actions = 0

    def tap(self, locator):
        self.actions += 1
        locator.click()

    def fill(self, locator, text):
        self.actions += 1
        locator.fill(text)

    def choose(self, locator, **option):
        self.actions += 1
        locator.select_option(**option)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once closed


def test_a_real_day_takes_at_most_40_actions_and_every_mg_is_the_apis(page, live_server, settings):
    call_command("import_foods", stdout=StringIO(), stderr=StringIO())
    settings.OPEN_FOOD_FACTS_URL = f"http://127.0.0.1:{closed_port()}"
    register(page, live_server, "dana")
    set_profile(page)
    page.get_by_role("link", name="Start logging").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    person = Counter()
    for meal, foods in DAY:
        person.tap(page.get_by_role("link", name=f"Add food to {meal}"))
        expect(page.get_by_label("Meal", exact=True)).to_have_value(meal)  # chosen from Today
        for query, name in foods:
            person.fill(page.get_by_label("Search foods"), query)
            found = page.locator(".results > li > button").first
            expect(found).to_contain_text(name)  # the first result is the food meant
            person.tap(found)
            expect(page.get_by_label("Search foods")).to_have_value("")
        if meal == "snack":  # a protein bar by its barcode: Open Food Facts cannot be asked
            person.fill(page.get_by_label("Search foods"), BARCODE)
            expect(page.get_by_role("heading", name="Your own food")).to_be_visible()
            expect(page.locator("#own-food-why")).to_contain_text("Open Food Facts could not be asked")
            expect(page.get_by_label("Barcode (optional)")).to_have_value(BARCODE)  # the code is kept
            person.fill(page.get_by_label("Name", exact=True), "Protein bar")
            person.fill(page.get_by_label("Serving (g)"), "60")
            person.fill(page.get_by_label("Magnesium", exact=True), "48")
            person.tap(page.get_by_role("button", name="Save food"))
        count = len(foods) + (meal == "snack")
        expect(page.locator(".tray-item")).to_have_count(count)
        if meal == "dinner":
            shot(page, "day-dinner-tray")
        person.tap(page.get_by_role("button", name=f"Log {count} foods to {meal}"))
        expect(page.get_by_role("heading", name="Today")).to_be_visible()

    person.tap(page.get_by_role("navigation").get_by_role("link", name="Supplement"))
    person.choose(page.get_by_label("Form"), label="Glycinate (bisglycinate)")
    person.fill(page.get_by_label("Amount (mg)"), "120")
    person.tap(page.get_by_role("button", name="Save"))
    expect(page.locator("#dose-advice")).to_contain_text("elemental magnesium as glycinate")  # the advice
    shot(page, "day-today")

    print(f"a real day: {person.actions} actions")
    assert person.actions <= 40, person.actions
    assert IntakeEntry.objects.count() == 12 and SupplementDose.objects.count() == 1  # 11 found, 1 by barcode

    # every mg against the API: each entry is its first portion's mg, the day and each meal as shown
    from django.contrib.auth import get_user_model

    api = token_client(get_user_model().objects.get(username="dana"))
    entries = api.get("/api/v1/intakes/", {"page_size": 50}).json()["results"]
    for entry in entries:
        food = api.get(f"/api/v1/foods/{entry['food']}/").json()
        portion = next(p for p in food["portions"] if p["id"] == entry["portion"])
        assert abs(float(entry["magnesium_mg"]) - portion["magnesium_mg"]) <= 0.5, (food["name"], entry)
    entries_by_name = {e["food_name"]: e for e in entries}
    day = api.get("/api/v1/summary/daily/").json()
    expect(page.locator("#total")).to_have_text(f"{round(float(day['total_mg']))} mg")
    for meal, _ in DAY:
        expect(page.locator(f"#meal-{meal}")).to_have_text(f"{round(float(day['meals'][meal]))} mg")
    assert float(day["supplement_mg"]) == 120
    assert {e["meal"] for e in entries} == {meal for meal, _ in DAY}

    # a tap on an entry opens it to edit, under its compact row
    page.get_by_role("button", name="Banana, 1 × 1 medium, 32 mg: edit").click()
    edit = page.get_by_role("form", name="Edit Banana, 1 × 1 medium")
    expect(edit.get_by_label("Meal")).to_have_value("breakfast")
    expect(edit.get_by_label("Portion")).to_have_value(str(entries_by_name["Banana"]["portion"]))
    shot(page, "day-edit-entry")

    # the ring's percentage is readable in both themes (SVG text: measured here, axe does not)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        texts = page.evaluate(SVG_TEXT_CONTRAST)
        assert texts and all(t["ratio"] >= 4.5 for t in texts), (scheme, texts)
