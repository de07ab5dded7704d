"""Screens of the messages between colleagues: inbox (received, sent), writing, the
conversation with its read receipts, and the answer.

Thin views: ``require_capability`` for the area, ``access_transmission`` (404 for anything
not one's own), forms parse, ``services_transmissions`` writes.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secretariat.core.access import require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.permissions import access_patient, patients_for
from secretariat.patients.queries import patients_matching
from secretariat.reception import services_transmissions as services
from secretariat.reception.forms_transmissions import ComposeForm, PatientSearchForm, ReplyForm
from secretariat.reception.models import Transmission
from secretariat.reception.queries_transmissions import (
    access_transmission,
    may_read_medical,
    received_by,
    recipients_for,
    sent_by,
    thread_of,
)

PAGE_ROWS = 50


def _patient_from(value, user):
    if value in (None, ""):
        return None
    try:
        return access_patient(user, int(value))
    except (TypeError, ValueError):
        raise Http404 from None


@require_capability(Capability.VIEW_DESK)
@require_GET
def inbox(request):
    box = "sent" if request.GET.get("box") == "sent" else "received"
    rows = sent_by(request.user) if box == "sent" else received_by(request.user)
    page = Paginator(rows, PAGE_ROWS).get_page(request.GET.get("page"))
    unread = received_by(request.user).filter(read_at__isnull=True).count()
    return render(request, "reception/transmissions/inbox.html", {
        "box": box, "page": page, "unread": unread, "active_area": "reception",
    })


@require_capability(Capability.VIEW_DESK)
@require_http_methods(["GET", "POST"])
def compose(request):
    user = request.user
    recipients = recipients_for(user)
    initial = {}
    if request.GET.get("to", "").isdigit():
        initial["recipient"] = recipients.filter(pk=int(request.GET["to"])).first()
    patient = _patient_from(request.POST.get("patient") if request.method == "POST" else request.GET.get("patient"),
                            user)
    form = ComposeForm(request.POST or None, recipients=recipients,
                       initial={**initial, "patient": patient.pk if patient else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = services.send_transmission(
                recipient=data["recipient"], subject=data["subject"], body=data["body"],
                priority=data["priority"], patient=patient, acting_user=user)
        except ServiceError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Message sent to %(name)s.")
                             % {"name": message.recipient.get_full_name() or message.recipient.username})
            return redirect("reception:inbox")
    return render(request, "reception/transmissions/compose.html", {
        "form": form, "patient": patient, **_patient_hits(request), "active_area": "reception",
    })


def _patient_hits(request) -> dict:
    """The search box and the patients matching it, among those the user may access."""
    search = PatientSearchForm(request.GET if "q" in request.GET else None)
    hits = []
    if search.is_bound and search.is_valid() and search.cleaned_data["q"].strip():
        hits = [hit.patient for hit in patients_matching(patients_for(request.user), search.cleaned_data["q"],
                                                         limit=8)]
    return {"search": search, "hits": hits, "searched": bool(search.is_bound and request.GET["q"].strip())}


@require_capability(Capability.VIEW_DESK)
@require_GET
def compose_patients(request):
    """Fragment (htmx): the patients matching the search box."""
    return render(request, "reception/transmissions/_patient_hits.html", _patient_hits(request))


@require_capability(Capability.VIEW_DESK)
@require_GET
def transmission(request, pk):
    user = request.user
    message = access_transmission(user, pk)
    conversation = thread_of(message, user)
    services.mark_read(conversation, acting_user=user)
    last = conversation[-1] if conversation else message
    patient_link = bool(message.patient_id and patients_for(user).filter(pk=message.patient_id).exists())
    # A reception agent sees only their own messages of a conversation about a patient.
    hidden_replies = 0
    if message.patient_id and not may_read_medical(user):
        root_id = message.thread_root_id or message.pk
        hidden_replies = (Transmission.objects.filter(thread_root_id=root_id).count() + 1
                          - len(conversation))
    other = last.recipient if last.sender_id == user.pk else last.sender
    return render(request, "reception/transmissions/thread.html", {
        "message": message, "conversation": conversation, "root": conversation[0] if conversation else message,
        "reply_form": ReplyForm(), "reply_to": last, "other": other, "patient_link": patient_link,
        "hidden_replies": hidden_replies,
        "other_reads_medical": other.has_capability(Capability.READ_MEDICAL_MESSAGES),
        "active_area": "reception",
    })


@require_capability(Capability.VIEW_DESK)
@require_POST
def reply(request, pk):
    message = access_transmission(request.user, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.reply_to_transmission(message, body=form.cleaned_data["body"],
                                           priority=form.cleaned_data["priority"], acting_user=request.user)
        except ServiceError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Answer sent."))
    else:
        messages.error(request, _("Write your answer."))
    return redirect("reception:transmission", pk=message.thread_root_id or message.pk)

