"""Screens of the incident reports: the list with its filters and the monthly counts, the
report form, the report with its follow-up, and closing (coordinators).

Thin views: ``require_capability`` for the area, ``access_incident`` (404 outside the
structure), forms parse, ``services_incidents`` writes.
"""

from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secretariat.agenda.queries import structure_time_zone
from secretariat.core.access import require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.permissions import access_patient, patients_for
from secretariat.patients.queries import patients_matching
from secretariat.reception import services_incidents as services
from secretariat.reception.forms_incidents import (
    PLACES,
    CloseForm,
    FollowUpForm,
    IncidentFilterForm,
    IncidentForm,
)
from secretariat.reception.forms_transmissions import PatientSearchForm
from secretariat.reception.models import Incident
from secretariat.reception.permissions import sites_for
from secretariat.reception.queries_incidents import (
    access_incident,
    can_close_incident,
    can_update_incident,
    first_of_month,
    incidents_for,
    monthly_counts,
    shown_patients,
)

LIST_ROWS = 200


def default_site(user):
    """The practitioner's own site, else the structure's first."""
    sites = sites_for(user).order_by("pk")
    own = sites.filter(practitioners__user=user).first()
    return own or sites.first()


@require_capability(Capability.VIEW_DESK)
@require_GET
def incident_list(request):
    user = request.user
    filters = IncidentFilterForm(request.GET or None)
    rows = incidents_for(user).select_related("site", "reported_by", "patient")
    if filters.is_valid():
        if filters.cleaned_data["status"] == "open":
            rows = rows.filter(closed_at__isnull=True)
        elif filters.cleaned_data["status"] == "closed":
            rows = rows.filter(closed_at__isnull=False)
        month = filters.cleaned_data["month"]
        if month:
            tz = structure_time_zone()
            start = datetime.combine(month.replace(day=1), time.min, tzinfo=tz)
            end = datetime.combine(first_of_month(month, months_back=-1), time.min, tzinfo=tz)
            rows = rows.filter(occurred_at__gte=start, occurred_at__lt=end)
    incidents = list(rows[:LIST_ROWS])
    visible = shown_patients(user, incidents)
    for incident in incidents:
        incident.shown_patient = incident.patient if incident.patient_id in visible else None
    counts = monthly_counts(user.structure_id)
    kinds_seen = {kind for month in counts for kind in month.by_kind}
    kinds = [(value, label) for value, label in Incident.Kind.choices if value in kinds_seen]
    for month in counts:
        month.kind_cells = [month.by_kind.get(value, 0) for value, _label in kinds]
    return render(request, "reception/incidents/list.html", {
        "incidents": incidents, "filters": filters, "counts": counts, "kinds": kinds,
        "severities": Incident.Severity.choices, "active_area": "reception",
        "year_total": sum(month.total for month in counts),
    })


@require_capability(Capability.VIEW_DESK)
@require_http_methods(["GET", "POST"])
def incident_new(request):
    user = request.user
    raw_patient = request.POST.get("patient") if request.method == "POST" else request.GET.get("patient")
    patient = None
    if raw_patient:
        try:
            patient = access_patient(user, int(raw_patient))
        except ValueError:
            raise Http404 from None
    now = timezone.localtime(timezone.now(), structure_time_zone())
    form = IncidentForm(request.POST or None, sites=sites_for(user).order_by("name"), initial={
        "site": default_site(user), "day": now.date(), "at": now.time().replace(second=0, microsecond=0),
        "patient": patient.pk if patient else None,
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.report_incident(
                site=data["site"], occurred_at=form.occurred_at, place=data["place"], kind=data["kind"],
                severity=data["severity"], people_involved=data["people_involved"], description=data["description"],
                immediate_action=data["immediate_action"],
                emergency_services_called=data["emergency_services_called"], patient=patient, acting_user=user)
        except ServiceError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Incident reported. A coordinator will follow it up."))
            return redirect("reception:incident", pk=incident.pk)
    search = PatientSearchForm(request.GET if "q" in request.GET else None)
    hits = []
    if search.is_bound and search.is_valid() and search.cleaned_data["q"].strip():
        hits = [hit.patient for hit in patients_matching(patients_for(user), search.cleaned_data["q"], limit=8)]
    return render(request, "reception/incidents/new.html", {
        "form": form, "patient": patient, "search": search, "hits": hits, "places": PLACES,
        "searched": bool(search.is_bound and request.GET["q"].strip()), "active_area": "reception",
    })


def _detail(request, incident, *, follow_up_form=None, close_form=None, status=200):
    user = request.user
    return render(request, "reception/incidents/detail.html", {
        "incident": incident,
        "shown_patient": incident.patient if incident.patient_id in shown_patients(user, [incident]) else None,
        "can_update": can_update_incident(user, incident), "can_close": can_close_incident(user, incident),
        "follow_up_form": follow_up_form or FollowUpForm(), "close_form": close_form or CloseForm(),
        "active_area": "reception",
    }, status=status)


@require_capability(Capability.VIEW_DESK)
@require_GET
def incident_detail(request, pk):
    return _detail(request, access_incident(request.user, pk))


@require_capability(Capability.VIEW_DESK)
@require_POST
def incident_update(request, pk):
    incident = access_incident(request.user, pk)
    if not can_update_incident(request.user, incident) and not incident.is_closed:
        raise PermissionDenied
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.update_incident(incident, follow_up=form.cleaned_data["follow_up"], acting_user=request.user)
        except ServiceError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Follow-up added."))
            return redirect("reception:incident", pk=incident.pk)
    return _detail(request, incident, follow_up_form=form, status=400)


@require_capability(Capability.CLOSE_INCIDENTS)
@require_POST
def incident_close(request, pk):
    incident = access_incident(request.user, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_incident(incident, closing_note=form.cleaned_data["closing_note"], acting_user=request.user)
        except ServiceError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Incident closed."))
            return redirect("reception:incident", pk=incident.pk)
    return _detail(request, incident, close_form=form, status=400)
