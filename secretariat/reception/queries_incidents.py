"""Reads of the incident reports. Reports are about safety at work: every member of staff of the
structure who uses the desk sees them; the patient involved is named only to those who may open
that patient's file (``shown_patients``)."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from secretariat.agenda.queries import structure_time_zone
from secretariat.core.roles import Capability
from secretariat.patients.permissions import patients_for
from secretariat.reception.models import Incident

MONTHS = 12


def incidents_for(user) -> QuerySet[Incident]:
    if not user.is_authenticated or user.structure_id is None or not user.has_capability(Capability.VIEW_DESK):
        return Incident.objects.none()
    return Incident.objects.filter(structure_id=user.structure_id)


def access_incident(user, pk) -> Incident:
    try:
        return incidents_for(user).select_related("site", "reported_by", "closed_by", "patient").get(pk=pk)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_update_incident(user, incident: Incident) -> bool:
    """The reporter or a coordinator adds to the follow-up while the report is open."""
    return not incident.is_closed and (incident.reported_by_id == user.pk
                                       or user.has_capability(Capability.CLOSE_INCIDENTS))


def can_close_incident(user, incident: Incident) -> bool:
    return not incident.is_closed and user.has_capability(Capability.CLOSE_INCIDENTS)


def shown_patients(user, incidents) -> set[int]:
    """Ids of the patients involved that ``user`` may see (one query)."""
    ids = {incident.patient_id for incident in incidents if incident.patient_id}
    if not ids:
        return set()
    return set(patients_for(user).filter(pk__in=ids).values_list("pk", flat=True))


def first_of_month(day: date, *, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class MonthCounts:
    month: date
    total: int
    by_severity: list[int]  # in Severity order
    by_kind: dict[str, int]


def monthly_counts(structure_id: int, *, today: date | None = None, months: int = MONTHS) -> list[MonthCounts]:
    """Incidents per month (newest first) over the last ``months`` months, by severity and kind:
    one grouped query."""
    today = today or timezone.localdate()
    tz = structure_time_zone()
    start = first_of_month(today, months_back=months - 1)
    rows = (Incident.objects
            .filter(structure_id=structure_id,
                    occurred_at__gte=datetime.combine(start, time.min, tzinfo=tz))
            .annotate(month=TruncMonth("occurred_at", tzinfo=tz))
            .values("month", "kind", "severity").annotate(count=Count("pk")).order_by())
    severities = list(Incident.Severity.values)
    table = {first_of_month(today, months_back=back): MonthCounts(first_of_month(today, months_back=back), 0,
                                                                  [0] * len(severities), {})
             for back in range(months)}
    for row in rows:
        month = row["month"]
        month = date(month.year, month.month, 1)
        counts = table.get(month)
        if counts is None:
            continue
        counts.total += row["count"]
        counts.by_severity[severities.index(row["severity"])] += row["count"]
        counts.by_kind[row["kind"]] = counts.by_kind.get(row["kind"], 0) + row["count"]
    return sorted(table.values(), key=lambda counts: counts.month, reverse=True)
