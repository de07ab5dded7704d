"""Screens of external appointments (made for the patient elsewhere): the patient's list, or
the coming ones of the user's patients; record, change, cancel."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secretariat.agenda import services_external as services
from secretariat.agenda.forms_waiting import ExternalAppointmentForm
from secretariat.agenda.models import ExternalAppointment
from secretariat.agenda.queries_waiting import external_for_patient, upcoming_external_for
from secretariat.agenda.views_waiting import pick_patient
from secretariat.core.access import practitioners_for, require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.permissions import patients_for


def _list_url(patient) -> str:
    return f"{reverse('agenda:external_list')}?patient={patient.pk}"


def _access_external(user, pk: int) -> ExternalAppointment:
    return get_object_or_404(ExternalAppointment.objects.filter(patient__in=patients_for(user))
                             .select_related("patient", "requested_by"), pk=pk)


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def external_list(request):
    context = {"active_area": "agenda", "can_book": request.user.has_capability(Capability.BOOK_APPOINTMENTS)}
    if request.GET.get("patient"):
        patient, _search = pick_patient(request)
        context.update(patient=patient, externals=external_for_patient(patient, include_cancelled=True))
    else:
        context["externals"] = upcoming_external_for(request.user)
    return render(request, "agenda/external/list.html", context)


def _practitioners(user):
    return practitioners_for(user).order_by("last_name", "first_name")


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_http_methods(["GET", "POST"])
def external_new(request):
    patient, search = pick_patient(request)
    if patient is None:
        return render(request, "agenda/external/form.html", {**search, "active_area": "agenda"})
    form = ExternalAppointmentForm(request.POST or None, practitioners=_practitioners(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_external(patient=patient, values=form.values(), acting_user=request.user)
        except ServiceError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("External appointment recorded."))
            return redirect(_list_url(patient))
    return render(request, "agenda/external/form.html", {"patient": patient, "form": form, "active_area": "agenda"})


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_http_methods(["GET", "POST"])
def external_edit(request, pk):
    external = _access_external(request.user, pk)
    if external.status == ExternalAppointment.Status.CANCELLED:
        raise Http404
    form = ExternalAppointmentForm(request.POST or None, practitioners=_practitioners(request.user), editing=True,
                                   initial=ExternalAppointmentForm.initial_for(external))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_external(external, values=form.values(), acting_user=request.user)
        except ServiceError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("External appointment saved."))
            return redirect(_list_url(external.patient))
    return render(request, "agenda/external/form.html", {
        "patient": external.patient, "external": external, "form": form, "active_area": "agenda"})


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_POST
def external_cancel(request, pk):
    external = _access_external(request.user, pk)
    try:
        services.cancel_external(external, acting_user=request.user)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("External appointment cancelled."))
    return redirect(_list_url(external.patient))
