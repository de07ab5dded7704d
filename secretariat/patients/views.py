"""Patient screens: find, create (with the anteriority search), correct, validate, qualify.

Thin views: access (404 outside the care teams), parse with a form, call a service, render.
Every screen that shows a patient goes through ``records_patient_read`` (audited read).
"""

import hashlib

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secretariat.core import audit
from secretariat.core.access import care_teams_of, require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients import birthplaces, services
from secretariat.patients.forms import (
    AttributesForm,
    ChangeIdentityForm,
    IdentityForm,
    NewPatientForm,
    ValidateIdentityForm,
)
from secretariat.patients.insi import (
    InsiInvalidTraits,
    InsiTraits,
    InsiUnavailable,
    get_insi_client,
)
from secretariat.patients.permissions import patients_for, records_patient_read
from secretariat.patients.queries import patients_matching
from secretariat.patients.queries_administrative import administrative_summary
from secretariat.patients.rules.datamatrix import ins_datamatrix_payload, ins_datamatrix_svg
from secretariat.patients.rules.status import missing_for_qualification
from secretariat.patients.sections import sections_for

MAX_ROWS = 50
MAX_QUERY_LENGTH = 100


@require_capability(Capability.VIEW_PATIENTS)
@require_GET
def patient_list(request):
    text = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    patients = patients_for(request.user)
    if text:
        rows = [hit.patient for hit in patients_matching(patients, text, limit=MAX_ROWS + 1)]
    else:
        # One row more than shown tells whether the search should be narrowed, without a COUNT.
        rows = list(patients.order_by("-updated_at", "-pk")[: MAX_ROWS + 1])
    return render(request, "patients/patient_list.html", {
        "patients": rows[:MAX_ROWS],
        "truncated": len(rows) > MAX_ROWS,
        "max_rows": MAX_ROWS,
        "query": text,
        "can_create": request.user.has_capability(Capability.EDIT_PATIENTS),
        "can_merge": request.user.has_capability(Capability.MERGE_PATIENTS),
        # By URL name, as the sidebar does: the import lives in interop, above this app.
        "import_url": _url_or_none("imports:upload") if request.user.has_capability(Capability.EDIT_PATIENTS) else None,
        "active_area": "patients",
    })


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@require_capability(Capability.VIEW_PATIENTS)
@require_GET
@records_patient_read
def patient_detail(request, patient):
    book_url = _url_or_none("agenda:book") if request.user.has_capability(Capability.BOOK_APPOINTMENTS) else None
    return render(request, "patients/patient_detail.html", {
        "patient": patient,
        # By URL name: the agenda lives above this app.
        "book_url": f"{book_url}?patient={patient.pk}" if book_url else None,
        "birthplace": birthplaces.lookup(patient.birthplace_code),
        "care_teams": patient.care_teams.order_by("name"),
        "history": patient.identity_changes.select_related("changed_by")[:50],
        "missing": missing_for_qualification(
            ins_retrieved=patient.ins_retrieved_at is not None,
            document_checked=patient.document_checked_at is not None,
        ),
        "can_edit": request.user.has_capability(Capability.EDIT_PATIENTS),
        "can_merge": request.user.has_capability(Capability.MERGE_PATIENTS),
        "ins_datamatrix": _ins_datamatrix(patient),
        "administrative": administrative_summary(patient),
        "insi": get_insi_client(),
        "sections": sections_for(request.user, patient),
        "active_area": "patients",
    })


def _ins_datamatrix(patient) -> str:
    """The INS DataMatrix (SVG drawn by our code from checked traits), for a qualified identity only."""
    if not patient.ins_may_be_shown:
        return ""
    payload = ins_datamatrix_payload(
        matricule=patient.ins_matricule, oid=patient.ins_oid, birth_first_names=patient.birth_first_names,
        birth_name=patient.birth_name, sex=patient.sex, birth_date=patient.birth_date,
        birthplace_code=patient.birthplace_code,
    )
    return mark_safe(ins_datamatrix_svg(payload))  # noqa: S308 (rectangles only, no text from input)


@require_capability(Capability.EDIT_PATIENTS)
@require_http_methods(["GET", "POST"])
def patient_create(request):
    teams = care_teams_of(request.user).order_by("name")
    form = NewPatientForm(request.POST or None, care_teams=teams)
    candidates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patient = services.create_patient(
                structure=request.user.structure, identity=form.identity(),
                care_teams=data["care_teams"], phone=data["phone"], email=data["email"],
                duplicate_reason=data["duplicate_reason"], acting_user=request.user,
            )
        except services.PossibleDuplicates as duplicates:
            candidates = duplicates.candidates
            form.add_error("duplicate_reason" if data["duplicate_reason"] else None, str(duplicates))
        else:
            messages.success(request, _("Patient file created (provisional identity)."))
            return redirect(patient)
    visible = set(patients_for(request.user).filter(
        pk__in=[candidate.patient.pk for candidate in candidates]).values_list("pk", flat=True))
    return render(request, "patients/patient_form.html", {
        "form": form, "candidates": candidates, "visible": visible, "creating": True,
        "active_area": "patients",
    })


