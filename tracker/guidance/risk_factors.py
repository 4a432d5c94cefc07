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


@dataclass(frozen=True)
class RiskFactor:
    code: str
    title: str
    meaning: str
    source: str
    raises: str  # "deficiency" or "excess": which way it tips the balance


def risk_factors(
    *, conditions: list[str], medicines: list[dict], kidney_disease: bool, birth_date: date | None, on: date
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
