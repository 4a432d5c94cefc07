"""Barcode look-up: GTIN check digits, the local catalogue first, then Open Food Facts (played by a
local server on 127.0.0.1 that the SDK really talks to), what it finds kept for next time."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from foods.models import Food, Origin, ProductLookup
from foods.text import gtin_check_digit, gtin_problem, normalize_gtin
from tests.servers import OpenFoodFacts

FDC_SAMPLE = Path(__file__).parent / "data" / "fdc-sample"
GRANOLA_UPC = "016000275270"  # in the FDC sample, as a branded product
MUESLI = "3017620422003"  # a valid EAN-13 that only the remote service knows


def test_check_digits_and_lengths():
    assert gtin_check_digit("400638133393") == 1  # EAN-13 4006381333931
    assert gtin_check_digit("03600029145") == 2  # UPC-A 036000291452
    assert normalize_gtin("4006381333931") == "04006381333931"
    assert normalize_gtin("016000275270") == normalize_gtin("0016000275270") == "00016000275270"
    assert normalize_gtin("96385074") == "00000096385074"  # GTIN-8
    assert normalize_gtin("4006381333932") is None
    for code, words in [
        ("12345", "8, 12, 13 or 14"),
        ("40063813339O1", "digits only"),
        ("4006381333932", "check"),
    ]:
        assert words in gtin_problem(code)
    assert gtin_problem("٤٠٠٦٣٨١٣٣٣٩٣١") == "A barcode has digits only."  # Arabic-Indic digits


@pytest.fixture
def off(settings):
    servers = []

    def start(**options):
        server = OpenFoodFacts(**options)
        servers.append(server)
        settings.OPEN_FOOD_FACTS_URL = server.url
        settings.OPEN_FOOD_FACTS_TIMEOUT = 0.5
        return server

    yield start
    for server in servers:
        server.close()


@pytest.mark.django_db
def test_a_bad_code_is_400_and_asks_nobody(api, off):
    server = off()
    for code in ("12345", "4006381333932", "abcdefghijklm", "0" * 41):
        response = api.get(f"/api/v1/foods/barcode/{code}/")
        assert response.status_code == 400 and "code" in response.json()
    assert server.paths == []


@pytest.mark.django_db
def test_local_hit_from_imported_branded_products_asks_nobody(api, off):
    server = off()
    call_command("import_fdc", str(FDC_SAMPLE), stdout=StringIO(), stderr=StringIO())
    for code in (GRANOLA_UPC, "0" + GRANOLA_UPC):
        body = api.get(f"/api/v1/foods/barcode/{code}/").json()
        assert body["status"] == "found" and body["source"] == "local"
        assert (
            body["food"]["name"] == "Oats & Honey Crunchy Granola Bars"
            and body["food"]["brand"] == "Nature Valley"
        )
        assert body["food"]["portions"][0] == {
            "id": body["food"]["portions"][0]["id"],
            "label": "2 bars",
            "grams": 42.0,
            "magnesium_mg": 30,
        }
    assert server.paths == []


@pytest.mark.django_db
def test_remote_hit_is_stored_and_served_locally_next_time(api, other_api, off):
    server = off(
        products={
            MUESLI: {
                "product_name": "Crunchy muesli",
                "brands": "Alpen Mills, Other",
                "nutriments": {"magnesium_100g": 0.12, "magnesium_unit": "mg"},
                "serving_size": "45 g",
                "serving_quantity": 45,
            }
        }
    )
    first = api.get(f"/api/v1/foods/barcode/{MUESLI}/")
    assert first.status_code == 200
    body = first.json()
    assert body["status"] == "found" and body["source"] == "open_food_facts"
    assert body["food"]["magnesium_mg_per_100g"] == 120 and body["food"]["brand"] == "Alpen Mills"
    assert body["food"]["origin"] == "open_food_facts" and body["food"]["portions"][0]["magnesium_mg"] == 54
    assert server.paths and server.paths[0].startswith(f"/api/v2/product/{MUESLI}")
    again = other_api.get(f"/api/v1/foods/barcode/{MUESLI}/").json()
    assert again["source"] == "local" and again["food"]["id"] == body["food"]["id"]
    assert len(server.paths) == 1
    assert Food.objects.get(gtin=normalize_gtin(MUESLI)).origin == Origin.OPEN_FOOD_FACTS
    logged = api.post("/api/v1/intakes/", {"food": body["food"]["id"], "grams": 50}, format="json")
    assert logged.status_code == 201 and logged.json()["magnesium_mg"] == 60


@pytest.mark.django_db
def test_a_product_without_magnesium_says_so_and_is_not_asked_again(api, off):
    server = off(
        products={MUESLI: {"product_name": "Cola", "brands": "Fizz", "nutriments": {"sugars_100g": 10}}}
    )
    body = api.get(f"/api/v1/foods/barcode/{MUESLI}/").json()
    assert body["status"] == "no_magnesium_data" and body["food"] is None
    assert body["product"] == {"name": "Cola", "brand": "Fizz"}
    assert "Add the value from its label as your own food" in body["detail"]
    assert api.get(f"/api/v1/foods/barcode/{MUESLI}/").json()["status"] == "no_magnesium_data"
    assert len(server.paths) == 1
    # the user adds it from the label: from then on it is found as their own food
    own = api.post(
        "/api/v1/my-foods/",
        {"name": "Cola", "serving_grams": 330, "magnesium_mg": 3, "barcode": MUESLI},
        format="json",
    )
    assert own.status_code == 201
    found = api.get(f"/api/v1/foods/barcode/{MUESLI}/").json()
    assert found["status"] == "found" and found["food"]["own"] is True


@pytest.mark.django_db
def test_an_unknown_product_is_a_404_kept_for_a_day(api, off):
    server = off(products={})
    response = api.get(f"/api/v1/foods/barcode/{MUESLI}/")
    assert response.status_code == 404 and response.json()["status"] == "not_found"
    assert ProductLookup.objects.get().status == "not_found"
    assert api.get(f"/api/v1/foods/barcode/{MUESLI}/").status_code == 404
    assert len(server.paths) == 1


@pytest.mark.django_db
def test_remote_errors_are_502_and_timeouts_504_and_store_nothing(api, off):
    off(status=503)
    response = api.get(f"/api/v1/foods/barcode/{MUESLI}/")
    assert response.status_code == 502 and "Open Food Facts" in response.json()["detail"]
    off(status=200, products={})  # 200 with a body that is not JSON
    assert api.get(f"/api/v1/foods/barcode/{MUESLI}/").status_code == 502
    off(products={MUESLI: {"product_name": "Slow", "nutriments": {"magnesium_100g": 0.1}}}, delay=2)
    response = api.get(f"/api/v1/foods/barcode/{MUESLI}/")
    assert response.status_code == 504 and "did not answer in time" in response.json()["detail"]
    assert not Food.objects.filter(gtin=normalize_gtin(MUESLI)).exists()
    assert not ProductLookup.objects.exists()


@pytest.mark.django_db
def test_with_no_remote_configured_an_unknown_code_is_404(api, settings):
    settings.OPEN_FOOD_FACTS_URL = ""
    response = api.get(f"/api/v1/foods/barcode/{MUESLI}/")
    assert response.status_code == 404 and response.json()["status"] == "not_found"
    assert not ProductLookup.objects.exists()


@pytest.mark.django_db
def test_an_impossible_remote_value_is_no_magnesium_data_not_a_500(api, off):
    off(
        products={
            MUESLI: {"product_name": "Odd", "nutriments": {"magnesium_100g": 1e30}, "serving_quantity": 0.001}
        }
    )
    body = api.get(f"/api/v1/foods/barcode/{MUESLI}/").json()
    assert body["status"] == "no_magnesium_data"
    assert not Food.objects.filter(gtin=normalize_gtin(MUESLI)).exists()


@pytest.mark.django_db
def test_barcode_look_ups_are_rate_limited_per_user(api, other_api, off):
    off(products={})
    codes = [c for c in (f"{n:012d}" for n in range(400000000000, 400000000400)) if normalize_gtin(c)][:31]
    answers = [api.get(f"/api/v1/foods/barcode/{code}/").status_code for code in codes]
    assert answers[:30] == [404] * 30 and answers[30] == 429
    assert other_api.get(f"/api/v1/foods/barcode/{codes[0]}/").status_code == 404
