"""FHIR R4 Practitioner, Schedule, Slot and Appointment: thin views over the agenda.

Same protocol as the Patient API (``protocol.fhir_endpoint``: token or session, JSON only,
OperationOutcome refusals). Capabilities: VIEW_DIRECTORY for practitioners, VIEW_AGENDA for
schedules, slots and appointments, BOOK_APPOINTMENTS to book or cancel. Scope: the caller's
practitioners and patients (``agenda_search``); anything else answers 404, like a missing id.

Bookings go through ``agenda.services.book_appointment`` (channel API): the same rules as at
the desk, the same "one slot, one winner" guarantee. A slot taken meanwhile answers 409, a
refusal by the practitioner's directives 422 listing each of them, any other refusal 422.
"""

from http import HTTPStatus
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.agenda import services
from secretariat.agenda.directives import live_conflicts, variant_of
from secretariat.agenda.models import Appointment
from secretariat.core import audit
from secretariat.core.access import practitioners_for
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.interop.fhir import agenda_mapping as mapping
from secretariat.interop.fhir import agenda_search as search
from secretariat.interop.fhir.agenda_booking import (
    appointment_model,
    booking_request,
    change_request,
    read_patch,
)
from secretariat.interop.fhir.errors import FhirError, invalid, issue, operation_outcome
from secretariat.interop.fhir.patch import apply_patch
from secretariat.interop.fhir.protocol import (
    base_url,
    fhir_endpoint,
    fhir_response,
    header_text,
    not_found,
    read_resource,
    require_capability,
)

OVERRIDE_REASON_HEADER = "X-Secretariat-Override-Reason"
MAX_REASON_LENGTH = 300  # Appointment.override_reason and cancellation_reason


class Refusal(FhirError):
    """A refusal with several issues (one per directive broken)."""

    def __init__(self, status: int, issues: list[dict]):
        super().__init__(status, issues[0]["code"], issues[0]["diagnostics"])
        self.issues = issues

    def outcome(self) -> dict:
        return operation_outcome(self.issues)


def _lenient(request) -> bool:
    return "handling=lenient" in request.headers.get("Prefer", "").replace(" ", "")


