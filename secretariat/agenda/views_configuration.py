"""The structure's agenda configuration: appointment types, rooms and equipment, reminders,
online booking and teleconsultation settings. Seen by the team, changed by a coordinator."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from secretariat.agenda.forms_configuration import (
    AgendaSettingsForm,
    AppointmentTypeForm,
    ResourceForm,
)
from secretariat.agenda.models import AgendaSettings, AppointmentType, Resource
from secretariat.agenda.services_configuration import (
    save_agenda_settings,
    save_appointment_type,
    save_resource,
)
from secretariat.core.access import require_capability
from secretariat.core.roles import Capability


@require_capability(Capability.VIEW_AGENDA)
@require_http_methods(["GET", "POST"])
def configuration(request):
    structure_id = request.user.structure_id
    can_edit = request.user.has_capability(Capability.MANAGE_ORGANISATION)
    settings = AgendaSettings.for_structure(structure_id)
    form = AgendaSettingsForm(request.POST if request.method == "POST" and can_edit else None, instance=settings)
    if request.method == "POST" and can_edit and form.is_valid():
        save_agenda_settings(form, acting_user=request.user)
        messages.success(request, _("Agenda settings saved."))
        return redirect("agenda:configuration")
    return render(request, "agenda/configuration/home.html", {
        "types": AppointmentType.objects.filter(structure_id=structure_id).prefetch_related("resources")
        .order_by("-is_active", "label"),
        "resources": Resource.objects.filter(structure_id=structure_id).select_related("site")
        .order_by("site__name", "name"),
        "form": form, "can_edit": can_edit, "active_area": "agenda",
    }, status=400 if form.is_bound else 200)


def _edit(request, *, form_class, instance, save, template, title):
    form = form_class(request.POST or None, instance=instance, structure_id=request.user.structure_id)
    if request.method == "POST" and form.is_valid():
        save(form, acting_user=request.user)
        messages.success(request, _("Saved."))
        return redirect("agenda:configuration")
    return render(request, template, {"form": form, "title": title, "active_area": "agenda"},
                  status=400 if form.is_bound else 200)


@require_capability(Capability.MANAGE_ORGANISATION)
@require_http_methods(["GET", "POST"])
def type_edit(request, pk=None):
    instance = get_object_or_404(AppointmentType, pk=pk, structure_id=request.user.structure_id) if pk else None
    return _edit(request, form_class=AppointmentTypeForm, instance=instance, save=save_appointment_type,
                 template="agenda/configuration/form.html",
                 title=_("Appointment type") if instance else _("New appointment type"))


@require_capability(Capability.MANAGE_ORGANISATION)
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk=None):
    instance = get_object_or_404(Resource, pk=pk, structure_id=request.user.structure_id) if pk else None
    return _edit(request, form_class=ResourceForm, instance=instance, save=save_resource,
                 template="agenda/configuration/form.html",
                 title=_("Room or equipment") if instance else _("New room or equipment"))
