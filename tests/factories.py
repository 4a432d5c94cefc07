from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from tracker.models import IntakeEntry, Profile, SupplementDose


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")
    profile = factory.RelatedFactory("tests.factories.ProfileFactory", factory_related_name="user")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        django_get_or_create = ("user",)

    sex = "female"
    birth_date = date(1990, 6, 15)
    time_zone = "UTC"


def make_history(user, *, portion, days: int, form=None, start=datetime(2021, 1, 1, 12, tzinfo=UTC)) -> None:
    """One portion a day (and one 100 mg dose of ``form``) for ``days`` days from ``start``, in bulk."""
    moments = [start + timedelta(days=i) for i in range(days)]
    IntakeEntry.objects.bulk_create(
        IntakeEntry(
            user=user,
            food=portion.food,
            portion=portion,
            quantity=1,
            grams=portion.grams,
            magnesium_mg=portion.magnesium_mg,
            consumed_at=at,
            local_date=at.date(),
            meal="lunch",
        )
        for at in moments
    )
    if form is not None:
        SupplementDose.objects.bulk_create(
            SupplementDose(user=user, form=form, elemental_mg=Decimal(100), taken_at=at, local_date=at.date())
            for at in moments
        )


def log_portions(user, portion, *servings: tuple[int, int]) -> None:
    """(days ago, number of portions) of ``portion``, at noon UTC of each of those days before today."""
    from django.utils import timezone

    today = timezone.now().astimezone(UTC).date()
    for days_ago, quantity in servings:
        day = today - timedelta(days=days_ago)
        IntakeEntry.objects.create(
            user=user,
            food=portion.food,
            portion=portion,
            quantity=quantity,
            grams=portion.grams * quantity,
            magnesium_mg=portion.magnesium_mg * quantity,
            consumed_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
            local_date=day,
            meal="lunch",
        )
