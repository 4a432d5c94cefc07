"""Logging foods and supplements: the numbers stored, idempotent replays, and every rejected input."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from foods.models import Food, Portion
from tracker import services
from tracker.models import IntakeEntry, SupplementDose

pytestmark = pytest.mark.django_db


def test_one_ounce_of_almonds_adds_exactly_78_mg(user, almonds_oz):
    entry, created = services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz)
    assert created
    stored = IntakeEntry.objects.get(pk=entry.pk)
    assert stored.magnesium_mg == Decimal("78.00")
    assert stored.quantity == 1
    assert stored.grams == Decimal("28.35")


def test_half_a_cup_of_oat_bran_adds_exactly_96_mg(user, oat_bran_half_cup):
    entry, _ = services.intake_create(user=user, food=oat_bran_half_cup.food, portion=oat_bran_half_cup)
    assert IntakeEntry.objects.get(pk=entry.pk).magnesium_mg == Decimal("96.00")


def test_quantity_multiplies_the_portion(user, almonds_oz):
    entry, _ = services.intake_create(
        user=user, food=almonds_oz.food, portion=almonds_oz, quantity=Decimal("2.5")
    )
    assert entry.magnesium_mg == Decimal("195.00")


def test_grams_use_the_food_value_per_100_g(user):
    spinach = Food.objects.get(name="Spinach, raw")  # 79 mg per 100 g (FDC 168462)
    entry, _ = services.intake_create(user=user, food=spinach, grams=Decimal(250))
    assert entry.magnesium_mg == Decimal("197.50")
    assert entry.portion is None


def test_history_keeps_the_magnesium_of_the_day_it_was_logged(user, almonds_oz):
    entry, _ = services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz)
    Food.objects.filter(pk=almonds_oz.food_id).update(magnesium_mg_per_100g=Decimal(1))
    assert IntakeEntry.objects.get(pk=entry.pk).magnesium_mg == Decimal("78.00")
    summary = services.daily_summaries(user=user, start=entry.local_date, end=entry.local_date)[0]
    assert summary.food_mg == Decimal("78.00")


def test_local_date_is_the_users_day(user, almonds_oz):
    services.profile_update(user=user, time_zone="Pacific/Auckland")
    # 23:30 in Auckland on 14 January (NZDT, UTC+13) is 10:30 UTC the same day.
    eaten = datetime(2026, 1, 14, 10, 30, tzinfo=UTC)
    entry, _ = services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz, consumed_at=eaten)
    assert str(entry.local_date) == "2026-01-14"
    # 00:30 in Auckland on 15 January is still 14 January in UTC.
    entry, _ = services.intake_create(
        user=user,
        food=almonds_oz.food,
        portion=almonds_oz,
        consumed_at=datetime(2026, 1, 14, 11, 30, tzinfo=UTC),
    )
    assert str(entry.local_date) == "2026-01-15"


def test_naive_times_are_read_in_the_users_zone(user, almonds_oz):
    services.profile_update(user=user, time_zone="America/New_York")
    entry, _ = services.intake_create(
        user=user, food=almonds_oz.food, portion=almonds_oz, consumed_at=datetime(2026, 1, 10, 23, 0)
    )
    assert entry.consumed_at == datetime(2026, 1, 11, 4, 0, tzinfo=UTC)
    assert str(entry.local_date) == "2026-01-10"


# --- Idempotent client UUIDs ---------------------------------------------------------------------------


def test_replaying_the_same_client_id_stores_one_row(user, almonds_oz):
    client_id = uuid.uuid4()
    eaten = timezone.now() - timedelta(hours=1)
    results = [
        services.intake_create(
            user=user, food=almonds_oz.food, portion=almonds_oz, consumed_at=eaten, id=client_id
        )
        for _ in range(5)
    ]
    assert [created for _, created in results] == [True, False, False, False, False]
    assert IntakeEntry.objects.filter(user=user).count() == 1
    assert {entry.pk for entry, _ in results} == {client_id}


def test_the_same_client_id_with_other_data_is_a_conflict(user, almonds_oz):
    client_id = uuid.uuid4()
    services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz, id=client_id)
    with pytest.raises(services.IdConflict):
        services.intake_create(
            user=user, food=almonds_oz.food, portion=almonds_oz, quantity=Decimal(3), id=client_id
        )
    assert IntakeEntry.objects.get().quantity == 1


def test_another_users_client_id_is_a_conflict_not_their_entry(user, other_user, almonds_oz):
    client_id = uuid.uuid4()
    services.intake_create(user=other_user, food=almonds_oz.food, portion=almonds_oz, id=client_id)
    with pytest.raises(services.IdConflict):
        services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz, id=client_id)
    assert IntakeEntry.objects.filter(user=user).count() == 0


def test_supplement_replays_are_idempotent_too(user, citrate):
    client_id = uuid.uuid4()
    for _ in range(3):
        services.dose_create(user=user, form=citrate, elemental_mg=Decimal(200), id=client_id)
    assert SupplementDose.objects.filter(user=user).count() == 1


# --- Rejected input stores nothing -----------------------------------------------------------------------

BAD_QUANTITIES = [Decimal(0), Decimal(-1), Decimal("NaN"), Decimal("Infinity"), Decimal(51), "abc"]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_it_rejects_bad_quantities(user, almonds_oz, quantity):
    with pytest.raises(ValidationError) as error:
        services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz, quantity=quantity)
    assert "quantity" in error.value.message_dict
    assert not IntakeEntry.objects.exists()


@pytest.mark.parametrize(
    "grams", [Decimal(0), Decimal("-5"), Decimal("NaN"), Decimal("-Infinity"), Decimal(5001)]
)
def test_it_rejects_bad_grams(user, almonds_oz, grams):
    with pytest.raises(ValidationError) as error:
        services.intake_create(user=user, food=almonds_oz.food, grams=grams)
    assert "grams" in error.value.message_dict
    assert not IntakeEntry.objects.exists()


def test_it_rejects_a_portion_of_another_food(user, almonds_oz):
    spinach = Food.objects.get(name="Spinach, raw")
    with pytest.raises(ValidationError) as error:
        services.intake_create(user=user, food=spinach, portion=almonds_oz)
    assert error.value.message_dict["portion"] == [
        'This portion belongs to another food, not to "Spinach, raw".'
    ]
    assert not IntakeEntry.objects.exists()


def test_it_wants_a_portion_or_grams_but_not_both(user, almonds_oz):
    with pytest.raises(ValidationError) as error:
        services.intake_create(user=user, food=almonds_oz.food)
    assert "portion" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz, grams=Decimal(10))
    assert "grams" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.intake_create(user=user, food=almonds_oz.food, quantity=Decimal(2))
    assert error.value.message_dict["portion"] == ["A quantity needs a portion."]
    assert not IntakeEntry.objects.exists()


def test_it_rejects_a_time_more_than_a_day_ahead(user, almonds_oz):
    with pytest.raises(ValidationError) as error:
        services.intake_create(
            user=user,
            food=almonds_oz.food,
            portion=almonds_oz,
            consumed_at=timezone.now() + timedelta(hours=25),
        )
    assert error.value.message_dict["consumed_at"] == ["Cannot be more than a day in the future."]
    # within a day ahead is accepted (a meal logged in advance)
    services.intake_create(
        user=user, food=almonds_oz.food, portion=almonds_oz, consumed_at=timezone.now() + timedelta(hours=20)
    )
    assert IntakeEntry.objects.count() == 1


def test_it_rejects_a_year_typo(user, almonds_oz):
    with pytest.raises(ValidationError) as error:
        services.intake_create(
            user=user, food=almonds_oz.food, portion=almonds_oz, consumed_at=datetime(202, 1, 1, tzinfo=UTC)
        )
    assert "consumed_at" in error.value.message_dict
    assert not IntakeEntry.objects.exists()


def test_compound_weight_is_converted_with_the_elemental_fraction(user, citrate):
    dose, _ = services.dose_create(user=user, form=citrate, compound_mg=Decimal(500))
    stored = SupplementDose.objects.get(pk=dose.pk)
    assert stored.elemental_mg == Decimal("81.00")  # 500 mg × 16.2 %
    assert stored.compound_mg == Decimal("500.00")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "elemental_mg"),
        ({"elemental_mg": Decimal(0)}, "elemental_mg"),
        ({"elemental_mg": Decimal(-100)}, "elemental_mg"),
        ({"elemental_mg": Decimal("NaN")}, "elemental_mg"),
        ({"elemental_mg": Decimal(2001)}, "elemental_mg"),
        ({"compound_mg": Decimal(10001)}, "compound_mg"),
        ({"compound_mg": Decimal("0.01")}, "compound_mg"),
        ({"elemental_mg": Decimal(300), "compound_mg": Decimal(200)}, "elemental_mg"),
        ({"elemental_mg": Decimal(100), "taken_at": datetime(2999, 1, 1, tzinfo=UTC)}, "taken_at"),
    ],
)
def test_it_rejects_bad_doses(user, citrate, kwargs, field):
    with pytest.raises(ValidationError) as error:
        services.dose_create(user=user, form=citrate, **kwargs)
    assert field in error.value.message_dict
    assert not SupplementDose.objects.exists()


def test_a_dose_given_both_ways_is_stored_only_when_the_two_agree_with_the_form(api, user):
    """{"compound_mg": 1000, "elemental_mg": 1} of oxide stored 1 mg and the day was not flagged,
    although 1,000 mg of oxide is about 603 mg of magnesium."""
    from foods.models import SupplementForm

    oxide = SupplementForm.objects.get(name="Oxide")
    refused = api.post(
        "/api/v1/supplement-doses/", {"form": oxide.pk, "compound_mg": 1000, "elemental_mg": 1}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["elemental_mg"] == [
        "1000 mg of Oxide gives about 603 mg of magnesium (60.3 %), not 1 mg: give the compound weight "
        "or the elemental magnesium from the label, not both."
    ]
    assert not SupplementDose.objects.exists()
    batch = api.post(
        "/api/v1/entries/batch/",
        {
            "entries": [
                {
                    "type": "supplement_dose",
                    "id": str(uuid.uuid4()),
                    "form": oxide.pk,
                    "compound_mg": 1000,
                    "elemental_mg": 1,
                }
            ]
        },
        format="json",
    )
    assert batch.status_code == 400 and not SupplementDose.objects.exists()
    # a label's rounded figure agrees: stored as the label says, and the day is over the limit
    label = api.post(
        "/api/v1/supplement-doses/",
        {"form": oxide.pk, "compound_mg": 1000, "elemental_mg": 600},
        format="json",
    )
    assert label.status_code == 201, label.content
    assert SupplementDose.objects.get().elemental_mg == Decimal(600)
    assert label.json()["day"]["supplement_over_limit"] is True
    # a change to one of the two is checked against the other as well
    dose_id = label.json()["id"]
    changed = api.patch(
        f"/api/v1/supplement-doses/{dose_id}/", {"compound_mg": 1000, "elemental_mg": 5}, format="json"
    )
    assert changed.status_code == 400 and SupplementDose.objects.get().elemental_mg == Decimal(600)


def test_updating_an_intake_recomputes_magnesium(user, almonds_oz):
    entry, _ = services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz)
    services.intake_update(entry=entry, quantity=Decimal(2))
    assert IntakeEntry.objects.get(pk=entry.pk).magnesium_mg == Decimal("156.00")
    quarter_cup = Portion.objects.get(food=almonds_oz.food, label="¼ cup")
    services.intake_update(entry=entry, portion=quarter_cup)
    stored = IntakeEntry.objects.get(pk=entry.pk)
    assert stored.portion == quarter_cup and stored.quantity == 1
    with pytest.raises(ValidationError):
        services.intake_update(entry=entry, quantity=Decimal(-1))
    assert IntakeEntry.objects.get(pk=entry.pk).portion == quarter_cup


# --- Profile ------------------------------------------------------------------------------------------


def test_it_rejects_an_unknown_time_zone(user):
    with pytest.raises(ValidationError) as error:
        services.profile_update(user=user, time_zone="Mars/Olympus_Mons")
    assert "time_zone" in error.value.message_dict
    user.profile.refresh_from_db()
    assert user.profile.time_zone == "UTC"


def test_pregnancy_with_sex_male_is_invalid(user):
    with pytest.raises(ValidationError) as error:
        services.profile_update(user=user, sex="male", life_stage="pregnant")
    assert error.value.message_dict["life_stage"] == [
        "Pregnancy and breastfeeding apply to the female sex only."
    ]
    user.profile.refresh_from_db()
    assert (user.profile.sex, user.profile.life_stage) == ("female", "none")


def test_it_rejects_a_birth_date_in_the_future(user):
    with pytest.raises(ValidationError) as error:
        services.profile_update(user=user, birth_date=timezone.now().date() + timedelta(days=3))
    assert "birth_date" in error.value.message_dict


@pytest.mark.parametrize("target", [0, 5, 2001])
def test_it_rejects_an_absurd_target_override(user, target):
    with pytest.raises(ValidationError) as error:
        services.profile_update(user=user, target_override_mg=target)
    assert "target_override_mg" in error.value.message_dict


def test_a_rejected_profile_change_leaves_the_loaded_profile_as_it_was(user):
    profile = services.profile_get(user=user)
    with pytest.raises(ValidationError):
        services.profile_update(user=user, time_zone="Mars/Olympus_Mons", sex="male")
    assert services.profile_get(user=user) is profile
    assert (profile.time_zone, profile.sex) == ("UTC", "female")
