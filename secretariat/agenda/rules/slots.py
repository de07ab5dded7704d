"""Free slots of a practitioner for an appointment type (pure: no models, no ORM).

The schedule (weekly periods, dated exceptions, public holidays) is expanded date by date
into open intervals by `periods.py`, which also documents the daylight-saving choices. Here:

- slots are laid on a grid of `step` (default: the duration) in real elapsed time from the
  start of the period they come from, so a slot lasts its real duration even on a DST day;
  a closure or a busy interval never shifts the grid;
- a slot lies inside one open interval; its start is within `between` (start included, end
  excluded, like FHIR `Slot?start=ge…&start=lt…`) and not before `now + min_notice`;
- busy intervals (appointments, absences) are half-open [start, end): a slot overlaps one
  when `slot.start < busy.end` and `busy.start < slot.end + buffer_after`; a slot ending
  exactly when an appointment starts is free. The buffer must be free of busy intervals but
  may run past the end of the period. An appointment's own buffer is part of its Busy.end;
- a period reserved for urgent requests gives slots to urgent requests only (`reserved=True`)
  until `now` is within its `release_before` of its start; released, it is ordinary;
- preferences: mornings are slots starting before 12:00 local, afternoons from 12:00;
  weekdays 0 = Monday; `not_before` and `latest` are local dates, both included.

Busy intervals are sorted once (by UTC start) and swept with one pointer: candidates only
move forward in time, a conflict jumps straight to the first grid point after the busy
interval, and the sweep stops at `limit` slots, so a call touches only the busy intervals
before its last slot.

Returned datetimes are in the structure's time zone (Busy keeps UTC). Python compares and
subtracts two datetimes of the same zone by wall clock, fold ignored: around the October
change compare or subtract slots through UTC (`merge_free_slots` does).
"""

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from operator import attrgetter

from .periods import ONE_DAY, DatedPeriod, Schedule, WeeklyPeriod, open_intervals

__all__ = [
    "Busy",
    "DatedPeriod",
    "Preferences",
    "Slot",
    "SlotRequest",
    "WeeklyPeriod",
    "free_slots",
    "merge_free_slots",
    "open_intervals",
]

NOON = time(12)


def _require_aware(value: datetime, what: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, not {value!r}")


@dataclass(frozen=True, slots=True)
class Busy:
    """An existing appointment or absence, [start, end). Kept as UTC instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "busy start")
        _require_aware(self.end, "busy end")
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))
        if self.end <= self.start:
            raise ValueError(f"busy interval: the end ({self.end}) must be after the start ({self.start})")

    @classmethod
    def from_database(cls, start: datetime, end: datetime) -> "Busy":
        """A Busy read from the database: aware UTC instants whose order the database's check
        constraints guarantee. Skips the checks, the largest cost of a search over a full agenda."""
        busy = object.__new__(cls)
        object.__setattr__(busy, "start", start)
        object.__setattr__(busy, "end", end)
        return busy


@dataclass(frozen=True, slots=True)
class Preferences:
    """The patient's wishes: half-day, weekdays, first and last acceptable dates."""

    mornings_only: bool = False
    afternoons_only: bool = False
    weekdays: frozenset[int] = frozenset()  # 0 = Monday; empty = any day
    not_before: date | None = None
    latest: date | None = None

    def __post_init__(self) -> None:
        if self.mornings_only and self.afternoons_only:
            raise ValueError("preferences: mornings only and afternoons only exclude each other")
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if any(not 0 <= weekday <= 6 for weekday in self.weekdays):
            raise ValueError(
                f"preferences: weekdays go from 0 (Monday) to 6 (Sunday), not {sorted(self.weekdays)}"
            )
        if self.not_before and self.latest and self.latest < self.not_before:
            raise ValueError(f"preferences: the latest date ({self.latest}) is before {self.not_before}")


@dataclass(frozen=True, slots=True)
class SlotRequest:
    duration: timedelta
    type_code: str
    between: tuple[datetime, datetime]  # aware; the slot's start is in [between[0], between[1])
    now: datetime  # aware; slots before now + min_notice are not offered
    min_notice: timedelta = timedelta(0)
    step: timedelta | None = None  # grid; default = duration
    buffer_after: timedelta = timedelta(0)  # a slot needs this free time after it
    urgent: bool = False  # urgent requests may use reserved periods
    preferences: Preferences | None = None
    limit: int = 10

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0):
            raise ValueError(f"the duration must be positive, not {self.duration}")
        if self.step is not None and self.step <= timedelta(0):
            raise ValueError(f"the step must be positive, not {self.step}")
        if self.min_notice < timedelta(0):
            raise ValueError(f"the minimum notice must not be negative, not {self.min_notice}")
        if self.buffer_after < timedelta(0):
            raise ValueError(f"the buffer after must not be negative, not {self.buffer_after}")
        if self.limit < 1:
            raise ValueError(f"the limit must be at least 1, not {self.limit}")
        if len(self.between) != 2:
            raise ValueError("between must be a (start, end) pair")
        _require_aware(self.between[0], "between start")
        _require_aware(self.between[1], "between end")
        _require_aware(self.now, "now")
        if self.between[1] <= self.between[0]:
            raise ValueError(
                f"between: the end ({self.between[1]}) must be after the start ({self.between[0]})"
            )


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    reserved: bool  # offered only because the request is urgent


