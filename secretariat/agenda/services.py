"""Writes on appointments: book, move, cancel, change status. One transaction each, audit inside.

No double booking: on PostgreSQL the exclusion constraints of migrations 0002 and 0005 refuse
an overlapping appointment or resource booking even when two desks book at the same instant;
on SQLite, writers are serialised by IMMEDIATE transactions, so the overlap checks below run
alone between their read and their insert. Both end in the same message. Buffers after a type
are checked here (not by the database): on PostgreSQL two desks booking at the same instant
could, rarely, eat into a buffer, never into an appointment.

The practitioner's directives are checked by ``directives.booking_violations``; a booking
that breaks some is refused with ``DirectiveViolation`` listing them, unless an allowed role
gives a reason (then the codes and the reason are kept on the appointment and audited).
"""

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.agenda import notifications
from secretariat.agenda.directives import (
    LONGEST_BUFFER,
    booking_violations,
    buffers_after,
    live_conflicts,
    variant_of,
)
from secretariat.agenda.models import (
    NO_OVERLAP_CONSTRAINT,
    RESOURCE_NO_OVERLAP_CONSTRAINT,
    RESOURCE_SAME_START_CONSTRAINT,
    SAME_START_CONSTRAINT,
    Absence,
    AgendaSettings,
    Appointment,
    AppointmentMessage,
    AppointmentType,
    ResourceBooking,
)
from secretariat.agenda.queries import site_schedules, structure_time_zone
from secretariat.agenda.rules.periods import open_intervals
from secretariat.core import audit
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError

Status = Appointment.Status

# Allowed status changes (cancellation has its own service). Undoing a mistaken click is allowed.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.BOOKED: frozenset({Status.ARRIVED, Status.SEEN, Status.MISSED, Status.EXCUSED_LATE}),
    Status.ARRIVED: frozenset({Status.SEEN, Status.BOOKED, Status.MISSED}),  # missed: left unseen
    Status.SEEN: frozenset({Status.ARRIVED}),
    Status.MISSED: frozenset({Status.BOOKED, Status.EXCUSED_LATE, Status.ARRIVED}),
    Status.EXCUSED_LATE: frozenset({Status.BOOKED, Status.MISSED}),
    Status.CANCELLED: frozenset(),
}
# Statuses that only make sense once the appointment's day has come.
_ON_THE_DAY = frozenset({Status.ARRIVED, Status.SEEN, Status.MISSED, Status.EXCUSED_LATE})


class DirectiveViolation(ServiceError):
    """The booking breaks the practitioner's directives; ``violations`` says which and why."""

    def __init__(self, violations, *, can_override: bool):
        self.violations = violations
        self.can_override = can_override
        super().__init__(" ".join(violation.message for violation in violations))


def _slot_taken_message() -> str:
    return _("This slot was just taken at another desk: choose another one.")


