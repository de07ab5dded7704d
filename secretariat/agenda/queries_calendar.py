"""Reads behind the agenda screens (day, week, month, list, appointment panel).

A grid is built in a fixed number of queries whatever the number of practitioners, days or
appointments: practitioners (scoped by the caller), schedules (``queries.site_schedules``),
absences, appointments with everything a block shows. Positions are computed here as CSS
class names (the strict CSP forbids inline styles): ``h-9 f-4`` starts a block at 09:20
(hour 9, fourth 5-minute step), ``lh-0 lf-4`` makes it 20 minutes long.
"""

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from secretariat.agenda.models import (
    MAX_APPOINTMENT_LENGTH,
    Absence,
    Appointment,
    AppointmentMessage,
    Resource,
    ResourceBooking,
)
from secretariat.agenda.permissions import appointments_for
from secretariat.agenda.queries import site_schedules, structure_time_zone
from secretariat.agenda.rules.periods import open_intervals
from secretariat.patients.models.administrative import ACCESSIBILITY_FIELDS

STEP_MINUTES = 5
AXIS_FIRST_HOUR = 7  # the axis shows at least 07:00–20:00, more when something lies outside
AXIS_LAST_HOUR = 20
MAX_LANES = 4
DEFAULT_COLOUR = "#4a78b5"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ANY_TYPE = "*"  # periods are shaded whatever the types they take
VALIDATED_STATUSES = frozenset({"VALI", "QUAL"})


def appointment_for_panel(user, pk: int) -> Appointment:
    """The appointment ``pk`` with what the panel shows, or 404 outside the user's practitioners."""
    try:
        return appointments_for(user).select_related(
            "patient", "patient__administrative_file", "appointment_type", "practitioner", "site",
            "booked_by", "cancelled_by", "series",
        ).get(pk=pk)
    except Appointment.DoesNotExist:
        raise Http404 from None


def messages_of(appointment) -> list[AppointmentMessage]:
    return list(appointment.messages.select_related("message").order_by("created_at", "pk"))


def safe_colour(value: str) -> str:
    return value if value and _COLOUR.match(value) else DEFAULT_COLOUR


@dataclass(frozen=True)
class Flags:
    interpreter: bool = False
    accessibility: tuple[str, ...] = ()
    first_visit: bool = False
    urgent: bool = False
    identity_not_validated: bool = False

    def __bool__(self) -> bool:
        return (self.interpreter or self.first_visit or self.urgent or self.identity_not_validated
                or bool(self.accessibility))


def flags_of(appointment) -> Flags:
    """What the desk must know before the patient arrives (reads the joined administrative file)."""
    patient = appointment.patient
    administrative = getattr(patient, "administrative_file", None) if _has_file(patient) else None
    return Flags(
        interpreter=bool(administrative and administrative.needs_interpreter),
        accessibility=tuple(administrative.accessibility_needs) if administrative else (),
        first_visit=appointment.is_first_visit,
        urgent=appointment.urgent,
        identity_not_validated=patient.identity_status not in VALIDATED_STATUSES,
    )


def _has_file(patient) -> bool:
    # Reverse one-to-one: a missing row raises RelatedObjectDoesNotExist (an AttributeError).
    return hasattr(patient, "administrative_file")


def phone_of(patient) -> str:
    administrative = patient.administrative_file if _has_file(patient) else None
    return (administrative.mobile_phone or administrative.landline if administrative else "") or patient.phone


