"""Insights over a run of complete days: pure arithmetic over the day summaries, the days with a
symptom and the foods that gave the most. Counts and rates only: the symptom comparison says what
happened on which days, never that one caused the other."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

NOT_CAUSAL = "Days shown side by side, not a cause: many things besides magnesium cause these symptoms [S0]."


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _mg(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SymptomComparison:
    low_days: int  # logged days below target
    low_days_with_symptoms: int
    low_rate_percent: Decimal | None
    other_days: int  # logged days at or above target
    other_days_with_symptoms: int
    other_rate_percent: Decimal | None
    summary: str


def compare_symptoms(days, symptom_days: set[date]) -> SymptomComparison:
    """``days``: the logged day summaries. A low-intake day is one whose total is under its target."""
    low = [d for d in days if d.total_mg < d.target_mg]
    other = [d for d in days if d.total_mg >= d.target_mg]
    low_hits = sum(1 for d in low if d.date in symptom_days)
    other_hits = sum(1 for d in other if d.date in symptom_days)
    low_rate, other_rate = _percent(low_hits, len(low)), _percent(other_hits, len(other))

    def part(hits, count, rate, what):
        if not count:
            return f"no {what} days"
        return f"{hits} of {count} {what} days ({rate}%)"

    summary = (
        f"Symptoms on {part(low_hits, len(low), low_rate, 'low-intake')} and on "
        f"{part(other_hits, len(other), other_rate, 'other logged')}. {NOT_CAUSAL}"
    )
    return SymptomComparison(len(low), low_hits, low_rate, len(other), other_hits, other_rate, summary)


@dataclass(frozen=True)
class Totals:
    days_in_period: int
    days_logged: int
    average_mg: Decimal | None
    average_target_mg: Decimal | None
    average_percent_of_target: Decimal | None
    days_on_target: int
    supplement_share_percent: Decimal | None
    usual_gap_mg: Decimal  # how far the average falls short of the target (0 when it does not)


def totals(days_in_period: int, logged) -> Totals:
    """``logged``: the summaries of the days with at least one entry (a day with nothing logged is a
    day not tracked, not a day of zero magnesium)."""
    if not logged:
        return Totals(days_in_period, 0, None, None, None, 0, None, Decimal(0))
    total = sum((d.total_mg for d in logged), Decimal(0))
    supplements = sum((d.supplement_mg for d in logged), Decimal(0))
    target = sum((Decimal(d.target_mg) for d in logged), Decimal(0))
    average = _mg(total / len(logged))
    average_target = _mg(target / len(logged))
    return Totals(
        days_in_period=days_in_period,
        days_logged=len(logged),
        average_mg=average,
        average_target_mg=average_target,
        average_percent_of_target=_percent(total, target),
        days_on_target=sum(1 for d in logged if d.total_mg >= d.target_mg),
        supplement_share_percent=_percent(supplements, total),
        usual_gap_mg=max(Decimal(0), average_target - average),
    )


@dataclass(frozen=True)
class ClosingFood:
    food: str
    portion: str
    count: int
    magnesium_mg: int

    def __str__(self) -> str:
        amount = self.portion if self.count == 1 else f"{self.count} × {self.portion}"
        return f"{amount} {self.food} ({self.magnesium_mg} mg)"


MAX_PORTIONS = 3


def closing_foods(gap_mg: int, portions, count: int = 3) -> list[ClosingFood]:
    """Up to ``count`` different foods, each of which alone closes ``gap_mg`` in the fewest of its
    everyday portions (at most three), least overshoot first. ``portions``: (label, food, mg) rows such
    as tracker.services.suggestions.everyday_portions()."""
    if gap_mg <= 0:
        return []
    best: dict[str, ClosingFood] = {}
    for portion in portions:
        if portion.magnesium_mg <= 0:
            continue
        needed = -(-gap_mg // portion.magnesium_mg)  # ceiling
        if needed > MAX_PORTIONS:
            continue
        option = ClosingFood(portion.food, portion.label, needed, needed * portion.magnesium_mg)
        current = best.get(portion.food)
        if current is None or (option.count, option.magnesium_mg) < (current.count, current.magnesium_mg):
            best[portion.food] = option
    ranked = sorted(best.values(), key=lambda o: (o.count, o.magnesium_mg - gap_mg, o.food))
    return ranked[:count]
