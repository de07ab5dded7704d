"""Agenda ↔ FHIR R4 Practitioner, Schedule, Slot and Appointment (resources as dicts; the
response writer validates them with the R4B models).

Identifiers (FR Core, read in the Interop-Sante/hl7.fhir.fr.core sources, profile
``FRCorePractitionerProfile.fsh``): the RPPS number is the slice ``rpps``, system
``https://rpps.esante.gouv.fr``, type ``fr-core-cs-v2-0203#RPPS``. FR Core's other slice,
``idNatPs`` (urn:oid:1.2.250.1.71.4.2.1), "must be neither built nor interpreted": it is read
from the national directory or the CPS card, so we do not derive it from the RPPS and send
only the ``rpps`` slice.

Ids are stable and carry what a booking needs, so a client books from a search result alone:

- Schedule ``<practitioner>-<site>`` (one per practitioner and site where they consult);
- Slot ``<practitioner>-<site>-<appointment type>-<start as YYYYMMDDhhmm in UTC>``;
- Practitioner and Appointment: the record number.

Appointment types (motifs) travel as ``serviceType`` codings in this installation's code
system (``type_system``), the type's code as code and its label as display.

Statuses (ours → FHIR Appointment.status, http://hl7.org/fhir/R4/valueset-appointmentstatus.html):
booked → booked, arrived → arrived, seen → fulfilled, missed → noshow, cancelled →
cancelled, and excused_late → noshow: the patient did not come and the slot stayed theirs
(the appointment was not cancelled, so the time was not offered again), which is what
"noshow" says; "cancelled" would tell a client the slot had been freed. The
``status-detail`` extension keeps our own status, so a client can tell an excused absence
from a plain one.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from secretariat.agenda.models import Appointment, AppointmentType
from secretariat.interop.fhir.errors import invalid

FR_CORE = "https://hl7.fr/ig/fhir/core"
RPPS_SYSTEM = "https://rpps.esante.gouv.fr"
FR_CORE_IDENTIFIER_TYPES = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0203"
# v2-0276 appointment reason codes: only EMERGENCY is used, for urgent requests.
APPOINTMENT_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0276"
CANCELLATION_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"

Status = Appointment.Status
FHIR_STATUSES = {
    Status.BOOKED: "booked",
    Status.ARRIVED: "arrived",
    Status.SEEN: "fulfilled",
    Status.MISSED: "noshow",
    Status.EXCUSED_LATE: "noshow",  # see the module's docstring
    Status.CANCELLED: "cancelled",
}
# Every code of the R4 value set; those we never hold simply match nothing.
ALL_FHIR_STATUSES = ("proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
                     "entered-in-error", "checked-in", "waitlist")
OUR_STATUSES = {code: [ours for ours, theirs in FHIR_STATUSES.items() if theirs == code]
                for code in ALL_FHIR_STATUSES}

_SCHEDULE_ID = re.compile(r"(?P<practitioner>\d{1,18})-(?P<site>\d{1,18})")
_SLOT_ID = re.compile(r"(?P<practitioner>\d{1,18})-(?P<site>\d{1,18})-(?P<type>\d{1,18})-(?P<start>\d{12})")


def type_system(base_url: str) -> str:
    """Code system of this installation's appointment types (e.g. https://host/fhir/CodeSystem/appointment-type)."""
    return f"{base_url}CodeSystem/appointment-type"


def status_detail_url(base_url: str) -> str:
    return f"{base_url}StructureDefinition/appointment-status-detail"


# --- ids -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleKey:
    practitioner_id: int
    site_id: int

    @property
    def id(self) -> str:
        return f"{self.practitioner_id}-{self.site_id}"


@dataclass(frozen=True)
class SlotKey:
    practitioner_id: int
    site_id: int
    type_id: int
    start: datetime  # aware, UTC

    @property
    def schedule(self) -> ScheduleKey:
        return ScheduleKey(self.practitioner_id, self.site_id)

    @property
    def id(self) -> str:
        return f"{self.practitioner_id}-{self.site_id}-{self.type_id}-{self.start.astimezone(UTC):%Y%m%d%H%M}"


def parse_schedule_id(value: str) -> ScheduleKey | None:
    match = _SCHEDULE_ID.fullmatch(value)
    return ScheduleKey(int(match["practitioner"]), int(match["site"])) if match else None


