"""The RDA and upper-limit tables of ../shared/reference/magnesium.md [ODS], row by row."""

from datetime import date, timedelta

import pytest

from foods import reference
from tracker.nutrition import daily_target

ON = date(2026, 6, 1)


def born_years_ago(years: int, *, days_later: int = 0) -> date:
    """A birth date that makes someone exactly ``years`` old on ON (minus ``days_later`` days)."""
    from datetime import timedelta

    return date(ON.year - years, ON.month, ON.day) + timedelta(days=days_later)


# (age, male, female, pregnancy, lactation) — every row of the ODS table at a middle age
RDA_ROWS = [
    (2, 80, 80, None, None),
    (6, 130, 130, None, None),
    (11, 240, 240, None, None),
    (16, 410, 360, 400, 360),
    (25, 400, 310, 350, 310),
    (40, 420, 320, 360, 320),
    (70, 420, 320, None, None),
]


@pytest.mark.parametrize(("age", "male", "female", "pregnancy", "lactation"), RDA_ROWS)
def test_every_rda_row_for_each_sex_and_life_stage(age, male, female, pregnancy, lactation):
    birth = born_years_ago(age)
    assert reference.rda_for(sex="male", birth_date=birth, life_stage="none", on=ON).rda_mg == male
    assert reference.rda_for(sex="female", birth_date=birth, life_stage="none", on=ON).rda_mg == female
    if pregnancy:
        assert (
            reference.rda_for(sex="female", birth_date=birth, life_stage="pregnant", on=ON).rda_mg
            == pregnancy
        )
        assert (
            reference.rda_for(sex="female", birth_date=birth, life_stage="lactating", on=ON).rda_mg
            == lactation
        )


def test_infants_get_the_adequate_intake_by_months():
    assert reference.rda_for(sex="male", birth_date=date(2026, 1, 15), life_stage="none", on=ON).rda_mg == 30
    assert reference.rda_for(sex="female", birth_date=date(2025, 9, 1), life_stage="none", on=ON).rda_mg == 75


# Both sides of each band edge: the day before the birthday and the birthday itself.
EDGES = [
    # (birthday age, male before, male on, female before, female on)
    (14, 240, 410, 240, 360),
    (19, 410, 400, 360, 310),
    (31, 400, 420, 310, 320),
    (51, 420, 420, 320, 320),
]


@pytest.mark.parametrize(("age", "male_before", "male_on", "female_before", "female_on"), EDGES)
def test_a_birthday_moves_a_person_across_the_band(age, male_before, male_on, female_before, female_on):
    birth = date(2000, 3, 10)
    birthday = date(2000 + age, 3, 10)
    eve = date(2000 + age, 3, 9)
    assert reference.rda_for(sex="male", birth_date=birth, life_stage="none", on=eve).rda_mg == male_before
    assert reference.rda_for(sex="male", birth_date=birth, life_stage="none", on=birthday).rda_mg == male_on
    assert (
        reference.rda_for(sex="female", birth_date=birth, life_stage="none", on=eve).rda_mg == female_before
    )
    assert (
        reference.rda_for(sex="female", birth_date=birth, life_stage="none", on=birthday).rda_mg == female_on
    )


@pytest.mark.parametrize(
    ("age", "before", "on"),
    [(19, 400, 350), (31, 350, 360)],
)
def test_pregnancy_band_edges(age, before, on):
    birth = date(2000, 3, 10)
    assert (
        reference.rda_for(
            sex="female", birth_date=birth, life_stage="pregnant", on=date(2000 + age, 3, 9)
        ).rda_mg
        == before
    )
    assert (
        reference.rda_for(
            sex="female", birth_date=birth, life_stage="pregnant", on=date(2000 + age, 3, 10)
        ).rda_mg
        == on
    )


def test_a_leap_day_birthday_turns_a_year_older_on_the_first_of_march():
    assert reference.age_on(date(2008, 2, 29), date(2027, 2, 28)) == 18
    assert reference.age_on(date(2008, 2, 29), date(2027, 3, 1)) == 19


def test_pregnancy_outside_the_published_ages_takes_the_nearest_row():
    assert (
        reference.rda_for(sex="female", birth_date=born_years_ago(13), life_stage="pregnant", on=ON).rda_mg
        == 400
    )
    assert (
        reference.rda_for(sex="female", birth_date=born_years_ago(52), life_stage="lactating", on=ON).rda_mg
        == 320
    )


@pytest.mark.parametrize(
    ("age", "limit"), [(1, 65), (3, 65), (4, 110), (8, 110), (9, 350), (18, 350), (19, 350), (80, 350)]
)
def test_supplement_upper_limit_by_age(age, limit):
    assert reference.supplement_upper_limit_mg(birth_date=born_years_ago(age), on=ON) == limit


def test_upper_limit_is_not_established_for_infants():
    assert reference.supplement_upper_limit_mg(birth_date=date(2026, 1, 1), on=ON) is None


@pytest.mark.parametrize(("age", "limit"), [(12, 350), (16, 350), (45, 350)])
@pytest.mark.parametrize("stage", ["pregnant", "lactating"])
def test_upper_limit_in_pregnancy_and_lactation_comes_from_age_alone(age, limit, stage):
    target = daily_target(
        sex="female", birth_date=born_years_ago(age), life_stage=stage, target_override_mg=None, on=ON
    )
    assert target.supplement_upper_limit_mg == limit


@pytest.mark.parametrize(("age", "rda", "limit"), [(0, 30, None), (2, 80, 65), (6, 130, 110), (11, 240, 350)])
def test_a_child_without_sex_gets_the_age_row_not_the_adult_daily_value(age, rda, limit):
    born = ON - timedelta(days=60) if age == 0 else born_years_ago(age)
    target = daily_target(sex="", birth_date=born, life_stage="none", target_override_mg=None, on=ON)
    assert (target.rda_mg, target.supplement_upper_limit_mg) == (rda, limit)
    assert "Daily Value" not in target.label


def test_from_14_without_sex_the_daily_value_stands_in_but_the_limit_is_by_age():
    target = daily_target(
        sex="", birth_date=born_years_ago(16), life_stage="none", target_override_mg=None, on=ON
    )
    assert (target.rda_mg, target.supplement_upper_limit_mg) == (420, 350)
    assert "add your sex" in target.label


def test_a_pregnant_woman_past_50_is_told_which_row_is_used_and_why():
    label = reference.rda_for(sex="female", birth_date=born_years_ago(52), life_stage="pregnant", on=ON).label
    assert label == "RDA in pregnancy, the 31–50 years row (none is published past 50)"
    young = reference.rda_for(
        sex="female", birth_date=born_years_ago(13), life_stage="lactating", on=ON
    ).label
    assert young == "RDA while breastfeeding, the 14–18 years row (published as up to 18 years)"


def test_a_doctor_set_target_overrides_the_table():
    target = daily_target(
        sex="male", birth_date=born_years_ago(40), life_stage="none", target_override_mg=500, on=ON
    )
    assert (target.target_mg, target.rda_mg, target.overridden) == (500, 420, True)
    assert target.supplement_upper_limit_mg == 350


def test_the_target_says_why():
    target = daily_target(
        sex="female", birth_date=born_years_ago(40), life_stage="none", target_override_mg=None, on=ON
    )
    assert target.target_mg == 320
    assert target.label == "RDA for a woman aged 31–50 years"


def test_an_incomplete_profile_gets_the_daily_value():
    target = daily_target(sex="", birth_date=None, life_stage="none", target_override_mg=None, on=ON)
    assert target.target_mg == 420
    assert "Daily Value" in target.label
