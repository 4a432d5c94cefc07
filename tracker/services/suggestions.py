"""Everyday household portions worth suggesting: what closes a gap, in food a person eats. Read by
insights (services) and by reminder messages (tracker/reminders), so it lives below both."""

from dataclasses import dataclass

from foods.catalogue_cache import cached_catalogue
from foods.models import Origin, Portion
from foods.nutrition import whole_mg

PROPER_NOUNS = ("Brazil", "Swiss", "Atlantic", "Medjool")


@dataclass(frozen=True)
class Suggestion:
    label: str
    food: str
    magnesium_mg: int

    def __str__(self) -> str:
        return f"{self.label} {self.food} ({self.magnesium_mg} mg)"


def everyday_portions() -> list[Suggestion]:
    """Household portions worth suggesting (not "100 g", at least 20 mg), richest first: from the
    curated foods only, never a user's own food nor one of thousands of imported products."""

    def build():
        rows = []
        curated = Portion.objects.filter(food__origin=Origin.CURATED, food__owner__isnull=True)
        for portion in curated.select_related("food").exclude(label="100 g"):
            mg = whole_mg(portion.magnesium_mg)
            if mg >= 20 and portion.food.category != "fortified_cereals":
                name = portion.food.name
                if not name.startswith(PROPER_NOUNS):
                    name = name[0].lower() + name[1:]
                rows.append(Suggestion(portion.label, name, mg))
        return sorted(rows, key=lambda s: (-s.magnesium_mg, s.food))

    return cached_catalogue("reminder-suggestions", build)
