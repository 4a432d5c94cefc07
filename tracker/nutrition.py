"""A profile's daily target and supplement limit on a given day. Pure: works on unsaved objects."""

from dataclasses import dataclass
from datetime import date, time

from foods import reference


@dataclass(frozen=True)
class DailyTarget:
    target_mg: int
    rda_mg: int
    supplement_upper_limit_mg: int | None  # None: not established (infants): ask a clinician
    label: str  # why this target, in words a user understands
    overridden: bool


def daily_target(
    *, sex: str, birth_date: date | None, life_stage: str, target_override_mg: int | None, on: date
) -> DailyTarget:
    """The target for ``on``. Age is computed on that day, so a birthday can move a person across a
    band. A doctor-set override replaces the table. Whenever the birth date is known, the limit comes
    from the age row, and so does the target up to 13 (where sex does not matter). Without a birth
    date, or from 14 without sex, the Daily Value (420 mg, ODS) stands in until the profile is
    complete."""
    if birth_date is not None and birth_date > on:
        # Born "tomorrow": a birth date may be a day ahead of the user's zone (it is checked against the
        # latest date on Earth); that person is a newborn, never an adult by default.
        birth_date = on
    if birth_date is None:
        rda, label = reference.DAILY_VALUE_MG, "Daily Value (complete your profile for your own RDA)"
        upper = reference.ADULT_UPPER_LIMIT_MG
    else:
        upper = reference.supplement_upper_limit_mg(birth_date=birth_date, on=on)
        if sex or reference.age_on(birth_date, on) <= 13:
            recommendation = reference.rda_for(sex=sex, birth_date=birth_date, life_stage=life_stage, on=on)
            rda, label = recommendation.rda_mg, recommendation.label
        else:
            rda, label = reference.DAILY_VALUE_MG, "Daily Value (add your sex for your own RDA)"
    if target_override_mg:
        return DailyTarget(target_override_mg, rda, upper, "Target set by your doctor", True)
    return DailyTarget(rda, rda, upper, label, False)


def target_for_profile(profile, on: date) -> DailyTarget:
    return daily_target(
        sex=profile.sex,
        birth_date=profile.birth_date,
        life_stage=profile.life_stage,
        target_override_mg=profile.target_override_mg,
        on=on,
    )


def meal_for_local_time(at: time) -> str:
    """The meal slot an entry falls in when the user did not say: breakfast from 04:00, lunch from
    11:00, a snack from 15:00, dinner from 17:00, and a snack again from 21:00 until 04:00."""
    hour = at.hour
    if 4 <= hour < 11:
        return "breakfast"
    if 11 <= hour < 15:
        return "lunch"
    if 17 <= hour < 21:
        return "dinner"
    return "snack"
