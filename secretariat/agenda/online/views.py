"""Online booking pages (public, no staff login): type → practitioner → slot → identity → code →
confirmation. Plain HTML forms and links, so they work on any phone without JavaScript.

Choices travel in the address (type, practitioner, site and start of the slot), and each step
checks them again; nothing is written before the code request, and a refused request writes
nothing. Pages never show what the structure knows about a person: the confirmation repeats
what the patient typed.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.core import signing
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from secretariat.agenda import links
from secretariat.agenda.models import OnlineBookingRequest, TypeDirective
from secretariat.agenda.online import queries, throttle
from secretariat.agenda.online import services as online
from secretariat.agenda.online.forms import CodeForm, IdentityForm
from secretariat.agenda.queries import structure_time_zone

SLOTS_PER_PAGE = 48
ANY = "tous"
START_FORMAT = "%Y-%m-%dT%H:%MZ"
DONE_PURPOSE = "online_booking"
DONE_LINK_AGE = timedelta(days=60)


def _closed(request, structure):
    return render(request, "agenda/public/online_closed.html",
                  {"structure": structure, "phone": queries.contact_phone(structure)})


def _message(request, structure, *, title: str, text: str, status: int, action_url: str = "",
             action_label: str = "", phone: str = ""):
    return render(request, "agenda/public/online_message.html", {
        "structure": structure, "title": title, "text": text, "action_url": action_url,
        "action_label": action_label, "phone": phone,
    }, status=status)


def _slots_url(structure_id: int, type_id: int, choice: str) -> str:
    url = reverse("agenda_public:online_slots", args=[structure_id, type_id])
    return f"{url}?{urlencode({'praticien': choice})}"


@require_GET
def start(request, structure_id: int):
    structure, booking = queries.booking_of(structure_id)
    types = queries.online_types(structure) if booking else []
    if not types:
        return _closed(request, structure)
    return render(request, "agenda/public/online_types.html", {"structure": structure, "types": types, "step": 1})


@require_GET
def practitioners(request, structure_id: int, type_id: int):
    structure, booking = queries.booking_of(structure_id)
    if booking is None:
        return _closed(request, structure)
    appointment_type = queries.online_type(structure, type_id)
    found = queries.practitioners_for(appointment_type, today=timezone.localdate())
    if len(found) == 1:
        return HttpResponseRedirect(_slots_url(structure.pk, appointment_type.pk, str(found[0].pk)))
    return render(request, "agenda/public/online_practitioners.html", {
        "structure": structure, "appointment_type": appointment_type, "practitioners": found, "any": ANY,
        "step": 2, "phone": booking.contact_phone(),
    })


def _chosen_practitioners(appointment_type, choice: str):
    found = queries.practitioners_for(appointment_type, today=timezone.localdate())
    if choice == ANY:
        return found, None
    chosen = [practitioner for practitioner in found if str(practitioner.pk) == choice]
    if not chosen:
        raise Http404
    return chosen, chosen[0]


def _first_day(text: str, today: date) -> date:
    try:
        return max(date.fromisoformat(text), today) if text else today
    except ValueError:
        return today


@require_GET
def slots(request, structure_id: int, type_id: int):
    structure, booking = queries.booking_of(structure_id)
    if booking is None:
        return _closed(request, structure)
    appointment_type = queries.online_type(structure, type_id)
    choice = request.GET.get("praticien", ANY)
    chosen, practitioner = _chosen_practitioners(appointment_type, choice)
    now = timezone.now()
    tz = structure_time_zone()
    first_day = _first_day(request.GET.get("depuis", ""), now.astimezone(tz).date())
    horizon_end = booking.horizon_end(now)
    between = (max(now, datetime.combine(first_day, time(0), tzinfo=tz)), horizon_end)
    found = queries.offered_slots(chosen, appointment_type, between=between, now=now, limit=SLOTS_PER_PAGE)
    days = queries.slots_by_day(found)
    next_day = None
    if len(found) == SLOTS_PER_PAGE:
        # The last day may be cut short by the limit: it is shown whole on the next page.
        next_day = days.pop()[0] if len(days) > 1 else days[0][0] + timedelta(days=1)
    base = _slots_url(structure.pk, appointment_type.pk, choice)
    return render(request, "agenda/public/online_slots.html", {
        "structure": structure, "appointment_type": appointment_type, "practitioner": practitioner,
        "days": [(day, [(slot, _identity_url(structure.pk, appointment_type.pk, slot, choice)) for slot in day_slots])
                 for day, day_slots in days],
        "next_url": f"{base}&{urlencode({'depuis': next_day.isoformat()})}" if next_day else "",
        "first_url": base if first_day > now.astimezone(tz).date() else "",
        "horizon_day": (horizon_end - timedelta(days=1)).astimezone(tz).date(),
        "show_practitioner": practitioner is None, "phone": booking.contact_phone(), "step": 3,
        "back_url": reverse("agenda_public:online_practitioners", args=[structure.pk, appointment_type.pk]),
    })


def _identity_url(structure_id: int, type_id: int, slot, choice: str) -> str:
    url = reverse("agenda_public:online_identity", args=[structure_id, type_id])
    return f"{url}?" + urlencode({"praticien": slot.practitioner.pk, "site": slot.site.pk,
                                  "debut": slot.start.astimezone(UTC).strftime(START_FORMAT), "choix": choice})


def _chosen_slot(params, appointment_type, booking, now):
    """The slot named by the address if it is still offered, else None; 404 for a malformed one."""
    try:
        start_at = datetime.strptime(params.get("debut", ""), START_FORMAT).replace(tzinfo=UTC)
        practitioner_id, site_id = int(params.get("praticien", "")), int(params.get("site", ""))
    except ValueError:
        raise Http404 from None
    found = queries.practitioners_for(appointment_type, today=timezone.localdate())
    practitioner = next((item for item in found if item.pk == practitioner_id), None)
    if practitioner is None:
        raise Http404
    return queries.offered_slot(practitioner, appointment_type, site_id=site_id, start=start_at, now=now,
                                horizon_end=booking.horizon_end(now))


def _slot_taken(request, structure, appointment_type, choice: str, phone: str):
    return _message(request, structure, status=409, title=_("This slot has just been taken"),
                    text=_("Someone booked it a moment ago, or it can no longer be booked online. "
                           "Please choose another one."),
                    action_url=_slots_url(structure.pk, appointment_type.pk, choice),
                    action_label=_("Choose another slot"), phone=phone)


@require_http_methods(["GET", "POST"])
def identity(request, structure_id: int, type_id: int):
    structure, booking = queries.booking_of(structure_id)
    if booking is None:
        return _closed(request, structure)
    appointment_type = queries.online_type(structure, type_id)
    params = request.POST if request.method == "POST" else request.GET
    choice = params.get("choix", ANY)
    now = timezone.now()
    if request.method == "POST" and params.get("website", "").strip():
        # The honeypot was filled: a robot. Same calm page as any refused request, nothing written.
        return _message(request, structure, status=400, title=_("Your request could not be sent"),
                        text=_("Please try again, or call the secretariat."), phone=booking.contact_phone())
    slot = _chosen_slot(params, appointment_type, booking, now)
    if slot is None:
        return _slot_taken(request, structure, appointment_type, choice, booking.contact_phone())
    local_start = slot.start.astimezone(structure_time_zone())
    form = IdentityForm(request.POST or None, appointment_type=appointment_type, appointment_day=local_start.date())
    if request.method == "POST" and form.is_valid():
        try:
            booking_request, _code = online.request_code(
                structure=structure, appointment_type=appointment_type, slot=slot, applicant=form.applicant(),
                client_address=request.META.get("REMOTE_ADDR") or None, now=now)
        except online.Throttled as refusal:
            response = _message(request, structure, status=429, title=_("Please wait a little"), text=str(refusal),
                                phone=booking.contact_phone(slot.site))
            response["Retry-After"] = str(int(throttle.WINDOW.total_seconds()))
            return response
        token = online.request_token(booking_request, consent=form.cleaned_data["consent"])
        url = reverse("agenda_public:online_code", args=[token])
        return HttpResponseRedirect(f"{url}?{urlencode({'choix': choice})}", status=303)
    return render(request, "agenda/public/online_identity.html", {
        "structure": structure, "appointment_type": appointment_type, "slot": slot, "form": form,
        "local_start": local_start, "step": 4, "choice": choice,
        "hidden": {"praticien": slot.practitioner.pk, "site": slot.site.pk,
                   "debut": slot.start.astimezone(UTC).strftime(START_FORMAT), "choix": choice},
        "back_url": _slots_url(structure.pk, appointment_type.pk, choice),
    })


def _request_of(token: str) -> tuple[OnlineBookingRequest, bool]:
    try:
        pk, consent = online.read_request_token(token)
    except signing.BadSignature:
        raise Http404 from None
    booking_request = (OnlineBookingRequest.objects.select_related("structure", "appointment_type", "practitioner",
                                                                   "site").filter(pk=pk).first())
    if booking_request is None:
        raise Http404
    return booking_request, consent


def _done_url(booking_request) -> str:
    return reverse("agenda_public:online_done", args=[links.make_token(DONE_PURPOSE, booking_request.pk)])


@require_http_methods(["GET", "POST"])
def code(request, token: str):
    booking_request, consent = _request_of(token)
    structure = booking_request.structure
    kind = booking_request.appointment_type
    choice = request.GET.get("choix", ANY)
    phone = queries.contact_phone(structure, booking_request.site)
    if booking_request.status == OnlineBookingRequest.Status.CONFIRMED:
        return HttpResponseRedirect(_done_url(booking_request), status=303)
    form = CodeForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        result = online.confirm_booking(booking_request.pk, code=form.cleaned_data["code"], consent=consent)
        outcome = result.outcome
        if outcome in (online.Outcome.BOOKED, online.Outcome.ALREADY_CONFIRMED):
            return HttpResponseRedirect(_done_url(booking_request), status=303)
        if outcome == online.Outcome.WRONG_CODE:
            form.add_error("code", _("This is not the code we sent. Attempts left: %(count)d.")
                           % {"count": result.attempts_left})
    elif online.expire_if_due(booking_request):
        outcome = online.closed_outcome(booking_request)
    if outcome == online.Outcome.SLOT_TAKEN:
        return _slot_taken(request, structure, kind, choice, phone)
    if outcome == online.Outcome.REFUSED:
        return _message(request, structure, status=403, title=_("Please call the secretariat"),
                        text=_("This slot cannot be booked online. Please call the secretariat to make your "
                               "appointment."), phone=phone)
    if outcome in (online.Outcome.EXPIRED, online.Outcome.TOO_MANY_ATTEMPTS):
        expired = outcome == online.Outcome.EXPIRED
        return _message(
            request, structure, status=410 if expired else 429,
            title=_("This code has expired") if expired else _("Too many wrong codes"),
            text=_("For your security, the code can no longer be used. Choose your slot again to receive "
                   "a new code."), action_url=_slots_url(structure.pk, kind.pk, choice),
            action_label=_("Choose a slot again"), phone=phone)
    return render(request, "agenda/public/online_code.html", {
        "structure": structure, "booking_request": booking_request, "form": form, "step": 5,
        "sent_to": online.masked_contact(booking_request), "by_email": bool(booking_request.email),
        "local_start": booking_request.start.astimezone(structure_time_zone()),
        "restart_url": _slots_url(structure.pk, kind.pk, choice),
    })


@require_GET
def done(request, token: str):
    try:
        pk = links.read_token(token, DONE_PURPOSE, max_age=DONE_LINK_AGE)
    except links.BadLink:
        raise Http404 from None
    booking_request = (OnlineBookingRequest.objects.select_related(
        "structure", "appointment__appointment_type", "appointment__practitioner", "appointment__site")
        .filter(pk=pk, status=OnlineBookingRequest.Status.CONFIRMED).first())
    if booking_request is None or booking_request.appointment is None:
        raise Http404
    appointment = booking_request.appointment
    rule = TypeDirective.objects.filter(practitioner_id=appointment.practitioner_id,
                                        appointment_type_id=appointment.appointment_type_id).first()
    return render(request, "agenda/public/online_done.html", {
        "structure": booking_request.structure, "booking_request": booking_request, "appointment": appointment,
        "local_start": appointment.start.astimezone(structure_time_zone()),
        "extra_instructions": rule.extra_instructions if rule else "",
        "manage_url": _appointment_link(appointment),
        "phone": queries.contact_phone(booking_request.structure, appointment.site),
    })


def _appointment_link(appointment) -> str:
    """The confirm/cancel page of the appointment (built by the messaging part of the agenda)."""
    try:
        return reverse("agenda_public:appointment_link", args=[links.make_token("appointment", appointment.pk)])
    except NoReverseMatch:  # that page is not installed: the confirmation message carries the link
        return ""