@require_capability(Capability.EDIT_PATIENTS)
@require_http_methods(["GET", "POST"])
@records_patient_read
def patient_edit(request, patient):
    initial = IdentityForm.initial_from(patient) | {"read_at": patient.updated_at}
    form = ChangeIdentityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_identity(patient, identity=form.identity(), reason=data["reason"],
                                     phone=data["phone"], email=data["email"], read_at=data["read_at"],
                                     acting_user=request.user)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Identity saved."))
            return redirect(patient)
    return render(request, "patients/patient_form.html", {
        "form": form, "patient": patient, "active_area": "patients",
    })


@require_capability(Capability.EDIT_PATIENTS)
@require_http_methods(["GET", "POST"])
@records_patient_read
def patient_validate(request, patient):
    form = ValidateIdentityForm(request.POST or None, initial=IdentityForm.initial_from(patient))
    if request.method == "POST" and form.is_valid():
        try:
            services.validate_identity(patient, document_type=form.cleaned_data["document_type"],
                                       identity=form.identity(), acting_user=request.user)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Identity validated with the document."))
            return redirect(patient)
    return render(request, "patients/patient_validate.html", {
        "form": form, "patient": patient, "active_area": "patients",
    })


def _ask_insi(patient, user):
    """Call the teleservice with the patient's traits (outside any transaction)."""
    traits = InsiTraits(birth_name=patient.birth_name, first_names=patient.birth_first_names,
                        sex=patient.sex, birth_date=patient.birth_date,
                        birthplace_code=patient.birthplace_code)
    client = get_insi_client()
    response = client.search_by_traits(traits)
    audit.record("patients.insi_called", target=patient, patient_id=patient.pk, acting_user=user,
                 data={"outcome": response.outcome.value, "simulated": client.simulated})
    return client, response


@require_capability(Capability.EDIT_PATIENTS)
@require_POST
@records_patient_read
def patient_insi(request, patient):
    """Ask INSi and show its answer beside the local traits; taking over is a second step."""
    try:
        client, response = _ask_insi(patient, request.user)
    except (InsiUnavailable, InsiInvalidTraits) as error:
        messages.error(request, error.message)
        return redirect(patient)
    token = _answer_token(response)
    # The INS never travels through the browser: the confirmation asks INSi again and takes
    # over only the identity it returns now, if it is the one the secretary saw.
    if token and request.POST.get("take_over") == token:
        try:
            services.take_over_ins(patient, response=response, acting_user=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("INS and INS traits taken over."))
        return redirect(patient)
    return render(request, "patients/patient_insi.html", {
        "patient": patient, "client": client, "response": response, "token": token,
        "active_area": "patients",
    })


def _answer_token(response) -> str:
    """A stand-in for the INS returned, so the page can confirm it without carrying it."""
    if response.identity is None:
        return ""
    return hashlib.sha256(response.identity.matricule.encode()).hexdigest()[:20]


@require_capability(Capability.EDIT_PATIENTS)
@require_http_methods(["GET", "POST"])
@records_patient_read
def patient_attributes(request, patient):
    form = AttributesForm(request.POST or None, initial={
        "is_doubtful": patient.is_doubtful, "is_fictitious": patient.is_fictitious,
        "is_homonym": patient.is_homonym,
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_identity_attributes(
                patient, is_doubtful=data["is_doubtful"], is_fictitious=data["is_fictitious"],
                is_homonym=data["is_homonym"], reason=data["reason"], acting_user=request.user,
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Identity attributes saved."))
            return redirect(patient)
    return render(request, "patients/patient_attributes.html", {
        "form": form, "patient": patient, "active_area": "patients",
    })


@require_capability(Capability.VIEW_PATIENTS)
@require_GET
def birthplace_options(request):
    """The birthplace list that follows what is typed (options of a datalist)."""
    text = request.GET.get("birthplace_code", request.GET.get("q", ""))[:60]
    found = birthplaces.search(text) if len(text.strip()) >= 2 else []
    return render(request, "patients/_birthplace_options.html", {
        "places": found, "chosen": birthplaces.lookup(text.strip().upper()),
    })
