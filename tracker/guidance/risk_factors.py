"""Risk factors for low (or, with kidney disease, high) magnesium [magnesium.md "Symptoms, causes and
when to see a doctor", S3 "Risk factors", S4, ODS]. The profile stores the conditions the user ticks;
age and medicines come from the rest of the profile."""

from dataclasses import dataclass
from datetime import date

from foods import reference
from tracker.guidance import medicines as meds

ALCOHOL_USE = "alcohol_use"
TYPE_2_DIABETES = "type_2_diabetes"
CROHNS = "crohns_disease"
CELIAC = "celiac_disease"
CHRONIC_DIARRHOEA = "chronic_diarrhoea"
INTESTINAL_SURGERY = "intestinal_surgery"

CONDITIONS = (
    (ALCOHOL_USE, "Regular heavy drinking (alcohol use disorder)"),
    (TYPE_2_DIABETES, "Type 2 diabetes"),
    (CROHNS, "Crohn's disease"),
    (CELIAC, "Celiac disease"),
    (CHRONIC_DIARRHOEA, "Chronic diarrhoea"),
    (INTESTINAL_SURGERY, "Intestinal surgery"),
)
CONDITION_LABELS = dict(CONDITIONS)
OLDER_AGE = 51

_GUT = (
    "Gastrointestinal disease can impair the absorption of magnesium: a risk factor for deficiency.",
    "[S3] risk factors; [S2] conditions that affect mineral absorption",
)
MEANINGS = {
    ALCOHOL_USE: (
        "Chronic heavy drinking can increase the magnesium the kidneys excrete, leading to depletion.",
        "[S3] risk factors; [S4]",
    ),
    TYPE_2_DIABETES: (
        "Poorly controlled blood sugar can increase the magnesium lost in urine.",
        "[S3] risk factors; [S4]",
    ),
    CROHNS: _GUT,
    CELIAC: _GUT,
    CHRONIC_DIARRHOEA: _GUT,
    INTESTINAL_SURGERY: _GUT,
}


# Habits the app records, read over the last HABIT_DAYS days [magnesium.md "Symptoms, causes and when to
# see a doctor": risk factors for deficiency include poor diet, chronic stress and intense exercise].
HABIT_DAYS = 14
STRESSED = 4  # "4" or "5" on the 1 (calm) … 5 (very stressed) scale of the daily context
STRESSED_DAYS = 4  # stress is chronic when it comes back: 4 stressed days in 14
EXERCISE_DAYS = 3  # intense exercise is a habit from 3 days in 14
FOOD_DAYS = 3  # an average of food intake needs 3 logged days at least


@dataclass(frozen=True)
class Habits:
    """What the last HABIT_DAYS days recorded: the stress levels given, the days of intense exercise,
    and the magnesium from food over the complete days logged, against the target."""

    stress_levels: tuple[int, ...] = ()
    exercise_days: int = 0
    food_average_mg: float | None = None
    food_days: int = 0
    target_mg: int = 0


@dataclass(frozen=True)
class RiskFactor:
    code: str
    title: str
    meaning: str
    source: str
    raises: str  # "deficiency" or "excess": which way it tips the balance


def habit_factors(habits: Habits) -> list[RiskFactor]:
    """Chronic stress, intense exercise and a low intake from food, from what the user recorded."""
    found = []
    if habits.food_days >= FOOD_DAYS and habits.food_average_mg is not None:
        if habits.food_average_mg < habits.target_mg:
            found.append(
                RiskFactor(
                    "low_food_intake",
                    "Little magnesium from food",
                    f"Your food gave {round(habits.food_average_mg)} mg a day over the {habits.food_days} days "
                    f"you logged in the last {HABIT_DAYS}, under your {habits.target_mg} mg target: a poor "
                    "diet is a risk factor for deficiency over time.",
                    "[S3] risk factors (poor dietary intake); [S4] (poor diet)",
                    "deficiency",
                )
            )
    stressed = sum(1 for level in habits.stress_levels if level >= STRESSED)
    if stressed >= STRESSED_DAYS:
        found.append(
            RiskFactor(
                "chronic_stress",
                "Chronic stress",
                f"You recorded high stress on {stressed} of the last {HABIT_DAYS} days. Chronic stress can "
                "contribute to magnesium deficiency, and stress alone causes harmless twitching.",
                "[S4] (chronic stress); [S3] stress and anxiety; [S0]",
                "deficiency",
            )
        )
    if habits.exercise_days >= EXERCISE_DAYS:
        found.append(
            RiskFactor(
                "intense_exercise",
                "Intense exercise",
                f"You recorded intense exercise on {habits.exercise_days} of the last {HABIT_DAYS} days. "
                "Intense exercise can contribute to magnesium deficiency, and causes twitching and cramps "
                "of its own.",
                "[S4] (intense exercise); [S0]; [S2]",
                "deficiency",
            )
        )
    return found


def risk_factors(
    *,
    conditions: list[str],
    medicines: list[dict],
    kidney_disease: bool,
    birth_date: date | None,
    on: date,
    habits: Habits | None = None,
) -> list[RiskFactor]:
    found = []
    for code, title in CONDITIONS:
        if code in conditions:
            meaning, source = MEANINGS[code]
            found.append(RiskFactor(code, title, meaning, source, "deficiency"))
    if birth_date is not None and birth_date <= on and reference.age_on(birth_date, on) >= OLDER_AGE:
        found.append(
            RiskFactor(
                "age_51_plus",
                "Older age",
                "With age, the gut absorbs less magnesium and the kidneys excrete more, so older adults "
                f"are more likely to run low. The app counts from {OLDER_AGE}, where the RDA table's oldest "
                'row starts (the sources say only "older adults").',
                "[S3] risk factors; [S4]; [ODS] RDA table",
                "deficiency",
            )
        )
    for entry in medicines:
        medicine = meds.BY_CODE.get(entry.get("kind"))
        if medicine is not None:
            raises = "interaction" if medicine.after_hours is not None else "deficiency"
            if medicine.code == meds.POTASSIUM_SPARING_DIURETIC:
                raises = "excess"
            found.append(RiskFactor(medicine.code, medicine.label, medicine.meaning, meds.SOURCE, raises))
    found.extend(habit_factors(habits or Habits()))
    if kidney_disease:
        found.append(
            RiskFactor(
                "kidney_disease",
                "Kidney disease",
                "Impaired kidneys struggle to eliminate excess magnesium, which raises the risk of too "
                "much magnesium from supplements; take them only as your doctor advises.",
                "[S1]; [S4]",
                "excess",
            )
        )
    return found
