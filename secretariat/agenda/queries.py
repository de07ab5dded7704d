"""Reads of the agenda: schedules loaded from the database for the pure slot rules.

Every query here works for several practitioners at once in a fixed number of queries;
callers pass practitioners already scoped to the user (``core.access.practitioners_for``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from secretariat.agenda.models import Appointment, ScheduleException, WeeklyPeriod
from secretariat.agenda.rules import holidays as holiday_rules
from secretariat.agenda.rules.slots import (
    Busy,
    DatedPeriod,
    Slot,
    SlotRequest,
    free_slots,
    merge_free_slots,
)
from secretariat.agenda.rules.slots import WeeklyPeriod as PeriodRule

# Corsica's postal codes (20xxx): 200xx and 201xx are Corse-du-Sud, 202xx and 206xx Haute-Corse
# (La Poste; the COG codes are 2A and 2B since loi n° 75-356 of 15 May 1975).
_CORSICA = {"200": "2A", "201": "2A", "202": "2B", "206": "2B"}


def department_of_postal_code(postal_code: str) -> str:
    """The département code (COG) of a French postal code: '69100' → '69', '20000' → '2A',
    '97400' → '974'. ValueError when the code cannot be placed."""
    code = (postal_code or "").strip()
    if len(code) != 5 or not code.isdigit():
        raise ValueError(f"a French postal code has five digits, not {postal_code!r}")
    if code.startswith("97") or code.startswith("98"):
        return code[:3]
    if code.startswith("20"):
        try:
            return _CORSICA[code[:3]]
        except KeyError:
            raise ValueError(f"postal code {postal_code!r} is not a Corsican postal code") from None
    if code.startswith("00"):
        raise ValueError(f"postal code {postal_code!r} does not exist")
    return code[:2]


def structure_time_zone() -> ZoneInfo:
    """Time zone of the wall-clock times of schedules (one per installation for now)."""
    return ZoneInfo(settings.TIME_ZONE)


@dataclass
class SiteSchedule:
    """What the slot rules need for one practitioner at one site."""

    practitioner_id: int
    site: object
    periods: list[PeriodRule] = field(default_factory=list)
    exceptions: list[DatedPeriod] = field(default_factory=list)
    holidays: frozenset[date] = frozenset()


def site_schedules(practitioner_ids, *, first_day: date, last_day: date) -> list[SiteSchedule]:
    """Weekly periods, exceptions and holidays of the practitioners, per (practitioner, site),
    for the local dates ``first_day``..``last_day``. Three queries whatever the number."""
    periods = list(
        WeeklyPeriod.objects.filter(practitioner_id__in=practitioner_ids)
        .exclude(valid_until__lt=first_day).exclude(valid_from__gt=last_day)
        .select_related("site").order_by("pk")
    )
    codes = defaultdict(set)
    through = WeeklyPeriod.appointment_types.through
    for period_id, code in through.objects.filter(weeklyperiod__in=[period.pk for period in periods]).values_list(
        "weeklyperiod_id", "appointmenttype__code"
    ) if periods else ():
        codes[period_id].add(code)
    exceptions = list(
        ScheduleException.objects.filter(practitioner_id__in=practitioner_ids, day__range=(first_day, last_day))
        .select_related("site").order_by("pk")
    )
    schedules: dict[tuple[int, int], SiteSchedule] = {}

    def schedule(practitioner_id, site):
        key = (practitioner_id, site.pk)
        if key not in schedules:
            schedules[key] = SiteSchedule(practitioner_id, site)
        return schedules[key]

    for period in periods:
        schedule(period.practitioner_id, period.site).periods.append(PeriodRule(
            weekday=period.weekday, start=period.start, end=period.end, type_codes=codes[period.pk],
            valid_from=period.valid_from, valid_until=period.valid_until,
            reserved_for_urgent=period.reserved_for_urgent, release_before=period.release_before,
        ))
    for exception in exceptions:
        if exception.is_open:
            schedule(exception.practitioner_id, exception.site)
    for exception in exceptions:
        rule = DatedPeriod(day=exception.day, start=exception.start, end=exception.end, open=exception.is_open)
        for entry in schedules.values():
            if entry.practitioner_id == exception.practitioner_id and (
                exception.site_id is None or exception.site_id == entry.site.pk
            ):
                entry.exceptions.append(rule)
    by_department: dict[str, frozenset[date]] = {}
    for entry in schedules.values():
        department = department_of_postal_code(entry.site.postal_code)
        if department not in by_department:
            by_department[department] = frozenset(
                holiday_rules.holidays_between(first_day, last_day, department=department)
            )
        entry.holidays = by_department[department]
    return sorted(schedules.values(), key=lambda entry: (entry.practitioner_id, entry.site.pk))


def busy_intervals(practitioner_ids, *, between: tuple[datetime, datetime]) -> dict[int, list[Busy]]:
    """Non-cancelled appointments of the practitioners overlapping ``between`` (one query)."""
    busy = defaultdict(list)
    rows = (
        Appointment.objects.filter(practitioner_id__in=practitioner_ids, start__lt=between[1], end__gt=between[0])
        .exclude(status=Appointment.Status.CANCELLED)
        .values_list("practitioner_id", "start", "end")
    )
    for practitioner_id, start, end in rows:
        busy[practitioner_id].append(Busy(start, end))
    return busy


@dataclass(frozen=True)
class FreeSlot:
    practitioner: object
    site: object
    start: datetime
    end: datetime
    reserved: bool  # offered only because the request is urgent


def free_slots_for(practitioners, *, appointment_type, between: tuple[datetime, datetime], now: datetime,
                   urgent: bool = False, limit: int = 10) -> list[FreeSlot]:
    """The ``limit`` earliest free slots of ``appointment_type`` across ``practitioners``
    (already scoped to the user), earliest first. Four queries whatever the number of
    practitioners: periods, their types, exceptions, busy appointments.

    Practitioners of another structure than the type's are ignored.
    """
    practitioners = {practitioner.pk: practitioner for practitioner in practitioners
                     if practitioner.structure_id == appointment_type.structure_id}
    if not practitioners or not appointment_type.is_active:
        return []
    tz = structure_time_zone()
    duration = appointment_type.duration
    request = SlotRequest(duration=duration, type_code=appointment_type.code, between=between, now=now,
                          urgent=urgent, limit=limit)
    lowest = max(between[0], now)
    if lowest >= between[1]:
        return []
    first_day = lowest.astimezone(tz).date()
    last_day = (between[1] + duration).astimezone(tz).date()
    ids = list(practitioners)
    schedules = site_schedules(ids, first_day=first_day, last_day=last_day)
    if not schedules:
        return []
    busy = busy_intervals(ids, between=(lowest, between[1] + duration + timedelta(days=1)))
    per_key: dict[str, list[Slot]] = {}
    entries = {}
    for entry in schedules:
        key = f"{entry.practitioner_id:012d}:{entry.site.pk:012d}"
        entries[key] = entry
        per_key[key] = free_slots(request, periods=entry.periods, exceptions=entry.exceptions,
                                  holidays=entry.holidays, busy=busy.get(entry.practitioner_id, ()), tz=tz)
    found = []
    for key, slot in merge_free_slots(per_key, limit=limit):
        entry = entries[key]
        found.append(FreeSlot(practitioners[entry.practitioner_id], entry.site, slot.start, slot.end,
                              slot.reserved))
    return found