def _grid_at_or_after(anchor: datetime, step: timedelta, moment: datetime) -> datetime:
    """The first point of the grid `anchor + k * step` (k ≥ 0) at or after `moment`."""
    if moment <= anchor:
        return anchor
    return anchor - ((anchor - moment) // step) * step


def _merged(busy: list[Busy]) -> Iterator[tuple[datetime, datetime]]:
    """Busy intervals (sorted by start) merged into disjoint blocks, lazily."""
    iterator = iter(busy)
    first = next(iterator, None)
    if first is None:
        return
    start, end = first.start, first.end
    for interval in iterator:
        if interval.start <= end:
            if interval.end > end:
                end = interval.end
        else:
            yield start, end
            start, end = interval.start, interval.end
    yield start, end


def free_slots(
    request: SlotRequest,
    *,
    periods: Iterable[WeeklyPeriod],
    exceptions: Iterable[DatedPeriod],
    holidays: Iterable[date],
    busy: Iterable[Busy],
    tz: tzinfo,
) -> list[Slot]:
    """The first `request.limit` free slots, earliest first."""
    schedule = Schedule(periods, exceptions, holidays, tz=tz, type_code=request.type_code)
    duration = request.duration
    step = request.step or duration
    needed = duration + request.buffer_after
    # Notice is elapsed time: add it to the instant, not to the wall clock (a DST change in between).
    lowest = max(request.between[0].astimezone(UTC), request.now.astimezone(UTC) + request.min_notice)
    highest = request.between[1].astimezone(UTC)  # exclusive bound of a slot's start
    if lowest >= highest:
        return []
    first_day = lowest.astimezone(tz).date()
    last_day = highest.astimezone(tz).date()
    preferences = request.preferences or Preferences()
    if preferences.not_before and preferences.not_before > first_day:
        first_day = preferences.not_before
    if preferences.latest and preferences.latest < last_day:
        last_day = preferences.latest
    half_day = preferences.mornings_only or preferences.afternoons_only

    blocks = _merged(sorted(busy, key=attrgetter("start")))
    block = next(blocks, None)
    found: list[Slot] = []
    day = first_day
    while day <= last_day:
        if preferences.weekdays and day.weekday() not in preferences.weekdays:
            day += ONE_DAY
            continue
        openings = schedule.day_openings(day, urgent=request.urgent, now=request.now)
        if openings:
            low, high = lowest, highest
            if half_day:
                noon = schedule.instant(day, NOON)
                if preferences.mornings_only:
                    high = min(high, noon)
                else:
                    low = max(low, noon)
            for start, end, reserved, anchor in openings:
                last_start = min(end - duration, high - timedelta.resolution)
                moment = _grid_at_or_after(anchor, step, max(start, low))
                while moment <= last_start:
                    while block is not None and block[1] <= moment:
                        block = next(blocks, None)
                    if block is not None and block[0] < moment + needed:
                        # first grid point at or after the block's end (which is after moment)
                        moment = anchor - ((anchor - block[1]) // step) * step
                        continue
                    found.append(Slot(moment.astimezone(tz), (moment + duration).astimezone(tz), reserved))
                    if len(found) >= request.limit:
                        return found
                    moment += step
        day += ONE_DAY
    return found


def merge_free_slots(per_practitioner: dict[str, list[Slot]], *, limit: int) -> list[tuple[str, Slot]]:
    """The `limit` earliest slots across practitioners (by real start, then by key)."""
    if limit < 0:
        raise ValueError(f"the limit must not be negative, not {limit}")
    candidates = (
        (slot.start.astimezone(UTC), key, slot) for key, slots in per_practitioner.items() for slot in slots
    )
    earliest = heapq.nsmallest(limit, candidates, key=lambda candidate: candidate[:2])
    return [(key, slot) for _, key, slot in earliest]
