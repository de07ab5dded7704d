"""Reads of the agenda: schedules loaded from the database for the pure slot rules.

Every query here works for several practitioners at once in a fixed number of queries;
callers pass practitioners already scoped to the user (``core.access.practitioners_for``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import FloatField
from django.db.models.functions import Cast, Extract

from secretariat.agenda.directives import LONGEST_BUFFER, quota_counts, search_rules
from secretariat.agenda.models import (
    MAX_APPOINTMENT_LENGTH,
    Absence,
    Appointment,
    ResourceBooking,
    ScheduleException,
    TypeDirective,
    WeeklyPeriod,
)
from secretariat.agenda.rules import holidays as holiday_rules
from secretariat.agenda.rules.slots import (
    Busy,
    DatedPeriod,
    Preferences,
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
    """What makes each practitioner unavailable in ``between``: live appointments followed by
    their type's buffer, and absences. Three queries whatever the number of practitioners."""
    busy = defaultdict(list)
    buffers = {
        (practitioner_id, type_id): minutes
        for practitioner_id, type_id, minutes in TypeDirective.objects.filter(
            practitioner_id__in=practitioner_ids, buffer_after_minutes__isnull=False,
        ).values_list("practitioner_id", "appointment_type_id", "buffer_after_minutes")
    }
    lowest = between[0] - LONGEST_BUFFER
    # The lower bound on start lets the (practitioner, start) index read only the window.
    rows = (
        Appointment.objects.filter(practitioner_id__in=practitioner_ids, start__lt=between[1],
                                   end__gt=lowest, start__gt=lowest - MAX_APPOINTMENT_LENGTH)
        .exclude(status=Appointment.Status.CANCELLED)
    )
    if connection.vendor == "postgresql":
        # Epoch seconds: turning thousands of timestamps into datetimes from text is the
        # slowest part of a search over a busy agenda (docs/performance.md).
        rows = rows.annotate(
            start_epoch=Cast(Extract("start", "epoch", tzinfo=UTC), FloatField()),
            end_epoch=Cast(Extract("end", "epoch", tzinfo=UTC), FloatField()),
        ).values_list("practitioner_id", "start_epoch", "end_epoch", "appointment_type_id",
                      "appointment_type__buffer_after_minutes")
        rows = ((pid, datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC), type_id, buffer)
                for pid, start, end, type_id, buffer in rows)
    else:
        rows = rows.values_list("practitioner_id", "start", "end", "appointment_type_id",
                                "appointment_type__buffer_after_minutes")
    for practitioner_id, start, end, type_id, type_buffer in rows:
        minutes = buffers.get((practitioner_id, type_id), type_buffer)
        busy[practitioner_id].append(Busy.from_database(start, end + timedelta(minutes=minutes)))
    absences = Absence.objects.filter(practitioner_id__in=practitioner_ids, start__lt=between[1],
                                      end__gt=between[0]).values_list("practitioner_id", "start", "end")
    for practitioner_id, start, end in absences:
        busy[practitioner_id].append(Busy.from_database(start, end))
    return busy


def _resource_busy(appointment_type, site_ids, *, between) -> tuple[dict[int, list[Busy]], set[int]]:
    """Live bookings of the resources the type needs, per site, and the sites where the type
    cannot take place because none of its resources is there (two queries; one without
    resources)."""
    resources = list(appointment_type.resources.filter(is_active=True).values_list("pk", "site_id"))
    if not resources:
        return {}, set()
    site_of = {pk: site_id for pk, site_id in resources if site_id in site_ids}
    unequipped = set(site_ids) - set(site_of.values())
    busy = defaultdict(list)
    for resource_id, start, end in ResourceBooking.objects.filter(
        resource_id__in=site_of, is_live=True, start__lt=between[1], end__gt=between[0],
    ).values_list("resource_id", "start", "end"):
        busy[site_of[resource_id]].append(Busy.from_database(start, end))
    return busy, unequipped


def _quota_blocks(starts: list[datetime], rule, *, tz) -> list[Busy]:
    """Whole local days, or half-days, where the type's quota is already reached, as busy blocks."""
    blocks = []
    per_day: dict[date, list[datetime]] = defaultdict(list)
    for start in starts:
        per_day[start.astimezone(tz).date()].append(start.astimezone(tz))
    for day, day_starts in per_day.items():
        midnight = datetime.combine(day, time(0), tzinfo=tz)
        noon = datetime.combine(day, time(12), tzinfo=tz)
        next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        if rule.max_per_day and len(day_starts) >= rule.max_per_day:
            blocks.append(Busy(midnight, next_midnight))
            continue
        if rule.max_per_half_day:
            mornings = sum(1 for start in day_starts if start < noon)
            if mornings >= rule.max_per_half_day:
                blocks.append(Busy(midnight, noon))
            if len(day_starts) - mornings >= rule.max_per_half_day:
                blocks.append(Busy(noon, next_midnight))
    return blocks


# Successive search windows of free_slots_for; None: up to the end asked for.
SEARCH_HORIZONS = (timedelta(days=2), timedelta(days=7), timedelta(days=31), None)


@dataclass(frozen=True)
class FreeSlot:
    practitioner: object
    site: object
    start: datetime
    end: datetime
    reserved: bool  # offered only because the request is urgent


