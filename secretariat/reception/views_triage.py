"""Urgency triage screens: the practitioners' protocols (read by all the desk, written by the
practitioners) and the runner the desk follows, one question at a time."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from secretariat.core.access import require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.permissions import access_patient
from secretariat.reception import protocols as shipped
from secretariat.reception import services_triage
from secretariat.reception.forms_triage import ProtocolForm
from secretariat.reception.models import Priority, TriageProtocol, TriageRecord
from secretariat.reception.queries_calls import access_call
from secretariat.reception.rules_triage import (
    InvalidAnswers,
    format_answers,
    outline,
    parse_answers,
    step,
    to_lines,
)

ANSWER_KEYS = "123456789"


def _protocols(user):
    return TriageProtocol.objects.filter(structure_id=user.structure_id)


def _access_protocol(user, pk) -> TriageProtocol:
    try:
        return _protocols(user).get(pk=pk)
    except (TriageProtocol.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _ensure_protocol(user) -> None:
    """A structure opening the triage for the first time gets the shipped protocol to review."""
    if not _protocols(user).exists():
        services_triage.install_default_protocol(user.structure, acting_user=user)


def safe_next(value: str | None) -> str:
    """A path of this site only: anything else (another host, a scheme, ``//``) is dropped."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    if any(ord(char) < 32 for char in value) or not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return ""
    return value


def with_param(url: str, **params) -> str:
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key not in params]
    query += [(key, str(value)) for key, value in params.items()]
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))


@require_capability(Capability.VIEW_DESK)
def protocols(request):
    _ensure_protocol(request.user)
    rows = list(_protocols(request.user).select_related("updated_by").order_by("-is_active", "name"))
    for row in rows:
        row.outline = outline(row.tree)
    return render(request, "reception/triage/protocols.html", {
        "protocols": rows, "can_edit": request.user.has_capability(Capability.EDIT_TRIAGE_PROTOCOLS),
        "priorities": dict(Priority.choices), "active_area": "desk",
    })


def _edit_page(request, form, protocol=None, status=200, preview=None):
    return render(request, "reception/triage/protocol_edit.html", {
        "form": form, "protocol": protocol, "preview": preview, "active_area": "desk"}, status=status)


def _preview(request, form, protocol=None):
    """"Check" without saving: the questions as the desk will read them."""
    if form.is_valid():
        return _edit_page(request, form, protocol, preview=outline(form.cleaned_data["tree"]))
    return _edit_page(request, form, protocol, status=400)


@require_capability(Capability.EDIT_TRIAGE_PROTOCOLS)
@require_http_methods(["GET", "POST"])
def protocol_edit(request, pk):
    protocol = _access_protocol(request.user, pk)
    if request.method == "POST":
        form = ProtocolForm(request.POST)
        if "check" in request.POST:
            return _preview(request, form, protocol)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_triage.save_protocol(protocol, name=data["name"], context=data["context"],
                                              tree=data["tree"], sources=data["sources"], acting_user=request.user)
            except ServiceError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Protocol saved."))
                return redirect("reception:protocols")
        return _edit_page(request, form, protocol, status=400)
    form = ProtocolForm(initial={"name": protocol.name, "context": protocol.context,
                                 "lines": to_lines(protocol.tree), "sources": protocol.sources})
    return _edit_page(request, form, protocol)


@require_capability(Capability.EDIT_TRIAGE_PROTOCOLS)
@require_http_methods(["GET", "POST"])
def protocol_new(request):
    if request.method == "POST":
        form = ProtocolForm(request.POST)
        if "check" in request.POST:
            return _preview(request, form)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_triage.create_protocol(request.user.structure, name=data["name"], context=data["context"],
                                                tree=data["tree"], sources=data["sources"],
                                                acting_user=request.user)
            except ServiceError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Protocol created."))
                return redirect("reception:protocols")
        return _edit_page(request, form, status=400)
    default = shipped.load()
    form = ProtocolForm(initial={"name": "", "context": default["context"], "lines": to_lines(default["tree"]),
                                 "sources": default["sources"]})
    return _edit_page(request, form)


@require_capability(Capability.EDIT_TRIAGE_PROTOCOLS)
@require_POST
def protocol_active(request, pk):
    protocol = _access_protocol(request.user, pk)
    active = request.POST.get("active") == "1"
    services_triage.set_protocol_active(protocol, active=active, acting_user=request.user)
    messages.success(request, _("Protocol back in use.") if active else _("Protocol no longer in use."))
    return redirect("reception:protocols")


