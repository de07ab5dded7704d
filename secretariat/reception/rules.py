"""Waiting-room rules: who is called next, how late a practitioner runs, how long each person will wait.

Pure functions on plain values (no ORM), all times timezone-aware datetimes, waits in minutes.
They apply the practice of French medical secretariats as the reference titles describe it
(RNCP 40879 "Secrétaire médical", bloc "Accueil": organise the wait, inform patients of the
delay) and the structure's choice recorded by the triage protocol (``Priority``):

1. **An appointment keeps its place.** Patients with an appointment are taken in the order of their
   scheduled time, whatever time they arrived: coming early does not jump ahead of an earlier
   appointment (an appointment is a promise of a time, not of a place in a line).
2. **Walk-ins (sans rendez-vous)** are taken in the order of their triage priority (``Priority``:
   emergency first, then same day, within days, routine; no triage counts as routine), then of
   their arrival.
3. **Interleaving**, decided each time the practitioner becomes free (the simulated time ``t``):
   - an EMERGENCY walk-in goes first of all (the protocol says to call 15 / 112; while they are
     in the waiting room they are seen before anyone);
   - then an appointment already due (scheduled at or before ``t``);
   - then a SAME_DAY walk-in: it goes before the appointments that are not yet due;
   - then any other walk-in, only if it fits in the gap before the next appointment is expected
     (``t`` + its duration ≤ that appointment's scheduled time + the practitioner's delay), or when
     no appointment is left;
   - otherwise the next appointment (not yet due): the practitioner waits for it or for a walk-in
     that fits.
4. **Estimated wait**: the queue is played forward from now. The practitioner is free when the
   current consultation ends (its start + its expected duration, never before now); each person
   starts when the one before ends, never before their own scheduled time + the current delay; the
   expected duration is the appointment's own length (type duration as booked) or
   ``DEFAULT_WALK_IN_MINUTES`` for a walk-in.
5. **Current delay**: while someone is called or in consultation, the latest such start against
   its scheduled time (walk-ins have none: the latest appointment started counts); when nobody is,
   now against the scheduled time of the first due appointment still waiting; never negative.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Expected length of a consultation without appointment (a general-practice visit); a structure
# setting may replace it later.
DEFAULT_WALK_IN_MINUTES = 15

EMERGENCY, SAME_DAY, WITHIN_DAYS, ROUTINE = 1, 2, 3, 4  # values of reception.models.Priority


@dataclass(frozen=True)
class Waiting:
    """One person in a practitioner's queue (``key`` is opaque: the visit's pk in the app)."""

    key: int
    arrived_at: datetime
    scheduled_at: datetime | None = None  # None for a walk-in
    duration: timedelta | None = None  # None: DEFAULT_WALK_IN_MINUTES
    priority: int | None = None  # walk-ins only; None counts as ROUTINE

    @property
    def is_walk_in(self) -> bool:
        return self.scheduled_at is None

    @property
    def expected_duration(self) -> timedelta:
        return self.duration if self.duration is not None else timedelta(minutes=DEFAULT_WALK_IN_MINUTES)

    @property
    def rank(self) -> int:
        return self.priority if self.priority in (EMERGENCY, SAME_DAY, WITHIN_DAYS, ROUTINE) else ROUTINE


@dataclass(frozen=True)
class Busy:
    """Whoever is called or in consultation with the practitioner now."""

    started_at: datetime  # consultation start, or the call when not started yet
    scheduled_at: datetime | None = None
    duration: timedelta | None = None

    @property
    def expected_duration(self) -> timedelta:
        return self.duration if self.duration is not None else timedelta(minutes=DEFAULT_WALK_IN_MINUTES)


@dataclass(frozen=True)
class Planned:
    """A person's place in the queue: 1-based position, expected start and wait from now."""

    item: Waiting
    position: int
    expected_start: datetime
    wait: timedelta

    @property
    def wait_minutes(self) -> int:
        return minutes(self.wait)


def minutes(duration: timedelta) -> int:
    """Whole minutes for display, rounded up from 30 s (a wait of 0:40 shows 1 min), never negative."""
    seconds = max(0.0, duration.total_seconds())
    return math.floor(seconds / 60 + 0.5)


