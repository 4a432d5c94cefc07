"""Daily totals per local day: sums, targets, the supplement upper limit, zones, DST, query counts."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from foods.models import Food
from tests.factories import make_history
from tracker import services
from tracker.models import IntakeEntry

pytestmark = pytest.mark.django_db


def log_food(user, portion, at, quantity=1):
    return services.intake_create(
        user=user, food=portion.food, portion=portion, quantity=Decimal(quantity), consumed_at=at
    )[0]


def test_totals_across_several_days(user, almonds_oz, oat_bran_half_cup, citrate):
    utc = ZoneInfo("UTC")
    log_food(user, almonds_oz, datetime(2026, 3, 1, 8, tzinfo=utc))
    log_food(user, oat_bran_half_cup, datetime(2026, 3, 1, 19, tzinfo=utc))
    log_food(user, almonds_oz, datetime(2026, 3, 3, 12, tzinfo=utc), quantity=2)
    services.dose_create(
        user=user, form=citrate, elemental_mg=Decimal(200), taken_at=datetime(2026, 3, 3, 22, tzinfo=utc)
    )

    days = services.daily_summaries(user=user, start=date(2026, 3, 1), end=date(2026, 3, 4))
    assert [d.date for d in days] == [date(2026, 3, d) for d in (1, 2, 3, 4)]
    first, empty, third, _ = days
    # a woman aged 35 on these days: RDA 320 mg
    assert (first.food_mg, first.supplement_mg, first.total_mg) == (Decimal(174), Decimal(0), Decimal(174))
    assert (first.target_mg, first.percent_of_target, first.remaining_mg) == (
        320,
        Decimal("54.4"),
        Decimal(146),
    )
    assert (empty.total_mg, empty.remaining_mg, empty.percent_of_target) == (0, 320, 0)
    assert (third.food_mg, third.supplement_mg, third.total_mg) == (Decimal(156), Decimal(200), Decimal(356))
    assert third.remaining_mg == 0
    assert third.supplement_over_limit is False


def test_food_never_triggers_the_upper_limit(user):
    seeds = Food.objects.get(name="Pumpkin seeds, roasted").portions.get(label="1 oz")
    log_food(user, seeds, datetime(2026, 3, 1, 8, tzinfo=UTC), quantity=5)  # 780 mg of food
    day = services.daily_summaries(user=user, start=date(2026, 3, 1), end=date(2026, 3, 1))[0]
    assert day.food_mg == Decimal(780)
    assert day.supplement_over_limit is False


def test_supplements_over_350_mg_pass_the_upper_limit(user, citrate):
    at = datetime(2026, 3, 1, 8, tzinfo=UTC)
    services.dose_create(user=user, form=citrate, elemental_mg=Decimal(350), taken_at=at)
    day = services.daily_summaries(user=user, start=date(2026, 3, 1), end=date(2026, 3, 1))[0]
    assert (day.supplement_mg, day.supplement_upper_limit_mg, day.supplement_over_limit) == (350, 350, False)
    services.dose_create(user=user, form=citrate, elemental_mg=Decimal(1), taken_at=at)
    day = services.daily_summaries(user=user, start=date(2026, 3, 1), end=date(2026, 3, 1))[0]
    assert day.supplement_over_limit is True


def test_an_entry_at_23_30_in_auckland_counts_on_that_local_day(user, other_user, almonds_oz):
    services.profile_update(user=user, time_zone="Pacific/Auckland")
    services.profile_update(user=other_user, time_zone="America/Los_Angeles")
    auckland = ZoneInfo("Pacific/Auckland")
    log_food(user, almonds_oz, datetime(2026, 7, 10, 23, 30, tzinfo=auckland))  # 11:30 UTC on 10 July
    log_food(user, almonds_oz, datetime(2026, 7, 11, 0, 30, tzinfo=auckland))  # 12:30 UTC on 10 July
    # the same instant is 10 July in Los Angeles too, but 04:30 — and the other user's own day
    log_food(other_user, almonds_oz, datetime(2026, 7, 10, 11, 30, tzinfo=UTC))

    mine = services.daily_summaries(user=user, start=date(2026, 7, 10), end=date(2026, 7, 11))
    assert [d.food_mg for d in mine] == [Decimal(78), Decimal(78)]
    theirs = services.daily_summaries(user=other_user, start=date(2026, 7, 10), end=date(2026, 7, 10))
    assert theirs[0].food_mg == Decimal(78)


def test_dst_days_count_each_local_day_once(user, almonds_oz):
    services.profile_update(user=user, time_zone="America/New_York")
    ny = ZoneInfo("America/New_York")
    # Spring forward: 8 March 2026 has 23 hours. Late evening still counts on the 8th.
    log_food(user, almonds_oz, datetime(2026, 3, 8, 1, 30, tzinfo=ny))
    log_food(user, almonds_oz, datetime(2026, 3, 8, 23, 45, tzinfo=ny))
    # Fall back: 1 November 2026 has 25 hours; 01:30 happens twice (fold 0 and 1).
    log_food(user, almonds_oz, datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=ny))
    log_food(user, almonds_oz, datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ny))
    log_food(user, almonds_oz, datetime(2026, 11, 1, 23, 59, tzinfo=ny))

    spring = services.daily_summaries(user=user, start=date(2026, 3, 7), end=date(2026, 3, 9))
    assert [d.food_mg for d in spring] == [0, 156, 0]
    autumn = services.daily_summaries(user=user, start=date(2026, 10, 31), end=date(2026, 11, 2))
    assert [d.food_mg for d in autumn] == [0, 234, 0]
    assert IntakeEntry.objects.filter(user=user, local_date=date(2026, 11, 1)).count() == 3


def test_a_birthday_inside_the_range_changes_the_target_that_day(user):
    services.profile_update(user=user, sex="male", birth_date=date(1995, 5, 20))  # turns 31 on 2026-05-20
    days = services.daily_summaries(user=user, start=date(2026, 5, 19), end=date(2026, 5, 20))
    assert [d.target_mg for d in days] == [400, 420]


def test_the_doctors_target_replaces_the_rda(user, almonds_oz):
    services.profile_update(user=user, target_override_mg=500)
    log_food(user, almonds_oz, datetime(2026, 3, 1, 8, tzinfo=UTC))
    day = services.daily_summaries(user=user, start=date(2026, 3, 1), end=date(2026, 3, 1))[0]
    assert (day.target_mg, day.remaining_mg, day.target_label) == (
        500,
        Decimal(422),
        "Target set by your doctor",
    )


def test_pregnancy_and_lactation_targets(user):
    services.profile_update(user=user, birth_date=date(2000, 1, 1), life_stage="pregnant")
    assert (
        services.daily_summaries(user=user, start=date(2026, 3, 1), end=date(2026, 3, 1))[0].target_mg == 350
    )
    services.profile_update(user=user, life_stage="lactating")
    assert (
        services.daily_summaries(user=user, start=date(2026, 3, 1), end=date(2026, 3, 1))[0].target_mg == 310
    )


def test_query_count_does_not_grow_with_range_or_history(
    user, almonds_oz, citrate, django_assert_num_queries
):
    services.profile_get(user=user)
    make_history(user, portion=almonds_oz, days=400, start=datetime(2025, 1, 1, 12, tzinfo=UTC))
    fresh = type(user).objects.get(pk=user.pk)  # profile not loaded yet: one query for it, one for the sums
    with django_assert_num_queries(2):
        one = services.daily_summaries(user=fresh, start=date(2025, 1, 1), end=date(2025, 1, 1))
    with django_assert_num_queries(1):
        year = services.daily_summaries(user=fresh, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert len(one) == 1 and len(year) == 365
    assert sum(d.food_mg for d in year) == Decimal(78 * 365)


def test_a_backwards_range_is_rejected(user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.daily_summaries(user=user, start=date(2026, 3, 2), end=date(2026, 3, 1))


@pytest.mark.parametrize("sex", ["female", "male", ""])
@pytest.mark.parametrize("life_stage", ["", "pregnant", "lactating"])
@pytest.mark.parametrize("override", [None, 300])
def test_a_target_never_comes_back_after_another(sex, life_stage, override):
    """daily_summaries computes the first and the last day's targets and, when they are the same, uses
    that one for every day between. That holds because, with age, a target never returns once another
    has taken its place: checked for every profile, month by month over 100 years."""
    from tracker.nutrition import daily_target

    birth = date(1920, 1, 15)
    seen, previous = set(), None
    for month in range(100 * 12 + 1):
        on = date(birth.year + (birth.month - 1 + month) // 12, (birth.month - 1 + month) % 12 + 1, 15)
        target = daily_target(
            sex=sex, birth_date=birth, life_stage=life_stage, target_override_mg=override, on=on
        )
        if target != previous:
            assert target not in seen, (on, target)
            seen.add(target)
            previous = target


@pytest.mark.django_db
def test_a_range_across_a_band_change_has_each_days_own_target(user):
    """A 14th birthday mid-range (girl: 240 mg to 360 mg) and a 19th (360 to 310): each day its own."""
    profile = services.profile_get(user=user)
    profile.sex, profile.birth_date = "female", date(2012, 3, 10)
    profile.save()
    days = services.daily_summaries(user=user, start=date(2026, 3, 8), end=date(2026, 3, 12))
    assert [d.target_mg for d in days] == [240, 240, 360, 360, 360]
    days = services.daily_summaries(user=user, start=date(2026, 3, 8), end=date(2031, 3, 12))
    assert (days[0].target_mg, days[2].target_mg, days[-4].target_mg, days[-3].target_mg) == (
        240,
        360,
        360,
        310,
    )
