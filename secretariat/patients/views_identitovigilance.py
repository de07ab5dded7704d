"""The identitovigilance referent's screens: duplicate queue, merge, undo, split a collision."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from secretariat.core import audit
from secretariat.core.access import care_teams_of, require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.core.tasks import enqueue_on_commit
from secretariat.patients import birthplaces, merging
from secretariat.patients.forms import IdentityForm
from secretariat.patients.models import DuplicateSuspicion, Patient, PatientMerge
from secretariat.patients.permissions import access_patient
from secretariat.patients.tasks import scan_duplicates_of

STATUS_RANK = {"QUAL": 3, "VALI": 2, "RECUP": 1, "PROV": 0}


@require_capability(Capability.MERGE_PATIENTS)
@require_http_methods(["GET", "POST"])
def duplicate_list(request):
    structure_id = request.user.structure_id
    if request.method == "POST":
        enqueue_on_commit(scan_duplicates_of, structure_id)
        messages.info(request, _("The duplicate scan has started; new pairs will appear here when it ends."))
        return redirect("patients:duplicates")
    queue = (DuplicateSuspicion.objects.filter(structure_id=structure_id, review=DuplicateSuspicion.Review.OPEN)
             .select_related("first", "second"))
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    return render(request, "patients/duplicate_list.html", {
        "page": page, "merges": PatientMerge.objects.filter(survivor__structure_id=structure_id)
        .select_related("survivor", "merged", "performed_by")[:20],
        "active_area": "patients",
    })


@require_capability(Capability.MERGE_PATIENTS)
@require_POST
def duplicate_dismiss(request, pk: int):
    suspicion = get_object_or_404(DuplicateSuspicion, pk=pk, structure_id=request.user.structure_id,
                                  review=DuplicateSuspicion.Review.OPEN)
    suspicion.review = DuplicateSuspicion.Review.DIFFERENT
    suspicion.reviewed_by, suspicion.reviewed_at = request.user, timezone.now()
    suspicion.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    audit.record("patients.duplicates_reviewed", target=suspicion.first, patient_id=suspicion.first_id,
                 acting_user=request.user, data={"other": suspicion.second_id, "review": "different"})
    messages.success(request, _("Marked as two different people."))
    return redirect("patients:duplicates")


class MergeForm(forms.Form):
    survivor = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Why these records are the same person"), max_length=250)


@require_capability(Capability.MERGE_PATIENTS)
@require_http_methods(["GET", "POST"])
def merge_form(request, first: int, second: int):
    one, two = access_patient(request.user, first), access_patient(request.user, second)
    # The best-established identity survives unless the referent decides otherwise.
    survivor, duplicate = sorted((one, two), key=lambda patient: (-STATUS_RANK[patient.identity_status], patient.pk))
    if (request.POST.get("survivor") or request.GET.get("survivor")) == str(duplicate.pk):
        survivor, duplicate = duplicate, survivor
    form = MergeForm(request.POST or None, initial={"survivor": survivor.pk})
    if request.method == "POST" and form.is_valid():
        chosen = {name: "merged" for name in merging.CHOSEN_FIELDS if request.POST.get(f"take_{name}") == "merged"}
        try:
            merge = merging.merge_patients(survivor, duplicate=duplicate, chosen=chosen,
                                           reason=form.cleaned_data["reason"], acting_user=request.user)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Records merged: n° %(merged)s now leads to n° %(survivor)s.") % {
                "merged": duplicate.pk, "survivor": survivor.pk})
            return redirect("patients:merge_detail", pk=merge.pk)
    labels = {name: Patient._meta.get_field(name).verbose_name for name in merging.CHOSEN_FIELDS}
    rows = [
        {"name": name, "label": str(labels[name]).capitalize(),
         "survivor": _shown(survivor, name), "duplicate": _shown(duplicate, name),
         "differs": getattr(survivor, name) != getattr(duplicate, name)}
        for name in merging.CHOSEN_FIELDS
    ]
    return render(request, "patients/merge_form.html", {
        "form": form, "survivor": survivor, "duplicate": duplicate, "rows": rows, "active_area": "patients",
    })


def _shown(patient: Patient, name: str):
    value = getattr(patient, name)
    if name == "birthplace_code":
        place = birthplaces.lookup(value)
        return f"{place.label} — {value}" if place else value
    if name == "birth_date":
        return f"{value:%d/%m/%Y}"
    display = getattr(patient, f"get_{name}_display", None)
    return display() if display else value


class UndoForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why the merge is undone"), max_length=250)


@require_capability(Capability.MERGE_PATIENTS)
@require_http_methods(["GET", "POST"])
def merge_detail(request, pk: int):
    merge = get_object_or_404(PatientMerge.objects.select_related("survivor", "merged", "performed_by", "undone_by"),
                              pk=pk, survivor__structure_id=request.user.structure_id)
    form = UndoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merging.undo_merge(merge, reason=form.cleaned_data["reason"], acting_user=request.user)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Merge undone: both records are back."))
            return redirect("patients:merge_detail", pk=merge.pk)
    return render(request, "patients/merge_detail.html", {"merge": merge, "form": form, "active_area": "patients"})


class SplitForm(IdentityForm):
    phone = None
    email = None
    care_teams = forms.ModelMultipleChoiceField(label=gettext_lazy("Care teams of the other person"),
                                                queryset=None, widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=gettext_lazy("How the collision was found"), max_length=250)

    def __init__(self, *args, care_teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_teams"].queryset = care_teams


@require_capability(Capability.MERGE_PATIENTS)
@require_http_methods(["GET", "POST"])
def split_form(request, pk: int):
    patient = access_patient(request.user, pk)
    attached = merging.attached_rows(patient)
    items = merging.describe_attached(attached)
    form = SplitForm(request.POST or None, care_teams=care_teams_of(request.user).order_by("name"))
    if request.method == "POST" and form.is_valid():
        picked = {key: [pk for pk in pks if f"{key}#{pk}" in request.POST.getlist("move")]
                  for key, pks in attached.items()}
        try:
            other = merging.split_patient(
                patient, identity=form.identity(), rows={key: pks for key, pks in picked.items() if pks},
                care_teams=form.cleaned_data["care_teams"], reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("New record created for the other person; the chosen data moved to it."))
            return redirect(other)
    return render(request, "patients/split_form.html", {
        "form": form, "patient": patient, "items": items, "active_area": "patients",
    })
