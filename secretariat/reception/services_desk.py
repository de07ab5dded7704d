"""Writes of the desk: check a patient in, undo a mistaken check-in, register a walk-in.
One transaction each, audit inside.

Tickets: a number from 1 each day and site, shown on the waiting-room screen. Two desks of one
site checking in at the same instant must get distinct numbers. The site's row is locked
(``select_for_update``) before the next number is read, so on PostgreSQL the second desk waits
for the first to commit; on SQLite the IMMEDIATE transactions already run one writer at a time.
The unique constraint (site, day, ticket) stays the last word: should it ever refuse, the
secretary is asked to try again and nothing is written.

Identity (RNIV): an identity not validated (provisional or retrieved) is checked in only once
the desk has said whether an identity document was presented; when none was, the visit keeps
``identity_document_requested`` so the practitioner and the next desk see it.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.agenda import services as agenda_services
from secretariat.agenda.models import Appointment
from secretariat.core import audit
from secretariat.core.models import Site
from secretariat.core.services.errors import ServiceError
from secretariat.patients.models import Patient
from secretariat.patients.queries import anteriority_candidates
from secretariat.patients.rules.coverage import coverage_problems
from secretariat.patients.services import Identity, PossibleDuplicates, record_new_patient
from secretariat.reception.models import Priority, TriageRecord, Visit

Status = Appointment.Status
NOT_VALIDATED = frozenset({Patient.IdentityStatus.PROVISIONAL, Patient.IdentityStatus.RETRIEVED})
# Appointments the desk may check in: booked, or marked missed and the patient comes after all.
CHECKABLE = frozenset({Status.BOOKED, Status.MISSED})


def identity_needs_document(patient: Patient) -> bool:
    """Whether the RNIV asks the desk for an identity document (identity not validated)."""
    return patient.identity_status in NOT_VALIDATED


def coverage_codes(patient: Patient, *, on) -> list[str]:
    patient = Patient.objects.prefetch_related("amo_coverages", "amc_coverages").get(pk=patient.pk)
    return [problem.code for problem in coverage_problems(patient.amo_coverages.all(),
                                                          patient.amc_coverages.all(), on=on)]


def next_ticket(site: Site, day) -> int:
    """The next ticket number of ``site`` on ``day``, inside the caller's transaction.

    Locks the site's row first: a second desk asking at the same instant waits for the first
    transaction to end and then reads its ticket (see the module docstring).
    """
    Site.objects.select_for_update().filter(pk=site.pk).values_list("pk", flat=True).get()
    last = Visit.objects.filter(site_id=site.pk, day=day).aggregate(last=Max("ticket"))["last"]
    return (last or 0) + 1


def _save_visit(visit: Visit) -> None:
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError as error:
        raise ServiceError(_("Another desk was recording an arrival at the same moment: try again.")) \
            from error


def _check_identity_answer(patient: Patient, identity_document_presented: bool | None) -> bool:
    """``identity_document_requested`` for the visit; refuses to go on without an answer (RNIV)."""
    if not identity_needs_document(patient):
        return False
    if identity_document_presented is None:
        raise ServiceError(_("The identity of %(patient)s is not validated: ask for an identity document "
                             "and say whether it was presented.") % {"patient": patient.display_name})
    return not identity_document_presented


def check_in_in_transaction(appointment: Appointment, *, acting_user, identity_document_presented: bool | None,
                            now: datetime) -> Visit:
    """``check_in`` inside the caller's transaction (the demo seeds several at once)."""
    appointment = Appointment.objects.select_related("patient", "site").get(pk=appointment.pk)
    day = timezone.localdate(now)
    ticket = next_ticket(appointment.site, day)
    # Locked after the site: every desk takes the two locks in the same order.
    appointment = Appointment.objects.select_for_update().select_related("patient").get(pk=appointment.pk)
    patient = appointment.patient
    existing = Visit.objects.filter(appointment_id=appointment.pk).first()
    if existing is not None:
        raise ServiceError(_("%(patient)s is already checked in (ticket %(ticket)s).") % {
            "patient": patient.display_name, "ticket": existing.ticket_label})
    if appointment.status == Status.CANCELLED:
        raise ServiceError(_("This appointment was cancelled: book a new one or register the patient as a "
                             "walk-in."))
    if appointment.status not in CHECKABLE:
        raise ServiceError(_("This appointment is marked “%(status)s”: it cannot be checked in.") % {
            "status": appointment.get_status_display()})
    if timezone.localdate(appointment.start) != day:
        raise ServiceError(_("This appointment is on %(day)s, not today: check the date with the patient.") % {
            "day": f"{timezone.localtime(appointment.start):%d/%m/%Y}"})
    document_requested = _check_identity_answer(patient, identity_document_presented)
    warnings = coverage_codes(patient, on=day)
    agenda_services.set_status_in_transaction(appointment, Status.ARRIVED, acting_user=acting_user)
    visit = Visit(
        structure_id=appointment.structure_id, site_id=appointment.site_id, day=day, ticket=ticket,
        patient=patient, appointment=appointment, practitioner_id=appointment.practitioner_id,
        arrived_at=now, checked_in_by=acting_user, identity_document_requested=document_requested,
        coverage_warnings=warnings,
    )
    _save_visit(visit)
    audit.record("reception.checked_in", target=visit, patient_id=patient.pk, structure_id=visit.structure_id,
                 acting_user=acting_user,
                 data={"appointment_id": appointment.pk, "ticket": ticket, "coverage_warnings": warnings,
                       "identity_document_presented": identity_document_presented})
    return visit


