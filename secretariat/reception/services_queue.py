"""Writes of the waiting room: call, recall, start, finish, left unseen, assign, back to waiting.

One transaction each, audit inside (``reception.patient_called`` for calls, ``reception.visit_moved``
with ``from``/``to`` for the other moves), the appointment's status kept in step through
``agenda.services.set_status_in_transaction`` (finished → seen, left → missed, undone → arrived).

Two desks (or a desk and the practitioner) pressing "call the next one" at the same instant never
call the same person: every move is a conditional ``UPDATE … WHERE state = <expected>``; on
PostgreSQL the second writer waits for the first one's row lock, then finds the state changed and
updates nothing (the service then takes the next person, or refuses); on SQLite writers are
serialised by IMMEDIATE transactions.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.agenda.models import Appointment
from secretariat.agenda.services import set_status_in_transaction
from secretariat.core import audit
from secretariat.core.models import Practitioner
from secretariat.core.services.errors import ServiceError
from secretariat.reception import rules
from secretariat.reception.models import ConsultingRoom, Visit

State = Visit.State

# Allowed moves, by action: (states it may start from, state it ends in). "back" undoes a mistake.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "call": (frozenset({State.ARRIVED}), State.CALLED),
    "recall": (frozenset({State.CALLED}), State.CALLED),
    "start": (frozenset({State.ARRIVED, State.CALLED}), State.IN_CONSULTATION),
    "finish": (frozenset({State.CALLED, State.IN_CONSULTATION}), State.DONE),
    "left": (frozenset({State.ARRIVED, State.CALLED}), State.LEFT),
    "back": (frozenset({State.CALLED, State.IN_CONSULTATION, State.DONE, State.LEFT}), State.ARRIVED),
}
# What the appointment becomes with the visit (only when it is not already so).
_APPOINTMENT_STATUS = {
    State.DONE: Appointment.Status.SEEN,
    State.LEFT: Appointment.Status.MISSED,
    State.ARRIVED: Appointment.Status.ARRIVED,
}
_ACTIVE = (State.CALLED, State.IN_CONSULTATION)
MAX_CALL_ATTEMPTS = 5


def _refusal(visit: Visit, action: str) -> ServiceError:
    messages = {
        "call": _("Ticket %(ticket)s cannot be called: it is “%(state)s”."),
        "recall": _("Ticket %(ticket)s cannot be called again: it is “%(state)s”, not called."),
        "start": _("Ticket %(ticket)s cannot go into consultation: it is “%(state)s”."),
        "finish": _("Ticket %(ticket)s cannot be marked done: it is “%(state)s” (call it or start the "
                    "consultation first)."),
        "left": _("Ticket %(ticket)s cannot be marked as left: it is “%(state)s”."),
        "back": _("Ticket %(ticket)s is already waiting."),
    }
    return ServiceError(messages[action] % {"ticket": visit.ticket_label, "state": visit.get_state_display()})


def _today(visit: Visit) -> None:
    if visit.day != timezone.localdate():
        raise ServiceError(_("This visit is not today's: the waiting room only moves today's visits."))


def _move(visit: Visit, action: str, *, acting_user, now: datetime, **changes) -> Visit:
    """Apply ``action`` if the visit is still in a state it may start from (conditional update)."""
    sources, target = TRANSITIONS[action]
    current = Visit.objects.get(pk=visit.pk)
    if current.state not in sources:
        raise _refusal(current, action)
    _today(current)
    updated = Visit.objects.filter(pk=current.pk, state=current.state).update(state=target, updated_at=now,
                                                                               **changes)
    if not updated:  # another desk moved it between our read and our write
        raise _refusal(Visit.objects.get(pk=visit.pk), action)
    previous = current.state
    current.refresh_from_db()
    status = _APPOINTMENT_STATUS.get(target)
    if current.appointment_id and status and previous != target:
        appointment = Appointment.objects.get(pk=current.appointment_id)
        if appointment.status != status:
            set_status_in_transaction(appointment, status, acting_user=acting_user)
    if action not in ("call", "recall"):
        audit.record("reception.visit_moved", target=current, patient_id=current.patient_id,
                     structure_id=current.structure_id, acting_user=acting_user,
                     data={"from": previous, "to": target, "ticket": current.ticket})
    return current


def room_for(practitioner_id: int | None, site_id: int) -> str:
    """The practitioner's consulting room on the site, as written on the door ("" when none)."""
    if practitioner_id is None:
        return ""
    room = ConsultingRoom.objects.filter(practitioner_id=practitioner_id, site_id=site_id).first()
    return room.label if room else ""


