"""Reads behind "Today at the desk": who is expected at a site today, who has arrived, who came
without an appointment.

The rows are built in a fixed number of queries whatever their number (the desk refreshes every
five seconds on every desk of the site): the day's appointments with patient, administrative
file, practitioner, type and visit joined; the coverages of their patients prefetched (two
queries) and checked in Python by ``patients.rules.coverage.coverage_problems``; the walk-ins
of the day the same way.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Q, Sum, prefetch_related_objects
from django.utils import timezone

from secretariat.agenda.models import Appointment
from secretariat.agenda.permissions import appointments_for
from secretariat.agenda.queries_calendar import Flags, flags_of, safe_colour
from secretariat.core.access import practitioners_for
from secretariat.core.models import Practitioner, Site
from secretariat.patients.rules.coverage import CoverageProblem, coverage_problems
from secretariat.reception.models import Priority, ReceptionSettings, Visit
from secretariat.reception.permissions import sites_for, visits_for

Status = Appointment.Status
SESSION_SITE_KEY = "reception.desk_site"
# Visits still in the building: minutes waited are shown for them.
WAITING_STATES = frozenset({Visit.State.ARRIVED, Visit.State.CALLED})
# A small desk sees its whole day; a big one (a health centre with dozens of practitioners, a
# thousand appointments a day) sees the hour around now and everyone still expected from earlier:
# the people it has to greet. "The whole day" stays one click away.
WHOLE_DAY_UP_TO = 80
WINDOW_BEFORE = timedelta(minutes=30)
WINDOW_AFTER = timedelta(minutes=60)


class Timing:
    """Where an expected patient stands against the appointment time."""

    EXPECTED = "expected"
    LATE = "late"
    MISSING = "missing"


@dataclass
class DeskRow:
    """One line of the desk: an appointment of the day (with its visit once arrived) or a walk-in."""

    patient: object
    practitioner: object | None
    flags: Flags
    problems: list[CoverageProblem]
    appointment: Appointment | None = None
    visit: Visit | None = None
    timing: str = Timing.EXPECTED
    minutes_late: int = 0
    minutes_waited: int | None = None
    colour: str = ""
    search_text: str = field(default="", repr=False)
    # Filled by the view once per list (texts translated, URLs reversed once): (class, short, long, title).
    chips: list[tuple[str, str, str, str]] = field(default_factory=list)
    check_in_url: str = ""
    undo_url: str = ""

    @property
    def key(self) -> str:
        return f"a{self.appointment.pk}" if self.appointment else f"v{self.visit.pk}"

    @property
    def is_expected(self) -> bool:
        return self.appointment is not None and self.visit is None and self.appointment.status == Status.BOOKED

    @property
    def needs_identity_check(self) -> bool:
        return self.flags.identity_not_validated

    @property
    def can_undo(self) -> bool:
        return self.visit is not None and self.visit.state == Visit.State.ARRIVED and not self.visit.call_count

    @property
    def is_emergency(self) -> bool:
        return self.visit is not None and self.visit.priority == Priority.EMERGENCY \
            and self.visit.state in WAITING_STATES


@dataclass
class DeskDay:
    site: Site
    day: date
    rows: list[DeskRow]
    walk_ins: list[DeskRow]
    settings: ReceptionSettings
    now: datetime
    whole_day: bool = True
    outside_window: int = 0  # appointments of the day not listed (big desks, "around now")

    @property
    def counts(self) -> dict[str, int]:
        return {
            "expected": sum(row.is_expected for row in self.rows),
            "late": sum(row.is_expected and row.timing != Timing.EXPECTED for row in self.rows),
            "waiting": sum(1 for row in (*self.rows, *self.walk_ins)
                           if row.visit is not None and row.visit.state in WAITING_STATES),
        }

    @property
    def emergencies(self) -> list[DeskRow]:
        return [row for row in self.walk_ins if row.is_emergency]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local day, timezone-aware."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def desk_site(user, *, requested: str | None, remembered: int | None) -> Site | None:
    """The site the desk shows: the one asked for, else the one remembered, else the user's first
    (the first site where one of the user's practitioners works, else the structure's first)."""
    sites = sites_for(user)
    for candidate in (requested, remembered):
        if candidate:
            try:
                found = sites.filter(pk=int(candidate)).first()
            except (TypeError, ValueError):
                found = None
            if found is not None:
                return found
    return (sites.filter(practitioners__in=practitioners_for(user)).order_by("name").first()
            or sites.order_by("name").first())


def desk_practitioners(user, site: Site, day: date) -> list[Practitioner]:
    """The practitioners the user works with who work at ``site`` or see someone there on ``day``."""
    start, end = day_bounds(day)
    seen_here = Appointment.objects.filter(site=site, start__gte=start, start__lt=end).values("practitioner_id")
    return list(practitioners_for(user).filter(Q(sites=site, is_active=True) | Q(pk__in=seen_here))
                .distinct().order_by("last_name", "first_name"))


def _search_text(patient) -> str:
    return " ".join(filter(None, (patient.display_name, patient.birth_name, patient.used_name,
                                  patient.birth_first_names))).lower()


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def desk_day(user, *, site: Site, now: datetime | None = None, practitioner_id: int | None = None,
             still_expected_only: bool = False, whole_day: bool = False,
             settings_row: ReceptionSettings | None = None) -> DeskDay:
    """The desk of ``site`` today for ``user``: appointments of the practitioners the user works
    with, in time order, and the walk-ins, most urgent first then by arrival. Past
    ``WHOLE_DAY_UP_TO`` appointments, only those around now and those still expected from earlier
    are listed unless ``whole_day``."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    start, end = day_bounds(day)
    settings_row = settings_row or ReceptionSettings.for_structure(user.structure_id)
    late_after = timedelta(minutes=settings_row.late_after_minutes)
    missing_after = timedelta(minutes=settings_row.missing_after_minutes)

    appointments = (
        appointments_for(user).filter(site=site, start__gte=start, start__lt=end)
        .exclude(status=Status.CANCELLED)
        .select_related("patient", "patient__administrative_file", "practitioner", "appointment_type", "visit")
        .order_by("start", "practitioner__last_name", "pk")
    )
    walk_ins = (
        visits_for(user).filter(site=site, day=day, is_walk_in=True)
        .select_related("patient", "patient__administrative_file", "practitioner", "triage")
    )
    if practitioner_id:
        appointments = appointments.filter(practitioner_id=practitioner_id)
        walk_ins = walk_ins.filter(Q(practitioner_id=practitioner_id) | Q(practitioner__isnull=True))
    if still_expected_only:
        appointments = appointments.filter(status=Status.BOOKED, visit__isnull=True)
        walk_ins = walk_ins.filter(state__in=WAITING_STATES)
    outside_window = 0
    if not whole_day:
        total = appointments.count()
        if total > WHOLE_DAY_UP_TO:
            appointments = appointments.filter(
                Q(start__gte=now - WINDOW_BEFORE, start__lt=now + WINDOW_AFTER)
                | Q(start__lt=now - WINDOW_BEFORE, status=Status.BOOKED, visit__isnull=True))
            walk_ins = walk_ins.filter(Q(state__in=WAITING_STATES) | Q(arrived_at__gte=now - WINDOW_BEFORE))
        else:
            whole_day = True

    appointments, walk_ins = list(appointments), list(walk_ins)
    if not whole_day:
        outside_window = total - len(appointments)
    # One pair of queries for the coverages of everyone on the list.
    prefetch_related_objects([item.patient for item in (*appointments, *walk_ins)], "amo_coverages",
                             "amc_coverages")
    rows = []
    for appointment in appointments:
        patient = appointment.patient
        visit = getattr(appointment, "visit", None) if _has_visit(appointment) else None
        row = DeskRow(
            patient=patient, practitioner=appointment.practitioner, appointment=appointment, visit=visit,
            flags=flags_of(appointment),
            problems=coverage_problems(patient.amo_coverages.all(), patient.amc_coverages.all(), on=day),
            colour=safe_colour(appointment.appointment_type.colour), search_text=_search_text(patient),
        )
        if row.is_expected and now >= appointment.start + late_after:
            row.timing = Timing.MISSING if now >= appointment.start + missing_after else Timing.LATE
            row.minutes_late = _minutes(now - appointment.start)
        rows.append(row)
    walk_in_rows = []
    for visit in walk_ins:
        patient = visit.patient
        walk_in_rows.append(DeskRow(
            patient=patient, practitioner=visit.practitioner, visit=visit,
            flags=_walk_in_flags(visit), search_text=_search_text(patient),
            problems=coverage_problems(patient.amo_coverages.all(), patient.amc_coverages.all(), on=day),
        ))
    for row in (*rows, *walk_in_rows):
        if row.visit is not None and row.visit.state in WAITING_STATES:
            row.minutes_waited = _minutes(now - row.visit.arrived_at)
    walk_in_rows.sort(key=lambda row: (row.visit.state not in WAITING_STATES, row.visit.priority or 99,
                                       row.visit.arrived_at))
    return DeskDay(site=site, day=day, rows=rows, walk_ins=walk_in_rows, settings=settings_row, now=now,
                   whole_day=whole_day, outside_window=outside_window)


