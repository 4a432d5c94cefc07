"""The one-page report for a range of days, for a doctor or a dietitian: the same figures the app shows
for the same range (summaries.daily_summaries and has_data: one rule), with the symptoms, serum results,
red flags, medicines and the target beside them."""

import hashlib
import secrets
import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from foods.nutrition import round_mg
from tracker.guidance import labs, medicines, red_flags
from tracker.models import LabResult, ShareLink, SupplementDose, SymptomEntry
from tracker.services.guidance import active_red_flags, lab_reading
from tracker.services.profile import local_today, profile_get, target_on
from tracker.services.summaries import daily_summaries, has_data

DEFAULT_DAYS = 28
MAX_DAYS = 366  # a year on one page and its table: the PDF is rendered within the request
CAVEATS = (
    "Self-reported: what was logged in this app, as the person entered it (or imported it).",
    "A normal serum magnesium does not rule out a low body store: less than 1% of the body's magnesium "
    "is in the blood [ODS].",
    "Not a diagnosis and not medical advice: a summary to discuss with a clinician.",
)


def report_range(*, user: AbstractBaseUser, start: date | None, end: date | None) -> tuple[date, date]:
    """The range asked, or the last 28 days ending today (the user's today)."""
    end = end or local_today(profile=profile_get(user=user))
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise ValidationError({"end": ["The end date is before the start date."]})
    if (end - start).days >= MAX_DAYS:
        raise ValidationError({"end": [f"A report covers at most {MAX_DAYS} days."]})
    return start, end


def _mean(values) -> Decimal | None:
    values = list(values)
    return round_mg(sum(values, Decimal(0)) / len(values)) if values else None


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole else None


def report_for(*, user: AbstractBaseUser, start: date, end: date) -> dict:
    profile = profile_get(user=user)
    days = daily_summaries(user=user, start=start, end=end, profile=profile)
    counted = [d for d in days if has_data(d)]
    target = target_on(profile=profile, on=end)
    symptoms = list(
        SymptomEntry.objects.filter(user=user, local_date__gte=start, local_date__lte=end).order_by(
            "occurred_at"
        )
    )
    symptoms_by_day = defaultdict(list)
    for entry in symptoms:
        symptoms_by_day[entry.local_date].append(entry)
    doses = SupplementDose.objects.filter(
        user=user, local_date__gte=start, local_date__lte=end
    ).select_related("form")
    table: dict = {}
    for dose in doses:
        row = table.setdefault(
            (dose.form.name, dose.elemental_mg),
            {
                "form": dose.form.name,
                "route": dose.form.route,
                "elemental_mg": dose.elemental_mg,
                "doses": 0,
                "days": set(),
            },
        )
        row["doses"] += 1
        row["days"].add(dose.local_date)
    over_days = {d.date for d in days if d.supplement_over_limit}
    supplements = [
        {
            "form": row["form"],
            "route": row["route"],
            "elemental_mg": row["elemental_mg"],
            "doses": row["doses"],
            "days": len(row["days"]),
            "days_over_limit": len(row["days"] & over_days),
        }
        for row in sorted(table.values(), key=lambda r: (-r["doses"], r["form"], r["elemental_mg"]))
    ]
    lab_rows = list(
        LabResult.objects.filter(user=user, taken_on__gte=start, taken_on__lte=end).order_by("taken_on", "id")
    )
    labs_shown = [
        {
            "taken_on": lab.taken_on,
            "value": lab.value,
            "unit": labs.UNIT_LABELS[lab.unit],
            "flag": reading.flag,
            "range_low": reading.range_low,
            "range_high": reading.range_high,
            "range_source": reading.range_source,
        }
        for lab in lab_rows
        for reading in [lab_reading(lab)]
    ]
    flags = active_red_flags(user=user, profile=profile)
    return {
        "start": start,
        "end": end,
        "days_in_range": len(days),
        "days_logged": len(counted),
        "days_complete": sum(1 for d in days if d.complete),
        "target_mg": target.target_mg,
        "target_label": target.label,
        "target_why": "a target set by the doctor"
        if profile.target_override_mg
        else "the RDA for the profile [ODS]",
        "supplement_upper_limit_mg": target.supplement_upper_limit_mg,
        "average_mg": _mean(d.total_mg for d in counted),
        "median_mg": round_mg(Decimal(statistics.median([d.total_mg for d in counted]))) if counted else None,
        "average_food_mg": _mean(d.food_mg for d in counted),
        "average_supplement_mg": _mean(d.supplement_mg for d in counted),
        "days_at_or_above_target": sum(1 for d in counted if d.total_mg >= d.target_mg),
        "share_at_or_above_target_percent": _percent(
            sum(1 for d in counted if d.total_mg >= d.target_mg), len(counted)
        ),
        "days_over_limit": len(over_days),
        "supplements": supplements,
        "symptom_count": len(symptoms),
        "labs": labs_shown,
        "red_flags": [{"title": flag.title, "level": flag.level, "message": flag.message} for flag in flags],
        "medicines": [
            {
                "label": medicines.BY_CODE[item["kind"]].label
                if item.get("kind") in medicines.BY_CODE
                else item.get("kind", ""),
                "times": item.get("times", []),
                "advice": medicines.BY_CODE[item["kind"]].meaning
                if item.get("kind") in medicines.BY_CODE
                else "",
            }
            for item in (profile.medicines or [])
        ],
        "days": [
            {
                "date": d.date,
                "food_mg": d.food_mg,
                "supplement_mg": d.supplement_mg,
                "total_mg": d.total_mg,
                "target_mg": d.target_mg,
                "no_data": not has_data(d),
                "complete": d.complete,
                "supplement_over_limit": d.supplement_over_limit,
                "symptoms": [
                    f"{dict(red_flags.SYMPTOM_KINDS).get(s.kind, s.kind)} {s.severity}/5"
                    for s in symptoms_by_day.get(d.date, [])
                ],
            }
            for d in days
        ],
        "caveats": list(CAVEATS),
    }