def _call(visit: Visit, *, acting_user, now: datetime, room: str, practitioner=None, recall: bool = False) -> Visit:
    visit = Visit.objects.get(pk=visit.pk)
    changes = {"called_at": now, "called_by": acting_user}
    if practitioner is not None and visit.practitioner_id is None:
        changes["practitioner_id"] = practitioner.pk
    practitioner_id = changes.get("practitioner_id", visit.practitioner_id)
    if practitioner_id is None:
        raise ServiceError(_("Ticket %(ticket)s has no practitioner yet: assign it to a practitioner before "
                             "calling it.") % {"ticket": visit.ticket_label})
    changes["room"] = (room or "").strip()[:60] or (visit.room if recall else "") or room_for(practitioner_id,
                                                                                             visit.site_id)
    changes["call_count"] = F("call_count") + 1
    called = _move(visit, "recall" if recall else "call", acting_user=acting_user, now=now, **changes)
    audit.record("reception.patient_called", target=called, patient_id=called.patient_id,
                 structure_id=called.structure_id, acting_user=acting_user,
                 data={"ticket": called.ticket, "room": called.room, "call_count": called.call_count,
                       "recall": recall, "practitioner_id": called.practitioner_id})
    return called


@transaction.atomic(durable=True)
def call_visit(visit: Visit, *, acting_user, room: str = "") -> Visit:
    """Call this waiting patient to the consulting room (the public screen shows the ticket and room)."""
    return _call(visit, acting_user=acting_user, now=timezone.now(), room=room)


@transaction.atomic(durable=True)
def recall_visit(visit: Visit, *, acting_user, room: str = "") -> Visit:
    """Call an already-called patient again: the screen shows the call again, with its chime."""
    return _call(visit, acting_user=acting_user, now=timezone.now(), room=room, recall=True)


def waiting_for_call(practitioner, site, *, now: datetime) -> tuple[list[rules.Waiting], list[rules.Busy]]:
    """The practitioner's queue on the site, with the unassigned walk-ins (the first practitioner free
    takes them, see ``Visit.practitioner``), and who is with the practitioner now."""
    rows = (Visit.objects.filter(site=site, day=timezone.localdate(now), state__in=[State.ARRIVED, *_ACTIVE])
            .filter(Q(practitioner=practitioner) | Q(practitioner__isnull=True, is_walk_in=True))
            .select_related("appointment")
            .only("pk", "state", "arrived_at", "priority", "practitioner_id", "called_at",
                  "consultation_started_at", "appointment__start", "appointment__end"))
    waiting, busy = [], []
    for row in rows:
        if row.state == State.ARRIVED:
            waiting.append(as_waiting(row))
        elif row.practitioner_id == practitioner.pk:
            busy.append(as_busy(row))
    return waiting, busy


def as_waiting(visit: Visit) -> rules.Waiting:
    appointment = visit.appointment if visit.appointment_id else None
    return rules.Waiting(
        key=visit.pk, arrived_at=visit.arrived_at,
        scheduled_at=appointment.start if appointment else None,
        duration=(appointment.end - appointment.start) if appointment else None,
        priority=None if appointment else visit.priority,
    )


def as_busy(visit: Visit) -> rules.Busy:
    appointment = visit.appointment if visit.appointment_id else None
    return rules.Busy(
        started_at=visit.consultation_started_at or visit.called_at or visit.arrived_at,
        scheduled_at=appointment.start if appointment else None,
        duration=(appointment.end - appointment.start) if appointment else None,
    )


def _current_of(practitioner, site, *, day) -> Visit | None:
    return (Visit.objects.filter(practitioner=practitioner, site=site, day=day, state__in=_ACTIVE)
            .order_by("-called_at").first())


