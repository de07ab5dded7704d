"""Writes on appointments: one transaction each, audit inside.

No double booking: on PostgreSQL the exclusion constraint of migration 0002 refuses an
overlapping appointment even when two desks book at the same instant; on SQLite, writers are
serialised by IMMEDIATE transactions, so the overlap check below runs alone between its read
and its insert. Both end in the same message.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.agenda.models import NO_OVERLAP_CONSTRAINT, SAME_START_CONSTRAINT, Appointment
from secretariat.agenda.queries import site_schedules, structure_time_zone
from secretariat.agenda.rules.periods import open_intervals
from secretariat.core import audit
from secretariat.core.services.errors import ServiceError


def _slot_taken_message() -> str:
    return _("This slot was just taken at another desk: choose another one.")


def _is_slot_conflict(error: IntegrityError) -> bool:
    """Whether the database refused the insert because the slot is taken (either database)."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg)
        return diag.constraint_name in (NO_OVERLAP_CONSTRAINT, SAME_START_CONSTRAINT)
    text = str(error)  # SQLite names the columns of the unique index
    return "agenda_appointment.practitioner_id" in text and "agenda_appointment.start" in text


def _site_of_slot(*, practitioner, appointment_type, start: datetime, end: datetime, site, urgent: bool):
    """The site whose open periods hold [start, end) for the type, or None."""
    tz = structure_time_zone()
    first_day, last_day = start.astimezone(tz).date(), end.astimezone(tz).date()
    for entry in site_schedules([practitioner.pk], first_day=first_day, last_day=last_day):
        if site is not None and entry.site.pk != site.pk:
            continue
        intervals = open_intervals(
            entry.periods, entry.exceptions, set(entry.holidays), start=first_day, end=last_day, tz=tz,
            type_code=appointment_type.code, urgent=urgent, now=timezone.now(),
        )
        if any(opens <= start and end <= closes for opens, closes, _reserved in intervals):
            return entry.site
    return None


@transaction.atomic(durable=True)
def book_appointment(*, practitioner, patient, appointment_type, start: datetime, acting_user, site=None,
                     note: str = "", urgent: bool = False) -> Appointment:
    """Book ``appointment_type`` with ``practitioner`` for ``patient`` at ``start``.

    The slot must lie inside one of the practitioner's open periods for the type (weekly
    periods, exceptions, the site's public holidays; periods reserved for urgent requests only
    when ``urgent``) and be free. ``site`` defaults to the site of the period holding the slot.
    """
    if not isinstance(start, datetime) or timezone.is_naive(start):
        raise ServiceError(_("The start of the appointment must have a time zone."))
    if start < timezone.now():
        raise ServiceError(_("This slot is in the past: choose a later one."))
    structure_id = practitioner.structure_id
    if patient.structure_id != structure_id or appointment_type.structure_id != structure_id or (
        site is not None and site.structure_id != structure_id
    ):
        raise ServiceError(_("The patient, the practitioner and the appointment type must belong to the "
                             "same structure."))
    if not appointment_type.is_active or not practitioner.is_active:
        raise ServiceError(_("This appointment type or practitioner is no longer active."))
    end = start + appointment_type.duration
    slot_site = _site_of_slot(practitioner=practitioner, appointment_type=appointment_type, start=start,
                              end=end, site=site, urgent=urgent)
    if slot_site is None:
        raise ServiceError(_("This slot is outside the practitioner's periods for this appointment type."))
    # SQLite: the IMMEDIATE transaction holds the write lock, so nobody books between this
    # check and the insert. PostgreSQL: the exclusion constraint decides (below).
    taken = (Appointment.objects.filter(practitioner=practitioner, start__lt=end, end__gt=start)
             .exclude(status=Appointment.Status.CANCELLED).exists())
    if taken:
        raise ServiceError(_slot_taken_message())
    appointment = Appointment(
        structure_id=structure_id, practitioner=practitioner, site=slot_site, patient=patient,
        appointment_type=appointment_type, start=start, end=end, booked_by=acting_user, note=note,
    )
    try:
        with transaction.atomic():  # savepoint: only the insert
            appointment.save()
    except IntegrityError as error:
        if _is_slot_conflict(error):
            raise ServiceError(_slot_taken_message()) from error
        raise
    audit.record("agenda.appointment_booked", target=appointment, patient_id=patient.pk,
                 structure_id=structure_id, acting_user=acting_user,
                 data={"practitioner_id": practitioner.pk, "start": start.isoformat(),
                       "appointment_type": appointment_type.code})
    return appointment


@transaction.atomic(durable=True)
def cancel_appointment(appointment, *, reason: str, by_patient: bool, acting_user) -> Appointment:
    """Cancel an appointment with the reason given; the slot is free again at once."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status == Appointment.Status.CANCELLED:
        raise ServiceError(_("This appointment is already cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for the cancellation."))
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancellation_reason = reason
    appointment.cancelled_by_patient = by_patient
    appointment.cancelled_by = acting_user
    appointment.cancelled_at = timezone.now()
    appointment.save(update_fields=["status", "cancellation_reason", "cancelled_by_patient", "cancelled_by",
                                    "cancelled_at"])
    audit.record("agenda.appointment_cancelled", target=appointment, patient_id=appointment.patient_id,
                 structure_id=appointment.structure_id, acting_user=acting_user,
                 data={"by_patient": by_patient})  # the reason is free text: not copied
    return appointment
