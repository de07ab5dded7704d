"""Today at the desk: the expected patients of a site, check-in, walk-ins.

Thin views: access (``VIEW_DESK``, the user's practitioners, the structure's sites), parse, call
``services_desk`` or ``queries_desk``, render. The list refreshes itself every five seconds with
htmx through ``desk_rows`` (the same partial, a fixed number of queries). Check-in answers with
the side panel (the RNIV question when the identity is not validated, then the ticket and what
is missing in the coverage). Without JavaScript every action is a plain form or link.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from secretariat.agenda.permissions import access_appointment
from secretariat.core.access import care_teams_of, practitioners_for, require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.permissions import access_patient, patients_for
from secretariat.patients.queries import patients_matching
from secretariat.patients.rules.coverage import coverage_problems
from secretariat.patients.services import PossibleDuplicates
from secretariat.reception import queries_desk, services_desk
from secretariat.reception.forms_desk import QuickIdentityForm, WalkInForm, document_answer
from secretariat.reception.models import Priority, ReceptionSettings, TriageRecord
from secretariat.reception.permissions import access_visit

REFRESH_EVENT = "desk-refresh"
VERSION_HEADER = "X-Desk-Version"


def url_or_none(name: str, *args) -> str | None:
    """A screen built by another part of the desk, which may not exist yet (Vitale, triage)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _site(request):
    site = queries_desk.desk_site(request.user, requested=request.GET.get("site"),
                                  remembered=request.session.get(queries_desk.SESSION_SITE_KEY))
    if site is not None and request.session.get(queries_desk.SESSION_SITE_KEY) != site.pk:
        request.session[queries_desk.SESSION_SITE_KEY] = site.pk
    return site


def _filters(request) -> dict:
    """The list's filters, and the desk settings read once for the whole request."""
    if not hasattr(request, "_desk_settings"):
        request._desk_settings = ReceptionSettings.for_structure(request.user.structure_id)
    return {"practitioner_id": _int_or_none(request.GET.get("practitioner")),
            "still_expected_only": request.GET.get("expected") == "1", "whole_day": request.GET.get("day") == "all",
            "settings_row": request._desk_settings}


def _chip_texts() -> dict[str, tuple[str, str, str]]:
    """(short text on the chip, full text for screen readers, tooltip), translated once per list."""
    identity = _("Identity not validated")
    return {
        "urgent": (_("URG"), _("Urgent request"), _("Urgent request")),
        "first": (_("NEW"), _("First visit"), _("First visit")),
        "interpreter": (_("INT"), _("Interpreter needed"), _("Interpreter needed")),
        "identity": (_("ID?"), identity, _("Identity not validated: ask for an identity document")),
        "coverage": (_("COV"), _("Coverage to check"), ""),
        "doc-requested": (_("DOC"), _("Identity document requested"),
                          _("No identity document presented at check-in")),
    }


def _pattern(name: str) -> str:
    return reverse(name, args=[987654321]).replace("987654321", "{}")


def dress_rows(day) -> None:
    """Chips and action URLs of every row, each text translated and each URL reversed once: the
    list is rendered every five seconds on every desk."""
    texts = _chip_texts()
    check_in, undo = _pattern("reception:check_in"), _pattern("reception:undo_check_in")
    for row in (*day.rows, *day.walk_ins):
        shown = [("urgent", row.appointment is not None and row.appointment.urgent),
                 ("first", row.flags.first_visit), ("interpreter", row.flags.interpreter)]
        row.chips = [(key, *texts[key]) for key, on in shown if on]
        if row.flags.accessibility:
            needs = ", ".join(row.flags.accessibility)
            row.chips.append(("access", "♿", needs, needs))
        if row.flags.identity_not_validated:
            row.chips.append(("identity", *texts["identity"]))
        if row.problems:
            short, long, _title = texts["coverage"]
            row.chips.append(("coverage", short, long, " · ".join(problem.message for problem in row.problems)))
        if row.visit is not None and row.visit.identity_document_requested:
            row.chips.append(("doc-requested", *texts["doc-requested"]))
        if row.appointment is not None:
            row.check_in_url = check_in.format(row.appointment.pk)
        if row.visit is not None:
            row.undo_url = undo.format(row.visit.pk)


