"""Reads of the waiting room: one column per practitioner (queue in calling order, estimated waits,
current delay, who is in consultation) and the walk-ins not yet given to anyone.

A fixed handful of queries whatever the size of the site (visits, practitioners, rooms, counts of
the day, desk settings); the ordering and the estimates are ``rules`` applied in Python.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from secretariat.core.access import practitioners_for
from secretariat.core.models import Practitioner, Site
from secretariat.patients.models import Patient
from secretariat.reception import rules
from secretariat.reception.models import ConsultingRoom, ReceptionSettings, Visit
from secretariat.reception.permissions import sites_for, visits_for
from secretariat.reception.services_queue import as_busy, as_waiting

State = Visit.State
# Short labels of the triage priority for the queue (the full ones are ``Priority``'s).
PRIORITY_SHORT = {1: _("Emergency"), 2: _("Today"), 3: _("Within days"), 4: _("Routine")}
PRIORITY_LEVEL = {1: "danger", 2: "warn", 3: "", 4: ""}


@dataclass
class Row:
    visit: "VisitRow"
    waited_minutes: int
    position: int = 0
    estimated_wait: int | None = None  # minutes; None when unknown (walk-in without practitioner)
    expected_at: datetime | None = None
    late_arrival: bool = False

    @property
    def waited_label(self) -> str:
        return ngettext("waiting %(minutes)s min", "waiting %(minutes)s min", self.waited_minutes) % {
            "minutes": self.waited_minutes}

    @property
    def estimate_label(self) -> str:
        if self.estimated_wait is None:
            return ""
        return ngettext("%(minutes)s min more", "%(minutes)s min more", self.estimated_wait) % {
            "minutes": self.estimated_wait}

    @property
    def scheduled_at(self):
        return self.visit.appointment.start if self.visit.appointment_id else None

    @property
    def patient_url(self) -> str:
        return reverse("patients:detail", args=[self.visit.patient_id])

    @property
    def priority_label(self) -> str:
        return PRIORITY_SHORT.get(self.visit.priority, "") if self.visit.is_walk_in else ""

    @property
    def priority_level(self) -> str:
        return PRIORITY_LEVEL.get(self.visit.priority, "")


@dataclass
class Column:
    practitioner: Practitioner
    room: str
    delay_minutes: int
    current: list[Row] = field(default_factory=list)  # called or in consultation
    rows: list[Row] = field(default_factory=list)  # waiting, in calling order
    done_today: int = 0
    next_visit: "VisitRow | None" = None  # whom "call the next one" calls (may be a walk-in to direct)

    @property
    def waiting_count(self) -> int:
        return len(self.rows)


@dataclass
class Board:
    site: Site
    now: datetime
    columns: list[Column]
    walk_ins: list[Row]
    settings: ReceptionSettings

    @property
    def waiting_count(self) -> int:
        return len(self.walk_ins) + sum(column.waiting_count for column in self.columns)


def site_for(user, value) -> Site | None:
    """The site asked for (``?site=``) among the user's, else the first of them; None when none."""
    sites = sites_for(user).order_by("name")
    if value not in (None, ""):
        try:
            return sites.get(pk=int(value))
        except (Site.DoesNotExist, ValueError, TypeError):
            return None
    return sites.first()


VISIT_FIELDS = [
    "pk", "site_id", "day", "ticket", "patient_id", "appointment_id", "practitioner_id", "is_walk_in", "reason",
    "priority", "state", "arrived_at", "identity_document_requested", "coverage_warnings", "called_at", "call_count",
    "room", "consultation_started_at",
    "patient__birth_name", "patient__first_birth_first_name", "patient__used_name", "patient__used_first_name",
    "appointment__start", "appointment__end", "appointment__is_first_visit", "appointment__appointment_type__label",
]


class VisitRow(SimpleNamespace):
    """A visit as the board reads it: plain values, not a model instance. With 200 people waiting,
    building full model rows (visit, patient, appointment, type) was most of the refresh time."""

    @property
    def ticket_label(self) -> str:
        return f"{self.ticket:03d}"


