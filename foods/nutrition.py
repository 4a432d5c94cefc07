"""Portion and supplement maths. Pure functions: no database, no Django."""

from decimal import ROUND_HALF_UP, Decimal

MG_PLACES = Decimal("0.01")


def round_mg(value: Decimal) -> Decimal:
    """Magnesium is stored to 0.01 mg and shown to users as whole mg."""
    return value.quantize(MG_PLACES, rounding=ROUND_HALF_UP)


def whole_mg(value: Decimal) -> int:
    """The figure a user sees: whole milligrams, half up (77.999 → 78)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def magnesium_in_grams(mg_per_100g: Decimal, grams: Decimal) -> Decimal:
    return round_mg(Decimal(mg_per_100g) * Decimal(grams) / 100)


def elemental_from_compound(compound_mg: Decimal, elemental_fraction: Decimal) -> Decimal:
    """Elemental magnesium in a compound weight: 500 mg of citrate (16.2 %) gives 81 mg."""
    return round_mg(Decimal(compound_mg) * Decimal(elemental_fraction))
