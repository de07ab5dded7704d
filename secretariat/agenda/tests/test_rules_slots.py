"""The pure slot engine: schedules expanded into open intervals, then free slots."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secretariat.agenda.rules.slots import (
    Busy,
    DatedPeriod,
    Preferences,
    Slot,
    SlotRequest,
    WeeklyPeriod,
    free_slots,
    merge_free_slots,
    open_intervals,
)

TZ = ZoneInfo("Europe/Paris")
MIN = timedelta(minutes=1)
MONDAY = date(2026, 3, 2)  # an ordinary week: Monday 2 to Sunday 8 March 2026
SUNDAY_BEFORE = datetime(2026, 3, 1, 8, 0, tzinfo=TZ)
MORNINGS = [WeeklyPeriod(weekday, time(9), time(12)) for weekday in range(5)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def find(
    periods: list[WeeklyPeriod],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime = SUNDAY_BEFORE,
    exceptions: tuple[DatedPeriod, ...] = (),
    holidays: frozenset[date] = frozenset(),
    busy: tuple[Busy, ...] = (),
    duration: int = 30,
    limit: int = 100,
    type_code: str = "CONS",
    **options: object,
) -> list[Slot]:
    request = SlotRequest(
        duration=timedelta(minutes=duration),
        type_code=type_code,
        between=(start or at(MONDAY, 0), end or at(MONDAY + timedelta(days=7), 0)),
        now=now,
        limit=limit,
        **options,
    )
    return free_slots(
        request, periods=periods, exceptions=exceptions, holidays=set(holidays), busy=busy, tz=TZ
    )


def hours(slots: list[Slot]) -> list[str]:
    """Local 'Mon 09:00' labels."""
    return [slot.start.strftime("%a %H:%M") for slot in slots]


def isoformats(slots: list[Slot]) -> list[str]:
    return [slot.start.isoformat() for slot in slots]


def real(value: timedelta | datetime) -> datetime:
    return value.astimezone(UTC)


def real_duration(start: datetime, end: datetime) -> timedelta:
    # same-zone subtraction is wall-clock subtraction in Python: go through UTC
    return real(end) - real(start)


# --- an ordinary week ---------------------------------------------------------------------


def test_a_plain_week_gives_every_slot_of_the_mornings() -> None:
    slots = find(MORNINGS)

    assert len(slots) == 30  # 6 half-hours × 5 mornings
    assert slots[0] == Slot(at(MONDAY, 9), at(MONDAY, 9, 30), reserved=False)
    assert slots[5] == Slot(at(MONDAY, 11, 30), at(MONDAY, 12), reserved=False)
    assert slots[6].start == at(MONDAY + timedelta(days=1), 9)
    assert slots[-1] == Slot(at(date(2026, 3, 6), 11, 30), at(date(2026, 3, 6), 12), reserved=False)
    assert all(real_duration(slot.start, slot.end) == 30 * MIN for slot in slots)
    assert [real(slot.start) for slot in slots] == sorted({real(slot.start) for slot in slots})
    assert all(slot.start.tzinfo is TZ for slot in slots)


def test_open_intervals_of_a_plain_week() -> None:
    intervals = open_intervals(
        MORNINGS, [], set(), start=MONDAY, end=date(2026, 3, 8), tz=TZ,
        type_code="CONS", urgent=False, now=SUNDAY_BEFORE,
    )

    assert intervals == [(at(MONDAY + timedelta(days=n), 9), at(MONDAY + timedelta(days=n), 12), False) for n in range(5)]


def test_the_limit_is_respected_and_keeps_the_earliest() -> None:
    slots = find(MORNINGS, limit=10)

    assert hours(slots) == [
        "Mon 09:00", "Mon 09:30", "Mon 10:00", "Mon 10:30", "Mon 11:00", "Mon 11:30",
        "Tue 09:00", "Tue 09:30", "Tue 10:00", "Tue 10:30",
    ]
    assert len(find(MORNINGS, limit=1)) == 1


def test_the_window_bounds_the_start_of_the_slots() -> None:
    slots = find(MORNINGS, start=at(MONDAY, 10, 15), end=at(MONDAY, 11, 30))

    # the grid stays on the period's start; a slot starting at the window's end is excluded
    assert hours(slots) == ["Mon 10:30", "Mon 11:00"]


# --- types, holidays, exceptions ----------------------------------------------------------


def test_periods_filter_the_appointment_types() -> None:
    periods = [
        WeeklyPeriod(0, time(9), time(10), type_codes=frozenset({"CONS"})),
        WeeklyPeriod(0, time(10), time(11), type_codes=frozenset({"ECHO"})),
        WeeklyPeriod(0, time(11), time(12)),  # every type
    ]
    monday = {"end": at(MONDAY, 23)}

    assert hours(find(periods, type_code="ECHO", **monday)) == ["Mon 10:00", "Mon 10:30", "Mon 11:00", "Mon 11:30"]
    assert hours(find(periods, type_code="CONS", **monday)) == ["Mon 09:00", "Mon 09:30", "Mon 11:00", "Mon 11:30"]
    assert hours(find(periods, type_code="VACC", **monday)) == ["Mon 11:00", "Mon 11:30"]


def test_a_public_holiday_closes_the_whole_day() -> None:
    easter_monday = date(2026, 4, 6)
    periods = [WeeklyPeriod(0, time(9), time(10)), WeeklyPeriod(1, time(9), time(10))]

    slots = find(periods, start=at(easter_monday, 0), end=at(easter_monday, 0) + timedelta(days=7), holidays=frozenset({easter_monday}))

    assert hours(slots) == ["Tue 09:00", "Tue 09:30"]
    assert open_intervals(
        periods, [], {easter_monday}, start=easter_monday, end=easter_monday, tz=TZ,
        type_code="CONS", urgent=False, now=SUNDAY_BEFORE,
    ) == []


def test_an_explicit_opening_on_a_holiday_still_opens() -> None:
    whit_monday = date(2026, 5, 25)
    periods = [WeeklyPeriod(0, time(9), time(12))]
    opening = DatedPeriod(whit_monday, time(14), time(15), open=True)

    slots = find(periods, start=at(whit_monday, 0), end=at(whit_monday, 23), holidays=frozenset({whit_monday}), exceptions=(opening,))

    assert hours(slots) == ["Mon 14:00", "Mon 14:30"]  # the weekly morning stays closed


def test_a_closure_cuts_a_period_and_the_grid_stays_on_the_period_start() -> None:
    closure = DatedPeriod(MONDAY, time(10, 10), time(10, 40), open=False)

    slots = find(MORNINGS, end=at(MONDAY, 23), exceptions=(closure,))

    assert hours(slots) == ["Mon 09:00", "Mon 09:30", "Mon 11:00", "Mon 11:30"]


def test_a_closure_from_midnight_to_midnight_closes_the_day() -> None:
    closure = DatedPeriod(MONDAY, time(0), time(0), open=False)

    slots = find(MORNINGS, end=at(MONDAY, 0) + timedelta(days=2), exceptions=(closure,))

    assert {slot.start.date() for slot in slots} == {MONDAY + timedelta(days=1)}


def test_a_closure_for_some_types_leaves_the_others_open() -> None:
    closure = DatedPeriod(MONDAY, time(9), time(12), open=False, type_codes=frozenset({"ECHO"}))
    monday = {"end": at(MONDAY, 23), "exceptions": (closure,)}

    assert find(MORNINGS, type_code="ECHO", **monday) == []
    assert len(find(MORNINGS, type_code="CONS", **monday)) == 6


def test_an_extra_opening_adds_slots_on_its_date() -> None:
    saturday = date(2026, 3, 7)
    extra = DatedPeriod(saturday, time(14), time(15), open=True)
    echo_only = DatedPeriod(saturday, time(16), time(17), open=True, type_codes=frozenset({"ECHO"}))

    slots = find(MORNINGS, start=at(saturday, 0), end=at(saturday, 0) + timedelta(days=3), exceptions=(extra, echo_only))
    echo = find(MORNINGS, start=at(saturday, 0), end=at(saturday, 23), exceptions=(extra, echo_only), type_code="ECHO")

    assert hours(slots)[:3] == ["Sat 14:00", "Sat 14:30", "Mon 09:00"]
    assert hours(echo) == ["Sat 14:00", "Sat 14:30", "Sat 16:00", "Sat 16:30"]


def test_an_extra_opening_overlapping_a_period_extends_it() -> None:
    longer = DatedPeriod(MONDAY, time(11), time(13), open=True)

    slots = find(MORNINGS, end=at(MONDAY, 23), exceptions=(longer,))

    assert hours(slots) == [f"Mon {hour:02}:{minute:02}" for hour in range(9, 13) for minute in (0, 30)]


def test_a_period_outside_its_validity_dates_does_not_open() -> None:
    periods = [WeeklyPeriod(0, time(9), time(10), valid_from=date(2026, 3, 9), valid_until=date(2026, 3, 16))]

    slots = find(periods, end=at(date(2026, 3, 30), 0))

    assert [slot.start.date() for slot in slots] == [date(2026, 3, 9)] * 2 + [date(2026, 3, 16)] * 2


# --- directives: notice, buffer, busy, urgent reservations ---------------------------------


def test_slots_before_now_and_the_minimum_notice_are_not_offered() -> None:
    now = at(MONDAY, 9, 10)

    assert hours(find(MORNINGS, now=now, limit=2)) == ["Mon 09:30", "Mon 10:00"]
    assert hours(find(MORNINGS, now=now, min_notice=timedelta(hours=2), limit=2)) == ["Mon 11:30", "Tue 09:00"]


def test_busy_intervals_are_half_open() -> None:
    # given in UTC: 10:00–10:30 in Paris
    appointment = Busy(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), datetime(2026, 3, 2, 9, 30, tzinfo=UTC))

    slots = find(MORNINGS, end=at(MONDAY, 23), busy=(appointment,))

    # 09:30–10:00 ends when the appointment starts; 10:30 starts when it ends
    assert hours(slots) == ["Mon 09:00", "Mon 09:30", "Mon 10:30", "Mon 11:00", "Mon 11:30"]


def test_a_busy_interval_overlapping_by_a_minute_takes_both_neighbours() -> None:
    overlap = Busy(at(MONDAY, 10, 29), at(MONDAY, 10, 31))

    assert hours(find(MORNINGS, end=at(MONDAY, 23), busy=(overlap,))) == ["Mon 09:00", "Mon 09:30", "Mon 11:00", "Mon 11:30"]


def test_an_absence_over_several_days_and_unsorted_overlapping_busy_intervals() -> None:
    tuesday, thursday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=3)
    busy = (
        Busy(at(thursday, 9), at(thursday, 11)),
        Busy(at(tuesday, 0), at(thursday, 0)),  # absence Tuesday and Wednesday
        Busy(at(thursday, 10), at(thursday, 10, 30)),  # inside the previous one
        Busy(at(MONDAY, 9), at(MONDAY, 12)),
    )

    assert hours(find(MORNINGS, busy=busy, limit=3)) == ["Thu 11:00", "Thu 11:30", "Fri 09:00"]


def test_a_buffer_after_needs_free_time_after_the_slot() -> None:
    appointment = Busy(at(MONDAY, 10), at(MONDAY, 10, 30))
    options = {"end": at(MONDAY, 23), "busy": (appointment,), "step": 15 * MIN}

    without = find(MORNINGS, **options)
    with_buffer = find(MORNINGS, buffer_after=15 * MIN, **options)

    assert hours(without) == ["Mon 09:00", "Mon 09:15", "Mon 09:30", "Mon 10:30", "Mon 10:45", "Mon 11:00", "Mon 11:15", "Mon 11:30"]
    # 09:15–09:45 + 15 min ends at 10:00: free; the buffer may run past the period's end
    assert hours(with_buffer) == ["Mon 09:00", "Mon 09:15", "Mon 10:30", "Mon 10:45", "Mon 11:00", "Mon 11:15", "Mon 11:30"]
    assert with_buffer[-1].end == at(MONDAY, 12)  # the buffer is not part of the slot


def test_a_buffer_running_into_the_next_appointment_after_the_period() -> None:
    after_hours = Busy(at(MONDAY, 12, 5), at(MONDAY, 12, 30))

    slots = find(MORNINGS, end=at(MONDAY, 23), busy=(after_hours,), buffer_after=10 * MIN)

    assert hours(slots)[-1] == "Mon 11:00"


URGENT_MORNING = [
    WeeklyPeriod(0, time(8), time(9), reserved_for_urgent=True, release_before=timedelta(hours=2)),
    WeeklyPeriod(0, time(9), time(10)),
]


def test_reserved_periods_are_offered_to_urgent_requests_only() -> None:
    monday = {"end": at(MONDAY, 23)}

    ordinary = find(URGENT_MORNING, **monday)
    urgent = find(URGENT_MORNING, urgent=True, **monday)

    assert hours(ordinary) == ["Mon 09:00", "Mon 09:30"]
    assert [(slot.start.strftime("%H:%M"), slot.reserved) for slot in urgent] == [
        ("08:00", True), ("08:30", True), ("09:00", False), ("09:30", False),
    ]


def test_reserved_periods_are_released_a_set_time_before_their_start() -> None:
    monday = {"end": at(MONDAY, 23)}

    too_early = find(URGENT_MORNING, now=at(MONDAY, 5, 59), **monday)
    released = find(URGENT_MORNING, now=at(MONDAY, 6), **monday)  # exactly 2 h before 08:00
    later = find(URGENT_MORNING, now=at(MONDAY, 8, 15), **monday)

    assert hours(too_early) == ["Mon 09:00", "Mon 09:30"]
    assert [(slot.start.strftime("%H:%M"), slot.reserved) for slot in released] == [
        ("08:00", False), ("08:30", False), ("09:00", False), ("09:30", False),
    ]
    assert hours(later) == ["Mon 08:30", "Mon 09:00", "Mon 09:30"]
    # the next Monday's reserved period is not released yet
    next_week = {"start": at(MONDAY, 0) + timedelta(days=7), "end": at(MONDAY, 0) + timedelta(days=8)}
    assert hours(find(URGENT_MORNING, now=at(MONDAY, 6), **next_week)) == ["Mon 09:00", "Mon 09:30"]


def test_a_reserved_period_without_release_stays_reserved() -> None:
    periods = [WeeklyPeriod(0, time(8), time(9), reserved_for_urgent=True)]

    assert find(periods, now=at(MONDAY, 7, 30), end=at(MONDAY, 23)) == []
    assert hours(find(periods, now=at(MONDAY, 7, 30), end=at(MONDAY, 23), urgent=True)) == ["Mon 08:00", "Mon 08:30"]


def test_open_intervals_show_reserved_time_to_urgent_requests() -> None:
    common = {"start": MONDAY, "end": MONDAY, "tz": TZ, "type_code": "CONS", "now": SUNDAY_BEFORE}

    assert open_intervals(URGENT_MORNING, [], set(), urgent=False, **common) == [(at(MONDAY, 9), at(MONDAY, 10), False)]
    assert open_intervals(URGENT_MORNING, [], set(), urgent=True, **common) == [
        (at(MONDAY, 8), at(MONDAY, 9), True),
        (at(MONDAY, 9), at(MONDAY, 10), False),
    ]


def test_ordinary_time_wins_over_an_overlapping_reserved_period() -> None:
    periods = [WeeklyPeriod(0, time(9), time(11), reserved_for_urgent=True), WeeklyPeriod(0, time(10), time(12))]

    urgent = find(periods, end=at(MONDAY, 23), urgent=True)

    assert [(slot.start.strftime("%H:%M"), slot.reserved) for slot in urgent] == [
        ("09:00", True), ("09:30", True), ("10:00", False), ("10:30", False), ("11:00", False), ("11:30", False),
    ]


# --- preferences and grid -------------------------------------------------------------------

DAYS = [WeeklyPeriod(weekday, start, end) for weekday in range(5) for start, end in ((time(9), time(12)), (time(14), time(17)))]


def test_mornings_only_and_afternoons_only() -> None:
    mornings = find(DAYS, preferences=Preferences(mornings_only=True))
    afternoons = find(DAYS, preferences=Preferences(afternoons_only=True))

    assert len(mornings) == len(afternoons) == 30
    assert all(slot.start.time() < time(12) for slot in mornings)
    assert all(slot.start.time() >= time(14) for slot in afternoons)


def test_a_slot_starting_before_noon_is_a_morning_one() -> None:
    periods = [WeeklyPeriod(0, time(11), time(13))]
    monday = {"end": at(MONDAY, 23), "duration": 45, "step": 30 * MIN}

    assert hours(find(periods, preferences=Preferences(mornings_only=True), **monday)) == ["Mon 11:00", "Mon 11:30"]
    assert hours(find(periods, preferences=Preferences(afternoons_only=True), **monday)) == ["Mon 12:00"]


def test_weekdays_not_before_and_latest_preferences() -> None:
    on_tuesdays_and_thursdays = find(DAYS, preferences=Preferences(weekdays=frozenset({1, 3})))
    not_before = find(DAYS, preferences=Preferences(not_before=date(2026, 3, 4)), limit=1)
    latest = find(DAYS, preferences=Preferences(latest=date(2026, 3, 3)))

    assert {slot.start.strftime("%a") for slot in on_tuesdays_and_thursdays} == {"Tue", "Thu"}
    assert len(on_tuesdays_and_thursdays) == 24
    assert not_before[0].start == at(date(2026, 3, 4), 9)
    assert latest[-1].start == at(date(2026, 3, 3), 16, 30)
    assert len(latest) == 24


def test_the_step_grid() -> None:
    every_quarter = find(MORNINGS, end=at(MONDAY, 23), step=15 * MIN)
    twenty = find(MORNINGS, end=at(MONDAY, 23), step=20 * MIN, busy=(Busy(at(MONDAY, 9, 5), at(MONDAY, 9, 50)),))

    assert len(every_quarter) == 11
    assert hours(every_quarter)[:3] == ["Mon 09:00", "Mon 09:15", "Mon 09:30"]
    assert hours(every_quarter)[-1] == "Mon 11:30"
    # after the busy interval the next start is on the 20-minute grid from 09:00
    assert hours(twenty) == ["Mon 10:00", "Mon 10:20", "Mon 10:40", "Mon 11:00", "Mon 11:20"]


def test_the_grid_starts_at_each_period_start() -> None:
    periods = [WeeklyPeriod(0, time(9), time(10)), WeeklyPeriod(0, time(14, 10), time(15))]

    assert hours(find(periods, end=at(MONDAY, 23), duration=20)) == ["Mon 09:00", "Mon 09:20", "Mon 09:40", "Mon 14:10", "Mon 14:30"]


# --- daylight-saving changes ----------------------------------------------------------------

NIGHT_AND_MONDAY = [WeeklyPeriod(6, time(1), time(4)), WeeklyPeriod(0, time(9), time(12))]
SPRING_FORWARD = date(2026, 3, 29)  # last Sunday of March: 02:00 → 03:00
FALL_BACK = date(2026, 10, 25)  # last Sunday of October: 03:00 → 02:00


def dst_find(periods: list[WeeklyPeriod], day: date, **options: object) -> list[Slot]:
    return find(periods, start=at(day, 0), end=at(day + timedelta(days=2), 0), now=at(day - timedelta(days=7), 8), **options)


def dst_intervals(periods: list[WeeklyPeriod], day: date) -> list[tuple[str, str, timedelta]]:
    intervals = open_intervals(
        periods, [], set(), start=day, end=day + timedelta(days=1), tz=TZ,
        type_code="CONS", urgent=False, now=at(day - timedelta(days=7), 8),
    )
    return [(start.isoformat(), end.isoformat(), real_duration(start, end)) for start, end, _ in intervals]


def test_spring_forward_night_period_lasts_its_real_two_hours() -> None:
    assert dst_intervals(NIGHT_AND_MONDAY, SPRING_FORWARD) == [
        ("2026-03-29T01:00:00+01:00", "2026-03-29T04:00:00+02:00", timedelta(hours=2)),
        ("2026-03-30T09:00:00+02:00", "2026-03-30T12:00:00+02:00", timedelta(hours=3)),
    ]


def test_spring_forward_slots_skip_the_missing_hour() -> None:
    slots = dst_find(NIGHT_AND_MONDAY, SPRING_FORWARD)

    assert isoformats(slots) == [
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T03:30:00+02:00",
        "2026-03-30T09:00:00+02:00",
        "2026-03-30T09:30:00+02:00",
        "2026-03-30T10:00:00+02:00",
        "2026-03-30T10:30:00+02:00",
        "2026-03-30T11:00:00+02:00",
        "2026-03-30T11:30:00+02:00",
    ]
    assert slots[1].end.isoformat() == "2026-03-29T03:00:00+02:00"
    assert all(real_duration(slot.start, slot.end) == 30 * MIN for slot in slots)


def test_spring_forward_slots_keep_their_real_duration_across_the_jump() -> None:
    slots = dst_find(NIGHT_AND_MONDAY, SPRING_FORWARD, duration=45, limit=3)

    assert [(slot.start.isoformat(), slot.end.isoformat()) for slot in slots] == [
        ("2026-03-29T01:00:00+01:00", "2026-03-29T01:45:00+01:00"),
        ("2026-03-29T01:45:00+01:00", "2026-03-29T03:30:00+02:00"),  # 45 real minutes
        ("2026-03-30T09:00:00+02:00", "2026-03-30T09:45:00+02:00"),
    ]


def test_spring_forward_nonexistent_times_are_skipped() -> None:
    starts_in_gap = [WeeklyPeriod(6, time(2, 30), time(4))]
    inside_gap = [WeeklyPeriod(6, time(2), time(3))]
    ends_in_gap = [WeeklyPeriod(6, time(1), time(2, 30))]

    assert dst_intervals(starts_in_gap, SPRING_FORWARD) == [
        ("2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00", timedelta(hours=1)),
    ]
    assert dst_intervals(inside_gap, SPRING_FORWARD) == []
    assert dst_intervals(ends_in_gap, SPRING_FORWARD) == [
        ("2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", timedelta(hours=1)),
    ]


def test_fall_back_night_period_lasts_its_real_four_hours() -> None:
    assert dst_intervals(NIGHT_AND_MONDAY, FALL_BACK) == [
        ("2026-10-25T01:00:00+02:00", "2026-10-25T04:00:00+01:00", timedelta(hours=4)),
        ("2026-10-26T09:00:00+01:00", "2026-10-26T12:00:00+01:00", timedelta(hours=3)),
    ]


def test_fall_back_slots_go_through_the_repeated_hour_twice() -> None:
    slots = dst_find(NIGHT_AND_MONDAY, FALL_BACK, limit=9)

    assert isoformats(slots) == [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T01:30:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T02:30:00+01:00",
        "2026-10-25T03:00:00+01:00",
        "2026-10-25T03:30:00+01:00",
        "2026-10-26T09:00:00+01:00",
    ]
    assert all(real_duration(slot.start, slot.end) == 30 * MIN for slot in slots)
    assert slots[3].end.isoformat() == "2026-10-25T02:00:00+01:00"
    assert [real(slot.start) for slot in slots] == sorted(real(slot.start) for slot in slots)


def test_fall_back_slots_of_45_minutes() -> None:
    slots = dst_find(NIGHT_AND_MONDAY, FALL_BACK, duration=45, limit=6)

    assert isoformats(slots) == [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T01:45:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:15:00+01:00",
        "2026-10-25T03:00:00+01:00",
        "2026-10-26T09:00:00+01:00",
    ]


def test_fall_back_busy_in_the_second_occurrence_takes_only_that_slot() -> None:
    second_two_oclock = Busy(datetime(2026, 10, 25, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC))

    slots = dst_find(NIGHT_AND_MONDAY, FALL_BACK, limit=8, busy=(second_two_oclock,))

    assert "2026-10-25T02:00:00+02:00" in isoformats(slots)
    assert "2026-10-25T02:00:00+01:00" not in isoformats(slots)


def test_fall_back_ambiguous_times_are_their_first_occurrence() -> None:
    starts_ambiguous = [WeeklyPeriod(6, time(2, 30), time(4))]
    ends_ambiguous = [WeeklyPeriod(6, time(1), time(2, 30))]

    assert dst_intervals(starts_ambiguous, FALL_BACK) == [
        ("2026-10-25T02:30:00+02:00", "2026-10-25T04:00:00+01:00", timedelta(hours=2, minutes=30)),
    ]
    assert dst_intervals(ends_ambiguous, FALL_BACK) == [
        ("2026-10-25T01:00:00+02:00", "2026-10-25T02:30:00+02:00", timedelta(hours=1, minutes=30)),
    ]


# --- several practitioners ------------------------------------------------------------------


def slot(start: datetime, minutes: int = 30) -> Slot:
    return Slot(start, start + timedelta(minutes=minutes), reserved=False)


def test_merge_free_slots_earliest_first_then_by_key() -> None:
    per_practitioner = {
        "bernard": [slot(at(MONDAY, 9)), slot(at(MONDAY, 9, 30))],
        "adam": [slot(at(MONDAY, 9, 30)), slot(at(MONDAY, 10))],
        "claire": [slot(at(MONDAY, 8, 30))],
        "denis": [],
    }

    merged = merge_free_slots(per_practitioner, limit=10)

    assert [(key, found.start.strftime("%H:%M")) for key, found in merged] == [
        ("claire", "08:30"), ("bernard", "09:00"), ("adam", "09:30"), ("bernard", "09:30"), ("adam", "10:00"),
    ]
    assert [key for key, _ in merge_free_slots(per_practitioner, limit=3)] == ["claire", "bernard", "adam"]
    assert merge_free_slots(per_practitioner, limit=0) == []


def test_merge_free_slots_orders_the_repeated_hour_by_real_time() -> None:
    summer = datetime(2026, 10, 25, 2, 45, tzinfo=TZ)  # 00:45 UTC
    winter = datetime(2026, 10, 25, 2, 15, tzinfo=TZ, fold=1)  # 01:15 UTC

    merged = merge_free_slots({"a": [slot(winter)], "b": [slot(summer)]}, limit=2)

    assert [key for key, _ in merged] == ["b", "a"]


def test_merging_the_free_slots_of_several_practitioners() -> None:
    full_monday = (Busy(at(MONDAY, 9), at(MONDAY, 12)),)
    per_practitioner = {
        "dr-a": find(MORNINGS, busy=full_monday, limit=3),
        "dr-b": find(MORNINGS, now=at(MONDAY, 10, 5), limit=3),
    }

    merged = merge_free_slots(per_practitioner, limit=4)

    assert [(key, found.start.strftime("%a %H:%M")) for key, found in merged] == [
        ("dr-b", "Mon 10:30"), ("dr-b", "Mon 11:00"), ("dr-b", "Mon 11:30"), ("dr-a", "Tue 09:00"),
    ]


# --- bad input --------------------------------------------------------------------------------


def request(**changes: object) -> SlotRequest:
    values = {
        "duration": 30 * MIN, "type_code": "CONS", "between": (at(MONDAY, 0), at(MONDAY, 23)), "now": SUNDAY_BEFORE,
    }
    return SlotRequest(**{**values, **changes})


@pytest.mark.parametrize(("build", "message"), [
    pytest.param(lambda: request(duration=timedelta(0)), "duration must be positive", id="zero-duration"),
    pytest.param(lambda: request(duration=-MIN), "duration must be positive", id="negative-duration"),
    pytest.param(lambda: request(between=(at(MONDAY, 12), at(MONDAY, 9))), r"between: the end .* must be after the start", id="window-reversed"),
    pytest.param(lambda: request(between=(at(MONDAY, 9), at(MONDAY, 9))), r"between: the end .* must be after the start", id="window-empty"),
    pytest.param(lambda: request(between=(datetime(2026, 3, 2), at(MONDAY, 9))), "between start must be an aware datetime", id="naive-window"),
    pytest.param(lambda: request(now=datetime(2026, 3, 2)), "now must be an aware datetime", id="naive-now"),
    pytest.param(lambda: request(step=timedelta(0)), "step must be positive", id="zero-step"),
    pytest.param(lambda: request(limit=0), "limit must be at least 1", id="zero-limit"),
    pytest.param(lambda: request(min_notice=-MIN), "minimum notice must not be negative", id="negative-notice"),
    pytest.param(lambda: request(buffer_after=-MIN), "buffer after must not be negative", id="negative-buffer"),
    pytest.param(lambda: Busy(at(MONDAY, 10), at(MONDAY, 9)), r"busy interval: the end .* must be after the start", id="busy-reversed"),
    pytest.param(lambda: Busy(at(MONDAY, 10), at(MONDAY, 10)), r"busy interval: the end .* must be after the start", id="busy-empty"),
    pytest.param(lambda: Busy(datetime(2026, 3, 2, 9), at(MONDAY, 10)), "busy start must be an aware datetime", id="busy-naive"),
    pytest.param(lambda: WeeklyPeriod(0, time(12), time(9)), r"weekly period: the end \(09:00\) must be after the start \(12:00\)", id="period-reversed"),
    pytest.param(lambda: WeeklyPeriod(0, time(9), time(9)), r"weekly period: the end \(09:00\) must be after", id="period-empty"),
    pytest.param(lambda: WeeklyPeriod(7, time(9), time(12)), r"weekday must be 0 \(Monday\) to 6 \(Sunday\), not 7", id="weekday"),
    pytest.param(lambda: WeeklyPeriod(0, time(9, tzinfo=UTC), time(12)), "must be naive", id="aware-time"),
    pytest.param(lambda: WeeklyPeriod(0, time(9), time(12), valid_from=date(2026, 3, 9), valid_until=date(2026, 3, 2)), "valid until 2026-03-02 is before", id="validity"),
    pytest.param(lambda: WeeklyPeriod(0, time(9), time(12), release_before=MIN), "only to a period reserved for urgent", id="release-ordinary"),
    pytest.param(lambda: DatedPeriod(MONDAY, time(11), time(10), open=False), r"closure: the end \(10:00\) must be after the start \(11:00\)", id="closure-reversed"),
    pytest.param(lambda: Preferences(mornings_only=True, afternoons_only=True), "exclude each other", id="half-days"),
    pytest.param(lambda: Preferences(weekdays=frozenset({7})), "weekdays go from 0", id="preferred-weekday"),
    pytest.param(lambda: Preferences(not_before=date(2026, 3, 9), latest=date(2026, 3, 2)), "latest date", id="preferred-dates"),
    pytest.param(lambda: open_intervals(MORNINGS, [], set(), start=date(2026, 3, 9), end=MONDAY, tz=TZ, type_code="CONS", urgent=False, now=SUNDAY_BEFORE), r"the end date \(2026-03-02\) is before the start date", id="dates-reversed"),
    pytest.param(lambda: merge_free_slots({}, limit=-1), "limit must not be negative", id="merge-limit"),
])
def test_invalid_input_is_refused_with_a_clear_message(build, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_a_window_entirely_in_the_past_gives_nothing() -> None:
    assert find(MORNINGS, now=at(MONDAY, 0) + timedelta(days=30)) == []


# --- properties -------------------------------------------------------------------------------

WEEKS = {
    "ordinary": MONDAY,
    "spring-forward": date(2026, 3, 23),
    "fall-back": date(2026, 10, 19),
}
PROPERTY_PERIODS = [
    *DAYS,
    WeeklyPeriod(5, time(9), time(12, 10)),
    WeeklyPeriod(6, time(1), time(4)),  # across the change of time on the DST Sundays
    WeeklyPeriod(5, time(14), time(16), reserved_for_urgent=True, release_before=timedelta(days=1)),
]


def clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


@st.composite
def busy_sets(draw: st.DrawFn, monday: date) -> tuple[Busy, ...]:
    origin = at(monday, 0)
    intervals = draw(st.lists(
        st.tuples(st.integers(0, 7 * 24 * 60), st.integers(1, 600)), max_size=80,
    ))
    return tuple(Busy(origin + start * MIN, origin + (start + length) * MIN) for start, length in intervals)


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    week=st.sampled_from(sorted(WEEKS)),
    duration=st.sampled_from([10, 15, 20, 30, 45, 60]),
    step=st.sampled_from([None, 5, 15, 20]),
    buffer=st.sampled_from([0, 5, 15]),
    first_hour=st.integers(0, 6 * 24),
    notice_hours=st.integers(0, 72),
    limit=st.integers(1, 200),
    urgent=st.booleans(),
    closures=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 23 * 60), st.integers(1, 300)), max_size=3),
)
def test_free_slots_never_overlap_busy_time_and_stay_inside_open_intervals(
    data: st.DataObject, week: str, duration: int, step: int | None, buffer: int,
    first_hour: int, notice_hours: int, limit: int, urgent: bool, closures: list[tuple[int, int, int]],
) -> None:
    monday = WEEKS[week]
    busy = data.draw(busy_sets(monday))
    exceptions = tuple(
        DatedPeriod(monday + timedelta(days=day), clock(start), clock(min(start + length, 24 * 60 - 1)), open=False)
        for day, start, length in closures
    )
    first = at(monday, 0) + first_hour * 60 * MIN
    now = first - timedelta(days=1) + notice_hours * 60 * MIN
    request = SlotRequest(
        duration=duration * MIN, type_code="CONS", between=(first, at(monday, 0) + timedelta(days=7)),
        now=now, min_notice=timedelta(hours=1), step=step and step * MIN, buffer_after=buffer * MIN,
        urgent=urgent, limit=limit,
    )

    slots = free_slots(request, periods=PROPERTY_PERIODS, exceptions=exceptions, holidays=set(), busy=busy, tz=TZ)
    intervals = [
        (real(start), real(end), reserved) for start, end, reserved in open_intervals(
            PROPERTY_PERIODS, exceptions, set(), start=monday, end=monday + timedelta(days=6), tz=TZ,
            type_code="CONS", urgent=urgent, now=now,
        )
    ]

    assert len(slots) <= limit
    starts = [real(found.start) for found in slots]
    assert starts == sorted(set(starts))
    for found in slots:
        start, end = real(found.start), real(found.end)
        assert end - start == duration * MIN
        assert start >= real(now) + timedelta(hours=1)
        assert any(low <= start and end <= high and reserved == found.reserved for low, high, reserved in intervals)
        assert not any(taken.start < end + buffer * MIN and start < taken.end for taken in busy)
    if not exceptions:
        assert slots == brute_force(request, intervals, busy)


def brute_force(request: SlotRequest, intervals: list[tuple[datetime, datetime, bool]], busy: tuple[Busy, ...]) -> list[Slot]:
    """Every grid point of every open interval checked one by one (no closures: the grid starts at each interval)."""
    step = request.step or request.duration
    found = []
    for low, high, reserved in intervals:
        start = low
        while start + request.duration <= high:
            end = start + request.duration
            if (
                start >= real(request.now) + request.min_notice  # notice is elapsed time
                and real(request.between[0]) <= start < real(request.between[1])
                and not any(taken.start < end + request.buffer_after and start < taken.end for taken in busy)
            ):
                found.append(Slot(start.astimezone(TZ), end.astimezone(TZ), reserved))
            start += step
    found.sort(key=lambda candidate: real(candidate.start))
    return found[: request.limit]