# --- Share links -------------------------------------------------------------------------------------

SHARE_DAYS_DEFAULT, SHARE_DAYS_MAX = 7, 30
MAX_SHARE_LINKS = 20  # live at once


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share_create(*, user: AbstractBaseUser, start: date, end: date, days_valid: int = SHARE_DAYS_DEFAULT):
    """A new link to the report of ``start``–``end``, valid ``days_valid`` days (1 to 30). Returns the
    link and its token (192 random bits), which is never stored nor shown again."""
    start, end = report_range(user=user, start=start, end=end)
    if not 1 <= days_valid <= SHARE_DAYS_MAX:
        raise ValidationError({"days_valid": [f"From 1 to {SHARE_DAYS_MAX} days."]})
    now = timezone.now()
    live = ShareLink.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).count()
    if live >= MAX_SHARE_LINKS:
        raise ValidationError(
            {"non_field_errors": [f"At most {MAX_SHARE_LINKS} links at once: revoke one first."]}
        )
    token = secrets.token_urlsafe(24)
    link = ShareLink.objects.create(
        user=user, token_hash=_hash(token), start=start, end=end, expires_at=now + timedelta(days=days_valid)
    )
    return link, token


def share_open(*, token: str) -> ShareLink | None:
    """The live link of a token, counted as opened; None for an unknown, expired or revoked one (all
    answer the same)."""
    if not token or len(token) > 100:
        return None
    now = timezone.now()
    link = ShareLink.objects.filter(
        token_hash=_hash(token), revoked_at__isnull=True, expires_at__gt=now
    ).first()
    if link is None:
        return None
    ShareLink.objects.filter(pk=link.pk).update(last_opened_at=now, open_count=F("open_count") + 1)
    return link


def share_revoke(*, link: ShareLink) -> ShareLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link
