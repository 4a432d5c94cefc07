"""A real day's meals in the phone app (Chromium at 390 × 844): a survey food found by search, a
breakfast saved as a meal and logged again in one tap, a branded product by its typed barcode, and a
product unknown everywhere added from its label."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.servers import OpenFoodFacts
from tests.test_pwa_browser import add_food, register, set_profile, shot
from tracker.models import IntakeEntry, SavedMeal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FDC_SAMPLE = Path(__file__).parent / "data" / "fdc-sample"


def test_search_a_survey_food_save_and_log_a_meal_and_log_a_typed_barcode(page, live_server, settings):
    off = OpenFoodFacts(products={})
    settings.OPEN_FOOD_FACTS_URL = off.url
    try:
        call_command("import_fdc", str(FDC_SAMPLE), stdout=StringIO(), stderr=StringIO())
        register(page, live_server, "sam")
        set_profile(page)
        page.get_by_role("link", name="Start logging").click()

        # a survey food ("as eaten") by search, with its household portion, at breakfast
        page.goto(f"{live_server.url}/#/log")
        page.get_by_label("Meal", exact=True).select_option("breakfast")
        add_food(page, "oatmeal milk", "Oatmeal, regular or quick, made with milk")
        tray = page.get_by_role("region", name="This breakfast")
        tray.get_by_label(re.compile("^Portion of Oatmeal")).select_option(label="1 cup")
        expect(page.locator(".tray-total")).to_have_text("1 food · 62 mg")  # 240 g at 26 mg per 100 g
        shot(page, "6-log-survey-food")
        page.get_by_role("button", name="Log 1 food to breakfast").click()
        expect(page.locator("#meal-breakfast")).to_have_text("62 mg")
        expect(page.locator("#total")).to_have_text("62 mg")

        # breakfast saved as a meal, then logged in one tap
        page.get_by_role("button", name="Save breakfast as a meal").click()
        page.get_by_label("Meal name").fill("Oat breakfast")
        page.get_by_role("button", name="Save meal").click()
        expect(page.locator("#toast")).to_contain_text('Saved "Oat breakfast"')
        assert SavedMeal.objects.get().name == "Oat breakfast"
        page.goto(f"{live_server.url}/#/log")
        page.get_by_role("button", name="Log Oat breakfast").click()
        expect(page.locator("#total")).to_have_text("125 mg")  # 2 × 62.4 mg
        shot(page, "7-today-by-meal")

        # a branded product by its typed barcode (UPC-A), found in the local catalogue
        page.goto(f"{live_server.url}/#/log")
        page.get_by_role("button", name="Scan barcode").click()
        page.get_by_label("Barcode number").fill("016000275270")
        page.get_by_role("button", name="Look up").click()
        expect(page.locator(".tray-item .name")).to_have_text("Oats & Honey Crunchy Granola Bars")
        expect(page.locator(".tray-total")).to_have_text("1 food · 30 mg")  # 2 bars, 42 g at 71 mg
        page.locator("#log-tray").click()
        expect(page.locator("#total")).to_have_text("155 mg")  # + 29.8 mg
        assert IntakeEntry.objects.count() == 3

        # unknown everywhere: the label's values as the user's own food, logged at once
        page.goto(f"{live_server.url}/#/log")
        page.get_by_role("button", name="Scan barcode").click()
        page.get_by_label("Barcode number").fill("4006381333931")
        page.get_by_role("button", name="Look up").click()
        expect(page.get_by_role("heading", name="Your own food")).to_be_visible()
        expect(page.get_by_label("Barcode (optional)")).to_have_value("4006381333931")
        page.get_by_label("Name", exact=True).fill("Seed cracker")
        page.get_by_label("Serving (g)").fill("30")
        page.get_by_label("Magnesium", exact=True).fill("10")
        page.get_by_label("Unit", exact=True).select_option("dv")
        shot(page, "8-own-food")
        page.get_by_role("button", name="Save food").click()
        expect(page.locator(".tray-total")).to_have_text("1 food · 42 mg")  # 10 % of 420 mg
        page.locator("#log-tray").click()
        expect(page.locator("#total")).to_have_text("197 mg")  # + 42 mg
        assert off.paths and off.paths[0].startswith("/api/v2/product/4006381333931")
    finally:
        off.close()