def parse_slot_id(value: str) -> SlotKey | None:
    match = _SLOT_ID.fullmatch(value)
    if match is None:
        return None
    try:
        start = datetime.strptime(match["start"], "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None  # 13th month, 30 February…
    return SlotKey(int(match["practitioner"]), int(match["site"]), int(match["type"]), start)


def reference_id(value: str | None, resource_type: str, *, base_url: str) -> str | None:
    """The id in ``Type/id`` or ``<base>Type/id``, or None when it is another kind of reference."""
    if not value:
        return None
    value = value.removeprefix(base_url)
    kind, _slash, found = value.partition("/")
    if kind != resource_type or not found or "/" in found:
        return None
    return found


# --- out -------------------------------------------------------------------------------------


def practitioner_resource(practitioner) -> dict:
    name = {"use": "official", "family": practitioner.last_name}
    if practitioner.first_name:
        name["given"] = [practitioner.first_name]
    if practitioner.title:
        name["prefix"] = [practitioner.title]
    resource = {
        "resourceType": "Practitioner",
        "id": str(practitioner.pk),
        "identifier": [{
            "use": "official",
            "type": {"coding": [{"system": FR_CORE_IDENTIFIER_TYPES, "code": "RPPS"}]},
            "system": RPPS_SYSTEM,
            "value": practitioner.rpps,
        }],
        "active": practitioner.is_active,
        "name": [name],
    }
    if practitioner.mssante_address:
        resource["telecom"] = [{"system": "email", "value": practitioner.mssante_address}]
    if practitioner.specialty:
        resource["qualification"] = [{"code": {"text": practitioner.specialty}}]
    return resource


def practitioner_reference(practitioner) -> dict:
    return {"reference": f"Practitioner/{practitioner.pk}", "display": practitioner.display_name}


def service_type(appointment_type: AppointmentType, *, base_url: str) -> dict:
    return {"coding": [{"system": type_system(base_url), "code": appointment_type.code,
                        "display": appointment_type.label}]}


def schedule_resource(practitioner, site, types: list[AppointmentType], *, base_url: str) -> dict:
    key = ScheduleKey(practitioner.pk, site.pk)
    resource = {
        "resourceType": "Schedule",
        "id": key.id,
        "active": True,
        # No Location resource is served: the site is named by display only.
        "actor": [practitioner_reference(practitioner), {"display": _site_text(site)}],
    }
    if types:
        resource["serviceType"] = [service_type(item, base_url=base_url) for item in types]
    return resource


def slot_resource(key: SlotKey, appointment_type: AppointmentType, end: datetime, *, base_url: str) -> dict:
    return {
        "resourceType": "Slot",
        "id": key.id,
        "schedule": {"reference": f"Schedule/{key.schedule.id}"},
        "serviceType": [service_type(appointment_type, base_url=base_url)],
        "status": "free",
        "start": key.start.isoformat(),
        "end": end.astimezone(UTC).isoformat(),
    }


def appointment_resource(appointment: Appointment, *, base_url: str) -> dict:
    """Reads the appointment's patient, practitioner, site and type (select them related)."""
    patient = appointment.patient
    resource = {
        "resourceType": "Appointment",
        "id": str(appointment.pk),
        "extension": [{"url": status_detail_url(base_url), "valueCode": appointment.status}],
        "status": FHIR_STATUSES[appointment.status],
        "serviceType": [service_type(appointment.appointment_type, base_url=base_url)],
        "start": appointment.start.isoformat(),
        "end": appointment.end.isoformat(),
        "minutesDuration": int((appointment.end - appointment.start).total_seconds() // 60),
        "created": appointment.booked_at.isoformat(),
        "participant": [
            {"actor": {"reference": f"Patient/{patient.pk}", "display": patient.display_name},
             "required": "required", "status": "accepted"},
            {"actor": practitioner_reference(appointment.practitioner),
             "required": "required", "status": "accepted"},
            {"actor": {"display": _site_text(appointment.site)}, "required": "information-only",
             "status": "accepted"},
        ],
    }
    if appointment.urgent:
        resource["appointmentType"] = {"coding": [{"system": APPOINTMENT_REASON_SYSTEM, "code": "EMERGENCY"}]}
    if appointment.note:
        resource["comment"] = appointment.note
    if appointment.status == Status.CANCELLED:
        reason = {"text": appointment.cancellation_reason} if appointment.cancellation_reason else {}
        if appointment.cancelled_by_patient is not None:
            reason["coding"] = [{"system": CANCELLATION_REASON_SYSTEM,
                                 "code": "pat" if appointment.cancelled_by_patient else "prov"}]
        if reason:
            resource["cancelationReason"] = reason
    return resource


def _site_text(site) -> str:
    return ", ".join(part for part in (site.name, site.address, f"{site.postal_code} {site.city}".strip()) if part)


# --- in --------------------------------------------------------------------------------------


def type_code_of(concepts, *, base_url: str, expression: str) -> str | None:
    """The appointment type code in a list of CodeableConcepts (ours, or without a system)."""
    for concept in concepts or []:
        for coding in concept.coding or []:
            if coding.code and coding.system in (None, type_system(base_url)):
                return coding.code
    if concepts:
        raise invalid(_("Give the appointment type as a serviceType coding of the system %(system)s "
                        "(see the Schedule's serviceType).") % {"system": type_system(base_url)},
                      expression=expression)
    return None


def cancellation_of(resource) -> tuple[str, bool]:
    """(reason, by the patient) from Appointment.cancelationReason; codes "pat…" mean the patient."""
    concept = resource.cancelationReason
    if concept is None:
        return "", False
    codings = [coding for coding in concept.coding or [] if coding.system == CANCELLATION_REASON_SYSTEM]
    by_patient = any((coding.code or "").startswith("pat") for coding in codings)
    text = (concept.text or next((coding.display for coding in concept.coding or [] if coding.display), "")
            or "").strip()
    return text, by_patient