def _rows_context(request, site, *, version: str = "") -> dict:
    filters = _filters(request)
    day = queries_desk.desk_day(request.user, site=site, **filters)
    dress_rows(day)
    query = {"site": site.pk}
    filters.pop("settings_row")
    if filters["practitioner_id"]:
        query["practitioner"] = filters["practitioner_id"]
    if filters["still_expected_only"]:
        query["expected"] = "1"
    if filters["whole_day"]:
        query["day"] = "all"
    return {"day": day, "filters": filters, "rows_query": urlencode(query),
            "version": version or queries_desk.desk_version(request.user, site=site, now=day.now,
                                                            settings_row=day.settings, **filters)}


@require_capability(Capability.VIEW_DESK)
@require_GET
def desk(request):
    site = _site(request)
    if site is None:
        return render(request, "reception/desk/desk.html", {"site": None, "active_area": "desk"})
    context = _rows_context(request, site)
    context.update({
        "site": site, "sites": list(queries_desk.sites_for(request.user).order_by("name")),
        "practitioners": queries_desk.desk_practitioners(request.user, site, context["day"].day),
        "walk_in_url": f"{reverse('reception:walk_in')}?site={site.pk}",
        "active_area": "desk",
    })
    return render(request, "reception/desk/desk.html", context)


@require_capability(Capability.VIEW_DESK)
@require_GET
def desk_rows(request):
    """The list alone, for the refresh every five seconds: no session write, no practitioner list."""
    site = queries_desk.desk_site(request.user, requested=request.GET.get("site"),
                                  remembered=request.session.get(queries_desk.SESSION_SITE_KEY))
    if site is None:
        raise Http404
    # Every desk asks every five seconds: when nothing changed, say so without rendering the list
    # (htmx keeps the list as it is on a 204).
    version = queries_desk.desk_version(request.user, site=site, **_filters(request))
    if request.headers.get(VERSION_HEADER) == version:
        return HttpResponse(status=204)
    return render(request, "reception/desk/desk.html#rows",
                  {"site": site, **_rows_context(request, site, version=version)})


def _panel_context(request, appointment, **extra) -> dict:
    patient = appointment.patient
    problems = coverage_problems(patient.amo_coverages.all(), patient.amc_coverages.all(),
                                 on=timezone.localdate())
    return {
        "appointment": appointment, "patient": patient, "problems": problems,
        "needs_document": services_desk.identity_needs_document(patient),
        "validate_url": url_or_none("patients:validate", patient.pk),
        "vitale_url": url_or_none("reception:vitale", patient.pk),
        **extra,
    }


def _panel(request, context, *, refresh: bool = False, status: int = 200):
    # htmx swaps only successful answers: a refusal is shown in the panel with a 200.
    template = "reception/desk/_panel.html" if request.htmx else "reception/desk/check_in.html"
    response = render(request, template, {**context, "active_area": "desk"},
                      status=200 if request.htmx else status)
    if refresh:
        trigger_client_event(response, REFRESH_EVENT, {})
    return response


@require_capability(Capability.VIEW_DESK)
@require_POST
def check_in(request, pk):
    """Check the patient of appointment ``pk`` in; asks the RNIV question first when needed."""
    appointment = access_appointment(request.user, pk)
    answer = document_answer(request.POST.get("identity_document"))
    if answer is None and services_desk.identity_needs_document(appointment.patient):
        return _panel(request, _panel_context(request, appointment, mode="question"))
    try:
        visit = services_desk.check_in(appointment, acting_user=request.user, identity_document_presented=answer)
    except ServiceError as error:
        return _panel(request, _panel_context(request, appointment, mode="error", error=str(error)), status=409)
    return _panel(request, _panel_context(request, appointment, mode="done", visit=visit), refresh=True)


@require_capability(Capability.VIEW_DESK)
@require_POST
def undo_check_in(request, pk):
    """Undo a mistaken check-in (or walk-in) while the patient is still waiting."""
    visit = access_visit(request.user, pk)
    name, ticket = visit.patient.display_name, visit.ticket_label
    try:
        services_desk.undo_check_in(visit, acting_user=request.user)
    except ServiceError as error:
        text, level = str(error), "error"
    else:
        text, level = _("Check-in of %(patient)s (ticket %(ticket)s) undone.") % {
            "patient": name, "ticket": ticket}, "success"
    if not request.htmx:
        getattr(messages, level)(request, text)
        return redirect(f"{reverse('reception:desk')}?site={visit.site_id}")
    response = render(request, "reception/desk/_panel.html", {"mode": "notice", "level": level, "text": text})
    return trigger_client_event(response, REFRESH_EVENT, {})


def _triage_record(request) -> TriageRecord | None:
    pk = _int_or_none(request.GET.get("triage") or request.POST.get("triage"))
    if pk is None:
        return None
    try:
        return TriageRecord.objects.get(pk=pk, structure_id=request.user.structure_id)
    except TriageRecord.DoesNotExist:
        raise Http404 from None


