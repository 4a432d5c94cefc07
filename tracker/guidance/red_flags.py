"""When a symptom journal says "see a doctor" or "seek care now" [S0, "When to see a doctor for muscle
twitching"; magnesium.md "Symptoms, causes and when to see a doctor"]:

- trouble breathing, speaking or swallowing: seek care now (urgent);
- twitching together with weakness, numbness, tingling or muscle loss: see a doctor;
- twitching that lasts several weeks: see a doctor;
- twitching in multiple muscles: see a doctor.

The source gives no numbers for "together", "several weeks" or "multiple"; the thresholds below are
ours, chosen to be read the way a clinician would, and named so that the README and the tests can
quote them.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Symptom kinds (magnesium.md, deficiency signs [S1][S3][S4] and the red flags [S0]).
TWITCHING = "twitching"
CRAMP = "cramp"
SPASM = "spasm"
NUMBNESS = "numbness"
TINGLING = "tingling"
WEAKNESS = "weakness"
FATIGUE = "fatigue"
MUSCLE_LOSS = "muscle_loss"
TROUBLE_BREATHING = "trouble_breathing"
TROUBLE_SPEAKING = "trouble_speaking"
TROUBLE_SWALLOWING = "trouble_swallowing"
IRREGULAR_HEARTBEAT = "irregular_heartbeat"
OTHER = "other"

SYMPTOM_KINDS = (
    (TWITCHING, "Twitching"),
    (CRAMP, "Cramp"),
    (SPASM, "Spasm"),
    (NUMBNESS, "Numbness"),
    (TINGLING, "Tingling"),
    (WEAKNESS, "Weakness"),
    (FATIGUE, "Fatigue"),
    (MUSCLE_LOSS, "Muscle loss"),
    (TROUBLE_BREATHING, "Trouble breathing"),
    (TROUBLE_SPEAKING, "Trouble speaking"),
    (TROUBLE_SWALLOWING, "Trouble swallowing"),
    (IRREGULAR_HEARTBEAT, "Irregular heartbeat"),
    (OTHER, "Other"),
)

BODY_AREAS = (
    ("eyelid", "Eyelid"),
    ("face", "Face"),
    ("neck", "Neck"),
    ("shoulder", "Shoulder"),
    ("arm", "Arm"),
    ("hand", "Hand or fingers"),
    ("chest", "Chest"),
    ("back", "Back"),
    ("abdomen", "Abdomen"),
    ("thigh", "Thigh"),
    ("calf", "Calf"),
    ("foot", "Foot or toes"),
    ("whole_body", "Whole body"),
    ("other", "Other"),
)
AREA_LABELS = dict(BODY_AREAS)

URGENT_KINDS = frozenset({TROUBLE_BREATHING, TROUBLE_SPEAKING, TROUBLE_SWALLOWING})
WITH_TWITCHING_KINDS = frozenset({WEAKNESS, NUMBNESS, TINGLING, MUSCLE_LOSS})

URGENT = "urgent"
SEE_DOCTOR = "see_doctor"

# The history the rules read, ending on the user's local today.
URGENT_WINDOW_DAYS = 7  # an urgent symptom stays on screen a week unless dismissed
TOGETHER_WINDOW_DAYS = 14  # "together": twitching and the other symptom within two weeks
PERSISTENT_WINDOW_DAYS = 21  # "several weeks": three
PERSISTENT_MIN_DAYS = 11  # "most days": more than half of the 21
PERSISTENT_MIN_SPAN_DAYS = 14  # first to last twitching day in the window: at least two weeks apart
AREAS_WINDOW_DAYS = 14
AREAS_MIN = 3  # "multiple muscles": three body areas (eyelid and calf alone are common and benign),
# or twitching recorded over the whole body
SOURCE = '[S0] "When to see a doctor for muscle twitching"'


@dataclass(frozen=True)
class Symptom:
    kind: str
    area: str
    day: date  # the local day it happened
    recorded_at: datetime  # when it was last written (created or edited): a backdated or edited entry is new


@dataclass(frozen=True)
class RedFlag:
    code: str
    level: str  # URGENT or SEE_DOCTOR
    title: str
    message: str
    source: str
    evidence_at: datetime  # the latest recorded entry behind it: a dismissal before it no longer hides it


def _within(symptoms, today: date, days: int) -> list[Symptom]:
    """The entries of the ``days`` ending today, and any dated tomorrow: an entry may be up to a day
    ahead (a phone clock a little fast at 23:58), and an urgent one must not wait for midnight."""
    first = today - timedelta(days=days - 1)
    return [s for s in symptoms if first <= s.day <= today + timedelta(days=1)]


def _names(kinds) -> str:
    labels = [dict(SYMPTOM_KINDS)[k].lower() for k in sorted(kinds)]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def urgent(symptoms, today: date) -> RedFlag | None:
    hits = [s for s in _within(symptoms, today, URGENT_WINDOW_DAYS) if s.kind in URGENT_KINDS]
    if not hits:
        return None
    return RedFlag(
        code="urgent_symptom",
        level=URGENT,
        title="Seek medical care now",
        message=f"You recorded {_names({s.kind for s in hits})}. Trouble breathing, speaking or swallowing "
        "needs a doctor now: call your local emergency number or go to an emergency department.",
        source=SOURCE,
        evidence_at=max(s.recorded_at for s in hits),
    )


def twitching_with_other_symptoms(symptoms, today: date) -> RedFlag | None:
    recent = _within(symptoms, today, TOGETHER_WINDOW_DAYS)
    twitches = [s for s in recent if s.kind == TWITCHING]
    others = [s for s in recent if s.kind in WITH_TWITCHING_KINDS]
    if not twitches or not others:
        return None
    return RedFlag(
        code="twitching_with_symptoms",
        level=SEE_DOCTOR,
        title="See a doctor",
        message=f"You recorded twitching together with {_names({s.kind for s in others})} in the last "
        f"{TOGETHER_WINDOW_DAYS} days. Twitching with weakness, numbness, tingling or muscle loss is a "
        "reason to see a doctor.",
        source=SOURCE,
        evidence_at=max(s.recorded_at for s in twitches + others),
    )


def twitching_for_weeks(symptoms, today: date) -> RedFlag | None:
    twitches = [s for s in _within(symptoms, today, PERSISTENT_WINDOW_DAYS) if s.kind == TWITCHING]
    days = sorted({s.day for s in twitches})
    if len(days) < PERSISTENT_MIN_DAYS or (days[-1] - days[0]).days < PERSISTENT_MIN_SPAN_DAYS:
        return None
    return RedFlag(
        code="twitching_for_weeks",
        level=SEE_DOCTOR,
        title="See a doctor",
        message=f"You recorded twitching on {len(days)} of the last {PERSISTENT_WINDOW_DAYS} days. "
        "Twitching that lasts several weeks is a reason to see a doctor.",
        source=SOURCE,
        evidence_at=max(s.recorded_at for s in twitches),
    )


def twitching_in_several_areas(symptoms, today: date) -> RedFlag | None:
    twitches = [
        s
        for s in _within(symptoms, today, AREAS_WINDOW_DAYS)
        if s.kind == TWITCHING and s.area and s.area != "other"
    ]
    areas = sorted({s.area for s in twitches}, key=list(AREA_LABELS).index)
    if len(areas) < AREAS_MIN and "whole_body" not in areas:
        return None
    names = ", ".join(AREA_LABELS[a].lower() for a in areas)
    return RedFlag(
        code="twitching_in_several_areas",
        level=SEE_DOCTOR,
        title="See a doctor",
        message=(
            f"You recorded twitching in {len(areas)} body areas ({names})"
            if len(areas) > 1
            else "You recorded twitching over the whole body"
        )
        + f" in the last {AREAS_WINDOW_DAYS} days. Twitching in several muscles is a reason to see a doctor.",
        source=SOURCE,
        evidence_at=max(s.recorded_at for s in twitches),
    )


RULES = (urgent, twitching_with_other_symptoms, twitching_for_weeks, twitching_in_several_areas)
CODES = ("urgent_symptom", "twitching_with_symptoms", "twitching_for_weeks", "twitching_in_several_areas")
LONGEST_WINDOW_DAYS = max(URGENT_WINDOW_DAYS, TOGETHER_WINDOW_DAYS, PERSISTENT_WINDOW_DAYS, AREAS_WINDOW_DAYS)


def red_flags(symptoms, today: date, dismissed: dict[str, datetime] | None = None) -> list[RedFlag]:
    """The flags the history raises on ``today``, urgent first. ``dismissed`` maps a flag's code to
    when the user dismissed it: a flag is hidden until an entry newer than the dismissal raises it."""
    dismissed = dismissed or {}
    flags = []
    for rule in RULES:
        flag = rule(symptoms, today)
        if flag and not (flag.code in dismissed and dismissed[flag.code] >= flag.evidence_at):
            flags.append(flag)
    return sorted(flags, key=lambda f: f.level != URGENT)
