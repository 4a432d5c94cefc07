"""Intake reference tables and their lookups. Pure: no database, no Django.

Every number is a row of ../shared/reference/magnesium.md, from the NIH Office of Dietary Supplements
magnesium fact sheet [ODS] (Food and Nutrition Board, Institute of Medicine, DRI 1997).
"""

from dataclasses import dataclass
from datetime import date

FEMALE = "female"
MALE = "male"
NO_LIFE_STAGE = "none"
PREGNANT = "pregnant"
LACTATING = "lactating"

# Daily Value used when a profile lacks sex or birth date [ODS, "%DV based on a Daily Value of 420 mg"].
DAILY_VALUE_MG = 420
ADULT_UPPER_LIMIT_MG = 350


@dataclass(frozen=True)
class RdaRow:
    """One row of the ODS RDA table; ages in completed years, ``max_age`` inclusive (None: no end)."""

    min_age: int
    max_age: int | None
    label: str
    male: int
    female: int
    pregnancy: int | None
    lactation: int | None


# [ODS] Recommended Dietary Allowances. Rows 0–6 and 7–12 months are Adequate Intakes; both sit in
# age 0, split by months (see rda_mg).
RDA_TABLE: tuple[RdaRow, ...] = (
    RdaRow(1, 3, "1–3 years", 80, 80, None, None),
    RdaRow(4, 8, "4–8 years", 130, 130, None, None),
    RdaRow(9, 13, "9–13 years", 240, 240, None, None),
    RdaRow(14, 18, "14–18 years", 410, 360, 400, 360),
    RdaRow(19, 30, "19–30 years", 400, 310, 350, 310),
    RdaRow(31, 50, "31–50 years", 420, 320, 360, 320),
    RdaRow(51, None, "51+ years", 420, 320, None, None),
)
INFANT_0_6_MONTHS_AI = 30
INFANT_7_12_MONTHS_AI = 75

# [ODS] Tolerable Upper Intake Level for SUPPLEMENTAL magnesium (food never counts).
# (min_age, max_age inclusive or None, mg). Under 1 year: not established.
UPPER_LIMIT_TABLE: tuple[tuple[int, int | None, int], ...] = (
    (1, 3, 65),
    (4, 8, 110),
    (9, 18, 350),
    (19, None, 350),
)
# The limit table has pregnancy and lactation rows of 350 mg, the same as the age rows that can be
# pregnant (from 9): the limit is computed from age alone. Pregnancy or breastfeeding is refused in a
# profile below this age (tracker/services/profile.py).
PREGNANCY_LACTATION_UPPER_LIMIT_MG = 350
MIN_PREGNANCY_AGE = 10


def age_on(birth_date: date, on: date) -> int:
    """Completed years on ``on``: a person turns 19 on their 19th birthday (29 Feb → 1 Mar)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def months_on(birth_date: date, on: date) -> int:
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day:
        months -= 1
    return months


def _row_for(age: int) -> RdaRow:
    for row in RDA_TABLE:
        if age >= row.min_age and (row.max_age is None or age <= row.max_age):
            return row
    raise ValueError(f"no RDA row for age {age}")


def _life_stage_row(age: int) -> RdaRow:
    """Pregnancy and lactation rows exist for 14–50. ODS labels the first "≤18 years", so younger
    people take the 14–18 row; past 50 the 31–50 row is the closest one published."""
    return _row_for(min(max(age, 14), 50))


@dataclass(frozen=True)
class Recommendation:
    rda_mg: int
    label: str  # why this figure: "RDA for a woman aged 31–50 years"


def rda_for(*, sex: str, birth_date: date, life_stage: str, on: date) -> Recommendation:
    """The RDA (or infant AI) that applies on ``on``; age is computed on that very day."""
    age = age_on(birth_date, on)
    if age < 0:
        raise ValueError("birth date is after the day asked for")
    if age == 0:
        months = months_on(birth_date, on)
        if months < 7:
            return Recommendation(INFANT_0_6_MONTHS_AI, "Adequate Intake for an infant aged 0–6 months")
        return Recommendation(INFANT_7_12_MONTHS_AI, "Adequate Intake for an infant aged 7–12 months")
    if sex == FEMALE and life_stage in (PREGNANT, LACTATING):
        row = _life_stage_row(age)
        what = "in pregnancy" if life_stage == PREGNANT else "while breastfeeding"
        mg = row.pregnancy if life_stage == PREGNANT else row.lactation
        if age > 50:
            return Recommendation(mg, f"RDA {what}, the 31–50 years row (none is published past 50)")
        if age < 14:
            return Recommendation(mg, f"RDA {what}, the 14–18 years row (published as up to 18 years)")
        return Recommendation(mg, f"RDA {what}, age {row.label}")
    row = _row_for(age)
    if age <= 13:
        return Recommendation(row.female, f"RDA for a child aged {row.label}")
    if sex == MALE:
        return Recommendation(row.male, f"RDA for a {'man' if age >= 19 else 'boy'} aged {row.label}")
    return Recommendation(row.female, f"RDA for a {'woman' if age >= 19 else 'girl'} aged {row.label}")


def under_one_year(birth_date: date | None, on: date) -> bool:
    """An infant on ``on``; a birth date a day ahead of the user's zone (see tracker/nutrition.py) is a
    newborn too. Unknown: False."""
    return birth_date is not None and (birth_date > on or age_on(birth_date, on) < 1)


def supplement_upper_limit_mg(*, birth_date: date, on: date) -> int | None:
    """The UL for supplemental magnesium on ``on``, by age alone (sex, pregnancy and lactation do not
    change it); None under one year (not established)."""
    age = age_on(birth_date, on)
    if age < 1:
        return None
    for min_age, max_age, limit in UPPER_LIMIT_TABLE:
        if age >= min_age and (max_age is None or age <= max_age):
            return limit
    raise ValueError(f"no upper limit row for age {age}")
