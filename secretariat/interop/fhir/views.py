"""FHIR R4 Patient API: thin views (access → parse → call the patients app → answer).

Everything about identities happens in the patients app (services, queries, permissions,
rules); this module only translates. A token acts exactly as its user: VIEW_PATIENTS to read,
EDIT_PATIENTS to write, the user's structure and care teams as scope (404 outside, never a
hint that the record exists). Every patient returned is an audited read, as on the screens.
"""

from http import HTTPStatus

from django.db import transaction
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.access import care_teams_of
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.interop.fhir import bundles, mapping, match, search
from secretariat.interop.fhir.capability import capability_statement
from secretariat.interop.fhir.errors import FhirError, invalid
from secretariat.interop.fhir.protocol import (
    base_url,
    fhir_endpoint,
    fhir_response,
    forbidden,
    header_text,
    not_found,
    read_resource,
    require_capability,
)
from secretariat.patients import services
from secretariat.patients.permissions import access_patient, patients_for

DUPLICATE_REASON_HEADER = "X-Secretariat-Duplicate-Reason"
CHANGE_REASON_HEADER = "X-Secretariat-Change-Reason"
MAX_REASON_LENGTH = 250  # as on the identity screens


@fhir_endpoint("GET", public=True)
def metadata(request):
    return fhir_response(capability_statement(base_url=base_url(request)))


@fhir_endpoint("GET", "POST")
def patient_type(request):
    if request.method == "POST":
        return _create(request)
    return _search(request)


@fhir_endpoint("GET", "PUT")
def patient_instance(request, pk: str):
    if not pk.isdigit() or len(pk) > 18:
        raise not_found()
    if request.method == "PUT":
        return _update(request, int(pk))
    require_capability(request.user, Capability.VIEW_PATIENTS)
    patient = access_patient(request.user, int(pk))
    _record_reads(request.user, [patient])
    return fhir_response(mapping.patient_resource(patient, base_url=base_url(request)))


@fhir_endpoint("POST")
def patient_match(request):
    require_capability(request.user, Capability.VIEW_PATIENTS)
    wanted = match.match_request(read_resource(request, "Parameters"))
    candidates = match.patient_matches(request.user, wanted)
    _record_reads(request.user, [candidate.patient for candidate in candidates])
    return fhir_response(bundles.match_bundle(candidates, base_url=base_url(request),
                                              self_url=request.build_absolute_uri()))


@fhir_endpoint("GET", "POST", "PUT", "DELETE", "PATCH", public=True)
def unknown(request, path: str):
    raise FhirError(HTTPStatus.NOT_FOUND, "not-supported",
                    _("This server serves Patient, Practitioner, Schedule, Slot and Appointment (see /fhir/metadata)."))


def _search(request):
    require_capability(request.user, Capability.VIEW_PATIENTS)
    lenient = "handling=lenient" in request.headers.get("Prefer", "").replace(" ", "")
    base = base_url(request)
    result = search.search_patients(request.user, request.GET, base_url=base, lenient=lenient)
    _record_reads(request.user, result.patients)
    return fhir_response(bundles.search_bundle(result.patients, total=result.total, base_url=base,
                                               self_url=request.build_absolute_uri()))


def _create(request):
    user = request.user
    require_capability(user, Capability.EDIT_PATIENTS)
    team = care_teams_of(user).order_by("name").first()  # the creation screen's order
    if team is None:
        raise forbidden(_("You belong to no care team: a patient created through the API "
                          "would be visible to nobody. Ask a coordinator to add you to one."))
    incoming = mapping.incoming_patient(read_resource(request, "Patient"))
    reason = _reason(request, DUPLICATE_REASON_HEADER)
    try:
        patient = services.create_patient(
            structure=user.structure, identity=incoming.identity, care_teams=[team],
            phone=incoming.phone, email=incoming.email, duplicate_reason=reason, acting_user=user,
        )
    except services.PossibleDuplicates as duplicates:
        raise _possible_duplicates(user, duplicates) from None
    except ServiceError as error:
        raise FhirError(HTTPStatus.UNPROCESSABLE_ENTITY, "processing", str(error)) from None
    base = base_url(request)
    return fhir_response(mapping.patient_resource(patient, base_url=base), status=HTTPStatus.CREATED,
                         headers={"Location": bundles.patient_url(patient, base_url=base)})


def _update(request, pk: int):
    user = request.user
    require_capability(user, Capability.EDIT_PATIENTS)
    patient = access_patient(user, pk)
    resource = read_resource(request, "Patient")
    if resource.id != str(pk):
        raise invalid(_("The resource's id must be the one in the URL (%(pk)s).") % {"pk": pk},
                      expression="Patient.id")
    incoming = mapping.incoming_patient(resource)
    try:
        patient = services.change_identity(
            patient, identity=incoming.identity, reason=_reason(request, CHANGE_REASON_HEADER),
            phone=incoming.phone, email=incoming.email, acting_user=user,
        )
    except ServiceError as error:
        raise FhirError(HTTPStatus.UNPROCESSABLE_ENTITY, "processing", str(error)) from None
    return fhir_response(mapping.patient_resource(patient, base_url=base_url(request)))


def _reason(request, header: str) -> str:
    reason = header_text(request, header)
    if len(reason) > MAX_REASON_LENGTH:
        raise invalid(_("Shorten the reason (header %(header)s) to %(maximum)d characters.")
                      % {"header": header, "maximum": MAX_REASON_LENGTH})
    return reason


def _possible_duplicates(user, duplicates: services.PossibleDuplicates) -> FhirError:
    """409 naming only the candidates the caller may open (their numbers, nothing else)."""
    visible = sorted(patients_for(user).filter(
        pk__in=[candidate.patient.pk for candidate in duplicates.candidates],
    ).values_list("pk", flat=True))
    files = [f"Patient/{pk}" for pk in visible]
    if files:
        text = _("This person may already have a file: %(files)s. To create a new file anyway, "
                 "give the reason in the %(header)s header.")
    else:
        text = _("This person may already have a file, followed by another care team. To create "
                 "a new file anyway, give the reason in the %(header)s header.")
    return FhirError(HTTPStatus.CONFLICT, "duplicate",
                     text % {"files": ", ".join(files), "header": DUPLICATE_REASON_HEADER},
                     information=tuple(files))


def _record_reads(user, patients) -> None:
    """One audit row per patient returned, as when a screen shows a file."""
    with transaction.atomic():
        for patient in patients:
            audit.record("patients.file_viewed", target=patient, patient_id=patient.pk,
                         acting_user=user)
