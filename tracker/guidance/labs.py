"""Serum magnesium results [magnesium.md "Serum magnesium"]: units, conversions and the flag.

Mg = 24.305 g/mol, valence 2: mmol/L = mg/dL ÷ 2.4305 and mEq/L = 2 × mmol/L, exactly (Decimal).
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

MG_DL = "mg_dl"
MMOL_L = "mmol_l"
MEQ_L = "meq_l"
UNITS = ((MG_DL, "mg/dL"), (MMOL_L, "mmol/L"), (MEQ_L, "mEq/L"))
UNIT_LABELS = dict(UNITS)

MG_DL_PER_MMOL_L = Decimal("2.4305")
MEQ_L_PER_MMOL_L = Decimal(2)

# [ODS] 0.75–0.95 mmol/L; hypomagnesemia below 0.75 mmol/L. Used when the report gives no range.
DEFAULT_RANGE_MMOL_L = (Decimal("0.75"), Decimal("0.95"))
DEFAULT_RANGE_SOURCE = "[ODS] serum magnesium 0.75–0.95 mmol/L; below 0.75 mmol/L is hypomagnesemia"
OTHER_RANGE = "[S4]: typically 1.8–2.2 mg/dL"
CAVEAT = (
    "Serum holds less than 1% of the body's magnesium, so a normal result does not rule out a "
    "deficiency [S1][S4]."
)

LOW = "low"
NORMAL = "normal"
HIGH = "high"

# Display precision per unit (the stored value is kept as entered).
_PLACES = {MG_DL: Decimal("0.01"), MMOL_L: Decimal("0.001"), MEQ_L: Decimal("0.001")}


def to_mmol_l(value: Decimal, unit: str) -> Decimal:
    if unit == MMOL_L:
        return Decimal(value)
    if unit == MG_DL:
        return Decimal(value) / MG_DL_PER_MMOL_L
    if unit == MEQ_L:
        return Decimal(value) / MEQ_L_PER_MMOL_L
    raise ValueError(f"unknown unit {unit!r}")


def from_mmol_l(mmol_l: Decimal, unit: str) -> Decimal:
    if unit == MMOL_L:
        return Decimal(mmol_l)
    if unit == MG_DL:
        return Decimal(mmol_l) * MG_DL_PER_MMOL_L
    if unit == MEQ_L:
        return Decimal(mmol_l) * MEQ_L_PER_MMOL_L
    raise ValueError(f"unknown unit {unit!r}")


def convert(value: Decimal, unit: str, to: str) -> Decimal:
    return from_mmol_l(to_mmol_l(value, unit), to)


def rounded(value: Decimal, unit: str) -> Decimal:
    return Decimal(value).quantize(_PLACES[unit], rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Reading:
    flag: str  # LOW, NORMAL or HIGH
    range_low: Decimal  # in the result's own unit
    range_high: Decimal
    range_source: str  # "your lab report" or the ODS row
    values: dict  # the result in every unit, rounded for display: {"mg_dl": …, "mmol_l": …, "meq_l": …}
    message: str


def range_shown(bound: Decimal, unit: str, *, reported: bool, high: bool = False) -> Decimal:
    """A bound of the range as shown: a report's as printed (at the unit's precision); the ODS range,
    converted, one decimal finer and rounded inward (0.75–0.95 mmol/L is 1.823–2.308 mg/dL), so that
    a result the range holds at that precision is inside the range shown, and one it does not hold
    (1.82 or 2.309 mg/dL) is outside."""
    if reported:
        return rounded(bound, unit)
    places = _PLACES[unit] / 10
    return Decimal(bound).quantize(places, rounding=ROUND_FLOOR if high else ROUND_CEILING).normalize()


def read(value: Decimal, unit: str, low: Decimal | None = None, high: Decimal | None = None) -> Reading:
    """Flag a result against the range printed on the report when both ends are given (they are in the
    result's unit), else against the ODS range converted to that unit. Compared exactly, in Decimal,
    never against a rounded bound: 1.82 mg/dL is 0.7488 mmol/L, below 0.75."""
    note = ""
    reported = low is not None and high is not None
    if reported:
        range_low, range_high, source = Decimal(low), Decimal(high), "the range on your lab report"
    else:
        range_low, range_high = (from_mmol_l(bound, unit) for bound in DEFAULT_RANGE_MMOL_L)
        source = DEFAULT_RANGE_SOURCE
        note = (
            f" Ranges differ between labs ({OTHER_RANGE}); the one printed on your report is the one to use."
        )
    value = Decimal(value)
    flag = LOW if value < range_low else HIGH if value > range_high else NORMAL
    label = UNIT_LABELS[unit]
    ends = (
        range_shown(range_low, unit, reported=reported),
        range_shown(range_high, unit, reported=reported, high=True),
    )
    shown = "–".join(f"{bound:f}" for bound in ends) + f" {label}"
    words = {LOW: "below", NORMAL: "within", HIGH: "above"}[flag]
    return Reading(
        flag=flag,
        range_low=range_low,
        range_high=range_high,
        range_source=source,
        values={code: rounded(convert(value, unit, code), code) for code, _ in UNITS},
        message=f"{value.normalize():f} {label} is {words} {shown} ({source}).{note} {CAVEAT}",
    )