@transaction.atomic(durable=True)
def check_in(appointment: Appointment, *, acting_user, identity_document_presented: bool | None = None) -> Visit:
    """Record the patient's arrival for today's appointment: a ticket for the waiting room, the
    appointment marked arrived, the coverage problems seen kept on the visit.

    ``identity_document_presented`` answers the RNIV question asked when the identity is not
    validated: True (shown; validate it in the patient's file), False (not shown: the visit keeps
    that a document was asked for). It is required then, ignored otherwise.
    """
    return check_in_in_transaction(appointment, acting_user=acting_user,
                                   identity_document_presented=identity_document_presented, now=timezone.now())


@transaction.atomic(durable=True)
def undo_check_in(visit: Visit, *, acting_user) -> None:
    """Undo a mistaken check-in or walk-in registration while the person is still waiting.

    Nothing else has happened to the visit then (not called, not seen), so its row is deleted
    and the appointment goes back to booked; the audit row keeps what was undone and by whom.
    Once called, the waiting room's own actions apply (left without being seen…).
    """
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.state != Visit.State.ARRIVED or visit.call_count or visit.called_at:
        raise ServiceError(_("This patient has already been called: the check-in can no longer be undone. "
                             "Use the waiting room instead."))
    data = {"ticket": visit.ticket, "day": visit.day.isoformat(), "appointment_id": visit.appointment_id,
            "walk_in": visit.is_walk_in, "visit_id": visit.pk}
    appointment = visit.appointment
    patient_id, structure_id = visit.patient_id, visit.structure_id
    visit.delete()
    if appointment is not None:
        agenda_services.set_status_in_transaction(appointment, Status.BOOKED, acting_user=acting_user)
    audit.record("reception.check_in_undone", target=appointment, patient_id=patient_id,
                 structure_id=structure_id, acting_user=acting_user, data=data)


def _triage_for(triage: TriageRecord | None, *, structure_id: int) -> TriageRecord | None:
    if triage is None:
        return None
    if triage.structure_id != structure_id:
        raise ServiceError(_("This triage belongs to another structure."))
    return triage


def register_walk_in_in_transaction(*, site: Site, acting_user, now: datetime, patient: Patient | None = None,
                                    identity: Identity | None = None, care_teams=(), phone: str = "",
                                    duplicate_reason: str = "", practitioner=None, reason: str = "",
                                    priority: int | None = None, triage: TriageRecord | None = None,
                                    identity_document_presented: bool | None = None) -> Visit:
    """``register_walk_in`` inside the caller's transaction."""
    structure_id = site.structure_id
    if (patient is None) == (identity is None):
        raise ServiceError(_("Choose the patient in the list or type a new identity, not both."))
    if practitioner is not None and practitioner.structure_id != structure_id:
        raise ServiceError(_("This practitioner does not work in this structure."))
    triage = _triage_for(triage, structure_id=structure_id)
    if priority is None and triage is not None:
        priority = triage.priority
    if priority is not None and priority not in Priority.values:
        raise ServiceError(_("Choose a priority from the list."))
    if patient is None:
        candidates = anteriority_candidates(site.structure, identity)
        if candidates and not duplicate_reason.strip():
            raise PossibleDuplicates(candidates)
        patient, _change = record_new_patient(structure=site.structure, identity=identity, care_teams=care_teams,
                                              phone=phone, acting_user=acting_user,
                                              reason=duplicate_reason.strip())
    elif patient.structure_id != structure_id:
        raise ServiceError(_("This patient is not followed in this structure."))
    day = timezone.localdate(now)
    document_requested = _check_identity_answer(patient, identity_document_presented)
    warnings = coverage_codes(patient, on=day)
    visit = Visit(
        structure_id=structure_id, site=site, day=day, ticket=next_ticket(site, day), patient=patient,
        practitioner=practitioner, is_walk_in=True, reason=reason.strip()[:200], priority=priority, triage=triage,
        arrived_at=now, checked_in_by=acting_user, identity_document_requested=document_requested,
        coverage_warnings=warnings,
    )
    _save_visit(visit)
    if triage is not None and triage.patient_id is None:
        triage.patient = patient
        triage.save(update_fields=["patient"])
    audit.record("reception.walk_in_registered", target=visit, patient_id=patient.pk, structure_id=structure_id,
                 acting_user=acting_user,
                 data={"ticket": visit.ticket, "priority": priority, "triage_id": triage.pk if triage else None,
                       "practitioner_id": practitioner.pk if practitioner else None,
                       "coverage_warnings": warnings})
    return visit


@transaction.atomic(durable=True)
def register_walk_in(*, site: Site, acting_user, patient: Patient | None = None, identity: Identity | None = None,
                     care_teams=(), phone: str = "", duplicate_reason: str = "", practitioner=None,
                     reason: str = "", priority: int | None = None, triage: TriageRecord | None = None,
                     identity_document_presented: bool | None = None) -> Visit:
    """Register someone who came without an appointment: a known patient, or a new provisional
    identity created here after the anteriority search (RNIV), with a ticket, the reason, the
    practitioner if one is chosen (empty: the first free) and the priority from the
    practitioners' triage protocol (taken from ``triage`` when not given)."""
    return register_walk_in_in_transaction(
        site=site, acting_user=acting_user, now=timezone.now(), patient=patient, identity=identity,
        care_teams=care_teams, phone=phone, duplicate_reason=duplicate_reason, practitioner=practitioner,
        reason=reason, priority=priority, triage=triage, identity_document_presented=identity_document_presented,
    )
