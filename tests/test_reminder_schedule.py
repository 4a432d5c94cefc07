"""Due-time arithmetic across zones and DST (pure, no database)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.reminders.schedule import is_stale, local_occurrence, next_fire_at

EVERY_DAY = 0b1111111
NY = ZoneInfo("America/New_York")


def test_fires_today_when_the_time_is_still_ahead_else_tomorrow():
    paris = ZoneInfo("Europe/Paris")
    after = datetime(2026, 6, 10, 7, 0, tzinfo=paris)
    assert next_fire_at(local_time=time(8), weekdays=EVERY_DAY, zone=paris, after=after) == datetime(
        2026, 6, 10, 6, 0, tzinfo=UTC
    )
    after = datetime(2026, 6, 10, 8, 0, tzinfo=paris)  # exactly at 08:00: the next is tomorrow
    assert next_fire_at(local_time=time(8), weekdays=EVERY_DAY, zone=paris, after=after) == datetime(
        2026, 6, 11, 6, 0, tzinfo=UTC
    )


def test_only_on_chosen_weekdays():
    sunday_only = 1 << 6
    after = datetime(2026, 6, 10, 12, tzinfo=UTC)  # a Wednesday
    result = next_fire_at(
        local_time=time(18, 30), weekdays=sunday_only, zone=ZoneInfo("Asia/Tokyo"), after=after
    )
    assert result.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%a %H:%M") == "Sun 18:30"
    assert next_fire_at(local_time=time(8), weekdays=0, zone=NY, after=after) is None


def test_eight_oclock_on_the_spring_forward_day_is_eight_oclock_local_once():
    # 8 March 2026: New York moves from UTC-5 to UTC-4 at 02:00
    day_before = next_fire_at(
        local_time=time(8), weekdays=EVERY_DAY, zone=NY, after=datetime(2026, 3, 7, 0, tzinfo=UTC)
    )
    change_day = next_fire_at(local_time=time(8), weekdays=EVERY_DAY, zone=NY, after=day_before)
    day_after = next_fire_at(local_time=time(8), weekdays=EVERY_DAY, zone=NY, after=change_day)
    assert [d.astimezone(NY).strftime("%d %H:%M") for d in (day_before, change_day, day_after)] == [
        "07 08:00",
        "08 08:00",
        "09 08:00",
    ]
    assert (change_day - day_before) == timedelta(hours=23)


def test_a_time_in_the_skipped_hour_fires_once_just_after_the_change():
    result = next_fire_at(
        local_time=time(2, 30), weekdays=EVERY_DAY, zone=NY, after=datetime(2026, 3, 8, 0, tzinfo=UTC)
    )
    assert result.astimezone(NY).strftime("%d %H:%M %Z") == "08 03:30 EDT"
    following = next_fire_at(local_time=time(2, 30), weekdays=EVERY_DAY, zone=NY, after=result)
    assert following.astimezone(NY).strftime("%d %H:%M") == "09 02:30"


def test_a_time_in_the_repeated_hour_fires_once_on_the_fall_back_day():
    # 1 November 2026: 01:00–02:00 happens twice in New York
    first = next_fire_at(
        local_time=time(1, 30), weekdays=EVERY_DAY, zone=NY, after=datetime(2026, 11, 1, 0, tzinfo=UTC)
    )
    assert first.astimezone(NY).strftime("%d %H:%M %Z") == "01 01:30 EDT"
    second = next_fire_at(local_time=time(1, 30), weekdays=EVERY_DAY, zone=NY, after=first)
    assert second.astimezone(NY).strftime("%d %H:%M") == "02 01:30"  # not the repeated 01:30 EST
    eight = next_fire_at(
        local_time=time(8), weekdays=EVERY_DAY, zone=NY, after=datetime(2026, 11, 1, 0, tzinfo=UTC)
    )
    assert eight == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # 08:00 EST


def test_staleness_window():
    due = datetime(2026, 1, 1, 8, tzinfo=UTC)
    assert not is_stale(due, due + timedelta(minutes=30))
    assert is_stale(due, due + timedelta(minutes=31))


ZONES = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "America/Santiago",
    "Asia/Tehran",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
]


@settings(max_examples=300, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    local=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    weekdays=st.integers(min_value=1, max_value=EVERY_DAY),
    after=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
)
def test_next_fire_is_the_first_local_occurrence_after(zone_name, local, weekdays, after):
    zone = ZoneInfo(zone_name)
    result = next_fire_at(local_time=local, weekdays=weekdays, zone=zone, after=after)
    assert after < result <= after + timedelta(days=8)
    occurrence_day = result.astimezone(zone).date()
    # it is the occurrence of a chosen day (a time in a gap moves past the gap, still that day or the next)
    candidates = [occurrence_day, occurrence_day - timedelta(days=1)]
    owner = next(
        d for d in candidates if weekdays & (1 << d.weekday()) and local_occurrence(d, local, zone) == result
    )
    # the clock shows the chosen time, unless that time did not exist that day
    shown = result.astimezone(zone).time()
    exists = datetime.combine(owner, local, tzinfo=zone).astimezone(UTC).astimezone(zone).time() == local
    assert shown == local or not exists
    # no chosen day in between had an occurrence after `after`
    day = after.astimezone(zone).date() - timedelta(days=1)
    while day < owner:
        if weekdays & (1 << day.weekday()):
            assert local_occurrence(day, local, zone) <= after
        day += timedelta(days=1)
