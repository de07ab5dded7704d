"""What an incoming Appointment asks for: a booking (create) or a status change (update, patch).

A booking names its time either by a Slot (``slot[0]``, the id of a Slot search result, which
carries schedule, type and start) or by ``start`` + the Practitioner participant + the type in
``serviceType``. The Patient participant is always required. ``end`` and ``minutesDuration``
may be left out; when given they must agree with the type's duration with this practitioner.
Everything named must be within the caller's scope: an unknown or foreign reference answers
422 with the same text either way.

An update may only change the status (and give the cancellation reason): moving or changing
the people of an appointment is done at the desk.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from pydantic import ValidationError

from secretariat.agenda.directives import variant_of
from secretariat.agenda.models import Appointment, AppointmentType
from secretariat.core.access import practitioners_for
from secretariat.interop.fhir import agenda_mapping as mapping
from secretariat.interop.fhir.agenda_search import schedules_for
from secretariat.interop.fhir.errors import FhirError, invalid
from secretariat.interop.fhir.protocol import MAX_BODY_BYTES
from secretariat.patients.permissions import patients_for

MAX_NOTE_LENGTH = 2000
Status = Appointment.Status
# Status changes an update may ask for (FHIR → ours); "noshow" is a plain missed appointment.
REQUESTED_STATUSES = {"booked": Status.BOOKED, "arrived": Status.ARRIVED, "fulfilled": Status.SEEN,
                      "noshow": Status.MISSED, "cancelled": Status.CANCELLED}


@dataclass(frozen=True)
class BookingRequest:
    practitioner: object
    patient: object
    appointment_type: AppointmentType
    start: datetime
    site: object | None
    urgent: bool
    note: str


def _unknown(text: str, expression: str) -> FhirError:
    return FhirError(HTTPStatus.UNPROCESSABLE_ENTITY, "not-found", text, expression=expression)


def booking_request(user, resource, *, base_url: str) -> BookingRequest:
    if resource.status != "booked":
        raise invalid(_("Create an appointment with the status “booked”."), expression="Appointment.status")
    patient_ids, practitioner_ids = _participants(resource, base_url=base_url)
    type_code = mapping.type_code_of(resource.serviceType, base_url=base_url, expression="Appointment.serviceType")
    start = _aware(resource.start)
    site = None
    slot = _slot_key(resource, base_url=base_url)
    if slot is not None:
        schedules = schedules_for(user, key=slot.schedule)
        types = {item.pk: item for item in schedules[0].types} if schedules else {}
        if slot.type_id not in types:
            raise _unknown(_("This slot is not one of the schedules you may book (search Slot again)."),
                           "Appointment.slot[0]")
        appointment_type, site = types[slot.type_id], schedules[0].site
        practitioner = schedules[0].practitioner
        if practitioner_ids and practitioner_ids != [practitioner.pk]:
            raise invalid(_("The Practitioner participant is not the one of the slot."),
                          expression="Appointment.participant")
        if type_code and type_code != appointment_type.code:
            raise invalid(_("The serviceType is not the one of the slot."), expression="Appointment.serviceType")
        if start is not None and start != slot.start:
            raise invalid(_("The start is not the one of the slot."), expression="Appointment.start")
        start = slot.start
    else:
        if start is None:
            raise invalid(_("Give the slot (slot[0], from a Slot search) or the start of the appointment."),
                          expression="Appointment.start")
        if len(practitioner_ids) != 1:
            raise invalid(_("Give one Practitioner participant (or a slot)."), expression="Appointment.participant")
        practitioner = practitioners_for(user).filter(pk=practitioner_ids[0]).first()
        if practitioner is None:
            raise _unknown(_("No practitioner Practitioner/%(pk)s among those you may book for.")
                           % {"pk": practitioner_ids[0]}, "Appointment.participant")
        if not type_code:
            raise invalid(_("Give the appointment type in serviceType (or a slot)."),
                          expression="Appointment.serviceType")
        appointment_type = AppointmentType.objects.filter(structure_id=practitioner.structure_id,
                                                          code=type_code).first()
        if appointment_type is None:
            raise _unknown(_("No appointment type “%(code)s” (see the Schedule's serviceType).")
                           % {"code": type_code}, "Appointment.serviceType")
    if len(patient_ids) != 1:
        raise invalid(_("Give one Patient participant (Patient/<id>)."), expression="Appointment.participant")
    patient = patients_for(user).filter(pk=patient_ids[0]).first()
    if patient is None:
        raise _unknown(_("No patient Patient/%(pk)s among those you may book for.") % {"pk": patient_ids[0]},
                       "Appointment.participant")
    _check_duration(resource, start, variant_of(appointment_type, practitioner.pk).duration)
    note = (resource.comment or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise invalid(_("Shorten the comment to %(maximum)d characters.") % {"maximum": MAX_NOTE_LENGTH},
                      expression="Appointment.comment")
    urgent = any(coding.system == mapping.APPOINTMENT_REASON_SYSTEM and coding.code == "EMERGENCY"
                 for coding in (resource.appointmentType.coding or [] if resource.appointmentType else []))
    return BookingRequest(practitioner, patient, appointment_type, start, site, urgent, note)


def _aware(value) -> datetime | None:
    # The R4 instant type has a time zone by definition (fhir.resources refuses one without).
    return value.astimezone(UTC) if isinstance(value, datetime) else None


def _slot_key(resource, *, base_url: str) -> mapping.SlotKey | None:
    slots = resource.slot or []
    if not slots:
        return None
    if len(slots) > 1:
        raise invalid(_("Book one slot per appointment."), expression="Appointment.slot")
    slot_id = mapping.reference_id(slots[0].reference, "Slot", base_url=base_url)
    key = mapping.parse_slot_id(slot_id or "")
    if key is None:
        raise invalid(_("The slot reference must be Slot/<id> with the id of a Slot search result."),
                      expression="Appointment.slot[0]")
    return key


def _participants(resource, *, base_url: str) -> tuple[list[int], list[int]]:
    patients, practitioners = [], []
    for index, participant in enumerate(resource.participant or []):
        reference = participant.actor.reference if participant.actor else None
        if not reference:
            continue  # a display only (the site…): nothing to book
        for kind, found in (("Patient", patients), ("Practitioner", practitioners)):
            pk = mapping.reference_id(reference, kind, base_url=base_url)
            if pk is None:
                continue
            if not pk.isdigit() or len(pk) > 18:
                raise invalid(_("%(reference)s is not a reference this server issues.") % {"reference": reference},
                              expression=f"Appointment.participant[{index}].actor")
            found.append(int(pk))
    return patients, practitioners


def _check_duration(resource, start: datetime, duration: timedelta) -> None:
    minutes = int(duration.total_seconds() // 60)
    end = _aware(resource.end)
    if end is not None and end != start + duration:
        raise invalid(_("The end must be %(minutes)d minutes after the start (the length of this appointment "
                        "type with this practitioner), or be left out.") % {"minutes": minutes},
                      expression="Appointment.end")
    if resource.minutesDuration is not None and resource.minutesDuration != minutes:
        raise invalid(_("minutesDuration must be %(minutes)d for this appointment type with this practitioner, "
                      "or be left out.") % {"minutes": minutes}, expression="Appointment.minutesDuration")


# --- changes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRequest:
    status: str | None  # ours, None when unchanged
    reason: str = ""
    by_patient: bool = False


def change_request(appointment: Appointment, resource, *, base_url: str) -> ChangeRequest:
    current = mapping.appointment_resource(appointment, base_url=base_url)
    # Left out means unchanged; a different value would be a move, which is not done here.
    start, end = _aware(resource.start), _aware(resource.end)
    if (start is not None and start != appointment.start) or (end is not None and end != appointment.end):
        raise FhirError(HTTPStatus.UNPROCESSABLE_ENTITY, "not-supported", _(
            "Only the status of an appointment can change through the API: to move it, cancel it and book "
            "the new slot."), expression="Appointment.start")
    patients, practitioners = _participants(resource, base_url=base_url)
    if set(patients) - {appointment.patient_id} or set(practitioners) - {appointment.practitioner_id}:
        raise FhirError(HTTPStatus.UNPROCESSABLE_ENTITY, "not-supported", _(
            "The patient and the practitioner of an appointment cannot change: cancel it and book again."),
            expression="Appointment.participant")
    if resource.status == current["status"]:
        return ChangeRequest(None)
    wanted = REQUESTED_STATUSES.get(resource.status)
    if wanted is None:
        raise FhirError(HTTPStatus.UNPROCESSABLE_ENTITY, "not-supported", _(
            "An appointment can become booked, arrived, fulfilled, noshow or cancelled."),
            expression="Appointment.status")
    if wanted != Status.CANCELLED:
        return ChangeRequest(wanted)
    reason, by_patient = mapping.cancellation_of(resource)
    if not reason:
        raise invalid(_("Give the reason for the cancellation in cancelationReason.text."),
                      expression="Appointment.cancelationReason")
    if len(reason) > 300:
        raise invalid(_("Shorten the cancellation reason to %(maximum)d characters.") % {"maximum": 300},
                      expression="Appointment.cancelationReason")
    return ChangeRequest(Status.CANCELLED, reason, by_patient)


# --- bodies of PATCH -------------------------------------------------------------------------


def read_patch(request) -> list:
    """The JSON Patch document of a PATCH request (a JSON array)."""
    if request.content_type != "application/json-patch+json":
        raise FhirError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "not-supported",
                        _("Send the patch as JSON Patch (Content-Type: application/json-patch+json)."))
    try:
        body = request.body
    except RequestDataTooBig:
        body = b"x" * (MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise FhirError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too-costly", _("The body is larger than %(size)d MB.")
                        % {"size": MAX_BODY_BYTES // (1024 * 1024)})
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise invalid(_("The body is not valid JSON.")) from None


def appointment_model(data: dict):
    """A patched Appointment, validated as R4 (400 otherwise)."""
    try:
        return FhirAppointment.model_validate(data)
    except (ValidationError, KeyError, TypeError, ValueError) as error:
        raise invalid(_("The patched Appointment is not valid FHIR R4: %(errors)s")
                      % {"errors": str(error).splitlines()[0]}) from None
