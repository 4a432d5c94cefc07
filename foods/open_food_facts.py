"""Open Food Facts, asked through its official SDK (``openfoodfacts``) for one product by barcode.

The address comes from ``OPEN_FOOD_FACTS_URL`` (tests point it at a local server; empty turns the
remote look-up off) and every call has a short time-out (``OPEN_FOOD_FACTS_TIMEOUT``, seconds).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import openfoodfacts
import requests
from django.conf import settings

FIELDS = [
    "code",
    "product_name",
    "product_name_en",
    "brands",
    "nutriments",
    "serving_size",
    "serving_quantity",
]


class Unavailable(Exception):
    """Open Food Facts answered with an error, or not in a form we can read."""


class TimedOut(Unavailable):
    """Open Food Facts did not answer in time."""


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    brand: str
    magnesium_mg_per_100g: Decimal | None
    serving_label: str
    serving_grams: Decimal | None


def enabled() -> bool:
    return bool(settings.OPEN_FOOD_FACTS_URL)


def fetch_product(code: str) -> Product | None:
    """The product with this barcode, or None when Open Food Facts does not know it."""
    api = openfoodfacts.API(
        user_agent=settings.OPEN_FOOD_FACTS_USER_AGENT, timeout=settings.OPEN_FOOD_FACTS_TIMEOUT
    )
    api.product.base_url = settings.OPEN_FOOD_FACTS_URL.rstrip("/")
    try:
        data = api.product.get(code, fields=FIELDS)
    except requests.Timeout as exc:
        raise TimedOut(str(exc)) from exc
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise Unavailable(str(exc)) from exc
    if data is None:
        return None
    if not isinstance(data, dict):
        raise Unavailable("unexpected answer")
    return _product(code, data)


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() and 0 <= number < 10**9 else None


def _product(code: str, data: dict) -> Product:
    nutriments = data.get("nutriments") if isinstance(data.get("nutriments"), dict) else {}
    grams_per_100g = _decimal(nutriments.get("magnesium_100g"))  # Open Food Facts keeps grams
    if grams_per_100g is not None and grams_per_100g > 10:  # over 10 g in 100 g: a data-entry error
        grams_per_100g = None
    name = str(data.get("product_name") or data.get("product_name_en") or "").strip()
    brand = str(data.get("brands") or "").split(",")[0].strip()
    serving_grams = _decimal(data.get("serving_quantity"))
    return Product(
        code=code,
        name=name[:255],
        brand=brand[:200],
        magnesium_mg_per_100g=(grams_per_100g * 1000).quantize(Decimal("0.0001"))
        if grams_per_100g is not None
        else None,
        serving_label=str(data.get("serving_size") or "").strip()[:100],
        serving_grams=serving_grams if serving_grams and 1 <= serving_grams <= 5000 else None,
    )