def current_delay(*, now: datetime, busy: Iterable[Busy] = (), waiting: Iterable[Waiting] = ()) -> timedelta:
    """How late the practitioner runs (rule 5 of the module)."""
    busy = list(busy)
    if busy:
        scheduled = [entry for entry in busy if entry.scheduled_at is not None]
        if not scheduled:
            return timedelta(0)
        latest = max(scheduled, key=lambda entry: entry.started_at)
        return max(timedelta(0), latest.started_at - latest.scheduled_at)
    due = [item.scheduled_at for item in waiting if item.scheduled_at is not None and item.scheduled_at <= now]
    if not due:
        return timedelta(0)
    return max(timedelta(0), now - min(due))


def free_at(*, now: datetime, busy: Iterable[Busy] = ()) -> datetime:
    """When the practitioner is expected to be free: the end of the current consultation, not before now."""
    ends = [entry.started_at + entry.expected_duration for entry in busy]
    return max([now, *ends])


def _appointment_order(item: Waiting):
    return (item.scheduled_at, item.arrived_at, item.key)


def _walk_in_order(item: Waiting):
    return (item.rank, item.arrived_at, item.key)


def plan_queue(waiting: Sequence[Waiting], *, now: datetime, busy: Iterable[Busy] = (),
               delay: timedelta | None = None) -> list[Planned]:
    """The queue in calling order, with each person's expected start and wait (rules 1 to 4)."""
    busy = list(busy)
    if delay is None:
        delay = current_delay(now=now, busy=busy, waiting=waiting)
    appointments = sorted((item for item in waiting if not item.is_walk_in), key=_appointment_order)
    walk_ins = sorted((item for item in waiting if item.is_walk_in), key=_walk_in_order)
    t = free_at(now=now, busy=busy)
    planned: list[Planned] = []
    while appointments or walk_ins:
        chosen = _next_one(appointments, walk_ins, t=t, delay=delay)
        (appointments if not chosen.is_walk_in else walk_ins).remove(chosen)
        start = t if chosen.is_walk_in else max(t, chosen.scheduled_at + delay)
        planned.append(Planned(chosen, len(planned) + 1, start, start - now))
        t = start + chosen.expected_duration
    return planned


def _next_one(appointments: list[Waiting], walk_ins: list[Waiting], *, t: datetime, delay: timedelta) -> Waiting:
    if walk_ins and walk_ins[0].rank == EMERGENCY:
        return walk_ins[0]
    if appointments and appointments[0].scheduled_at <= t:
        return appointments[0]
    if walk_ins and walk_ins[0].rank == SAME_DAY:
        return walk_ins[0]
    if walk_ins and (not appointments
                     or t + walk_ins[0].expected_duration <= appointments[0].scheduled_at + delay):
        return walk_ins[0]
    if appointments:
        return appointments[0]
    return walk_ins[0]


def next_to_call(waiting: Sequence[Waiting], *, now: datetime, busy: Iterable[Busy] = (),
                 delay: timedelta | None = None) -> Waiting | None:
    """The person the practitioner should call now, or None when nobody waits (the first of
    ``plan_queue``, without planning the rest)."""
    if not waiting:
        return None
    busy = list(busy)
    if delay is None:
        delay = current_delay(now=now, busy=busy, waiting=waiting)
    appointments = sorted((item for item in waiting if not item.is_walk_in), key=_appointment_order)[:1]
    walk_ins = sorted((item for item in waiting if item.is_walk_in), key=_walk_in_order)[:1]
    return _next_one(appointments, walk_ins, t=free_at(now=now, busy=busy), delay=delay)


def walk_in_order(waiting: Iterable[Waiting]) -> list[Waiting]:
    """The walk-ins not yet given to a practitioner, in the order they should be seen (rule 2)."""
    return sorted((item for item in waiting if item.is_walk_in), key=_walk_in_order)


def initials(first_name: str, last_name: str) -> str:
    """“E. L.” from a first name and a name, for a structure that shows initials on the screen."""
    parts = [part.strip()[:1].upper() for part in (first_name, last_name) if part and part.strip()]
    return " ".join(f"{letter}." for letter in parts)
