"""The booking screen: find the patient, find a slot, book, all from the keyboard.

One page, three steps that stay visible: the patient (search inline, or chosen), the request
(type, practitioner or specialty, time of day, urgent) with the next free slots numbered
1–9 and 0, and the confirm panel of the chosen slot with the practitioner's directives and
the preparation to tell the patient. Without JavaScript every step is a plain link or form.
"""

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from secretariat.agenda import notifications
from secretariat.agenda.directives import booking_violations, directives_of, variant_of
from secretariat.agenda.forms_booking import BookingForm, HalfDay, SlotSearchForm
from secretariat.agenda.models import Appointment, AppointmentType
from secretariat.agenda.permissions import access_appointment
from secretariat.agenda.queries import free_slots_for, structure_time_zone
from secretariat.agenda.rules.slots import Preferences
from secretariat.agenda.services import DirectiveViolation, book_appointment, move_appointment
from secretariat.core.access import practitioners_for, require_capability
from secretariat.core.models import Practitioner
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.permissions import access_patient, patients_for
from secretariat.patients.queries import patients_matching

SEARCH_DAYS = 92  # three months ahead
SLOT_KEYS = "1234567890"


def _context_params(request) -> dict[str, str]:
    """The patient and the appointment being moved travel with every link of the screen."""
    return {name: request.GET.get(name) or request.POST.get(name, "")
            for name in ("patient", "move") if request.GET.get(name) or request.POST.get(name)}


def _patient_and_move(request):
    params = _context_params(request)
    moving = access_appointment(request.user, params["move"]) if "move" in params else None
    if moving is not None:
        if moving.status != Appointment.Status.BOOKED:
            raise Http404
        return moving.patient, moving
    patient = access_patient(request.user, params["patient"]) if "patient" in params else None
    return patient, None


def _search_form(request, practitioners, moving):
    data = request.GET.copy()
    if "appointment_type" not in data:
        default = moving.appointment_type_id if moving else _default_type_id(request.user.structure_id)
        if default:
            data["appointment_type"] = str(default)
        if moving:
            data.setdefault("practitioner", str(moving.practitioner_id))
    return SlotSearchForm(data, structure_id=request.user.structure_id, practitioners=practitioners,
                          privileged=request.user.has_capability(Capability.OVERRIDE_DIRECTIVES))


def _default_type_id(structure_id) -> int | None:
    """The plain consultation at the practice when there is one: most calls are for it."""
    types = AppointmentType.objects.filter(structure_id=structure_id, is_active=True, bookable_by_staff=True)
    chosen = (types.filter(code="consultation").first()
              or types.filter(code__icontains="consultation", mode=AppointmentType.Mode.PRACTICE)
              .order_by("duration_minutes", "label").first()
              or types.order_by("label").first())
    return chosen.pk if chosen else None


def _slots(form, practitioners):
    data = form.cleaned_data
    chosen = list(practitioners)
    if data.get("practitioner"):
        chosen = [data["practitioner"]]
    elif data.get("specialty"):
        chosen = [practitioner for practitioner in chosen if practitioner.specialty == data["specialty"]]
    now = timezone.now()
    tz = structure_time_zone()
    start = now
    if data.get("not_before"):
        start = max(now, datetime.combine(data["not_before"], datetime.min.time(), tzinfo=tz))
    preferences = Preferences(mornings_only=data.get("half_day") == HalfDay.MORNING,
                              afternoons_only=data.get("half_day") == HalfDay.AFTERNOON)
    found = free_slots_for(chosen, appointment_type=data["appointment_type"], now=now,
                           between=(start, start + timedelta(days=SEARCH_DAYS)), urgent=data.get("urgent", False),
                           preferences=preferences, limit=len(SLOT_KEYS) * 2 if data.get("site") else len(SLOT_KEYS))
    if data.get("site"):
        found = [slot for slot in found if slot.site.pk == data["site"].pk]
    return found[:len(SLOT_KEYS)]


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_GET
def book(request):
    patient, moving = _patient_and_move(request)
    practitioners = practitioners_for(request.user).filter(is_active=True).order_by("last_name")
    form = _search_form(request, practitioners, moving)
    slots = _slots(form, list(practitioners)) if form.is_valid() else []
    query = " ".join(request.GET.get("q", "").split())[:100]
    hits = [hit.patient for hit in patients_matching(patients_for(request.user), query, limit=8)] \
        if query and patient is None else []
    booked = None
    if request.GET.get("booked"):
        booked = access_appointment(request.user, request.GET["booked"])
    search_params = {key: value for key, value in request.GET.items() if key not in ("q", "booked")}
    context = {
        "patient": patient, "moving": moving, "form": form, "query": query, "hits": hits,
        "slots": list(zip(SLOT_KEYS, slots, strict=False)), "booked": booked,
        "booked_contacts": notifications.patient_contacts(booked.patient) if booked else None,
        "search_params": urlencode(search_params), "context_params": urlencode(_context_params(request)),
        "active_area": "agenda",
    }
    if request.htmx and request.htmx.target == "slots":
        return render(request, "agenda/booking/book.html#slots", context)
    return render(request, "agenda/booking/book.html", context)


