"""Screens of absences: the list, declaring one, and the plan of the appointments inside it
(move each to a proposed slot, cancel it, or leave it), applied in one confirmed action with a
summary of what was moved, cancelled or refused."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from secretariat.agenda import services_absences as services
from secretariat.agenda.forms_waiting import AbsenceForm
from secretariat.agenda.models import Absence
from secretariat.agenda.queries_waiting import (
    absences_for,
    appointments_in_absence,
    replacement_proposals,
)
from secretariat.agenda.views_waiting import day_url
from secretariat.core.access import practitioners_for, require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError

KEEP, CANCEL = "keep", "cancel"


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def absence_list(request):
    return render(request, "agenda/absences/list.html", {
        "absences": absences_for(request.user)[:200], "active_area": "agenda",
        "can_book": request.user.has_capability(Capability.BOOK_APPOINTMENTS),
    })


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_http_methods(["GET", "POST"])
def absence_new(request):
    form = AbsenceForm(request.POST or None, practitioners=practitioners_for(request.user).order_by("last_name"),
                       initial={"practitioner": request.GET.get("practitioner")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            absence = services.declare_absence(practitioner=data["practitioner"], start=data["start"],
                                               end=data["end"], reason=data["reason"], acting_user=request.user)
        except ServiceError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Absence recorded: no slot is offered during it any more."))
            return redirect("agenda:absence_detail", pk=absence.pk)
    return render(request, "agenda/absences/new.html", {"form": form, "active_area": "agenda"})


def _decisions(request, appointments, proposals, colleagues_by_pk) -> tuple[list, list[str]]:
    """The secretary's choices from the form: (decisions, errors). A move must be one of the
    slots proposed to that appointment, so nothing unseen is booked."""
    decisions, errors = [], []
    for appointment in appointments:
        choice = request.POST.get(f"decision-{appointment.pk}", KEEP)
        if choice == KEEP:
            continue
        if choice == CANCEL:
            decisions.append(services.Decision(appointment.pk, services.Decision.CANCEL))
            continue
        proposal = next((item for item in proposals.get(appointment.pk, []) if item.key == choice), None)
        if proposal is None:
            errors.append(_("The proposal chosen for %(patient)s is no longer available: choose again.")
                          % {"patient": appointment.patient.display_name})
            continue
        decisions.append(services.Decision(
            appointment.pk, services.Decision.MOVE, start=proposal.start,
            practitioner=colleagues_by_pk.get(proposal.practitioner.pk)))
    return decisions, errors


@require_capability(Capability.VIEW_AGENDA)
@require_http_methods(["GET", "POST"])
def absence_detail(request, pk):
    absence = get_object_or_404(Absence.objects.filter(practitioner__in=practitioners_for(request.user))
                                .select_related("practitioner"), pk=pk)
    with_colleagues = request.GET.get("colleagues") == "1" or request.POST.get("colleagues") == "1"
    colleagues = []
    if with_colleagues:
        colleagues = list(practitioners_for(request.user).filter(
            specialty=absence.practitioner.specialty, is_active=True).exclude(pk=absence.practitioner_id))
    appointments = list(appointments_in_absence(absence))
    proposals = replacement_proposals(absence, appointments, colleagues=colleagues)
    context = {"absence": absence, "appointments": appointments, "proposals": proposals,
               "with_colleagues": with_colleagues, "active_area": "agenda",
               "can_book": request.user.has_capability(Capability.BOOK_APPOINTMENTS),
               "reason": services.cancellation_reason(absence)}
    if request.method == "POST":
        if not context["can_book"]:
            raise PermissionDenied
        decisions, errors = _decisions(request, appointments, proposals, {item.pk: item for item in colleagues})
        if errors:
            for error in errors:
                messages.error(request, error)
        elif not decisions:
            messages.info(request, _("Nothing was ticked: no appointment was changed."))
        else:
            result = services.rebook_after_absence(absence, decisions, acting_user=request.user)
            return render(request, "agenda/absences/result.html", {
                "absence": absence, "result": result, "active_area": "agenda",
                "day_url": day_url(absence.start)})
        return redirect(request.get_full_path())
    # Default choice per appointment: the first proposal, else leave it.
    for appointment in appointments:
        appointment.proposals = proposals.get(appointment.pk) or []
        appointment.default_choice = appointment.proposals[0].key if appointment.proposals else KEEP
    return render(request, "agenda/absences/detail.html", context)