def _is_slot_conflict(error: IntegrityError) -> bool:
    """Whether the database refused the insert because the slot is taken (either database)."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg)
        return diag.constraint_name in (NO_OVERLAP_CONSTRAINT, SAME_START_CONSTRAINT,
                                        RESOURCE_NO_OVERLAP_CONSTRAINT, RESOURCE_SAME_START_CONSTRAINT)
    text = str(error)  # SQLite names the columns of the unique index
    return ("agenda_appointment.practitioner_id" in text or "agenda_resourcebooking.resource_id" in text) \
        and "start" in text


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


def _check_time_and_scope(*, practitioner, patient, appointment_type, start, site):
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


def _check_free(*, practitioner, start, end, buffer_after: timedelta, excluding=None) -> None:
    """Refuse when another live appointment (with its own buffer) overlaps [start, end + buffer)."""
    others = list(live_conflicts(practitioner.pk, start - LONGEST_BUFFER, end + buffer_after, excluding=excluding)
                  .select_related("appointment_type"))
    buffers = buffers_after(practitioner.pk, {other.appointment_type for other in others})
    for other in others:
        if other.start < end + buffer_after and start < other.end + buffers[other.appointment_type_id]:
            raise ServiceError(_slot_taken_message())
    if Absence.objects.filter(practitioner_id=practitioner.pk, start__lt=end, end__gt=start).exists():
        raise ServiceError(_("The practitioner is absent at that time: choose another slot."))


def _check_directives(*, practitioner, patient, appointment_type, start, acting_user, channel, override_reason,
                      variant, excluding=None) -> tuple[list[str], bool]:
    """(codes overridden, first visit); DirectiveViolation when refused."""
    online = channel == Appointment.Channel.ONLINE
    found, first_visit = booking_violations(
        practitioner=practitioner, patient=patient, appointment_type=appointment_type, start=start,
        now=timezone.now(), tz=structure_time_zone(), online=online, acting_user=acting_user, variant=variant,
        excluding=excluding,
    )
    if not found:
        return [], first_visit
    can_override = bool(not online and acting_user is not None
                        and acting_user.has_capability(Capability.OVERRIDE_DIRECTIVES))
    if not (can_override and override_reason.strip()):
        raise DirectiveViolation(found, can_override=can_override)
    return [violation.code for violation in found], first_visit


def _book_resources(appointment, appointment_type: AppointmentType) -> None:
    """Hold the rooms and equipment the type needs at the appointment's site."""
    needed = list(appointment_type.resources.filter(is_active=True))
    here = [resource for resource in needed if resource.site_id == appointment.site_id]
    if needed and not here:
        raise ServiceError(_("“%(type)s” needs %(resources)s, which this site does not have.") % {
            "type": appointment_type.label, "resources": ", ".join(resource.name for resource in needed)})
    for resource in here:
        taken = ResourceBooking.objects.filter(resource=resource, is_live=True, start__lt=appointment.end,
                                               end__gt=appointment.start).exists()
        if taken:
            raise ServiceError(_("%(resource)s is already booked at that time: choose another slot.")
                               % {"resource": resource.name})
        ResourceBooking.objects.create(appointment=appointment, resource=resource, start=appointment.start,
                                       end=appointment.end)


def _save_checked(save) -> None:
    """Run ``save`` in a savepoint, turning the databases' refusals into the slot-taken message."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError as error:
        if _is_slot_conflict(error):
            raise ServiceError(_slot_taken_message()) from error
        raise


def _video_room(appointment_type, structure_id: int) -> str:
    if appointment_type.mode != AppointmentType.Mode.TELECONSULTATION:
        return ""
    base = AgendaSettings.for_structure(structure_id).video_base_url
    if not base:
        return ""
    # Unguessable room name: the link is the only key to the room on most video services.
    return f"{base.rstrip('/')}/secretariat-{secrets.token_urlsafe(16)}"


def book_in_transaction(*, practitioner, patient, appointment_type, start: datetime, acting_user, site=None,
                        note: str = "", urgent: bool = False, channel: str = Appointment.Channel.DESK,
                        override_reason: str = "", series=None, notify: bool = True) -> Appointment:
    """``book_appointment`` inside the caller's transaction (a series books several at once)."""
    _check_time_and_scope(practitioner=practitioner, patient=patient, appointment_type=appointment_type,
                          start=start, site=site)
    variant = variant_of(appointment_type, practitioner.pk)
    end = start + variant.duration
    slot_site = _site_of_slot(practitioner=practitioner, appointment_type=appointment_type, start=start,
                              end=end, site=site, urgent=urgent)
    if slot_site is None:
        raise ServiceError(_("This slot is outside the practitioner's periods for this appointment type."))
    overridden, first_visit = _check_directives(
        practitioner=practitioner, patient=patient, appointment_type=appointment_type, start=start,
        acting_user=acting_user, channel=channel, override_reason=override_reason, variant=variant,
    )
    # SQLite: the IMMEDIATE transaction holds the write lock, so nobody books between this
    # check and the insert. PostgreSQL: the exclusion constraint decides (below).
    _check_free(practitioner=practitioner, start=start, end=end, buffer_after=variant.buffer_after)
    appointment = Appointment(
        structure_id=practitioner.structure_id, practitioner=practitioner, site=slot_site, patient=patient,
        appointment_type=appointment_type, start=start, end=end, booked_by=acting_user, note=note,
        urgent=urgent, channel=channel, is_first_visit=first_visit, series=series,
        overridden_directives=overridden, override_reason=override_reason.strip() if overridden else "",
        video_room_url=_video_room(appointment_type, practitioner.structure_id),
    )
    _save_checked(appointment.save)
    _save_checked(lambda: _book_resources(appointment, appointment_type))
    audit.record("agenda.appointment_booked", target=appointment, patient_id=patient.pk,
                 structure_id=appointment.structure_id, acting_user=acting_user,
                 data={"practitioner_id": practitioner.pk, "start": start.isoformat(),
                       "appointment_type": appointment_type.code, "channel": channel})
    if overridden:
        audit.record("agenda.directives_overridden", target=appointment, patient_id=patient.pk,
                     structure_id=appointment.structure_id, acting_user=acting_user,
                     data={"directives": overridden, "reason": appointment.override_reason})
    if notify:
        notifications.queue_appointment_messages(appointment, AppointmentMessage.Kind.CONFIRMATION)
    return appointment