def desk_version(user, *, site: Site, now: datetime | None = None, practitioner_id: int | None = None,
                 still_expected_only: bool = False, whole_day: bool = False, settings_row: ReceptionSettings | None = None) -> str:
    """A short fingerprint of what ``desk_day`` would show, from two aggregate queries: the list is
    rendered again only when it changed. The minute is part of it (minutes waited, late rows);
    changes to a patient's file show at the next minute at the latest."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    start, end = day_bounds(day)
    settings_row = settings_row or ReceptionSettings.for_structure(user.structure_id)
    appointments = appointments_for(user).filter(site=site, start__gte=start, start__lt=end)
    visits = Visit.objects.filter(site=site, day=day, structure_id=user.structure_id)
    if practitioner_id:
        appointments = appointments.filter(practitioner_id=practitioner_id)
    seen = appointments.aggregate(count=Count("pk"), changed=Max("status_changed_at"), booked=Max("booked_at"),
                                  ids=Sum("pk"), starts=Max("start"))
    moved = visits.aggregate(count=Count("pk"), changed=Max("updated_at"), ids=Sum("pk"))
    return "|".join(str(value) for value in (
        f"{timezone.localtime(now):%H%M}", practitioner_id, still_expected_only, whole_day, settings_row.late_after_minutes,
        settings_row.missing_after_minutes, *seen.values(), *moved.values()))


def _has_visit(appointment) -> bool:
    # Reverse one-to-one: a missing row raises RelatedObjectDoesNotExist (an AttributeError).
    return hasattr(appointment, "visit")


def _walk_in_flags(visit: Visit) -> Flags:
    patient = visit.patient
    administrative = getattr(patient, "administrative_file", None) if hasattr(patient, "administrative_file") \
        else None
    return Flags(
        interpreter=bool(administrative and administrative.needs_interpreter),
        accessibility=tuple(administrative.accessibility_needs) if administrative else (),
        identity_not_validated=patient.identity_status in ("PROV", "RECUP"),
    )
