"""The phone log: a compact form always at the top to record a call in a few keystrokes, the
day's calls below, and the team's callbacks to do."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secretariat.agenda.queries import structure_time_zone
from secretariat.core.access import require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.permissions import patients_for
from secretariat.patients.queries import patients_matching
from secretariat.reception import services_calls
from secretariat.reception.forms_calls import CallbackDoneForm, CallForm, DayFilterForm
from secretariat.reception.models import PhoneCall, Priority, TriageRecord
from secretariat.reception.queries_calls import (
    access_call,
    callbacks_done_today,
    calls_of_day,
    pending_callbacks,
)


def _pending_triage(request):
    """The triage just recorded by the runner (``?triage=``), if it is this structure's and free."""
    value = request.GET.get("triage") or request.POST.get("triage") or ""
    if not value.isdigit():
        return None
    return (TriageRecord.objects.filter(pk=int(value), structure_id=request.user.structure_id,
                                        phone_calls__isnull=True)
            .select_related("patient").first())


def _initial(request, triage) -> dict:
    initial = {"direction": PhoneCall.Direction.INCOMING}
    if triage is not None:
        initial["triage"] = triage.pk
        if triage.priority == Priority.EMERGENCY:
            initial["outcome"] = PhoneCall.Outcome.EMERGENCY
        if triage.patient_id and patients_for(request.user).filter(pk=triage.patient_id).exists():
            initial["patient"] = triage.patient_id
    return initial


def _page(request, form, *, triage, status=200):
    now = timezone.now()
    today = now.astimezone(structure_time_zone()).date()
    filters = DayFilterForm(request.GET or None, user=request.user)
    day, outcome, taken_by = today, "", None
    if filters.is_valid():
        day = filters.cleaned_data["day"] or today
        outcome = filters.cleaned_data["outcome"]
        taken_by = filters.cleaned_data["taken_by"]
    chosen_patient = None
    value = form["patient"].value()
    if value:
        chosen_patient = patients_for(request.user).filter(pk=value).first() if str(value).isdigit() else None
    calls = list(calls_of_day(request.user, day, outcome=outcome, taken_by=taken_by))
    return render(request, "reception/calls/phone_log.html", {
        "form": form, "filters": filters, "calls": calls, "day": day, "is_today": day == today, "now": now,
        "triage": triage, "chosen_patient": chosen_patient,
        "can_search_patients": request.user.has_capability(Capability.VIEW_PATIENTS),
        "emergency_triage": triage is not None and triage.priority == Priority.EMERGENCY,
        "pending_count": pending_callbacks(request.user).count(), "active_area": "desk",
    }, status=status)


@require_capability(Capability.VIEW_DESK)
@require_http_methods(["GET", "POST"])
def phone_log(request):
    triage = _pending_triage(request)
    if request.method == "POST":
        form = CallForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                call = services_calls.log_call(
                    structure=request.user.structure, acting_user=request.user, reason=data["reason"],
                    outcome=data["outcome"], direction=data["direction"], caller_name=data["caller_name"],
                    caller_phone=data["caller_phone"], patient=data["patient"], practitioner=data["practitioner"],
                    note=data["note"], triage=data["triage"], callback_due_at=data.get("callback_due_at"),
                    callback_assigned_to=data["callback_assigned_to"])
            except ServiceError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Call recorded: %(outcome)s.") % {"outcome": call.get_outcome_display()})
                return redirect("reception:phone_log")
        return _page(request, form, triage=triage, status=400)
    return _page(request, CallForm(initial=_initial(request, triage), user=request.user), triage=triage)


@require_capability(Capability.VIEW_PATIENTS)
@require_GET
def call_patient_search(request):
    query = " ".join(request.GET.get("q", "").split())[:100]
    hits = [hit.patient for hit in patients_matching(patients_for(request.user), query, limit=6)] if query else []
    return render(request, "reception/calls/_patient_hits.html", {"hits": hits, "query": query})


@require_capability(Capability.VIEW_DESK)
@require_GET
def callbacks(request):
    now = timezone.now()
    pending = list(pending_callbacks(request.user))
    tz = structure_time_zone()
    for call in pending:
        call.is_late = call.callback_due_at < now
        call.due_other_day = call.callback_due_at.astimezone(tz).date() != now.astimezone(tz).date()
        call.is_mine = call.callback_assigned_to_id == request.user.pk
    return render(request, "reception/calls/callbacks.html", {
        "pending": pending, "late_count": sum(call.is_late for call in pending), "now": now,
        "done": list(callbacks_done_today(request.user, now)), "form": CallbackDoneForm(), "active_area": "desk",
    })


@require_capability(Capability.VIEW_DESK)
@require_POST
def callback_done(request, pk):
    call = access_call(request.user, pk)
    if call.callback_due_at is None:
        raise Http404
    form = CallbackDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say in a few words how the callback went."))
        return redirect("reception:callbacks")
    try:
        services_calls.mark_callback_done(call, result=form.cleaned_data["result"], acting_user=request.user)
    except ServiceError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Callback done."))
    return redirect("reception:callbacks")