def _pk(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise not_found()
    return int(value)


# --- Practitioner ----------------------------------------------------------------------------


@fhir_endpoint("GET")
def practitioner_type(request):
    require_capability(request.user, Capability.VIEW_DIRECTORY)
    found = search.search_practitioners(request.user, request.GET, lenient=_lenient(request))
    return _bundle(request, found, "Practitioner", mapping.practitioner_resource)


@fhir_endpoint("GET")
def practitioner_instance(request, pk: str):
    require_capability(request.user, Capability.VIEW_DIRECTORY)
    practitioner = practitioners_for(request.user).filter(pk=_pk(pk)).first()
    if practitioner is None:
        raise not_found()
    return fhir_response(mapping.practitioner_resource(practitioner))


# --- Schedule and Slot -----------------------------------------------------------------------


@fhir_endpoint("GET")
def schedule_type(request):
    require_capability(request.user, Capability.VIEW_AGENDA)
    base = base_url(request)
    found = search.search_schedules(request.user, request.GET, base_url=base, lenient=_lenient(request))
    return _bundle(request, found, "Schedule", lambda entry: mapping.schedule_resource(
        entry.practitioner, entry.site, entry.types, base_url=base), id_of=lambda entry: entry.key.id)


@fhir_endpoint("GET")
def schedule_instance(request, pk: str):
    require_capability(request.user, Capability.VIEW_AGENDA)
    key = mapping.parse_schedule_id(pk)
    found = search.schedules_for(request.user, key=key) if key else []
    if not found:
        raise not_found()
    entry = found[0]
    return fhir_response(mapping.schedule_resource(entry.practitioner, entry.site, entry.types,
                                                   base_url=base_url(request)))


@fhir_endpoint("GET")
def slot_type(request):
    require_capability(request.user, Capability.VIEW_AGENDA)
    base = base_url(request)
    found = search.search_slots(request.user, request.GET, base_url=base, lenient=_lenient(request))
    return _bundle(request, found, "Slot", lambda slot: mapping.slot_resource(
        slot.key, slot.appointment_type, slot.end, base_url=base), id_of=lambda slot: slot.key.id)


@fhir_endpoint("GET")
def slot_instance(request, pk: str):
    """A slot is served while it is free; once booked (or past) it answers 404."""
    require_capability(request.user, Capability.VIEW_AGENDA)
    key = mapping.parse_slot_id(pk)
    slot = search.find_slot(request.user, key) if key else None
    if slot is None:
        raise not_found()
    return fhir_response(mapping.slot_resource(slot.key, slot.appointment_type, slot.end,
                                               base_url=base_url(request)))


# --- Appointment -----------------------------------------------------------------------------


@fhir_endpoint("GET", "POST")
def appointment_type(request):
    if request.method == "POST":
        return _book(request)
    require_capability(request.user, Capability.VIEW_AGENDA)
    base = base_url(request)
    found = search.search_appointments(request.user, request.GET, base_url=base, lenient=_lenient(request))
    return _bundle(request, found, "Appointment",
                   lambda appointment: mapping.appointment_resource(appointment, base_url=base),
                   audited=True)


@fhir_endpoint("GET", "PUT", "PATCH")
def appointment_instance(request, pk: str):
    user = request.user
    require_capability(user, Capability.BOOK_APPOINTMENTS if request.method != "GET" else Capability.VIEW_AGENDA)
    appointment = search.appointments_for(user).filter(pk=_pk(pk)).first()
    if appointment is None:
        raise not_found()
    base = base_url(request)
    if request.method == "GET":
        _record_reads(user, [appointment])
        return fhir_response(mapping.appointment_resource(appointment, base_url=base))
    if request.method == "PUT":
        resource = read_resource(request, "Appointment")
    else:
        resource = _patched(request, mapping.appointment_resource(appointment, base_url=base))
    if resource.id != str(appointment.pk):
        raise invalid(_("The resource's id must be the one in the URL (%(pk)s).") % {"pk": appointment.pk},
                      expression="Appointment.id")
    change = change_request(appointment, resource, base_url=base)
    try:
        if change.status == Appointment.Status.CANCELLED:
            services.cancel_appointment(appointment, reason=change.reason, by_patient=change.by_patient,
                                        acting_user=user)
        elif change.status is not None:
            services.set_status(appointment, change.status, acting_user=user)
    except ServiceError as error:
        raise FhirError(HTTPStatus.UNPROCESSABLE_ENTITY, "business-rule", str(error)) from None
    appointment = search.appointments_for(user).get(pk=appointment.pk)
    return fhir_response(mapping.appointment_resource(appointment, base_url=base))


def _patched(request, current: dict):
    return appointment_model(apply_patch(current, read_patch(request)))


def _book(request):
    user = request.user
    require_capability(user, Capability.BOOK_APPOINTMENTS)
    base = base_url(request)
    wanted = booking_request(user, read_resource(request, "Appointment"), base_url=base)
    override_reason = header_text(request, OVERRIDE_REASON_HEADER)
    if len(override_reason) > MAX_REASON_LENGTH:
        raise invalid(_("Shorten the reason (header %(header)s) to %(maximum)d characters.")
                      % {"header": OVERRIDE_REASON_HEADER, "maximum": MAX_REASON_LENGTH})
    try:
        appointment = services.book_appointment(
            practitioner=wanted.practitioner, patient=wanted.patient, appointment_type=wanted.appointment_type,
            start=wanted.start, site=wanted.site, note=wanted.note, urgent=wanted.urgent,
            channel=Appointment.Channel.API, override_reason=override_reason, acting_user=user,
        )
    except services.DirectiveViolation as refusal:
        raise _directive_refusal(refusal, base_url=base) from None
    except ServiceError as error:
        if _slot_taken(wanted):
            raise FhirError(HTTPStatus.CONFLICT, "conflict", str(error)) from None
        raise FhirError(HTTPStatus.UNPROCESSABLE_ENTITY, "business-rule", str(error)) from None
    # The booking holds the patient, practitioner, site and type already: no second read.
    return fhir_response(mapping.appointment_resource(appointment, base_url=base), status=HTTPStatus.CREATED,
                         headers={"Location": f"{base}Appointment/{appointment.pk}"})


def _slot_taken(wanted) -> bool:
    """Whether a live appointment now holds the time asked for: the refusal was a lost race."""
    if wanted.start < timezone.now():
        return False
    end = wanted.start + variant_of(wanted.appointment_type, wanted.practitioner.pk).duration
    return live_conflicts(wanted.practitioner.pk, wanted.start, end).exists()


def _directive_refusal(refusal, *, base_url: str) -> Refusal:
    issues = []
    for violation in refusal.violations:
        found = issue("business-rule", violation.message)
        found["details"] = {"coding": [{"system": f"{base_url}CodeSystem/directive", "code": violation.code}]}
        issues.append(found)
    if refusal.can_override:
        issues.append(issue("business-rule", _(
            "Your role may book anyway: give the reason in the %(header)s header."
        ) % {"header": OVERRIDE_REASON_HEADER}, severity="information"))
    return Refusal(HTTPStatus.UNPROCESSABLE_ENTITY, issues)


# --- Bundles ---------------------------------------------------------------------------------


def _bundle(request, found, resource_type: str, build, *, id_of=None, audited: bool = False):
    """A searchset page (``_count``, ``_offset``) with self, next and previous links."""
    page = search.page_of(request.GET)
    if isinstance(found, list):
        total, rows = len(found), found[page.offset:page.offset + page.count]
    else:
        total = found.count()
        rows = list(found[page.offset:page.offset + page.count]) if page.count else []
    if audited:
        _record_reads(request.user, rows)
    base = base_url(request)
    bundle = {"resourceType": "Bundle", "type": "searchset", "total": total,
              "link": [{"relation": "self", "url": request.build_absolute_uri()}]}
    if page.count and page.offset + page.count < total:
        bundle["link"].append({"relation": "next", "url": _page_url(request, page.offset + page.count)})
    if page.count and page.offset:
        bundle["link"].append({"relation": "previous", "url": _page_url(request,
                                                                        max(page.offset - page.count, 0))})
    entries = []
    for row in rows:
        identifier = id_of(row) if id_of else row.pk
        entries.append({"fullUrl": f"{base}{resource_type}/{identifier}", "resource": build(row),
                        "search": {"mode": "match"}})
    if entries:
        bundle["entry"] = entries
    return fhir_response(bundle)


def _page_url(request, offset: int) -> str:
    query = request.GET.copy()
    query["_offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.lists()), doseq=True)}")


def _record_reads(user, appointments) -> None:
    """One audit row per appointment returned: each shows a patient's name and care."""
    with transaction.atomic():
        for appointment in appointments:
            audit.record("agenda.appointment_read_through_api", target=appointment,
                         patient_id=appointment.patient_id, structure_id=appointment.structure_id,
                         acting_user=user)