# Positions ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Axis:
    """The hours shown, local time: ``first_hour`` ≤ h < ``last_hour``."""

    first_hour: int = AXIS_FIRST_HOUR
    last_hour: int = AXIS_LAST_HOUR

    @property
    def hours(self) -> list[int]:
        return list(range(self.first_hour, self.last_hour))

    @property
    def css(self) -> str:
        return f"from-{self.first_hour} to-{self.last_hour}"

    def widened(self, minutes_from: int, minutes_to: int) -> "Axis":
        return Axis(min(self.first_hour, minutes_from // 60), max(self.last_hour, -(-minutes_to // 60)))


def _minutes(moment: datetime, day: date, tz) -> int:
    """Minutes since the local midnight of ``day``, clamped to that day."""
    local = moment.astimezone(tz)
    if local.date() < day:
        return 0
    if local.date() > day:
        return 24 * 60
    return local.hour * 60 + local.minute


def position(start_minutes: int, end_minutes: int) -> str:
    """CSS classes placing [start, end) on the 5-minute grid (at least one step long)."""
    first = start_minutes // STEP_MINUTES
    steps = max(1, -(-(end_minutes - start_minutes) // STEP_MINUTES))
    steps = min(steps, 24 * 12 - first)
    return f"h-{first // 12} f-{first % 12} lh-{steps // 12} lf-{steps % 12}"


@dataclass
class Shade:
    """A span of a column: an open period, a closure or an absence."""

    OPEN, CLOSURE, ABSENCE = "open", "closure", "absence"

    start: datetime
    end: datetime
    css: str
    kind: str
    label: str = ""  # the site of a period, the reason of an absence
    reserved: bool = False  # a period kept for urgent requests


@dataclass
class Block:
    appointment: Appointment
    start: datetime  # local
    end: datetime  # local
    css: str
    colour: str
    flags: Flags
    lane: int = 0
    lanes: int = 1
    seq: int = 0
    # Set by the view, translated once per request (a day view shows hundreds of blocks).
    classes: str = ""
    status_label: str = ""
    time_label: str = ""
    chips: list = field(default_factory=list)
    url: str = ""
    move_url: str = ""

    @property
    def status(self) -> str:
        return self.appointment.status

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass
class Column:
    day: date
    practitioner: object = None
    resource: object = None
    openings: list[Shade] = field(default_factory=list)
    closures: list[Shade] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    holiday: bool = False

    @property
    def live_count(self) -> int:
        return sum(1 for block in self.blocks if block.status != Appointment.Status.CANCELLED)


@dataclass
class Grid:
    days: list[date]
    columns: list[Column]
    axis: Axis
    blocks_in_order: list[Block] = field(default_factory=list)
    types: list = field(default_factory=list)  # the appointment types on screen, for the legend

    def columns_of(self, practitioner) -> list[Column]:
        return [column for column in self.columns if column.practitioner is practitioner]


def _assign_lanes(blocks: list[Block]) -> None:
    """Side by side when blocks overlap (a cancelled one shown beside its replacement)."""
    blocks.sort(key=lambda block: (block.start, block.status == Appointment.Status.CANCELLED))
    group: list[Block] = []
    group_end = None

    def close(members: list[Block]) -> None:
        lanes = min(MAX_LANES, 1 + max(member.lane for member in members))
        for member in members:
            member.lanes = lanes
            member.lane = min(member.lane, lanes - 1)

    for block in blocks:
        if group and block.start >= group_end:
            close(group)
            group = []
        used = {member.lane for member in group if member.end > block.start}
        block.lane = next(lane for lane in range(len(group) + 1) if lane not in used)
        group_end = block.end if not group else max(group_end, block.end)
        group.append(block)
    if group:
        close(group)


def _block(appointment, day: date, tz) -> Block:
    start_minutes, end_minutes = _minutes(appointment.start, day, tz), _minutes(appointment.end, day, tz)
    return Block(
        appointment=appointment, start=appointment.start.astimezone(tz), end=appointment.end.astimezone(tz),
        css=position(start_minutes, end_minutes), colour=safe_colour(appointment.appointment_type.colour),
        flags=flags_of(appointment),
    )


def _day_bounds(first_day: date, last_day: date, tz) -> tuple[datetime, datetime]:
    return (datetime.combine(first_day, time(0), tzinfo=tz),
            datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz))


# What a block or a printed line shows: loading only these columns halves the time of a full day.
_SHOWN = (
    "practitioner_id", "site_id", "start", "end", "status", "note", "urgent", "is_first_visit",
    "appointment_type__label", "appointment_type__colour",
    "patient__birth_name", "patient__used_name", "patient__first_birth_first_name", "patient__used_first_name",
    "patient__birth_date", "patient__identity_status", "patient__phone",
    "patient__administrative_file__needs_interpreter", "patient__administrative_file__mobile_phone",
    "patient__administrative_file__landline",
    *(f"patient__administrative_file__{name}" for name in ACCESSIBILITY_FIELDS),
)


def _appointments(filters: Q, between, *, include_cancelled: bool):
    # The lower bound on start lets the (practitioner, start) index read only the window, not
    # the whole history (an appointment lasts at most a day).
    rows = Appointment.objects.filter(filters, start__lt=between[1], end__gt=between[0],
                                      start__gt=between[0] - MAX_APPOINTMENT_LENGTH)
    if not include_cancelled:
        rows = rows.exclude(status=Appointment.Status.CANCELLED)
    return (rows.select_related("patient", "patient__administrative_file", "appointment_type")
            .only(*_SHOWN).order_by("start"))


def _finish(columns: list[Column], days: list[date], tz) -> Grid:
    axis = Axis()
    ordered = []
    for index, column in enumerate(columns):
        _assign_lanes(column.blocks)
        for span in (*column.openings, *column.closures, *column.blocks):
            axis = axis.widened(_minutes(span.start, column.day, tz), _minutes(span.end, column.day, tz))
        ordered.extend((block.start, index, block) for block in column.blocks)
    # j/k go through the day in time order, left to right for the same start.
    ordered.sort(key=lambda item: item[:2])
    types = {}
    for seq, (_start, _index, block) in enumerate(ordered):
        block.seq = seq
        types.setdefault(block.appointment.appointment_type_id, (block.appointment.appointment_type, block.colour))
    return Grid(days=days, columns=columns, axis=axis, blocks_in_order=[item[2] for item in ordered],
                types=sorted(types.values(), key=lambda pair: pair[0].label))


def practitioner_grid(practitioners, days: list[date], *, include_cancelled: bool = False,
                      now: datetime | None = None) -> Grid:
    """Columns (practitioner × day, practitioner-major) with open periods, closures,
    absences and appointments. Five queries at most, whatever the number of columns."""
    tz = structure_time_zone()
    now = now or timezone.now()
    practitioners = list(practitioners)
    ids = [practitioner.pk for practitioner in practitioners]
    columns = {(p.pk, day): Column(day=day, practitioner=p)
               for p in practitioners for day in days}
    if not ids or not days:
        return Grid(days=days, columns=list(columns.values()), axis=Axis())
    between = _day_bounds(days[0], days[-1], tz)
    for entry in site_schedules(ids, first_day=days[0], last_day=days[-1]):
        periods = [dataclasses.replace(period, type_codes=frozenset()) for period in entry.periods]
        intervals = open_intervals(periods, entry.exceptions, set(entry.holidays), start=days[0], end=days[-1],
                                   tz=tz, type_code=_ANY_TYPE, urgent=True, now=now)
        for opens, closes, reserved in intervals:
            column = columns.get((entry.practitioner_id, opens.date()))
            if column is not None:
                column.openings.append(Shade(opens, closes, _css(opens, closes, column.day, tz), Shade.OPEN,
                                             label=entry.site.name, reserved=reserved))
        for exception in entry.exceptions:
            column = columns.get((entry.practitioner_id, exception.day))
            if column is not None and not exception.open:
                start = datetime.combine(exception.day, exception.start, tzinfo=tz)
                end = (datetime.combine(exception.day + timedelta(days=1), time(0), tzinfo=tz)
                       if exception.end == time(0) else datetime.combine(exception.day, exception.end, tzinfo=tz))
                if not any(shade.start == start and shade.end == end for shade in column.closures):
                    column.closures.append(Shade(start, end, _css(start, end, column.day, tz), Shade.CLOSURE))
        for day in days:
            if day in entry.holidays and (entry.practitioner_id, day) in columns:
                columns[(entry.practitioner_id, day)].holiday = True
    absences = Absence.objects.filter(practitioner_id__in=ids, start__lt=between[1], end__gt=between[0])
    for absence in absences.order_by("start"):
        for day in days:
            column = columns[(absence.practitioner_id, day)]
            day_start, day_end = _day_bounds(day, day, tz)
            if absence.start < day_end and absence.end > day_start:
                start, end = max(absence.start, day_start).astimezone(tz), min(absence.end, day_end).astimezone(tz)
                column.closures.append(Shade(start, end, _css(start, end, day, tz), Shade.ABSENCE,
                                             label=absence.reason))
    for appointment in _appointments(Q(practitioner_id__in=ids), between, include_cancelled=include_cancelled):
        local_day = appointment.start.astimezone(tz).date()
        column = columns.get((appointment.practitioner_id, local_day))
        if column is not None:
            column.blocks.append(_block(appointment, local_day, tz))
    return _finish(list(columns.values()), days, tz)


def resource_grid(resources, days: list[date], *, include_cancelled: bool = False) -> Grid:
    """One column per resource and day, with the appointments holding it (one query)."""
    tz = structure_time_zone()
    resources = list(resources)
    columns = {(r.pk, day): Column(day=day, resource=r)
               for r in resources for day in days}
    if not resources or not days:
        return Grid(days=days, columns=list(columns.values()), axis=Axis())
    between = _day_bounds(days[0], days[-1], tz)
    bookings = ResourceBooking.objects.filter(resource__in=resources, start__lt=between[1], end__gt=between[0])
    if not include_cancelled:
        bookings = bookings.filter(is_live=True).exclude(appointment__status=Appointment.Status.CANCELLED)
    bookings = bookings.select_related(
        "appointment", "appointment__patient", "appointment__patient__administrative_file",
        "appointment__appointment_type",
    ).order_by("start")
    for booking in bookings:
        local_day = booking.start.astimezone(tz).date()
        column = columns.get((booking.resource_id, local_day))
        if column is not None:
            column.blocks.append(_block(booking.appointment, local_day, tz))
    return _finish(list(columns.values()), days, tz)


def _css(start: datetime, end: datetime, day: date, tz) -> str:
    return position(_minutes(start, day, tz), _minutes(end, day, tz))


def resources_for(user):
    """Active rooms and equipment of the user's structure."""
    if user.structure_id is None:
        return Resource.objects.none()
    return Resource.objects.filter(structure_id=user.structure_id, is_active=True).select_related("site")


# Month and list -------------------------------------------------------------------------

def month_counts(practitioner_ids, *, first_day: date, last_day: date) -> dict[date, dict[int, int]]:
    """Live appointments per local date and practitioner (one grouped query)."""
    tz = structure_time_zone()
    between = _day_bounds(first_day, last_day, tz)
    rows = (
        Appointment.objects.filter(practitioner_id__in=practitioner_ids, start__gte=between[0], start__lt=between[1])
        .exclude(status=Appointment.Status.CANCELLED)
        .annotate(day=TruncDate("start", tzinfo=tz))
        .values_list("day", "practitioner_id").annotate(count=Count("pk")).order_by()
    )
    counts: dict[date, dict[int, int]] = {}
    for day, practitioner_id, count in rows:
        counts.setdefault(day, {})[practitioner_id] = count
    return counts


def appointment_list(user, *, first_day: date, last_day: date, practitioner_ids=None, type_id=None,
                     status: str = ""):
    """Appointments of a period for the list view, filtered, in time order."""
    tz = structure_time_zone()
    between = _day_bounds(first_day, last_day, tz)
    rows = appointments_for(user).filter(start__gte=between[0], start__lt=between[1])
    if practitioner_ids:
        rows = rows.filter(practitioner_id__in=practitioner_ids)
    if type_id:
        rows = rows.filter(appointment_type_id=type_id)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("patient", "patient__administrative_file", "appointment_type",
                               "practitioner").order_by("start", "practitioner_id", "pk")


def day_sheets(practitioners, day: date) -> list[tuple[object, list[tuple[Appointment, Flags, str]]]]:
    """The printable day of each practitioner: live appointments with flags and phone (one query)."""
    tz = structure_time_zone()
    practitioners = list(practitioners)
    rows: dict[int, list] = {practitioner.pk: [] for practitioner in practitioners}
    filters = Q(practitioner_id__in=list(rows))
    for appointment in _appointments(filters, _day_bounds(day, day, tz), include_cancelled=False):
        rows[appointment.practitioner_id].append((appointment, flags_of(appointment), phone_of(appointment.patient)))
    return [(practitioner, rows[practitioner.pk]) for practitioner in practitioners]
