"""A practitioner's schedule expanded into open intervals (pure: no models, no ORM).

A schedule is a weekly template of consultation periods (plages) plus date-bounded
exceptions (an extra opening on a date, or a closure of part or all of a date) and public
holidays. Periods are wall-clock times of the structure's time zone; they become real
instants here, one local date at a time, with `zoneinfo`.

Daylight-saving changes (Europe/Paris: last Sunday of March 02:00 → 03:00, last Sunday of
October 03:00 → 02:00). A wall-clock time `t` of a date is the instant at which the clock
first shows `t` that day:

- a time that exists once is that instant, so 09:00–12:00 is always 09:00–12:00 local;
- an ambiguous time (02:30 on the October day, shown twice) is its first occurrence, summer
  time (fold=0), for the start *and* the end of a period, so the end is the first time the
  clock shows it after the start: 01:00–04:00 lasts 4 real hours, 02:30–04:00 lasts 2 h 30
  (from 02:30+02:00), 01:00–02:30 ends at 02:30+02:00 (1 h 30);
- a nonexistent time (02:30 on the March day, skipped by the clock) is the instant of the
  jump (03:00+02:00): the part of a period inside the gap is skipped, so 01:00–04:00 lasts
  2 real hours, 02:30–04:00 opens at 03:00, and 02:00–03:00 does not open at all.

Mapping is monotonic, so a period's end is never before its start. Slots are then laid on a
grid of real elapsed time from the period's start (see slots.py), so every slot lasts its
real duration. Periods do not cross midnight; an end of 00:00 means the midnight ending the
day (00:00–00:00 is the whole day, handy for closures).

Precedence on a date: a public holiday drops the weekly periods of that date; an explicit
opening exception still opens (the only way to work on a holiday, e.g. Whit Monday);
closures are applied last and subtract from everything. A closure with type codes closes
only for those types. Where an ordinary opening overlaps a period reserved for urgent
requests, the ordinary one wins.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from operator import itemgetter
from typing import Any

MIDNIGHT = time(0)
ONE_DAY = timedelta(days=1)

# An open interval as used inside the engine: UTC start, UTC end, reserved for urgent
# requests, and the anchor (UTC start of the period it comes from) of its slot grid.
Opening = tuple[datetime, datetime, bool, datetime]
# (start, end, anchor) while assembling a date: datetimes, or timedeltas since local midnight
Span = tuple[Any, Any, Any]
Template = list[tuple[timedelta, timedelta, bool, timedelta]]


def _check_wall_times(start: time, end: time, what: str) -> None:
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError(f"{what}: times are wall-clock local times and must be naive")
    if end != MIDNIGHT and end <= start:
        raise ValueError(
            f"{what}: the end ({end:%H:%M}) must be after the start ({start:%H:%M}); "
            "periods do not cross midnight (use 00:00 as the end for midnight)"
        )


@dataclass(frozen=True, slots=True)
class WeeklyPeriod:
    """A period of the weekly template (plage)."""

    weekday: int  # 0 = Monday … 6 = Sunday
    start: time  # local wall-clock time
    end: time  # local wall-clock time; 00:00 = midnight ending the day
    type_codes: frozenset[str] = frozenset()  # appointment types allowed; empty = all
    valid_from: date | None = None  # inclusive
    valid_until: date | None = None  # inclusive
    reserved_for_urgent: bool = False
    release_before: timedelta | None = None  # released to everyone this long before the start

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        _check_wall_times(self.start, self.end, "weekly period")
        object.__setattr__(self, "type_codes", frozenset(self.type_codes))
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError(
                f"weekly period: valid until {self.valid_until} is before valid from {self.valid_from}"
            )
        if self.release_before is not None:
            if not self.reserved_for_urgent:
                raise ValueError("release_before applies only to a period reserved for urgent requests")
            if self.release_before < timedelta(0):
                raise ValueError("release_before must not be negative")

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True, slots=True)
class DatedPeriod:
    """An exception on one date: an extra opening (open=True) or a closure (open=False)."""

    day: date
    start: time
    end: time  # 00:00 = midnight ending the day
    open: bool
    type_codes: frozenset[str] = frozenset()  # opening: types allowed; closure: types closed; empty = all

    def __post_init__(self) -> None:
        _check_wall_times(self.start, self.end, "opening" if self.open else "closure")
        object.__setattr__(self, "type_codes", frozenset(self.type_codes))


def _fixed_offset(day: date, tz: tzinfo) -> timedelta | None:
    """The UTC offset of the whole local date up to the next midnight, or None if it changes."""
    first = datetime.combine(day, MIDNIGHT, tzinfo=tz).utcoffset()
    last = datetime.combine(day + ONE_DAY, MIDNIGHT, tzinfo=tz).utcoffset()
    return first if first == last else None


def _jump_instant(local: datetime, tz: tzinfo) -> datetime:
    """The instant the clock jumps over `local`, a wall-clock time that does not exist."""
    early = local.replace(fold=1).astimezone(UTC)  # offset after the jump: before it
    late = local.replace(fold=0).astimezone(UTC)  # offset before the jump: after it
    after = late.astimezone(tz).utcoffset()
    low, high = 0, int((late - early).total_seconds())  # tz database changes fall on seconds
    while low < high:
        middle = (low + high) // 2
        if (early + timedelta(seconds=middle)).astimezone(tz).utcoffset() == after:
            high = middle
        else:
            low = middle + 1
    return early + timedelta(seconds=low)


def to_instant(day: date, at: time, tz: tzinfo, offset: timedelta | None = None) -> datetime:
    """UTC instant at which the clock of `tz` first shows `at` on `day` (see module doc).

    `offset` is `_fixed_offset(day, tz)` when the caller already knows it (fast path).
    """
    if offset is not None:
        return datetime.combine(day, at, tzinfo=UTC) - offset
    local = datetime.combine(day, at, tzinfo=tz)  # fold=0: first occurrence if ambiguous
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    return _jump_instant(local, tz)


def _since_midnight(at: time) -> timedelta:
    return timedelta(hours=at.hour, minutes=at.minute, seconds=at.second, microseconds=at.microsecond)


def _union(intervals: list[Span]) -> list[Span]:
    """Overlapping (start, end, anchor) merged, touching ones kept apart; the first anchor stays."""
    merged: list[Span] = []
    for start, end, anchor in sorted(intervals, key=itemgetter(0)):
        if merged and start < merged[-1][1]:
            previous = merged[-1]
            if end > previous[1]:
                merged[-1] = (previous[0], end, previous[2])
        else:
            merged.append((start, end, anchor))
    return merged


def _subtract(intervals: list[Span], cuts: list[tuple[Any, Any]]) -> list[Span]:
    """`intervals` minus `cuts` (cuts sorted by start); pieces keep their anchor."""
    if not cuts:
        return intervals
    pieces = []
    for start, end, anchor in intervals:
        for cut_start, cut_end in cuts:
            if cut_end <= start or cut_start >= end:
                continue
            if cut_start > start:
                pieces.append((start, cut_start, anchor))
            start = max(start, cut_end)
            if start >= end:
                break
        if start < end:
            pieces.append((start, end, anchor))
    return pieces


def _assemble(
    ordinary: list[Span], reserved: list[Span], closures: list[tuple[Any, Any]]
) -> list[tuple[Any, Any, bool, Any]]:
    """Disjoint sorted (start, end, reserved, anchor): ordinary time wins, closures cut all.

    Works on datetimes or on timedeltas since local midnight (the cached day templates).
    """
    ordinary = _union(ordinary)
    if reserved:
        reserved = _subtract(_union(reserved), [(start, end) for start, end, _ in ordinary])
    closures = sorted(closures)
    openings = [(start, end, False, anchor) for start, end, anchor in _subtract(ordinary, closures)]
    if reserved:
        openings += [(start, end, True, anchor) for start, end, anchor in _subtract(reserved, closures)]
        openings.sort(key=itemgetter(0))
    return openings


def _allows(type_codes: frozenset[str], type_code: str) -> bool:
    return not type_codes or type_code in type_codes


# a weekly period of the requested type: (index, period, start and end since local midnight)
WeeklyEntry = tuple[int, WeeklyPeriod, timedelta, timedelta]


class Schedule:
    """Periods and exceptions indexed once for one appointment type."""

    def __init__(
        self,
        periods: Iterable[WeeklyPeriod],
        exceptions: Iterable[DatedPeriod],
        holidays: Iterable[date],
        *,
        tz: tzinfo,
        type_code: str,
    ) -> None:
        if not isinstance(tz, tzinfo):
            raise ValueError(f"tz must be a time zone (ZoneInfo), not {tz!r}")
        self.tz = tz
        self.holidays = frozenset(holidays)
        self.weekly: list[list[WeeklyEntry]] = [[] for _ in range(7)]
        for index, period in enumerate(periods):
            if _allows(period.type_codes, type_code):
                end = ONE_DAY if period.end == MIDNIGHT else _since_midnight(period.end)
                self.weekly[period.weekday].append((index, period, _since_midnight(period.start), end))
        self.openings: dict[date, list[DatedPeriod]] = {}
        self.closures: dict[date, list[DatedPeriod]] = {}
        for exception in exceptions:
            if _allows(exception.type_codes, type_code):
                target = self.openings if exception.open else self.closures
                target.setdefault(exception.day, []).append(exception)
        # day templates (times since local midnight) keyed by the periods in force and their status
        self._templates: dict[tuple[tuple[int, bool], ...], Template] = {}

    def instant(self, day: date, at: time) -> datetime:
        return to_instant(day, at, self.tz, _fixed_offset(day, self.tz))

    def _bounds(self, day: date, start: time, end: time) -> tuple[datetime, datetime]:
        """UTC instants of a wall-clock range of a date (any date, DST changes included)."""
        begin = to_instant(day, start, self.tz)
        if end == MIDNIGHT:
            return begin, to_instant(day + ONE_DAY, MIDNIGHT, self.tz)
        return begin, to_instant(day, end, self.tz)

    def day_openings(self, day: date, *, urgent: bool, now: datetime) -> list[Opening]:
        """Open intervals of a local date, sorted and disjoint, as `Opening` tuples in UTC."""
        weekly = () if day in self.holidays else self.weekly[day.weekday()]
        dated = self.openings.get(day, ())
        if not weekly and not dated:
            return []
        offset = _fixed_offset(day, self.tz)
        if offset is None or dated or day in self.closures:
            return self._day_openings_slowly(day, weekly, dated, urgent=urgent, now=now)
        midnight = datetime.combine(day, MIDNIGHT, tzinfo=UTC) - offset
        in_force: list[tuple[int, bool]] = []  # (period index, reserved)
        for index, period, start, _ in weekly:
            if not period.applies_on(day):
                continue
            if not period.reserved_for_urgent or (
                period.release_before is not None and now >= midnight + start - period.release_before
            ):
                in_force.append((index, False))
            elif urgent:
                in_force.append((index, True))
        key = tuple(in_force)
        template = self._templates.get(key)
        if template is None:
            template = self._templates[key] = self._template(day.weekday(), dict(key))
        return [
            (midnight + start, midnight + end, reserved, midnight + anchor)
            for start, end, reserved, anchor in template
        ]

    def _template(self, weekday: int, status: dict[int, bool]) -> Template:
        """A weekday's openings as times since local midnight (dates without offset change)."""
        ordinary: list[Span] = []
        reserved: list[Span] = []
        for index, _, start, end in self.weekly[weekday]:
            if index in status:
                (reserved if status[index] else ordinary).append((start, end, start))
        return _assemble(ordinary, reserved, [])

    def _day_openings_slowly(
        self,
        day: date,
        weekly: Iterable[WeeklyEntry],
        dated: Iterable[DatedPeriod],
        *,
        urgent: bool,
        now: datetime,
    ) -> list[Opening]:
        """Any date: exceptions, or a change of UTC offset (daylight saving) that day."""
        ordinary: list[Span] = []
        reserved: list[Span] = []
        for _, period, _, _ in weekly:
            if not period.applies_on(day):
                continue
            start, end = self._bounds(day, period.start, period.end)
            if end <= start:  # entirely inside a skipped hour
                continue
            if not period.reserved_for_urgent or (
                period.release_before is not None and now >= start - period.release_before
            ):
                ordinary.append((start, end, start))
            elif urgent:
                reserved.append((start, end, start))
        for opening in dated:
            start, end = self._bounds(day, opening.start, opening.end)
            if end > start:
                ordinary.append((start, end, start))
        closures = [
            self._bounds(day, closure.start, closure.end) for closure in self.closures.get(day, ())
        ]
        return _assemble(ordinary, reserved, closures)


def open_intervals(
    periods: Iterable[WeeklyPeriod],
    exceptions: Iterable[DatedPeriod],
    holidays: set[date],
    *,
    start: date,
    end: date,
    tz: tzinfo,
    type_code: str,
    urgent: bool,
    now: datetime,
) -> list[tuple[datetime, datetime, bool]]:
    """Open intervals (local start, local end, reserved) for a type, dates `start`..`end` inclusive.

    `reserved` is True for a period reserved for urgent requests and not released yet: it is
    listed only for an urgent request. A period reserved for urgent requests is released to
    everyone once `now` is within its `release_before` of its start.
    """
    if end < start:
        raise ValueError(f"the end date ({end}) is before the start date ({start})")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    schedule = Schedule(periods, exceptions, holidays, tz=tz, type_code=type_code)
    intervals = []
    day = start
    while day <= end:
        for opening_start, opening_end, reserved, _ in schedule.day_openings(day, urgent=urgent, now=now):
            intervals.append((opening_start.astimezone(tz), opening_end.astimezone(tz), reserved))
        day += ONE_DAY
    return intervals
