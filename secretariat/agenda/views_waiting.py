"""Screens of the waiting list: the list, adding a patient, and the freed slot after a
cancellation with its candidates (book one at once, or offer the slot to several by SMS or
e-mail). The patient's answer to an offer is ``views_offer``.

Thin views: ``require_capability`` (403 for roles without it), ``access_*`` scoping (404 for
outsiders), a form parses, a service writes. Plain HTML forms, no JavaScript needed.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secretariat.agenda import services_waiting as services
from secretariat.agenda.forms_waiting import PatientSearchForm, WaitingEntryForm
from secretariat.agenda.models import Appointment, SlotOffer
from secretariat.agenda.notifications import patient_contacts
from secretariat.agenda.permissions import access_appointment
from secretariat.agenda.queries import structure_time_zone
from secretariat.agenda.queries_waiting import (
    candidates_for_slot,
    offers_of_slot,
    slot_is_still_free,
    waiting_entries_for,
)
from secretariat.agenda.services import DirectiveViolation
from secretariat.core.access import practitioners_for, require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.permissions import access_patient, patients_for
from secretariat.patients.queries import patients_matching

LIST_ROWS = 200


def day_url(moment) -> str | None:
    """The day view of the calendar at ``moment``'s date, when that screen exists."""
    try:
        url = reverse("agenda:day")
    except NoReverseMatch:
        return None
    return f"{url}?date={timezone.localtime(moment, structure_time_zone()):%Y-%m-%d}"


def pick_patient(request):
    """(patient, search context): the patient of ``?patient=`` (404 outside the user's
    scope), or the search box and its results when none is chosen yet."""
    if request.GET.get("patient"):
        try:
            pk = int(request.GET["patient"])
        except ValueError:
            raise Http404 from None
        return access_patient(request.user, pk), {}
    search = PatientSearchForm(request.GET or None)
    hits = []
    if search.is_valid() and search.cleaned_data["q"].strip():
        hits = [hit.patient for hit in patients_matching(patients_for(request.user), search.cleaned_data["q"],
                                                         limit=10)]
    return None, {"search": search, "hits": hits, "searched": bool(search.is_bound)}


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def waiting_list(request):
    practitioners = list(practitioners_for(request.user).order_by("last_name", "first_name"))
    entries = waiting_entries_for(request.user)
    chosen = request.GET.get("practitioner", "")
    if chosen.isdigit():
        entries = entries.filter(Q(practitioner_id=int(chosen)) | Q(practitioner__isnull=True))
    return render(request, "agenda/waiting/list.html", {
        "entries": entries[:LIST_ROWS], "practitioners": practitioners, "chosen": chosen,
        "can_book": request.user.has_capability(Capability.BOOK_APPOINTMENTS), "active_area": "agenda",
    })


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_http_methods(["GET", "POST"])
def waiting_add(request):
    patient, search = pick_patient(request)
    if patient is None:
        return render(request, "agenda/waiting/add.html", {**search, "active_area": "agenda"})
    coming = (Appointment.objects.filter(patient=patient, status=Appointment.Status.BOOKED, start__gt=timezone.now())
              .select_related("appointment_type", "practitioner").order_by("start"))
    form = WaitingEntryForm(request.POST or None, practitioners=practitioners_for(request.user),
                            structure_id=request.user.structure_id, coming_appointments=coming)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_to_waiting_list(
                patient=patient, practitioner=data["practitioner"], appointment_type=data["appointment_type"],
                not_before=data["not_before"], latest=data["latest"], mornings_only=data["half_day"] == "mornings",
                afternoons_only=data["half_day"] == "afternoons", weekdays=data["weekdays"], note=data["note"],
                current_appointment=data["current_appointment"], acting_user=request.user,
            )
        except ServiceError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("%(patient)s is on the waiting list.") % {"patient": patient.display_name})
            return redirect("agenda:waiting_list")
    return render(request, "agenda/waiting/add.html", {"patient": patient, "form": form, "active_area": "agenda"})


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_POST
def waiting_withdraw(request, pk):
    entry = get_object_or_404(waiting_entries_for(request.user), pk=pk)
    try:
        services.withdraw_entry(entry, acting_user=request.user)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("%(patient)s is no longer on the waiting list.")
                         % {"patient": entry.patient.display_name})
    return redirect("agenda:waiting_list")