def _chosen_patient(request):
    pk = request.GET.get("patient") or request.POST.get("patient")
    return access_patient(request.user, pk) if pk else None


def _care_teams_for(request, practitioner):
    """The teams that will see a new file: the chosen practitioner's among the user's, else the user's."""
    teams = care_teams_of(request.user)
    if practitioner is not None:
        theirs = teams.filter(practitioners=practitioner)
        if theirs.exists():
            return list(theirs)
    return list(teams)


def _walk_in_links(request, site, patient, triage) -> dict:
    keep = {"site": site.pk}
    if patient is not None:
        keep["patient"] = patient.pk
    if triage is not None:
        keep["triage"] = triage.pk
    here = f"{reverse('reception:walk_in')}?{urlencode(keep)}"
    triage_url = url_or_none("reception:triage")
    if triage_url:
        params = {"next": here}
        if patient is not None:
            params["patient"] = patient.pk
        triage_url = f"{triage_url}?{urlencode(params)}"
    return {"here": here, "triage_url": triage_url, "keep": keep}


@require_capability(Capability.VIEW_DESK)
@require_http_methods(["GET", "POST"])
def walk_in(request):
    """Register a walk-in: find the patient (or type a provisional identity), reason, practitioner,
    priority from the triage protocol (``?triage=<record>`` pre-fills it)."""
    site = _site(request)
    if site is None:
        raise Http404
    patient, triage = _chosen_patient(request), _triage_record(request)
    practitioners = practitioners_for(request.user).filter(is_active=True).order_by("last_name", "first_name")
    initial = {"priority": triage.priority} if triage else {}
    form = WalkInForm(request.POST or None, practitioners=practitioners, initial=initial)
    can_create = request.user.has_capability(Capability.EDIT_PATIENTS)
    identity_form = QuickIdentityForm(request.POST or None) \
        if patient is None and can_create else None
    candidates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identity = None
        if patient is None:
            if identity_form is None or not identity_form.is_valid():
                form.add_error(None, _("Choose the patient in the list, or type the new identity below."))
            else:
                identity = identity_form.identity()
        if patient is not None or identity is not None:
            try:
                visit = services_desk.register_walk_in(
                    site=site, acting_user=request.user, patient=patient, identity=identity,
                    care_teams=_care_teams_for(request, data["practitioner"]),
                    phone=identity_form.cleaned_data.get("phone", "") if identity else "",
                    duplicate_reason=identity_form.cleaned_data.get("duplicate_reason", "") if identity else "",
                    practitioner=data["practitioner"], reason=data["reason"], priority=data["priority"],
                    triage=triage, identity_document_presented=form.document_presented(),
                )
            except PossibleDuplicates as duplicates:
                candidates = duplicates.candidates
                identity_form.add_error(None, str(duplicates))
            except ServiceError as error:
                form.add_error(None, str(error))
            else:
                if visit.priority == Priority.EMERGENCY:
                    messages.error(request, _("EMERGENCY: call 15 (or 112) now and follow the protocol's script. "
                                              "Do not keep the patient waiting. Ticket %(ticket)s.")
                                   % {"ticket": visit.ticket_label})
                else:
                    messages.success(request, _("%(patient)s registered without an appointment: ticket %(ticket)s.")
                                     % {"patient": visit.patient.display_name, "ticket": visit.ticket_label})
                return redirect(f"{reverse('reception:desk')}?site={site.pk}")
    query = " ".join(request.GET.get("q", "").split())[:100]
    hits = [hit.patient for hit in patients_matching(patients_for(request.user), query, limit=8)] \
        if query and patient is None else []
    chosen_priority = form.data.get("priority") if form.is_bound else initial.get("priority")
    visible = set(patients_for(request.user).filter(
        pk__in=[candidate.patient.pk for candidate in candidates]).values_list("pk", flat=True))
    context = {
        "site": site, "form": form, "identity_form": identity_form, "patient": patient, "triage": triage,
        "query": query, "hits": hits, "candidates": candidates, "visible": visible, "can_create": can_create,
        "needs_document": patient is None or services_desk.identity_needs_document(patient),
        "emergency": str(chosen_priority) == str(Priority.EMERGENCY.value),
        "active_area": "desk", **_walk_in_links(request, site, patient, triage),
    }
    if request.htmx and request.htmx.target == "patient-hits":
        return render(request, "reception/desk/walk_in.html#hits", context)
    return render(request, "reception/desk/walk_in.html", context)
