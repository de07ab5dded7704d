"""Coordinator screens for the organisation: structure, sites and hours, services, practitioners."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from secretariat.core.access import require_capability
from secretariat.core.models import Practitioner, Service, Site
from secretariat.core.organisation_forms import (
    OpeningHoursForm,
    PractitionerForm,
    ServiceForm,
    SiteForm,
    StructureForm,
)
from secretariat.core.roles import Capability
from secretariat.core.services import organisation
from secretariat.core.services.errors import ServiceError

manage_organisation = require_capability(Capability.MANAGE_ORGANISATION)


def _own(model, user, pk):
    """An object of the user's structure, or 404 — never a hint that another structure's exists."""
    if pk is None:
        return model()
    try:
        return model.objects.get(pk=pk, structure_id=user.structure_id)
    except model.DoesNotExist:
        raise Http404 from None


def _values(form, names):
    return {name: form.cleaned_data[name] for name in names}


@manage_organisation
@require_http_methods(["GET"])
def overview(request):
    structure = request.user.structure
    if structure is None:
        raise Http404
    return render(request, "core/organisation/overview.html", {
        "active_area": "admin",
        "structure": structure,
        "sites": structure.sites.prefetch_related("opening_hours"),
        "services": structure.services.select_related("site"),
        "practitioners": structure.practitioners.prefetch_related("sites", "services"),
    })


@manage_organisation
@require_http_methods(["GET", "POST"])
def structure_edit(request):
    structure = request.user.structure
    if structure is None:
        raise Http404
    form = StructureForm(request.POST or None, instance=structure)
    if request.method == "POST" and form.is_valid():
        try:
            organisation.save_structure(structure, values=_values(form, StructureForm.Meta.fields),
                                        acting_user=request.user)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The structure is saved."))
            return redirect("core:organisation")
    return _render_form(request, form, _("Structure"))


@manage_organisation
@require_http_methods(["GET", "POST"])
def site_edit(request, pk=None):
    site = _own(Site, request.user, pk)
    form = SiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        try:
            organisation.save_site(site, values=_values(form, SiteForm.Meta.fields), acting_user=request.user)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The site “{name}” is saved.").format(name=site.name))
            return redirect("core:site_hours", pk=site.pk) if pk is None else redirect("core:organisation")
    return _render_form(request, form, _("Site") if pk else _("New site"))


@manage_organisation
@require_http_methods(["GET", "POST"])
def site_hours(request, pk):
    site = _own(Site, request.user, pk)
    form = OpeningHoursForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        periods = form.periods()
        if form.is_valid():
            try:
                organisation.set_opening_hours(site, periods=periods, acting_user=request.user)
            except ServiceError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Opening hours of “{name}” are saved.").format(name=site.name))
                return redirect("core:organisation")
    return render(request, "core/organisation/site_hours.html",
                  {"form": form, "site": site, "active_area": "admin"})


@manage_organisation
@require_http_methods(["GET", "POST"])
def service_edit(request, pk=None):
    service = _own(Service, request.user, pk)
    form = ServiceForm(request.POST or None, instance=service, structure=request.user.structure)
    if request.method == "POST" and form.is_valid():
        try:
            organisation.save_service(service, values=_values(form, ServiceForm.Meta.fields),
                                      acting_user=request.user)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The service “{name}” is saved.").format(name=service.name))
            return redirect("core:organisation")
    return _render_form(request, form, _("Service") if pk else _("New service"))


@manage_organisation
@require_http_methods(["GET", "POST"])
def practitioner_edit(request, pk=None):
    practitioner = _own(Practitioner, request.user, pk)
    form = PractitionerForm(request.POST or None, instance=practitioner, structure=request.user.structure)
    if request.method == "POST" and form.is_valid():
        try:
            organisation.save_practitioner(
                practitioner, values=_values(form, PractitionerForm.Meta.fields),
                sites=form.cleaned_data["sites"], services=form.cleaned_data["services"],
                acting_user=request.user,
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("{name} is saved.").format(name=practitioner.display_name))
            return redirect("core:organisation")
    return _render_form(request, form, practitioner.display_name if pk else _("New practitioner"))


def _render_form(request, form, title):
    return render(request, "core/organisation/form.html",
                  {"form": form, "title": title, "active_area": "admin"})