def _chosen_slot(request, data):
    """Practitioner, type and start of the slot picked, all re-read and scoped."""
    try:
        practitioner = practitioners_for(request.user).get(pk=int(data.get("practitioner", "")))
        appointment_type = AppointmentType.objects.get(pk=int(data.get("appointment_type", "")),
                                                       structure_id=request.user.structure_id)
        start = datetime.fromisoformat(data.get("start", ""))
    except (ValueError, TypeError, Practitioner.DoesNotExist, AppointmentType.DoesNotExist):
        raise Http404 from None
    if timezone.is_naive(start):
        raise Http404
    return practitioner, appointment_type, start


def _confirm_context(request, *, patient, moving, practitioner, appointment_type, start, urgent, form=None,
                     error=None, violations=None):
    variant = variant_of(appointment_type, practitioner.pk)
    if violations is None and patient is not None:
        violations, _first = booking_violations(
            practitioner=practitioner, patient=patient, appointment_type=appointment_type, start=start,
            now=timezone.now(), tz=structure_time_zone(), online=False, acting_user=request.user, variant=variant,
            excluding=moving.pk if moving else None)
    return {
        "patient": patient, "moving": moving, "practitioner": practitioner, "appointment_type": appointment_type,
        "start": start, "end": start + variant.duration, "urgent": urgent,
        "directives": directives_of(practitioner.pk), "type_rule": variant.rule, "violations": violations or [],
        "can_override": request.user.has_capability(Capability.OVERRIDE_DIRECTIVES),
        "form": form or BookingForm(initial={"practitioner": practitioner.pk, "appointment_type": appointment_type.pk,
                                             "start": start.isoformat(), "urgent": urgent}),
        "error": error, "context_params": urlencode(_context_params(request)), "active_area": "agenda",
    }


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_GET
def book_confirm(request):
    patient, moving = _patient_and_move(request)
    practitioner, appointment_type, start = _chosen_slot(request, request.GET)
    context = _confirm_context(request, patient=patient, moving=moving, practitioner=practitioner,
                               appointment_type=appointment_type, start=start,
                               urgent=request.GET.get("urgent") in ("1", "on", "True"))
    template = "agenda/booking/confirm.html#panel" if request.htmx else "agenda/booking/confirm.html"
    return render(request, template, context)


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_POST
def book_submit(request):
    patient, moving = _patient_and_move(request)
    form = BookingForm(request.POST)
    practitioner, appointment_type, start = _chosen_slot(request, request.POST)
    if patient is None:
        raise Http404
    urgent = request.POST.get("urgent") in ("1", "on", "True")
    error = violations = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            if moving:
                appointment = move_appointment(moving, start=start, practitioner=practitioner,
                                               acting_user=request.user, override_reason=data["override_reason"])
            else:
                appointment = book_appointment(
                    practitioner=practitioner, patient=patient, appointment_type=appointment_type, start=start,
                    acting_user=request.user, urgent=urgent, note=data["note"],
                    override_reason=data["override_reason"])
        except DirectiveViolation as refused:
            violations = refused.violations
            error = _("Booking this slot needs a reason from a practitioner or a coordinator.") \
                if refused.can_override else _("This slot breaks the practitioner's directives.")
        except ServiceError as refused:
            error = str(refused)
        else:
            messages.success(request, _("Appointment moved.") if moving else _("Appointment booked."))
            return redirect(f"{reverse('agenda:book')}?{urlencode({'patient': patient.pk, 'booked': appointment.pk})}")
    context = _confirm_context(request, patient=patient, moving=moving, practitioner=practitioner,
                               appointment_type=appointment_type, start=start, urgent=urgent, form=form,
                               error=error, violations=violations)
    return render(request, "agenda/booking/confirm.html", context, status=409 if error else 400)
