"""The user's profile: read, change, and the target on a given day."""

import zoneinfo
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.utils import timezone

from foods import reference
from tracker import limits
from tracker.models import Profile
from tracker.nutrition import DailyTarget, target_for_profile

# --- Profile -----------------------------------------------------------------------------------------


def profile_get(*, user: AbstractBaseUser) -> Profile:
    """The user's profile, created on first use; cached on the user object (no query when the
    authentication already loaded it)."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


# Sent after a user's time zone changed and was saved: what runs on the user's clock (the reminders,
# tracker/apps.py connects them) follows, without this module knowing what listens.
time_zone_changed = Signal()


def profile_update(*, user: AbstractBaseUser, **fields) -> Profile:
    """Change profile fields; raises ValidationError (per field) and saves nothing on bad input."""
    profile = profile_get(user=user)
    unknown = set(fields) - {
        "sex",
        "birth_date",
        "life_stage",
        "time_zone",
        "kidney_disease",
        "target_override_mg",
        "conditions",
        "medicines",
        "supplement_aim",
    }
    if unknown:
        raise ValidationError({name: "Unknown profile field." for name in sorted(unknown)})
    old_zone = profile.time_zone
    for name, value in fields.items():
        setattr(profile, name, value)
    errors = {}
    if profile.birth_date is not None:
        # The latest "today" anywhere on Earth (UTC+14): the zone itself may be the field in error.
        latest_today = (timezone.now() + timedelta(hours=14)).astimezone(UTC).date()
        if profile.birth_date > latest_today:
            errors["birth_date"] = ["The birth date cannot be in the future."]
        elif profile.birth_date.year < limits.EARLIEST_YEAR:
            errors["birth_date"] = [f"The birth date cannot be before {limits.EARLIEST_YEAR}."]
        elif profile.life_stage in (reference.PREGNANT, reference.LACTATING):
            # the user's own today, as their targets use it (in UTC+14 a birthday comes 14 hours early)
            try:
                today = local_today(profile=profile)
            except (ValueError, KeyError, zoneinfo.ZoneInfoNotFoundError):
                today = timezone.now().astimezone(UTC).date()  # the zone is the field in error
            age = reference.age_on(profile.birth_date, today)
            if age < reference.MIN_PREGNANCY_AGE:
                errors["life_stage"] = [
                    f"Pregnancy or breastfeeding can be set from age {reference.MIN_PREGNANCY_AGE}; "
                    f"this birth date gives an age of {age}."
                ]
    try:
        profile.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        profile.refresh_from_db()  # the cached profile must not keep the rejected values
        raise ValidationError(errors)
    zone_changed = profile.time_zone != old_zone
    profile.save()
    if zone_changed:
        time_zone_changed.send(sender=Profile, user=user)
    return profile


def local_today(*, profile: Profile, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(profile.zone).date()


def target_on(*, profile: Profile, on: date) -> DailyTarget:
    return target_for_profile(profile, on)