def _visit_row(values: dict) -> VisitRow:
    patient = SimpleNamespace(
        pk=values["patient_id"], birth_name=values["patient__birth_name"],
        first_birth_first_name=values["patient__first_birth_first_name"], used_name=values["patient__used_name"],
        used_first_name=values["patient__used_first_name"])
    patient.display_name = Patient.display_name.fget(patient)
    appointment = None
    if values["appointment_id"]:
        appointment = SimpleNamespace(
            pk=values["appointment_id"], start=values["appointment__start"], end=values["appointment__end"],
            is_first_visit=values["appointment__is_first_visit"],
            appointment_type=SimpleNamespace(label=values["appointment__appointment_type__label"]))
    fields = {name: value for name, value in values.items() if "__" not in name}
    return VisitRow(**fields, id=values["pk"], patient=patient, appointment=appointment)


def _visits(user, site, day, practitioner=None) -> list[VisitRow]:
    rows = visits_for(user).filter(site=site, day=day, state__in=[State.ARRIVED, State.CALLED, State.IN_CONSULTATION])
    if practitioner is not None:
        rows = rows.filter(Q(practitioner=practitioner) | Q(practitioner__isnull=True))
    return [_visit_row(values) for values in rows.order_by("arrived_at").values(*VISIT_FIELDS)]


def board(user, site: Site, *, now: datetime | None = None, practitioner: Practitioner | None = None) -> Board:
    """The waiting room of ``site`` as ``user`` may see it (only ``practitioner``'s column if given)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    settings = ReceptionSettings.for_structure(site.structure_id)
    visits = _visits(user, site, day, practitioner)
    if practitioner is not None:
        practitioners = [practitioner]
    else:
        with_visits = {visit.practitioner_id for visit in visits if visit.practitioner_id}
        practitioners = list(practitioners_for(user).filter(is_active=True)
                             .filter(Q(sites=site) | Q(pk__in=with_visits)).distinct()
                             .order_by("last_name", "first_name"))
    rooms = dict(ConsultingRoom.objects.filter(site=site).values_list("practitioner_id", "label"))
    done = dict(Visit.objects.filter(site=site, day=day, state=State.DONE,
                                     practitioner__in=[p.pk for p in practitioners])
                .values_list("practitioner_id").annotate(count=Count("pk")).values_list("practitioner_id", "count"))
    late_after = timedelta(minutes=settings.late_after_minutes)

    def row(visit: VisitRow) -> Row:
        late = bool(visit.appointment_id and visit.arrived_at > visit.appointment.start + late_after)
        return Row(visit=visit, waited_minutes=rules.minutes(now - visit.arrived_at), late_arrival=late)

    by_practitioner: dict[int, list[VisitRow]] = {}
    walk_ins: list[VisitRow] = []
    for visit in visits:
        if visit.practitioner_id is None:
            if visit.state == State.ARRIVED:
                walk_ins.append(visit)
        else:
            by_practitioner.setdefault(visit.practitioner_id, []).append(visit)

    unassigned = [as_waiting(visit) for visit in walk_ins]
    by_pk = {visit.pk: visit for visit in visits}
    columns = []
    for person in practitioners:
        mine = by_practitioner.get(person.pk, [])
        waiting = {visit.pk: visit for visit in mine if visit.state == State.ARRIVED}
        active = sorted((visit for visit in mine if visit.state != State.ARRIVED),
                        key=lambda visit: visit.called_at or visit.consultation_started_at or visit.arrived_at)
        busy = [as_busy(visit) for visit in active]
        items = [as_waiting(visit) for visit in waiting.values()]
        delay = rules.current_delay(now=now, busy=busy, waiting=items)
        column = Column(practitioner=person, room=rooms.get(person.pk, ""), delay_minutes=rules.minutes(delay),
                        current=[row(visit) for visit in active], done_today=done.get(person.pk, 0))
        for planned in rules.plan_queue(items, now=now, busy=busy, delay=delay):
            entry = row(waiting[planned.item.key])
            entry.position, entry.estimated_wait, entry.expected_at = (planned.position, planned.wait_minutes,
                                                                      planned.expected_start)
            column.rows.append(entry)
        chosen = rules.next_to_call([*items, *unassigned], now=now)
        column.next_visit = by_pk[chosen.key] if chosen else None
        columns.append(column)

    ordered = {item.key: index for index, item in enumerate(rules.walk_in_order(as_waiting(v) for v in walk_ins))}
    walk_in_rows = [row(visit) for visit in sorted(walk_ins, key=lambda visit: ordered[visit.pk])]
    for index, entry in enumerate(walk_in_rows, start=1):
        entry.position = index
    return Board(site=site, now=now, columns=columns, walk_ins=walk_in_rows, settings=settings)