@transaction.atomic(durable=True)
def call_next(practitioner, site, acting_user, *, room: str = "", finish_current: bool = False) -> Visit:
    """Call the next patient of ``practitioner`` on ``site`` in the order of ``rules.plan_queue``.

    With ``finish_current`` the patient with the practitioner is marked done first (one click for the
    practitioner). Refused while someone is called or in consultation otherwise. Two desks pressing
    together: the practitioner's row is locked, the second one finds the first one's call and is refused;
    two practitioners taking the same walk-in: the conditional update gives it to one, the other takes
    the next person."""
    now = timezone.now()
    # One "call next" at a time per practitioner (two desks pressing together would call two people).
    Practitioner.objects.select_for_update().filter(pk=practitioner.pk).first()
    current = _current_of(practitioner, site, day=timezone.localdate(now))
    if current is not None:
        if finish_current:
            _move(current, "finish", acting_user=acting_user, now=now, finished_at=now)
        elif current.state == State.CALLED:
            raise ServiceError(_("Ticket %(ticket)s is already called for %(practitioner)s: call it again, mark "
                                 "it as left or put it back in the queue first.")
                               % {"ticket": current.ticket_label, "practitioner": practitioner.display_name})
        else:
            raise ServiceError(_("Ticket %(ticket)s is still in consultation with %(practitioner)s: mark it done "
                                 "first.") % {"ticket": current.ticket_label,
                                              "practitioner": practitioner.display_name})
    skipped: set[int] = set()
    for _attempt in range(MAX_CALL_ATTEMPTS):
        waiting, busy = waiting_for_call(practitioner, site, now=now)
        waiting = [item for item in waiting if item.key not in skipped]
        chosen = rules.next_to_call(waiting, now=now, busy=busy)
        if chosen is None:
            break
        visit = Visit.objects.get(pk=chosen.key)
        try:
            return _call(visit, acting_user=acting_user, now=now, room=room, practitioner=practitioner)
        except ServiceError:
            skipped.add(chosen.key)  # taken by another desk in the meantime: the next one
    raise ServiceError(_("Nobody is waiting for %(practitioner)s.") % {"practitioner": practitioner.display_name})


@transaction.atomic(durable=True)
def start_consultation(visit: Visit, *, acting_user) -> Visit:
    """The patient is in the consulting room (from called, or straight from the waiting room)."""
    now = timezone.now()
    changes = {"consultation_started_at": now}
    visit = Visit.objects.get(pk=visit.pk)
    if visit.practitioner_id is None:
        raise ServiceError(_("Ticket %(ticket)s has no practitioner yet: assign it to a practitioner first.")
                           % {"ticket": visit.ticket_label})
    return _move(visit, "start", acting_user=acting_user, now=now, **changes)


@transaction.atomic(durable=True)
def finish_visit(visit: Visit, *, acting_user) -> Visit:
    """The consultation is over: the visit is done and the appointment seen."""
    now = timezone.now()
    return _move(visit, "finish", acting_user=acting_user, now=now, finished_at=now)


@transaction.atomic(durable=True)
def mark_left(visit: Visit, *, acting_user) -> Visit:
    """The patient left without being seen: the appointment becomes missed."""
    now = timezone.now()
    return _move(visit, "left", acting_user=acting_user, now=now, finished_at=now)


@transaction.atomic(durable=True)
def back_to_waiting(visit: Visit, *, acting_user) -> Visit:
    """Undo a mistaken click: the patient waits again at their place (the queue order does not depend
    on the call), the appointment is arrived again."""
    now = timezone.now()
    return _move(visit, "back", acting_user=acting_user, now=now, finished_at=None, consultation_started_at=None)


@transaction.atomic(durable=True)
def assign_walk_in(visit: Visit, practitioner, *, acting_user) -> Visit:
    """Give a waiting walk-in to a practitioner of the structure (or move it to another one)."""
    current = Visit.objects.get(pk=visit.pk)
    if not current.is_walk_in or current.appointment_id:
        raise ServiceError(_("Ticket %(ticket)s has an appointment: its practitioner is the appointment's.")
                           % {"ticket": current.ticket_label})
    if practitioner.structure_id != current.structure_id or not practitioner.is_active:
        raise ServiceError(_("Choose an active practitioner of the structure."))
    if current.state != State.ARRIVED:
        raise ServiceError(_("Ticket %(ticket)s is “%(state)s”: only a waiting walk-in can be given to a "
                             "practitioner.") % {"ticket": current.ticket_label,
                                                 "state": current.get_state_display()})
    _today(current)
    previous = current.practitioner_id
    if previous == practitioner.pk:
        return current
    updated = Visit.objects.filter(pk=current.pk, state=State.ARRIVED, practitioner_id=previous).update(
        practitioner_id=practitioner.pk, updated_at=timezone.now())
    if not updated:
        raise ServiceError(_("Ticket %(ticket)s was just moved at another desk: look again.")
                           % {"ticket": current.ticket_label})
    current.refresh_from_db()
    audit.record("reception.visit_moved", target=current, patient_id=current.patient_id,
                 structure_id=current.structure_id, acting_user=acting_user,
                 data={"from": State.ARRIVED, "to": State.ARRIVED, "ticket": current.ticket,
                       "practitioner": [previous, practitioner.pk]})
    return current


ACTIONS = {
    "call": call_visit,
    "recall": recall_visit,
    "start": start_consultation,
    "finish": finish_visit,
    "left": mark_left,
    "back": back_to_waiting,
}