def _carried(request, source) -> dict[str, str]:
    """What travels with every link of the runner: the protocol, where to go back, patient, call."""
    carried = {}
    for name in ("protocol", "patient", "call"):
        value = source.get(name, "")
        if value.isdigit():
            carried[name] = value
    next_url = safe_next(source.get("next"))
    if next_url:
        carried["next"] = next_url
    return carried


def _runner_objects(request, carried):
    user = request.user
    patient = access_patient(user, int(carried["patient"])) if "patient" in carried else None
    call = access_call(user, int(carried["call"])) if "call" in carried else None
    return patient, call


@require_capability(Capability.VIEW_DESK)
@require_http_methods(["GET", "POST"])
def triage(request):
    if request.method == "POST":
        return _record(request)
    _ensure_protocol(request.user)
    carried = _carried(request, request.GET)
    active = list(_protocols(request.user).filter(is_active=True))
    protocol = None
    if "protocol" in carried:
        protocol = next((item for item in active if str(item.pk) == carried["protocol"]), None)
        if protocol is None:
            raise Http404
    elif active:
        protocol = active[0]
    patient, call = _runner_objects(request, carried)
    context = {"protocol": protocol, "active_protocols": active, "patient": patient, "call": call,
               "carried": carried, "next_url": carried.get("next", ""), "active_area": "desk"}
    if protocol is None:
        return render(request, "reception/triage/runner.html", context)
    carried["protocol"] = str(protocol.pk)
    try:
        answers = parse_answers(request.GET.get("a", ""))
        reached = step(protocol.tree, answers)
    except (InvalidAnswers, KeyError):
        messages.warning(request, _("The protocol changed or the answers were not understood: start again."))
        return redirect(f"{reverse('reception:triage')}?{urlencode(carried)}")
    base = urlencode(carried)
    context.update({
        "step": reached, "answers": format_answers(answers), "base_query": base,
        "back_query": f"{base}&{urlencode({'a': format_answers(answers[:-1])})}" if answers else "",
        "restart_query": base,
        "choices": [(ANSWER_KEYS[index], f"{base}&{urlencode({'a': format_answers([*answers, index])})}", answer)
                    for index, answer in enumerate(reached.data.get("answers", []))] if not reached.is_outcome else [],
        "is_emergency": reached.is_outcome and reached.data.get("priority") == Priority.EMERGENCY,
        "is_same_day": reached.is_outcome and reached.data.get("priority") == Priority.SAME_DAY,
        "priority_label": Priority(reached.data["priority"]).label if reached.is_outcome else "",
        "book_url": _booking_url(request, patient) if reached.is_outcome else "",
    })
    return render(request, "reception/triage/runner.html", context)


def _booking_url(request, patient) -> str:
    if not request.user.has_capability(Capability.BOOK_APPOINTMENTS):
        return ""
    params = {"urgent": "1"}
    if patient is not None:
        params["patient"] = patient.pk
    return f"{reverse('agenda:book')}?{urlencode(params)}"


def _record(request):
    carried = _carried(request, request.POST)
    if "protocol" not in carried:
        raise Http404
    protocol = _access_protocol(request.user, carried["protocol"])
    patient, call = _runner_objects(request, carried)
    try:
        answers = parse_answers(request.POST.get("a", ""))
        version = int(request.POST.get("version", ""))
    except (InvalidAnswers, ValueError):
        raise Http404 from None
    try:
        record = services_triage.record_triage(protocol, answers, request.user, patient=patient, version=version,
                                               call=call)
    except ServiceError as refused:
        messages.error(request, str(refused))
        return redirect(f"{reverse('reception:triage')}?{urlencode(carried)}")
    messages.success(request, _("Triage recorded."))
    if request.POST.get("then") == "book" and record.priority == Priority.SAME_DAY:
        book_url = _booking_url(request, patient)
        if book_url:
            return redirect(book_url)
    if carried.get("next"):
        return redirect(with_param(carried["next"], triage=record.pk))
    return redirect("reception:triage_record", pk=record.pk)


@require_capability(Capability.VIEW_DESK)
def triage_record(request, pk):
    try:
        record = TriageRecord.objects.select_related("protocol", "recorded_by", "patient").get(
            pk=pk, structure_id=request.user.structure_id)
    except (TriageRecord.DoesNotExist, ValueError):
        raise Http404 from None
    if record.patient_id is not None:
        access_patient(request.user, record.patient_id)
    return render(request, "reception/triage/record.html", {
        "record": record, "is_emergency": record.priority == Priority.EMERGENCY,
        "book_url": _booking_url(request, record.patient) if record.priority == Priority.SAME_DAY else "",
        "active_area": "desk"})