# --- The freed slot ---------------------------------------------------------------------------


def _freed_context(request, appointment, **extra) -> dict:
    now = timezone.now()
    is_free = (appointment.status == Appointment.Status.CANCELLED and appointment.start > now
               and slot_is_still_free(appointment.practitioner, appointment.start, appointment.end))
    candidates = []
    offers = list(offers_of_slot(appointment.practitioner, appointment.start, appointment.end))
    if is_free:
        found = candidates_for_slot(appointment.practitioner, appointment.site, appointment.start, appointment.end)
        # Only patients the user may see (another team's patient waiting for "any practitioner").
        visible = set(patients_for(request.user).filter(pk__in={entry.patient_id for entry in found})
                      .values_list("pk", flat=True))
        open_offers = {offer.entry_id: offer for offer in offers if offer.status == SlotOffer.Status.OFFERED
                       and offer.expires_at > now}
        for entry in found:
            if entry.patient_id not in visible:
                continue
            entry.reachable = [contact.channel for contact in patient_contacts(entry.patient)]
            entry.open_offer = open_offers.get(entry.pk)
            candidates.append(entry)
    return {
        "appointment": appointment, "is_free": is_free, "candidates": candidates, "offers": offers,
        "day_url": day_url(appointment.start), "active_area": "agenda",
        "can_book": request.user.has_capability(Capability.BOOK_APPOINTMENTS), **extra,
    }


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def freed_slot(request, pk):
    appointment = access_appointment(request.user, pk)
    return render(request, "agenda/waiting/freed_slot.html", _freed_context(request, appointment))


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_POST
def freed_slot_book(request, pk):
    appointment = access_appointment(request.user, pk)
    entry = get_object_or_404(waiting_entries_for(request.user), pk=request.POST.get("entry") or 0)
    try:
        booked = services.book_for_entry(entry, practitioner=appointment.practitioner, start=appointment.start,
                                         site=appointment.site, acting_user=request.user,
                                         override_reason=request.POST.get("override_reason", ""))
    except DirectiveViolation as refusal:
        context = _freed_context(request, appointment, refusal=refusal,
                                 override_entry=entry.pk if refusal.can_override else None)
        return render(request, "agenda/waiting/freed_slot.html", context, status=409)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
        return redirect("agenda:freed_slot", pk=appointment.pk)
    local = timezone.localtime(booked.start, structure_time_zone())
    messages.success(request, _("Booked for %(patient)s on %(day)s at %(time)s.") % {
        "patient": entry.patient.display_name, "day": f"{local:%d/%m/%Y}", "time": f"{local:%H:%M}"})
    return redirect(day_url(booked.start) or reverse("agenda:freed_slot", args=[appointment.pk]))


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_POST
def freed_slot_offer(request, pk):
    appointment = access_appointment(request.user, pk)
    chosen = [int(value) for value in request.POST.getlist("entries") if value.isdigit()]
    entries = list(waiting_entries_for(request.user).filter(pk__in=chosen))
    if not entries or len(entries) != len(set(chosen)):
        messages.error(request, _("Tick the patients to whom the slot should be offered."))
        return redirect("agenda:freed_slot", pk=appointment.pk)
    try:
        result = services.offer_slot(entries=entries, practitioner=appointment.practitioner, site=appointment.site,
                                     start=appointment.start, end=appointment.end, acting_user=request.user)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, ngettext("The slot was offered to %(count)s patient.",
                                           "The slot was offered to %(count)s patients.",
                                           len(result.offers)) % {"count": len(result.offers)})
        if result.unreachable:
            messages.warning(request, _("Not reachable by SMS or e-mail, to call: %(patients)s.") % {
                "patients": ", ".join(entry.patient.display_name for entry in result.unreachable)})
    return redirect("agenda:freed_slot", pk=appointment.pk)
