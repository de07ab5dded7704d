"""Screens of the administrative file: the page with every block, one form per block.

Thin views: ``records_patient_read`` opens the patient in scope (404 otherwise, audited read),
``require_capability`` refuses the roles that may not (403, before anything is read or
written), a form parses, a service writes. Plain HTML forms: everything works without
JavaScript; removals ask for a confirmation page.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from secretariat.core.access import require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients import services_administrative as services
from secretariat.patients.forms_administrative import (
    AddressForm,
    AmcCoverageForm,
    AmoCoverageForm,
    ContactPersonForm,
    ContactPreferencesForm,
    MedecinTraitantForm,
    NeedsForm,
    SharingForm,
)
from secretariat.patients.models import (
    Address,
    AdministrativeFile,
    AmcCoverage,
    AmoCoverage,
    ContactPerson,
)
from secretariat.patients.permissions import records_patient_read
from secretariat.patients.queries_administrative import administrative_summary
from secretariat.patients.rules.nir import nir_inconsistencies

HISTORY_ROWS = 50


@require_capability(Capability.VIEW_PATIENTS)
@require_GET
@records_patient_read
def administrative_file(request, patient):
    summary = administrative_summary(patient)
    return render(request, "patients/administrative/file.html", {
        "patient": patient,
        "summary": summary,
        "nir_warnings": _insured_nir_warnings(patient, summary.current_amo),
        "history": patient.administrative_changes.select_related("changed_by")[:HISTORY_ROWS],
        "can_edit": request.user.has_capability(Capability.EDIT_PATIENTS),
        "active_area": "patients",
    })


def _insured_nir_warnings(patient, amo) -> list[str]:
    """When the patient is the insured person, their NIR should agree with their traits."""
    if amo is None or not amo.patient_is_insured or not amo.insured_nir:
        return []
    return nir_inconsistencies(amo.insured_nir, sex=patient.sex, birth_date=patient.birth_date,
                               birthplace_code=patient.birthplace_code)


# --- One-to-one blocks ------------------------------------------------------------------------


def _file_block(request, patient, *, form_class, save, title, lead, anchor):
    instance = AdministrativeFile.objects.filter(patient=patient).first() or AdministrativeFile(patient=patient)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ServiceError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("Administrative file saved."))
            return redirect(_file_url(patient, anchor))
    return _form_page(request, patient, form=form, title=title, lead=lead, anchor=anchor)


@require_capability(Capability.EDIT_PATIENTS)
@require_http_methods(["GET", "POST"])
@records_patient_read
def edit_contact_preferences(request, patient):
    def save(form):
        services.set_contact_preferences(patient, values=form.values(), email=form.cleaned_data["email"],
                                         acting_user=request.user)

    return _file_block(request, patient, form_class=ContactPreferencesForm, save=save,
                       title=_("Contact preferences"), anchor="contact",
                       lead=_("Ask the patient how they want to be reached; their answers to SMS and "
                              "e-mail are kept with the date and your name."))


@require_capability(Capability.EDIT_PATIENTS)
@require_http_methods(["GET", "POST"])
@records_patient_read
def edit_needs(request, patient):
    def save(form):
        services.set_needs(patient, values=form.values(), acting_user=request.user)

    return _file_block(request, patient, form_class=NeedsForm, save=save, anchor="needs",
                       title=_("Needs and situation"),
                       lead=_("What the team adapts to: access, communication, protection measures."))


@require_capability(Capability.EDIT_PATIENTS)
@require_http_methods(["GET", "POST"])
@records_patient_read
def edit_medecin_traitant(request, patient):
    def save(form):
        services.set_medecin_traitant(patient, values=form.values(), acting_user=request.user)

    return _file_block(request, patient, form_class=MedecinTraitantForm, save=save,
                       anchor="medecin-traitant", title=_("Médecin traitant"),
                       lead=_("Choose a doctor of the structure, or type the name of a doctor outside "
                              "it; leave both empty when none is declared."))


@require_capability(Capability.EDIT_PATIENTS)
@require_http_methods(["GET", "POST"])
@records_patient_read
def edit_sharing(request, patient):
    def save(form):
        services.set_sharing_choices(patient, values=form.values(), acting_user=request.user)

    return _file_block(request, patient, form_class=SharingForm, save=save, anchor="sharing",
                       title=_("Sharing and consents"),
                       lead=_("The patient was told that the care team shares their information and "
                              "may object at any time; the DMP is opened only with their consent."))


# --- Rows -------------------------------------------------------------------------------------

ROWS = {
    "address": {
        "model": Address, "form": AddressForm, "save": services.save_address,
        "remove": services.remove_address, "keyword": "address", "anchor": "addresses",
        "add": gettext_lazy("Add an address"), "edit": gettext_lazy("Change the address"),
        "remove_title": gettext_lazy("Remove this address?"),
    },
    "contact_person": {
        "model": ContactPerson, "form": ContactPersonForm, "save": services.save_contact_person,
        "remove": services.remove_contact_person, "keyword": "person", "anchor": "people",
        "add": gettext_lazy("Add a person around the patient"), "edit": gettext_lazy("Change the person around the patient"),
        "remove_title": gettext_lazy("Remove this person?"),
    },
    "amo": {
        "model": AmoCoverage, "form": AmoCoverageForm, "save": services.save_amo_coverage,
        "remove": services.remove_amo_coverage, "keyword": "coverage", "anchor": "amo",
        "add": gettext_lazy("Add an AMO coverage"), "edit": gettext_lazy("Change the AMO coverage"),
        "remove_title": gettext_lazy("Remove this AMO coverage?"),
    },
    "amc": {
        "model": AmcCoverage, "form": AmcCoverageForm, "save": services.save_amc_coverage,
        "remove": services.remove_amc_coverage, "keyword": "coverage", "anchor": "amc",
        "add": gettext_lazy("Add an AMC coverage"), "edit": gettext_lazy("Change the AMC coverage"),
        "remove_title": gettext_lazy("Remove this AMC coverage?"),
    },
}


def _row_form(request, patient, kind: str, item_pk: int | None):
    spec = ROWS[kind]
    model = spec["model"]
    row = get_object_or_404(model, patient=patient, pk=item_pk) if item_pk is not None else None
    # The form may change its instance in memory; the service re-reads the row under the lock.
    form = spec["form"](request.POST or None, instance=row or model(patient=patient))
    if request.method == "POST" and form.is_valid():
        try:
            spec["save"](patient, values=form.values(), acting_user=request.user, **{spec["keyword"]: row})
        except ServiceError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("Administrative file saved."))
            return redirect(_file_url(patient, spec["anchor"]))
    return _form_page(request, patient, form=form, title=str(spec["edit"] if row else spec["add"]),
                      lead="", anchor=spec["anchor"], row=row, kind=kind)


def _row_remove(request, patient, kind: str, item_pk: int):
    spec = ROWS[kind]
    row = get_object_or_404(spec["model"], patient=patient, pk=item_pk)
    if request.method == "POST":
        try:
            spec["remove"](patient, acting_user=request.user, **{spec["keyword"]: row})
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Removed from the administrative file."))
        return redirect(_file_url(patient, spec["anchor"]))
    return render(request, "patients/administrative/remove.html", {
        "patient": patient, "row": row, "title": spec["remove_title"],
        "back": _file_url(patient, spec["anchor"]), "active_area": "patients",
    })


def _row_views(kind: str):
    """The add/change view and the remove view of one kind of row (same decorators for all)."""

    @require_capability(Capability.EDIT_PATIENTS)
    @require_http_methods(["GET", "POST"])
    @records_patient_read
    def form_view(request, patient, item_pk=None):
        return _row_form(request, patient, kind, item_pk)

    @require_capability(Capability.EDIT_PATIENTS)
    @require_http_methods(["GET", "POST"])
    @records_patient_read
    def remove_view(request, patient, item_pk):
        return _row_remove(request, patient, kind, item_pk)

    form_view.__name__, remove_view.__name__ = f"{kind}_form", f"{kind}_remove"
    return form_view, remove_view


address_form, address_remove = _row_views("address")
contact_person_form, contact_person_remove = _row_views("contact_person")
amo_form, amo_remove = _row_views("amo")
amc_form, amc_remove = _row_views("amc")


# --- Shared -----------------------------------------------------------------------------------


def _file_url(patient, anchor: str) -> str:
    return f"{reverse('patients:administrative', args=[patient.pk])}#{anchor}"


def _show_refusal(form, error: ServiceError) -> None:
    """Put a service's refusal on the fields it names, or above the form."""
    errors = getattr(error, "errors", None) or {None: [str(error)]}
    for field, field_messages in errors.items():
        form.add_error(field if field in form.fields else None, field_messages)


def _form_page(request, patient, *, form, title, lead, anchor, row=None, kind=""):
    remove_url = reverse(f"patients:{kind}_remove", args=[patient.pk, row.pk]) if row else ""
    return render(request, "patients/administrative/block_form.html", {
        "patient": patient, "form": form, "title": title, "lead": lead, "remove_url": remove_url,
        "back": _file_url(patient, anchor), "active_area": "patients",
    })