@transaction.atomic(durable=True)
def book_appointment(*, practitioner, patient, appointment_type, start: datetime, acting_user, site=None,
                     note: str = "", urgent: bool = False, channel: str = Appointment.Channel.DESK,
                     override_reason: str = "", series=None) -> Appointment:
    """Book ``appointment_type`` with ``practitioner`` for ``patient`` at ``start``.

    The slot must lie inside one of the practitioner's open periods for the type (weekly
    periods, exceptions, the site's public holidays; periods reserved for urgent requests only
    when ``urgent``), be free with the type's buffer, and respect the practitioner's
    directives (or be overridden with a reason by an allowed role). ``site`` defaults to the
    site of the period holding the slot. The patient's confirmation is queued on commit.
    """
    return book_in_transaction(
        practitioner=practitioner, patient=patient, appointment_type=appointment_type, start=start,
        acting_user=acting_user, site=site, note=note, urgent=urgent, channel=channel,
        override_reason=override_reason, series=series,
    )


def move_in_transaction(appointment, *, start: datetime, acting_user, practitioner=None,
                        override_reason: str = "", notify: bool = True) -> Appointment:
    """``move_appointment`` inside the caller's transaction (a series moves as a whole)."""
    appointment = Appointment.objects.select_for_update().select_related(
        "practitioner", "patient", "appointment_type").get(pk=appointment.pk)
    if appointment.status != Status.BOOKED:
        raise ServiceError(_("Only a booked appointment can be moved (this one is “%(status)s”).")
                           % {"status": appointment.get_status_display()})
    practitioner = practitioner or appointment.practitioner
    appointment_type = appointment.appointment_type
    _check_time_and_scope(practitioner=practitioner, patient=appointment.patient,
                          appointment_type=appointment_type, start=start, site=None)
    variant = variant_of(appointment_type, practitioner.pk)
    end = start + variant.duration
    slot_site = _site_of_slot(practitioner=practitioner, appointment_type=appointment_type, start=start,
                              end=end, site=None, urgent=appointment.urgent)
    if slot_site is None:
        raise ServiceError(_("This slot is outside the practitioner's periods for this appointment type."))
    overridden, first_visit = _check_directives(
        practitioner=practitioner, patient=appointment.patient, appointment_type=appointment_type, start=start,
        acting_user=acting_user, channel=Appointment.Channel.DESK, override_reason=override_reason,
        variant=variant, excluding=appointment.pk,
    )
    _check_free(practitioner=practitioner, start=start, end=end, buffer_after=variant.buffer_after,
                excluding=appointment.pk)
    before = {"start": appointment.start.isoformat(), "practitioner_id": appointment.practitioner_id}
    appointment.start, appointment.end = start, end
    appointment.practitioner, appointment.site = practitioner, slot_site
    appointment.is_first_visit = first_visit
    appointment.confirmed_by_patient_at = None  # the patient confirms the new time again
    if overridden:
        appointment.overridden_directives = sorted(set(appointment.overridden_directives) | set(overridden))
        appointment.override_reason = override_reason.strip()
    appointment.resource_bookings.filter(is_live=True).update(is_live=False)
    _save_checked(appointment.save)
    _save_checked(lambda: _book_resources(appointment, appointment_type))
    audit.record("agenda.appointment_moved", target=appointment, patient_id=appointment.patient_id,
                 structure_id=appointment.structure_id, acting_user=acting_user,
                 data={"before": before, "start": start.isoformat(), "practitioner_id": practitioner.pk,
                       "overridden": overridden})
    if notify:
        notifications.queue_appointment_messages(appointment, AppointmentMessage.Kind.CHANGE)
    return appointment


