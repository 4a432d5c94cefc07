"""Medicines that interact with magnesium [ODS, magnesium.md "Medicine interactions"]: a fixed list
(no free-text drug database), what each means, and the spacing a supplement needs from them.

Times are clock times of a daily routine: a supplement at 22:00 is 14 hours after an 08:00
antibiotic and 10 hours before the next one, and both gaps count.
"""

from dataclasses import dataclass
from datetime import time

TETRACYCLINE = "tetracycline"
QUINOLONE = "quinolone"
BISPHOSPHONATE = "bisphosphonate"
LOOP_OR_THIAZIDE_DIURETIC = "loop_or_thiazide_diuretic"
POTASSIUM_SPARING_DIURETIC = "potassium_sparing_diuretic"
PROTON_PUMP_INHIBITOR = "proton_pump_inhibitor"

SOURCE = '[ODS] "Interactions with medications"'


@dataclass(frozen=True)
class Medicine:
    code: str
    label: str
    examples: str
    meaning: str
    # Spacing, in hours: the supplement must not be taken less than ``after_hours`` after the medicine
    # nor less than ``before_hours`` before it. None: no spacing (the medicine changes magnesium levels
    # over time instead).
    after_hours: int | None = None
    before_hours: int | None = None
    safer_before_hours: int | None = None  # the far end of a "4–6 hours" range


MEDICINES = (
    Medicine(
        TETRACYCLINE,
        "Tetracycline antibiotic",
        "doxycycline, minocycline",
        "Magnesium forms insoluble complexes with tetracyclines: take the antibiotic at least 2 hours "
        "before or 4–6 hours after a magnesium supplement.",
        after_hours=2,
        before_hours=4,
        safer_before_hours=6,
    ),
    Medicine(
        QUINOLONE,
        "Quinolone antibiotic",
        "ciprofloxacin, levofloxacin",
        "Magnesium forms insoluble complexes with quinolones: take the antibiotic at least 2 hours "
        "before or 4–6 hours after a magnesium supplement.",
        after_hours=2,
        before_hours=4,
        safer_before_hours=6,
    ),
    Medicine(
        BISPHOSPHONATE,
        "Bisphosphonate (for osteoporosis)",
        "taken for osteoporosis",
        "Magnesium-rich supplements can reduce the absorption of bisphosphonates: take them at least "
        "2 hours apart.",
        after_hours=2,
        before_hours=2,
    ),
    Medicine(
        LOOP_OR_THIAZIDE_DIURETIC,
        "Loop or thiazide diuretic",
        "furosemide, bumetanide, hydrochlorothiazide",
        "Taken long term, these diuretics can increase the magnesium lost in urine: a risk factor for "
        "low magnesium. Discuss your intake with your doctor.",
    ),
    Medicine(
        POTASSIUM_SPARING_DIURETIC,
        "Potassium-sparing diuretic",
        "amiloride, spironolactone",
        "These diuretics reduce the magnesium lost in urine. Discuss supplements with your doctor.",
    ),
    Medicine(
        PROTON_PUMP_INHIBITOR,
        "Proton pump inhibitor (for stomach acid)",
        "esomeprazole, lansoprazole, omeprazole",
        "Taken for a long time (typically more than a year), they can cause low serum magnesium: a risk "
        "factor for low magnesium. Discuss your intake with your doctor.",
    ),
)
BY_CODE = {m.code: m for m in MEDICINES}
CHOICES = tuple((m.code, m.label) for m in MEDICINES)
MAX_TIMES = 4


@dataclass(frozen=True)
class Conflict:
    medicine: str  # code
    medicine_time: time
    supplement_time: time
    severity: str  # "conflict": inside the minimum; "caution": inside the safer "4–6 hours" range
    message: str
    source: str = SOURCE


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _clock(at: time) -> str:
    return at.strftime("%H:%M")


def spacing_conflicts(supplement_time: time, medicines: list[dict]) -> list[Conflict]:
    """Each medicine time the supplement time is too close to. ``medicines`` is the profile's list:
    ``[{"kind": code, "times": ["08:00", …]}]`` (times as strings or ``time``)."""
    found = []
    for entry in medicines:
        medicine = BY_CODE.get(entry.get("kind"))
        if medicine is None or medicine.after_hours is None:
            continue
        for raw in entry.get("times") or []:
            at = raw if isinstance(raw, time) else time.fromisoformat(raw)
            # Minutes from the medicine to the supplement, and from the supplement to the medicine.
            after = (_minutes(supplement_time) - _minutes(at)) % (24 * 60)
            before = (24 * 60 - after) % (24 * 60)
            name = f"your {medicine.label.split(' (')[0].lower()} at {_clock(at)}"
            if after < medicine.after_hours * 60:
                severity, advice = (
                    "conflict",
                    f"{_gap(after)} after {name}: take magnesium at least {medicine.after_hours} hours after it",
                )
            elif before < medicine.before_hours * 60:
                severity, advice = (
                    "conflict",
                    f"{_gap(before)} before {name}: take magnesium at least {medicine.before_hours} hours before it",
                )
            elif medicine.safer_before_hours and before < medicine.safer_before_hours * 60:
                severity, advice = (
                    "caution",
                    (
                        f"{_gap(before)} before {name}: the advice is 4–6 hours, so "
                        f"{medicine.safer_before_hours} hours is the safer side"
                    ),
                )
            else:
                continue
            message = f"{_clock(supplement_time)} is {advice}. {medicine.meaning}"
            found.append(Conflict(medicine.code, at, supplement_time, severity, message))
    return found


def _gap(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} hour{'s' if hours != 1 else ''}"
