"""A practitioner's schedule and directives: seen by the team, edited by the practitioner or a
coordinator. Three sections, each its own form and transaction: directives (general and per
type), weekly periods, dated exceptions."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secretariat.agenda.directives import directives_of
from secretariat.agenda.forms_settings import (
    DirectivesForm,
    ScheduleExceptionForm,
    TypeDirectiveFormSet,
    WeeklyPeriodFormSet,
)
from secretariat.agenda.models import ScheduleException, TypeDirective, WeeklyPeriod
from secretariat.agenda.services_settings import (
    add_schedule_exception,
    delete_schedule_exception,
    save_directives,
    save_weekly_periods,
)
from secretariat.core.access import (
    access_practitioner,
    practitioners_for,
    require_capability,
    sees_whole_structure,
)
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError


def can_edit_schedule(user, practitioner) -> bool:
    """A coordinator edits any practitioner of the structure; a practitioner edits their own."""
    if not user.has_capability(Capability.EDIT_DIRECTIVES):
        return False
    return sees_whole_structure(user) or practitioner.user_id == user.pk


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def schedule_list(request):
    practitioners = practitioners_for(request.user).filter(is_active=True).order_by("last_name", "first_name")
    return render(request, "agenda/settings/schedule_list.html", {
        "practitioners": practitioners, "active_area": "agenda",
    })


def _forms(request, practitioner, *, bound: str | None):
    """The three sections; only the one being saved is bound to the POST."""
    structure_id = practitioner.structure_id
    data = request.POST if request.method == "POST" else None
    return {
        "directives_form": DirectivesForm(data if bound == "directives" else None,
                                          instance=directives_of(practitioner.pk), prefix="directives"),
        "type_formset": TypeDirectiveFormSet(
            data if bound == "directives" else None, structure_id=structure_id, prefix="types",
            queryset=TypeDirective.objects.filter(practitioner=practitioner).select_related("appointment_type")),
        "period_formset": WeeklyPeriodFormSet(
            data if bound == "periods" else None, structure_id=structure_id, prefix="periods",
            queryset=WeeklyPeriod.objects.filter(practitioner=practitioner).order_by("weekday", "start")),
        "exception_form": ScheduleExceptionForm(data if bound == "exception" else None, structure_id=structure_id,
                                                prefix="exception"),
    }


@require_capability(Capability.VIEW_AGENDA)
@require_http_methods(["GET", "POST"])
def schedule_detail(request, pk):
    practitioner = access_practitioner(request.user, pk)
    editable = can_edit_schedule(request.user, practitioner)
    section = request.POST.get("section") if request.method == "POST" else None
    if section is not None and not editable:
        raise Http404
    forms = _forms(request, practitioner, bound=section)
    saved = False
    try:
        if section == "directives" and forms["directives_form"].is_valid() and forms["type_formset"].is_valid():
            save_directives(practitioner, directives_form=forms["directives_form"],
                            type_formset=forms["type_formset"], acting_user=request.user)
            saved = True
        elif section == "periods" and forms["period_formset"].is_valid():
            save_weekly_periods(practitioner, formset=forms["period_formset"], acting_user=request.user)
            saved = True
        elif section == "exception" and forms["exception_form"].is_valid():
            add_schedule_exception(practitioner, form=forms["exception_form"], acting_user=request.user)
            saved = True
    except ServiceError as refused:
        messages.error(request, str(refused))
    if saved:
        messages.success(request, _("Saved."))
        return redirect("agenda:schedule", pk=practitioner.pk)
    exceptions = ScheduleException.objects.filter(practitioner=practitioner).select_related("site").order_by(
        "-day")[:30]
    return render(request, "agenda/settings/schedule_detail.html", {
        "practitioner": practitioner, "editable": editable, "exceptions": exceptions, "section": section,
        "active_area": "agenda", **forms,
    }, status=400 if section else 200)


@require_capability(Capability.EDIT_DIRECTIVES)
@require_POST
def exception_delete(request, pk, exception_pk):
    practitioner = access_practitioner(request.user, pk)
    if not can_edit_schedule(request.user, practitioner):
        raise Http404
    exception = get_object_or_404(ScheduleException, pk=exception_pk, practitioner=practitioner)
    delete_schedule_exception(exception, acting_user=request.user)
    messages.success(request, _("Exception removed."))
    return redirect("agenda:schedule", pk=practitioner.pk)
