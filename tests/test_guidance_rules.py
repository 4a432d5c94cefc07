"""The guidance rules of tracker/guidance/, called without a database: red flags at the edges of
their windows, lab unit conversions, medicine spacing around the clock, risk factors, dose safety,
and the insight arithmetic on a hand-built history."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from tracker.guidance import insights, labs, medicines, red_flags, risk_factors, supplements

TODAY = date(2026, 11, 25)


def symptom(kind, days_ago=0, area="", recorded=None):
    day = TODAY - timedelta(days=days_ago)
    at = recorded or datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return red_flags.Symptom(kind, area, day, at)


def codes(history, dismissed=None):
    return [flag.code for flag in red_flags.red_flags(history, TODAY, dismissed)]


# --- Red flags [S0] ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["trouble_breathing", "trouble_speaking", "trouble_swallowing"])
def test_trouble_breathing_speaking_or_swallowing_is_urgent(kind):
    flags = red_flags.red_flags([symptom(kind)], TODAY)
    assert [(f.code, f.level, f.title) for f in flags] == [
        ("urgent_symptom", "urgent", "Seek medical care now")
    ]
    assert "needs a doctor now" in flags[0].message and "emergency" in flags[0].message
    assert kind.replace("_", " ") in flags[0].message
    assert flags[0].source.startswith("[S0]")


def test_an_urgent_symptom_stays_a_week_then_goes():
    assert codes([symptom("trouble_breathing", days_ago=6)]) == ["urgent_symptom"]
    assert codes([symptom("trouble_breathing", days_ago=7)]) == []


@pytest.mark.parametrize("other", ["weakness", "numbness", "tingling", "muscle_loss"])
def test_twitching_with_weakness_numbness_tingling_or_muscle_loss_means_see_a_doctor(other):
    flags = red_flags.red_flags([symptom("twitching", 3), symptom(other, 0)], TODAY)
    assert [(f.code, f.level) for f in flags] == [("twitching_with_symptoms", "see_doctor")]
    assert other.replace("_", " ") in flags[0].message
    assert "is a reason to see a doctor" in flags[0].message


def test_twitching_with_another_symptom_counts_within_fourteen_days_only():
    assert codes([symptom("twitching", 13), symptom("numbness", 0)]) == ["twitching_with_symptoms"]
    assert codes([symptom("twitching", 14), symptom("numbness", 0)]) == []
    assert (
        codes([symptom("cramp", 1), symptom("fatigue", 0), symptom("twitching", 0)]) == []
    )  # not on the list
    assert codes([symptom("numbness", 0), symptom("tingling", 1)]) == []  # no twitching


def test_twitching_on_most_days_for_several_weeks_means_see_a_doctor():
    # 11 of the last 21 days, first and last 20 days apart: most days, for weeks
    history = [symptom("twitching", d, "eyelid") for d in range(0, 21, 2)]
    assert len(history) == 11
    flags = red_flags.red_flags(history, TODAY)
    assert [f.code for f in flags] == ["twitching_for_weeks"]
    assert "twitching on 11 of the last 21 days" in flags[0].message
    # 10 days is not "most"
    assert codes(history[:-1]) == []
    # 11 days in a row is not "several weeks"
    assert codes([symptom("twitching", d, "eyelid") for d in range(11)]) == []
    # a day outside the 21 does not count
    assert codes([symptom("twitching", d, "eyelid") for d in range(2, 23, 2)]) == []


def test_twitching_in_three_body_areas_means_see_a_doctor():
    two = [symptom("twitching", 0, "eyelid"), symptom("twitching", 5, "calf")]
    assert codes(two) == []  # eyelid and calf: common and benign
    three = two + [symptom("twitching", 13, "arm")]
    flags = red_flags.red_flags(three, TODAY)
    assert [f.code for f in flags] == ["twitching_in_several_areas"]
    assert "3 body areas (eyelid, arm, calf)" in flags[0].message
    assert codes(two + [symptom("twitching", 14, "arm")]) == []  # outside the 14 days
    assert codes(two + [symptom("twitching", 1, "other")]) == []  # "other" is not an area
    assert codes(two + [symptom("cramp", 1, "arm")]) == []  # a cramp is not twitching


def test_a_dismissed_flag_stays_hidden_until_a_later_entry_raises_it():
    first = symptom("trouble_swallowing", 1)
    dismissed_at = first.recorded_at + timedelta(hours=1)
    assert codes([first], {"urgent_symptom": dismissed_at}) == []
    # recorded after the dismissal, even for an earlier day: raised again
    later = symptom("trouble_breathing", 2, recorded=dismissed_at + timedelta(minutes=1))
    assert codes([first, later], {"urgent_symptom": dismissed_at}) == ["urgent_symptom"]
    # another flag's dismissal does not hide this one
    assert codes([first], {"twitching_for_weeks": dismissed_at}) == ["urgent_symptom"]


def test_urgent_comes_first_and_every_flag_at_once():
    history = [symptom("twitching", d, area) for d, area in ((0, "eyelid"), (1, "arm"), (2, "calf"))]
    history += [symptom("weakness", 0), symptom("trouble_speaking", 0)]
    assert codes(history) == ["urgent_symptom", "twitching_with_symptoms", "twitching_in_several_areas"]


# --- Lab results ------------------------------------------------------------------------------------------


def test_units_convert_exactly():
    assert labs.to_mmol_l(Decimal("2.4305"), labs.MG_DL) == Decimal(1)
    assert labs.convert(Decimal("2.4305"), labs.MG_DL, labs.MEQ_L) == Decimal(2)
    assert labs.convert(Decimal("1.7"), labs.MEQ_L, labs.MMOL_L) == Decimal("0.85")
    assert labs.convert(Decimal("0.85"), labs.MMOL_L, labs.MG_DL) == Decimal("2.065925")
    for unit in (labs.MG_DL, labs.MEQ_L):
        assert labs.convert(labs.convert(Decimal("2.1"), unit, labs.MMOL_L), labs.MMOL_L, unit) == Decimal(
            "2.1"
        )
    reading = labs.read(Decimal("2.1"), labs.MG_DL)
    assert reading.values == {"mg_dl": Decimal("2.10"), "mmol_l": Decimal("0.864"), "meq_l": Decimal("1.728")}


@pytest.mark.parametrize(
    ("value", "unit", "flag"),
    [
        ("0.75", labs.MMOL_L, "normal"),  # the ends of the ODS range are in it
        ("0.749", labs.MMOL_L, "low"),
        ("0.95", labs.MMOL_L, "normal"),
        ("0.951", labs.MMOL_L, "high"),
        ("1.5", labs.MEQ_L, "normal"),  # 0.75 mmol/L
        ("1.49", labs.MEQ_L, "low"),
        # 0.75 mmol/L is 1.822875 mg/dL: 1.82 is 0.7488 mmol/L, below it (before: "normal", against
        # a range rounded to 1.82, while the same answer printed 0.749 mmol/L)
        ("1.82", labs.MG_DL, "low"),
        ("1.823", labs.MG_DL, "normal"),
        ("1.81", labs.MG_DL, "low"),
        ("2.31", labs.MG_DL, "high"),  # 0.95 mmol/L is 2.308975 mg/dL: 2.31 is 0.9504 mmol/L
        ("2.308", labs.MG_DL, "normal"),
        ("2.309", labs.MG_DL, "high"),
        ("2.311", labs.MG_DL, "high"),
    ],
)
def test_a_result_is_flagged_against_the_ods_range_in_its_own_unit(value, unit, flag):
    assert labs.read(Decimal(value), unit).flag == flag


def test_the_message_and_the_flag_agree_at_the_ends_of_the_range_shown():
    for value, words, mmol in (
        ("1.82", "is below 1.823–2.308 mg/dL", "0.749"),
        ("1.823", "is within 1.823–2.308 mg/dL", "0.750"),
        ("2.31", "is above 1.823–2.308 mg/dL", "0.950"),
        ("1.81", "is below 1.823–2.308 mg/dL", "0.745"),
    ):
        reading = labs.read(Decimal(value), labs.MG_DL)
        assert words in reading.message and f"{reading.values['mmol_l']}" == mmol
    assert "is within 0.75–0.95 mmol/L" in labs.read(Decimal("0.75"), labs.MMOL_L).message
    assert "is below 1.5–1.9 mEq/L" in labs.read(Decimal("1.499"), labs.MEQ_L).message
    assert "typically 1.8–2.2 mg/dL" in labs.read(Decimal("1.8"), labs.MG_DL).message  # the sources differ


def test_the_range_on_the_report_is_preferred():
    # 1.8 mg/dL is low by the ODS range (0.74 mmol/L) but within the report's 1.7–2.2 mg/dL [S4]
    assert labs.read(Decimal("1.8"), labs.MG_DL).flag == "low"
    reading = labs.read(Decimal("1.8"), labs.MG_DL, Decimal("1.7"), Decimal("2.2"))
    assert reading.flag == "normal" and reading.range_source == "the range on your lab report"
    assert "within 1.70–2.20 mg/dL" in reading.message
    assert "less than 1% of the body's magnesium" in reading.message
    assert labs.read(Decimal("2.3"), labs.MG_DL, Decimal("1.7"), Decimal("2.2")).flag == "high"


# --- Medicines: spacing around the clock [ODS] ------------------------------------------------------------


def spacing(supplement, kind, *times):
    return [
        (c.severity, c.medicine_time.strftime("%H:%M"))
        for c in medicines.spacing_conflicts(
            time.fromisoformat(supplement), [{"kind": kind, "times": list(times)}]
        )
    ]


@pytest.mark.parametrize("kind", [medicines.TETRACYCLINE, medicines.QUINOLONE])
def test_an_antibiotic_goes_two_hours_before_or_four_to_six_after_magnesium(kind):
    assert spacing("09:00", kind, "08:00") == [("conflict", "08:00")]  # 1 h after the antibiotic
    assert spacing("09:59", kind, "08:00") == [("conflict", "08:00")]
    assert spacing("10:00", kind, "08:00") == []  # 2 h after: fine
    assert spacing("04:30", kind, "08:00") == [("conflict", "08:00")]  # antibiotic 3.5 h after magnesium
    assert spacing("04:00", kind, "08:00") == [("caution", "08:00")]  # 4 h: the minimum, 6 is safer
    assert spacing("02:00", kind, "08:00") == []  # 6 h
    assert spacing("00:30", kind, "23:00") == [("conflict", "23:00")]  # across midnight
    assert spacing("21:00", kind, "08:00", "20:00") == [("conflict", "20:00")]  # twice a day
    message = medicines.spacing_conflicts(time(9), [{"kind": kind, "times": ["08:00"]}])[0].message
    assert message.startswith("09:00 is 1 hour after your ") and "at least 2 hours after it" in message


def test_a_bisphosphonate_and_magnesium_stay_two_hours_apart():
    assert spacing("09:00", medicines.BISPHOSPHONATE, "07:00") == []
    assert spacing("08:59", medicines.BISPHOSPHONATE, "07:00") == [("conflict", "07:00")]
    assert spacing("05:01", medicines.BISPHOSPHONATE, "07:00") == [("conflict", "07:00")]
    assert spacing("05:00", medicines.BISPHOSPHONATE, "07:00") == []


@pytest.mark.parametrize(
    "kind",
    [
        medicines.PROTON_PUMP_INHIBITOR,
        medicines.LOOP_OR_THIAZIDE_DIURETIC,
        medicines.POTASSIUM_SPARING_DIURETIC,
    ],
)
def test_medicines_that_change_levels_over_time_need_no_spacing(kind):
    assert spacing("08:00", kind, "08:00") == []


# --- Risk factors -----------------------------------------------------------------------------------------


def test_risk_factors_name_each_condition_medicine_age_and_kidneys_with_a_source():
    found = risk_factors.risk_factors(
        conditions=["celiac_disease", "alcohol_use"],
        medicines=[{"kind": "proton_pump_inhibitor", "times": []}, {"kind": "potassium_sparing_diuretic"}],
        kidney_disease=True,
        birth_date=date(1975, 11, 25),
        on=TODAY,  # 51 today
    )
    assert [(f.code, f.raises) for f in found] == [
        ("alcohol_use", "deficiency"),
        ("celiac_disease", "deficiency"),
        ("age_51_plus", "deficiency"),
        ("proton_pump_inhibitor", "deficiency"),
        ("potassium_sparing_diuretic", "excess"),
        ("kidney_disease", "excess"),
    ]
    assert all(f.meaning and f.source.startswith("[") for f in found)
    assert "more than a year" in found[3].meaning
    day_before = risk_factors.risk_factors(
        conditions=[], medicines=[], kidney_disease=False, birth_date=date(1975, 11, 26), on=TODAY
    )
    assert day_before == []  # 50 until tomorrow


# --- Supplement safety per dose ---------------------------------------------------------------------------


def notes(**kwargs):
    base = dict(
        form_name="Citrate",
        route="oral",
        bioavailability="high",
        side_effects="Laxative at higher doses",
        elemental_mg=Decimal(100),
        day_oral_mg=Decimal(100),
        upper_limit_mg=350,
        aim="",
    )
    return {n.code: n for n in supplements.dose_notes(**(base | kwargs))}


def test_a_dose_names_its_elemental_amount_absorption_and_laxative_effect():
    found = notes()
    assert (
        found["elemental"].message
        == "100 mg of elemental magnesium as citrate, well absorbed (high bioavailability)."
    )
    assert found["laxative"].level == "info" and "laxative at higher doses" in found["laxative"].message
    assert "over_limit" not in found


def test_past_the_limit_the_laxative_effect_is_a_caution_and_the_limit_a_warning():
    found = notes(elemental_mg=Decimal(300), day_oral_mg=Decimal(400))
    assert found["laxative"].level == "caution"
    assert found["over_limit"].level == "warning"
    assert "400 mg, above the 350 mg upper limit" in found["over_limit"].message
    for symptom_name in ("diarrhoea", "nausea", "muscle weakness", "fatigue", "confusion"):
        assert symptom_name in found["over_limit"].message
    assert "over_limit" not in notes(day_oral_mg=Decimal(350))  # at the limit is not past it


def test_oxide_is_flagged_only_when_the_aim_is_to_correct_a_low_intake():
    oxide = dict(form_name="Oxide", bioavailability="low", side_effects="Strong laxative effect")
    flagged = notes(**oxide, aim=supplements.AIM_LOW_INTAKE)
    assert flagged["low_bioavailability"].level == "caution"
    assert "not ideal for correcting a deficiency" in flagged["low_bioavailability"].message
    assert "poorly absorbed (low bioavailability)" in flagged["elemental"].message
    assert "low_bioavailability" not in notes(**oxide, aim=supplements.AIM_CONSTIPATION)
    assert "low_bioavailability" not in notes(aim=supplements.AIM_LOW_INTAKE)  # citrate


def test_topical_intravenous_and_infant_doses():
    assert list(notes(route="topical")) == ["topical"]
    assert "not established" in notes(route="topical")["topical"].message
    assert list(notes(route="intravenous")) == ["intravenous"]
    assert notes(upper_limit_mg=None)["no_limit"].level == "warning"


# --- Insights arithmetic ----------------------------------------------------------------------------------


@dataclass
class Day:
    date: date
    total_mg: Decimal
    supplement_mg: Decimal
    target_mg: int
    food_mg: Decimal = Decimal(0)


def test_totals_and_symptom_rates_on_a_hand_built_history():
    d = [TODAY - timedelta(days=n) for n in range(7, 0, -1)]
    logged = [
        Day(d[0], Decimal(156), Decimal(0), 320),
        Day(d[2], Decimal(356), Decimal(200), 320),
        Day(d[3], Decimal(96), Decimal(0), 320),
        Day(d[4], Decimal(390), Decimal(0), 320),
        Day(d[6], Decimal(270), Decimal(0), 320),
    ]
    numbers = insights.totals(7, logged)
    assert numbers.days_in_period == 7 and numbers.days_logged == 5
    assert numbers.average_mg == Decimal(254)  # 1268 / 5 = 253.6
    assert numbers.average_target_mg == Decimal(320)
    assert numbers.average_percent_of_target == Decimal("79.3")  # 1268 / 1600 = 79.25
    assert numbers.days_on_target == 2
    assert numbers.supplement_share_percent == Decimal("15.8")  # 200 / 1268
    assert numbers.usual_gap_mg == Decimal(66)
    comparison = insights.compare_symptoms(logged, {d[0], d[1], d[3], d[4]})  # d[1] was not logged
    assert (comparison.low_days, comparison.low_days_with_symptoms, comparison.low_rate_percent) == (
        3,
        2,
        Decimal("66.7"),
    )
    assert (comparison.other_days, comparison.other_days_with_symptoms, comparison.other_rate_percent) == (
        2,
        1,
        Decimal("50.0"),
    )
    assert comparison.summary.startswith(
        "Symptoms on 2 of 3 low-intake days (66.7%) and on 1 of 2 other logged days (50.0%)."
    )
    assert "not a cause" in comparison.summary


def test_insights_with_nothing_logged_say_so_without_dividing_by_zero():
    numbers = insights.totals(28, [])
    assert (numbers.days_logged, numbers.average_mg, numbers.supplement_share_percent) == (0, None, None)
    assert insights.compare_symptoms([], set()).summary.startswith(
        "Symptoms on no low-intake days and on no other logged days."
    )


@dataclass
class Portion:
    label: str
    food: str
    magnesium_mg: int


def test_closing_foods_each_close_the_gap_alone_in_the_fewest_portions():
    portions = [
        Portion("1 oz", "pumpkin seeds", 156),
        Portion("1 oz", "almonds", 78),
        Portion("½ cup", "black beans", 60),
        Portion("1 medium", "banana", 32),
        Portion("1 oz", "cashews", 74),
        Portion("1 medium", "apple", 9),
    ]
    found = insights.closing_foods(66, portions)
    assert [str(f) for f in found] == [
        "1 oz cashews (74 mg)",
        "1 oz almonds (78 mg)",
        "1 oz pumpkin seeds (156 mg)",
    ]
    found = insights.closing_foods(170, portions)
    assert [str(f) for f in found] == [
        "2 × 1 oz pumpkin seeds (312 mg)",  # two portions beat three, whatever the overshoot
        "3 × ½ cup black beans (180 mg)",
        "3 × 1 oz cashews (222 mg)",
    ]  # the banana would take six
    assert insights.closing_foods(0, portions) == []


# --- Found by an independent review (each failed before its fix) ------------------------------------------


def test_an_urgent_symptom_dated_just_after_midnight_is_flagged_now():
    """An entry may be up to a day ahead (a fast phone clock at 23:58): it must not wait for midnight."""
    assert codes([symptom("trouble_breathing", days_ago=-1)]) == ["urgent_symptom"]


def test_the_readme_says_twitching_over_the_whole_body_alone_raises_the_several_areas_flag():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| `twitching_in_several_areas`"))
    assert '"over the whole body" alone' in row
    assert (
        red_flags.red_flags([symptom("twitching", 0, "whole_body")], TODAY)[0].code
        == "twitching_in_several_areas"
    )


def test_twitching_over_the_whole_body_is_twitching_in_several_muscles():
    flags = red_flags.red_flags([symptom("twitching", 0, "whole_body")], TODAY)
    assert [f.code for f in flags] == ["twitching_in_several_areas"]
    assert flags[0].message.startswith("You recorded twitching over the whole body in the last 14 days.")


def test_kidney_disease_puts_a_warning_on_every_oral_dose():
    found = notes(kidney_disease=True)
    assert found["kidney_disease"].level == "warning"
    assert "only as your doctor advised" in found["kidney_disease"].message
    assert "kidney_disease" not in notes()


def test_a_birth_date_a_day_ahead_of_the_users_zone_is_a_newborn_not_an_adult():
    from tracker.nutrition import daily_target

    target = daily_target(
        sex="", birth_date=TODAY + timedelta(days=1), life_stage="none", target_override_mg=None, on=TODAY
    )
    assert (target.target_mg, target.supplement_upper_limit_mg) == (30, None)
