"""What a reminder says. Built from the user's own day, week and habits, at the time it is sent."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from foods import reference
from foods.nutrition import whole_mg
from tracker import services
from tracker.guidance import medicines
from tracker.models import SupplementDose
from tracker.nutrition import meal_for_local_time
from tracker.services.suggestions import Suggestion, everyday_portions  # noqa: F401 - used and re-exported


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    url: str  # the PWA screen a tap opens
    skip_reason: str = ""  # non-empty: nothing to send, and why
    # The dose the message names, which "Taken" logs: {"form": id, "form_name": …, "elemental_mg": "…"}.
    # Empty when it names none (no usual dose yet, or the dose would pass the upper limit).
    offer: dict = field(default_factory=dict)


def suggest_portions(gap_mg: int, portions: list[Suggestion] | None = None) -> list[Suggestion]:
    """One or two real portions that close a gap with the least overshoot: one portion when one does
    it, else the pair of different foods with the smallest sum that reaches the gap, else the two
    richest portions (a good start)."""
    portions = portions if portions is not None else everyday_portions()
    if gap_mg <= 0 or not portions:
        return []
    singles = [p for p in portions if p.magnesium_mg >= gap_mg]
    if singles:
        return [min(singles, key=lambda p: (p.magnesium_mg, p.food))]
    best = None
    for i, first in enumerate(portions):
        for second in portions[i + 1 :]:
            if first.food == second.food:
                continue
            total = first.magnesium_mg + second.magnesium_mg
            if total >= gap_mg and (best is None or total < best[0]):
                best = (total, [first, second])
    if best:
        return best[1]
    distinct = []
    for portion in portions:
        if all(portion.food != chosen.food for chosen in distinct):
            distinct.append(portion)
        if len(distinct) == 2:
            break
    return distinct


def meal_reminder(*, user, day: date, at: time | None = None) -> Message:
    summary = services.daily_summaries(user=user, start=day, end=day)[0]
    total, target = whole_mg(summary.total_mg), summary.target_mg
    if summary.complete:
        return Message("", "", "/#/today", skip_reason="the day is marked complete")
    if summary.total_mg >= target:
        return Message("", "", "/#/today", skip_reason=f"goal already met today ({total} of {target} mg)")
    gap = whole_mg(summary.remaining_mg)
    body = f"{gap} mg to go today"
    # No foods are suggested under 12 months: an infant's magnesium comes from breast milk or formula.
    ideas = (
        []
        if reference.under_one_year(services.profile_get(user=user).birth_date, day)
        else suggest_portions(gap)
    )
    if ideas:
        body += ": " + " + ".join(str(idea) for idea in ideas)
    # a tap (or "Log food") opens the food screen with the meal of the reminder's time chosen
    return Message(
        "Time to log your meals", body + ".", f"/#/log/{meal_for_local_time(at)}" if at else "/#/log"
    )


def supplement_reminder(*, user, day: date, at: time | None = None) -> Message:
    """Never names a dose that would take the day past the upper limit for supplements [ODS], none
    for an infant (no limit is established), and with kidney disease none at all: the reminder is sent
    only to someone whose doctor set a plan (a doctor's target), with a caution. When the reminder's
    time ``at`` is too close to one of the user's interacting medicines, it says so [ODS]."""
    message = _supplement_message(user=user, day=day)
    if message.skip_reason or at is None:
        return message
    profile = services.profile_get(user=user)
    conflicts = [
        c for c in medicines.spacing_conflicts(at, profile.medicines or []) if c.severity == "conflict"
    ]
    if not conflicts:
        return message
    spacing = " ".join(c.message.split(". ")[0] + "." for c in conflicts)
    return Message(
        message.title, f"{message.body} Mind the spacing: {spacing}", message.url, offer=message.offer
    )


def _supplement_message(*, user, day: date) -> Message:
    profile = services.profile_get(user=user)
    if profile.kidney_disease:
        if not profile.target_override_mg:
            return Message(
                "",
                "",
                "/#/supplement",
                skip_reason="kidney disease: a supplement reminder needs a plan from your doctor "
                "(set the target your doctor gave you)",
            )
        return Message(
            "Magnesium supplement",
            "Time for the magnesium your doctor planned. With kidney disease, take only what your "
            "doctor advised.",
            "/#/supplement",
        )
    summary = services.daily_summaries(user=user, start=day, end=day, profile=profile)[0]
    limit = summary.supplement_upper_limit_mg
    taken = whole_mg(summary.supplement_mg)
    if limit is None:
        return Message(
            "Magnesium supplement",
            "No upper limit for supplements is established under 1 year: give one only as a clinician advised.",
            "/#/supplement",
        )
    if summary.supplement_mg >= limit:
        return Message(
            "Magnesium supplement",
            f"You have already taken {taken} mg from supplements today, the upper limit is {limit} mg:"
            " skip this dose unless your doctor said otherwise.",
            "/#/supplement",
        )
    since = day - timedelta(days=30)
    # the usual oral dose: a topical or intravenous one is not what this reminder is about
    doses = SupplementDose.objects.filter(
        user=user, local_date__gte=since, form__route="oral"
    ).select_related("form")
    usual = Counter((dose.form_id, dose.form.name, dose.elemental_mg) for dose in doses).most_common(1)
    if not usual:
        return Message("Magnesium supplement", "Time for your magnesium supplement.", "/#/supplement")
    (form_id, form, mg), _ = usual[0]
    dose = whole_mg(Decimal(mg))
    if taken + dose > limit:
        body = (
            f"Your usual {dose} mg of {form.lower()} would take today's supplements to {taken + dose} mg, "
            f"past the {limit} mg upper limit for supplements: take less, or ask your doctor."
        )
        return Message("Magnesium supplement", body, "/#/supplement")
    # "Taken" logs exactly the dose the message states (the stored value, which the message rounds)
    offer = {"form": form_id, "form_name": form, "elemental_mg": f"{Decimal(mg):f}"}
    body = f"Time for your magnesium {form.lower()}: {Decimal(mg).normalize():f} mg elemental."
    return Message("Magnesium supplement", body, "/#/supplement", offer=offer)


def weekly_summary(*, user, day: date, at: time | None = None) -> Message:
    days = services.daily_summaries(user=user, start=day - timedelta(days=6), end=day)
    average = whole_mg(sum((d.total_mg for d in days), Decimal(0)) / len(days))
    met = sum(1 for d in days if d.total_mg >= d.target_mg)
    best = max(days, key=lambda d: d.total_mg)
    worst = min(days, key=lambda d: d.total_mg)
    body = (
        f"Average {average} mg a day (target {days[-1].target_mg} mg), on target {met} of 7 days. "
        f"Best: {best.date:%a} {whole_mg(best.total_mg)} mg; lowest: {worst.date:%a} {whole_mg(worst.total_mg)} mg."
    )
    return Message("Your magnesium week", body, "/#/week")


BUILDERS = {
    "log_meals": meal_reminder,
    "take_supplement": supplement_reminder,
    "weekly_summary": weekly_summary,
}


def build_message(*, kind: str, user, day: date, at: time | None = None) -> Message:
    return BUILDERS[kind](user=user, day=day, at=at)