def free_slots_for(practitioners, *, appointment_type, between: tuple[datetime, datetime], now: datetime,
                   urgent: bool = False, online: bool = False, preferences: Preferences | None = None,
                   limit: int = 10) -> list[FreeSlot]:
    """The ``limit`` earliest free slots of ``appointment_type`` across ``practitioners``
    (already scoped to the user), earliest first, under each practitioner's directives: own
    duration and buffer for the type, minimum notice (online notice when ``online``), types
    not taken, quotas per day and half-day, absences, and the rooms or equipment the type
    needs. A fixed number of queries whatever the number of practitioners (three more for
    each wider window needed, see SEARCH_HORIZONS).

    Practitioners of another structure than the type's are ignored.
    """
    practitioners = {practitioner.pk: practitioner for practitioner in practitioners
                     if practitioner.structure_id == appointment_type.structure_id}
    if not practitioners or not appointment_type.is_active or (online and not appointment_type.bookable_online):
        return []
    lowest = max(between[0], now)
    if lowest >= between[1]:
        return []
    tz = structure_time_zone()
    rules, type_rules = search_rules(list(practitioners), appointment_type, online=online)
    ids = [pk for pk, (_variant, _notice, accepted) in rules.items() if accepted]
    if not ids:
        return []
    longest = max(rules[pk][0].duration for pk in ids)
    first_day = lowest.astimezone(tz).date()
    last_day = (between[1] + longest).astimezone(tz).date()
    schedules = site_schedules(ids, first_day=first_day, last_day=last_day)
    if not schedules:
        return []
    # Widen the search step by step: the first slots of a shorter window are the first slots of
    # the longer one, and a busy agenda is mostly found in the first days (docs/performance.md).
    # Each step reads only the busy time after what the previous steps read.
    loaded = _LoadedBusy(ids, appointment_type, {entry.site.pk for entry in schedules}, since=lowest)
    for horizon in SEARCH_HORIZONS:
        end = between[1] if horizon is None else min(between[1], lowest + horizon)
        loaded.extend_to(end + longest + timedelta(days=1))
        found = _search_window(practitioners, schedules, rules, type_rules, appointment_type, loaded, tz=tz,
                               between=(between[0], end), lowest=lowest, longest=longest, now=now,
                               urgent=urgent, preferences=preferences, limit=limit)
        if len(found) >= limit or end >= between[1]:
            return found
    return found


class _LoadedBusy:
    """Busy time of the practitioners and of the type's resources, read window after window."""

    def __init__(self, practitioner_ids, appointment_type, site_ids, *, since: datetime):
        self.practitioner_ids, self.appointment_type, self.site_ids = practitioner_ids, appointment_type, site_ids
        self.until = since
        self.practitioners: dict[int, list[Busy]] = defaultdict(list)
        self.sites: dict[int, list[Busy]] = defaultdict(list)
        self.unequipped: set[int] = set()

    def extend_to(self, until: datetime) -> None:
        if until <= self.until:
            return
        window = (self.until, until)
        # An interval across the previous bound is read twice: the slot engine merges it.
        for key, intervals in busy_intervals(self.practitioner_ids, between=window).items():
            self.practitioners[key] += intervals
        resources, self.unequipped = _resource_busy(self.appointment_type, self.site_ids, between=window)
        for key, intervals in resources.items():
            self.sites[key] += intervals
        self.until = until


def _search_window(practitioners, schedules, rules, type_rules, appointment_type, loaded, *, tz, between, lowest,
                   longest, now, urgent, preferences, limit) -> list[FreeSlot]:
    """One step of ``free_slots_for``: quotas of the window, then the pure slot engine per
    practitioner and site over the busy time loaded so far."""
    busy, resource_busy, unequipped = loaded.practitioners, loaded.sites, loaded.unequipped
    first_day = lowest.astimezone(tz).date()
    last_day = (between[1] + longest).astimezone(tz).date()
    day_window = (datetime.combine(first_day, time(0), tzinfo=tz),
                  datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz))
    quota_starts = quota_counts(type_rules, appointment_type, between=day_window)
    per_key: dict[str, list[Slot]] = {}
    entries = {}
    for entry in schedules:
        if entry.site.pk in unequipped:
            continue
        variant, notice, _accepted = rules[entry.practitioner_id]
        request = SlotRequest(duration=variant.duration, type_code=appointment_type.code, between=between,
                              now=now, min_notice=notice, buffer_after=variant.buffer_after, urgent=urgent,
                              preferences=preferences, limit=limit)
        blocked = list(busy.get(entry.practitioner_id, ()))
        blocked += resource_busy.get(entry.site.pk, ())
        if entry.practitioner_id in quota_starts:
            blocked += _quota_blocks(quota_starts[entry.practitioner_id], type_rules[entry.practitioner_id], tz=tz)
        key = f"{entry.practitioner_id:012d}:{entry.site.pk:012d}"
        entries[key] = entry
        per_key[key] = free_slots(request, periods=entry.periods, exceptions=entry.exceptions,
                                  holidays=entry.holidays, busy=blocked, tz=tz)
    found = []
    for key, slot in merge_free_slots(per_key, limit=limit):
        entry = entries[key]
        found.append(FreeSlot(practitioners[entry.practitioner_id], entry.site, slot.start, slot.end,
                              slot.reserved))
    return found
