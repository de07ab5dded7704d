"""A practitioner's absence: declare it, then move or cancel the appointments inside it.

The slot engine offers nothing during an absence (``queries.busy_intervals`` counts absences
as busy). Rebooking is a bulk action where each appointment is its own transaction: one
refusal (the slot was taken meanwhile) never undoes the others, and nothing is half written
for any appointment. Moves and cancellations send the patients' messages themselves.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.agenda.models import Absence, Appointment
from secretariat.agenda.services import cancel_in_transaction, move_in_transaction
from secretariat.core import audit
from secretariat.core.services.errors import ServiceError

MAX_ABSENCE = timedelta(days=366)


@transaction.atomic(durable=True)
def declare_absence(*, practitioner, start: datetime, end: datetime, reason: str, acting_user) -> Absence:
    """Record that ``practitioner`` is away from ``start`` until ``end``."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ServiceError(_("The start and end of the absence must have a time zone."))
    if end <= start:
        raise ServiceError(_("The end of the absence must come after its start."))
    if end <= timezone.now():
        raise ServiceError(_("This absence is already over."))
    if end - start > MAX_ABSENCE:
        raise ServiceError(_("An absence lasts at most a year: declare a longer one in several parts."))
    absence = Absence.objects.create(practitioner=practitioner, start=start, end=end, reason=reason.strip(),
                                     created_by=acting_user)
    audit.record("agenda.absence_declared", target=absence, structure_id=practitioner.structure_id,
                 acting_user=acting_user,
                 data={"practitioner_id": practitioner.pk, "start": start.isoformat(), "end": end.isoformat()})
    return absence


@dataclass(frozen=True)
class Decision:
    """What the secretary chose for one appointment inside the absence."""

    appointment_id: int
    action: str  # MOVE or CANCEL
    start: datetime | None = None
    practitioner: object = None

    MOVE = "move"
    CANCEL = "cancel"


@dataclass
class RebookingResult:
    moved: list = field(default_factory=list)  # appointments, at their new time
    cancelled: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (appointment, reason)

    @property
    def total(self) -> int:
        return len(self.moved) + len(self.cancelled) + len(self.failed)


def cancellation_reason(absence) -> str:
    return absence.reason or _("Practitioner absent")


@transaction.atomic(durable=True)
def _apply_one(absence, decision: Decision, *, acting_user) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=decision.appointment_id)
    inside = (appointment.practitioner_id == absence.practitioner_id and appointment.start < absence.end
              and appointment.end > absence.start)
    if not inside or appointment.status != Appointment.Status.BOOKED:
        raise ServiceError(_("This appointment is no longer booked during the absence."))
    if decision.action == Decision.MOVE:
        return move_in_transaction(appointment, start=decision.start, practitioner=decision.practitioner,
                                   acting_user=acting_user)
    return cancel_in_transaction(appointment, reason=cancellation_reason(absence), by_patient=False,
                                 acting_user=acting_user)


@transaction.atomic(durable=True)
def _record_summary(absence, result: RebookingResult, *, acting_user) -> None:
    audit.record("agenda.absence_rebooked", target=absence, structure_id=absence.practitioner.structure_id,
                 acting_user=acting_user,
                 data={"moved": len(result.moved), "cancelled": len(result.cancelled), "failed": len(result.failed)})


def rebook_after_absence(absence, decisions: list[Decision], *, acting_user) -> RebookingResult:
    """Apply the secretary's decisions one appointment at a time (each its own transaction, so
    call it outside any transaction) and say what happened to each."""
    result = RebookingResult()
    for decision in decisions:
        try:
            appointment = _apply_one(absence, decision, acting_user=acting_user)
        except ServiceError as refusal:
            failed = (Appointment.objects.select_related("patient", "appointment_type")
                      .filter(pk=decision.appointment_id).first())
            result.failed.append((failed, str(refusal)))
        else:
            (result.moved if decision.action == Decision.MOVE else result.cancelled).append(appointment)
    if result.total:
        _record_summary(absence, result, acting_user=acting_user)
    return result
