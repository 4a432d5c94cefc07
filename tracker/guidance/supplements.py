"""Safety of one supplement dose [magnesium.md "Supplement forms" (S3's comparison table) and the UL
table [ODS]]: the elemental amount, how well the form is absorbed, its laxative effect, the limit, and
a low-bioavailability form flagged when the user's aim is to correct a low intake."""

from dataclasses import dataclass
from decimal import Decimal

# The user's aim with supplements (profile.supplement_aim).
AIM_LOW_INTAKE = "correct_low_intake"
AIM_CONSTIPATION = "constipation"
AIM_SLEEP = "sleep_or_calm"
AIM_OTHER = "other"
AIMS = (
    ("", "Not said"),
    (AIM_LOW_INTAKE, "Correct a low intake or a deficiency"),
    (AIM_CONSTIPATION, "Constipation relief"),
    (AIM_SLEEP, "Sleep or calm"),
    (AIM_OTHER, "Something else"),
)

ORAL = "oral"
TOPICAL = "topical"
INTRAVENOUS = "intravenous"

BIOAVAILABILITY_WORDS = {
    "high": "well absorbed (high bioavailability)",
    "low": "poorly absorbed (low bioavailability)",
    "unknown": "absorption not rated by our source",
}
FORMS_SOURCE = "[S3] supplement comparison table"


@dataclass(frozen=True)
class Note:
    code: str
    level: str  # "info", "caution" or "warning"
    message: str
    source: str


def dose_notes(
    *,
    form_name: str,
    route: str,
    bioavailability: str,
    side_effects: str,
    elemental_mg: Decimal,
    day_oral_mg: Decimal,
    upper_limit_mg: int | None,
    aim: str = "",
    kidney_disease: bool = False,
) -> list[Note]:
    """What to know about ``elemental_mg`` of ``form_name`` taken on a day whose oral supplements,
    this dose included, come to ``day_oral_mg``."""
    notes = []
    elemental = Decimal(elemental_mg).quantize(Decimal(1))
    if route == TOPICAL:
        return [
            Note(
                "topical",
                "info",
                f"{elemental} mg of magnesium on the skin. Absorption through the skin is not established "
                "(topical efficacy is debated), so it is shown apart and does not count toward your day "
                "or the upper limit.",
                "[S4] treatment approaches",
            )
        ]
    if route == INTRAVENOUS:
        return [
            Note(
                "intravenous",
                "info",
                "Intravenous magnesium is a hospital treatment; it is kept for your records and does not "
                "count toward your day or the upper limit for supplements.",
                "[S4] treatment approaches",
            )
        ]
    notes.append(
        Note(
            "elemental",
            "info",
            f"{elemental} mg of elemental magnesium as {form_name.lower()}, "
            f"{BIOAVAILABILITY_WORDS.get(bioavailability, BIOAVAILABILITY_WORDS['unknown'])}.",
            FORMS_SOURCE,
        )
    )
    if kidney_disease:
        notes.append(
            Note(
                "kidney_disease",
                "warning",
                "With kidney disease, take magnesium supplements only as your doctor advised: impaired "
                "kidneys struggle to remove excess magnesium.",
                "[S1]; [S4]",
            )
        )
    if bioavailability == "low" and aim == AIM_LOW_INTAKE:
        notes.append(
            Note(
                "low_bioavailability",
                "caution",
                f"{form_name} is poorly absorbed and not ideal for correcting a deficiency; forms such "
                "as citrate, glycinate or malate are absorbed better.",
                FORMS_SOURCE,
            )
        )
    if "laxative" in side_effects.lower():
        notes.append(
            Note(
                "laxative",
                "caution" if upper_limit_mg is not None and day_oral_mg > upper_limit_mg else "info",
                f"{form_name}: {side_effects[0].lower()}{side_effects[1:]}. Diarrhoea is also a sign of "
                "too much magnesium from supplements.",
                FORMS_SOURCE + "; [S1] excess",
            )
        )
    if upper_limit_mg is None:
        notes.append(
            Note(
                "no_limit",
                "warning",
                "No upper limit for supplements is established under 1 year: give one only as a clinician "
                "advised.",
                "[ODS] UL table",
            )
        )
    elif day_oral_mg > upper_limit_mg:
        notes.append(
            Note(
                "over_limit",
                "warning",
                f"Supplements today come to {day_oral_mg.quantize(Decimal(1))} mg, above the "
                f"{upper_limit_mg} mg upper limit for supplements. Too much can cause diarrhoea, nausea, "
                "muscle weakness, fatigue and confusion; talk to your doctor before taking more.",
                "[ODS] UL table; [S1] excess",
            )
        )
    return notes
