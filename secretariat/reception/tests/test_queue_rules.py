"""The waiting-room rules: calling order, current delay, estimated waits (pure functions)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from secretariat.reception import rules
from secretariat.reception.rules import EMERGENCY, ROUTINE, SAME_DAY, WITHIN_DAYS, Busy, Waiting

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    """NOW + minutes (negative: before now)."""
    return NOW + timedelta(minutes=minutes)


def appointment(key, *, scheduled, arrived=-30, minutes=20):
    return Waiting(key=key, arrived_at=at(arrived), scheduled_at=at(scheduled), duration=timedelta(minutes=minutes))


def walk_in(key, *, arrived=-30, priority=None):
    return Waiting(key=key, arrived_at=at(arrived), priority=priority)


def order(waiting, **kwargs):
    return [planned.item.key for planned in rules.plan_queue(waiting, now=NOW, **kwargs)]


def test_an_early_arrival_does_not_jump_ahead_of_an_earlier_appointment():
    early_for_later = appointment("10:20", scheduled=20, arrived=-40)
    late_for_earlier = appointment("09:50", scheduled=-10, arrived=-2)
    assert order([early_for_later, late_for_earlier]) == ["09:50", "10:20"]


def test_walk_ins_are_taken_by_priority_then_arrival():
    queue = [walk_in("routine-first", arrived=-50, priority=ROUTINE), walk_in("within-days", arrived=-10,
             priority=WITHIN_DAYS), walk_in("routine-second", arrived=-20), walk_in("same-day", arrived=-5,
             priority=SAME_DAY)]
    assert order(queue) == ["same-day", "within-days", "routine-first", "routine-second"]


def test_emergency_walk_in_goes_before_due_appointments():
    assert order([appointment("due", scheduled=-15), walk_in("emergency", arrived=-1, priority=EMERGENCY)]) == [
        "emergency", "due"]


def test_same_day_walk_in_goes_after_due_appointments_and_before_those_not_yet_due():
    queue = [appointment("due", scheduled=-5), appointment("later", scheduled=30),
             walk_in("same-day", arrived=-1, priority=SAME_DAY)]
    assert order(queue) == ["due", "same-day", "later"]


def test_routine_walk_in_fills_a_gap_but_does_not_delay_the_next_appointment():
    # Free now; the next appointment is at 10:10 (a 15-minute walk-in does not fit), then a gap.
    queue = [appointment("10:10", scheduled=10, minutes=20), walk_in("routine", arrived=-40)]
    assert order(queue) == ["10:10", "routine"]
    # With the next appointment at 10:30, the walk-in fits before it.
    queue = [appointment("10:30", scheduled=30, minutes=20), walk_in("routine", arrived=-40)]
    assert order(queue) == ["routine", "10:30"]


def test_delay_from_the_latest_consultation_start_against_its_time():
    busy = [Busy(started_at=at(-30), scheduled_at=at(-45)), Busy(started_at=at(-3), scheduled_at=at(-20))]
    assert rules.current_delay(now=NOW, busy=busy) == timedelta(minutes=17)


def test_delay_when_nobody_is_in_consultation_is_now_against_the_first_due_appointment_waiting():
    waiting = [appointment("a", scheduled=-25), appointment("b", scheduled=-5), appointment("c", scheduled=20)]
    assert rules.current_delay(now=NOW, waiting=waiting) == timedelta(minutes=25)
    assert rules.current_delay(now=NOW, waiting=[appointment("c", scheduled=20)]) == timedelta(0)


def test_delay_is_never_negative_and_walk_ins_have_no_schedule():
    assert rules.current_delay(now=NOW, busy=[Busy(started_at=at(-10), scheduled_at=at(0))]) == timedelta(0)
    assert rules.current_delay(now=NOW, busy=[Busy(started_at=at(-10))]) == timedelta(0)


def test_estimated_waits_add_the_current_consultation_and_those_ahead():
    busy = [Busy(started_at=at(-5), scheduled_at=at(-5), duration=timedelta(minutes=20))]  # ends at +15
    queue = [appointment("first", scheduled=-10, minutes=20), appointment("second", scheduled=0, minutes=30),
             walk_in("walk-in", arrived=-60)]
    planned = rules.plan_queue(queue, now=NOW, busy=busy)
    assert [(p.item.key, p.position, p.wait_minutes) for p in planned] == [
        ("first", 1, 15), ("second", 2, 35), ("walk-in", 3, 65)]


def test_estimate_is_never_before_the_scheduled_time_plus_delay():
    # Practitioner free now with a 10-minute delay: the 10:30 appointment starts at 10:40 at best.
    planned = rules.plan_queue([appointment("10:30", scheduled=30)], now=NOW, delay=timedelta(minutes=10))
    assert planned[0].expected_start == at(40)
    assert planned[0].wait_minutes == 40


def test_overrunning_consultation_counts_as_ending_now():
    busy = [Busy(started_at=at(-40), scheduled_at=at(-40), duration=timedelta(minutes=20))]
    assert rules.free_at(now=NOW, busy=busy) == NOW


def test_minutes_round_to_the_nearest_and_never_below_zero():
    assert rules.minutes(timedelta(seconds=29)) == 0
    assert rules.minutes(timedelta(seconds=30)) == 1
    assert rules.minutes(timedelta(minutes=7, seconds=20)) == 7
    assert rules.minutes(timedelta(minutes=-3)) == 0


def test_initials_for_the_screen():
    assert rules.initials("éloïse", "lefèvre") == "É. L."
    assert rules.initials("", "MARTIN") == "M."


def test_next_to_call_is_none_when_nobody_waits():
    assert rules.next_to_call([], now=NOW) is None


waiting_items = st.lists(
    st.one_of(
        st.builds(lambda k, s, a, d: Waiting(key=k, arrived_at=at(a), scheduled_at=at(s),
                                             duration=timedelta(minutes=d)),
                  st.integers(0, 10_000), st.integers(-120, 240), st.integers(-180, 0), st.integers(5, 60)),
        st.builds(lambda k, a, p: Waiting(key=k, arrived_at=at(a), priority=p),
                  st.integers(0, 10_000), st.integers(-180, 0), st.sampled_from([None, 1, 2, 3, 4])),
    ),
    max_size=25, unique_by=lambda item: item.key,
)


@given(waiting_items, st.integers(0, 60))
def test_plan_is_a_permutation_with_consistent_times(queue, delay_minutes):
    delay = timedelta(minutes=delay_minutes)
    planned = rules.plan_queue(queue, now=NOW, delay=delay)
    assert sorted(p.item.key for p in planned) == sorted(item.key for item in queue)
    assert [p.position for p in planned] == list(range(1, len(queue) + 1))
    for before, after in zip(planned, planned[1:], strict=False):
        # Nobody starts before the one ahead of them has finished.
        assert after.expected_start >= before.expected_start + before.item.expected_duration
    for p in planned:
        assert p.expected_start >= NOW
        if p.item.scheduled_at is not None:
            assert p.expected_start >= p.item.scheduled_at + delay


@given(waiting_items)
def test_appointments_keep_their_scheduled_order_and_walk_ins_their_priority_order(queue):
    planned = [p.item for p in rules.plan_queue(queue, now=NOW)]
    appointments = [item for item in planned if not item.is_walk_in]
    assert appointments == sorted(appointments, key=lambda item: (item.scheduled_at, item.arrived_at, item.key))
    walk_ins = [item for item in planned if item.is_walk_in]
    assert walk_ins == sorted(walk_ins, key=lambda item: (item.rank, item.arrived_at, item.key))


@given(waiting_items, st.integers(0, 60))
def test_next_to_call_is_the_head_of_the_plan(queue, delay_minutes):
    delay = timedelta(minutes=delay_minutes)
    planned = rules.plan_queue(queue, now=NOW, delay=delay)
    chosen = rules.next_to_call(queue, now=NOW, delay=delay)
    assert chosen == (planned[0].item if planned else None)