@transaction.atomic(durable=True)
def move_appointment(appointment, *, start: datetime, acting_user, practitioner=None,
                     override_reason: str = "") -> Appointment:
    """Move a booked appointment to ``start`` (and another practitioner if given), under the same
    rules as a booking; its resources move with it and the patient is told."""
    return move_in_transaction(appointment, start=start, acting_user=acting_user, practitioner=practitioner,
                               override_reason=override_reason)


def cancel_in_transaction(appointment, *, reason: str, by_patient: bool, acting_user,
                          notify: bool = True) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status == Status.CANCELLED:
        raise ServiceError(_("This appointment is already cancelled."))
    if appointment.status in (Status.SEEN, Status.ARRIVED):
        raise ServiceError(_("The patient has already come: this appointment cannot be cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for the cancellation."))
    appointment.status = Status.CANCELLED
    appointment.status_changed_at = timezone.now()
    appointment.cancellation_reason = reason
    appointment.cancelled_by_patient = by_patient
    appointment.cancelled_by = acting_user
    appointment.cancelled_at = appointment.status_changed_at
    appointment.save(update_fields=["status", "status_changed_at", "cancellation_reason", "cancelled_by_patient",
                                    "cancelled_by", "cancelled_at"])
    appointment.resource_bookings.filter(is_live=True).update(is_live=False)
    audit.record("agenda.appointment_cancelled", target=appointment, patient_id=appointment.patient_id,
                 structure_id=appointment.structure_id, acting_user=acting_user,
                 data={"by_patient": by_patient})  # the reason is free text: not copied
    if notify and appointment.start > timezone.now():
        notifications.queue_appointment_messages(appointment, AppointmentMessage.Kind.CANCELLATION)
    return appointment


@transaction.atomic(durable=True)
def cancel_appointment(appointment, *, reason: str, by_patient: bool, acting_user) -> Appointment:
    """Cancel an appointment with the reason given; the slot and its resources are free at once."""
    return cancel_in_transaction(appointment, reason=reason, by_patient=by_patient, acting_user=acting_user)


@transaction.atomic(durable=True)
def set_status(appointment, status: str, *, acting_user) -> Appointment:
    """Mark an appointment arrived, seen, missed or excused late (or undo a mistaken mark)."""
    return set_status_in_transaction(appointment, status, acting_user=acting_user)


def set_status_in_transaction(appointment, status: str, *, acting_user) -> Appointment:
    """The core of ``set_status``, for services (the desk's check-in) that change more in one transaction."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if status not in TRANSITIONS.get(appointment.status, ()):
        raise ServiceError(_("An appointment “%(current)s” cannot become “%(new)s”.") % {
            "current": appointment.get_status_display(), "new": Status(status).label if status in Status.values
            else status})
    today = timezone.localdate()
    if status in _ON_THE_DAY and timezone.localtime(appointment.start).date() > today:
        raise ServiceError(_("This appointment is on a later day: it can be marked on the day itself."))
    previous = appointment.status
    appointment.status = status
    appointment.status_changed_at = timezone.now()
    appointment.save(update_fields=["status", "status_changed_at"])
    audit.record("agenda.appointment_status", target=appointment, patient_id=appointment.patient_id,
                 structure_id=appointment.structure_id, acting_user=acting_user,
                 data={"from": previous, "to": status})
    return appointment
