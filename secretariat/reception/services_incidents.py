"""Writes of the incident reports: report, add to the follow-up, close (coordinators only).

One transaction each, audit inside (``patient_id`` when a patient is involved).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.agenda.queries import structure_time_zone
from secretariat.core import audit
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.permissions import patients_for
from secretariat.reception.models import Incident
from secretariat.reception.queries_incidents import can_close_incident, can_update_incident

FOLLOW_UP_MAX = 2000
CLOCK_TOLERANCE = timedelta(minutes=5)


@transaction.atomic(durable=True)
def report_incident(*, site, occurred_at: datetime, place: str, kind: str, severity: int, people_involved: str,
                    description: str, immediate_action: str = "", emergency_services_called: bool = False,
                    patient=None, acting_user) -> Incident:
    """Record a difficult situation at the desk or in the waiting room."""
    if site.structure_id != acting_user.structure_id:
        raise ServiceError(_("Choose a site of your structure."))
    if occurred_at > timezone.now() + CLOCK_TOLERANCE:
        raise ServiceError(_("The incident cannot be in the future: check the date and time."))
    if kind not in Incident.Kind.values:
        raise ServiceError(_("Say what happened."))
    if severity not in Incident.Severity.values:
        raise ServiceError(_("Choose a severity."))
    if not place.strip() or not description.strip() or not people_involved.strip():
        raise ServiceError(_("Say where it happened, who was involved and what happened."))
    if patient is not None and not patients_for(acting_user).filter(pk=patient.pk).exists():
        raise ServiceError(_("You cannot name this patient."))
    incident = Incident.objects.create(
        structure_id=acting_user.structure_id, site=site, occurred_at=occurred_at, place=place.strip(), kind=kind,
        severity=severity, people_involved=people_involved.strip(), patient=patient, description=description.strip(),
        immediate_action=immediate_action.strip(), emergency_services_called=emergency_services_called,
        reported_by=acting_user,
    )
    audit.record("reception.incident_reported", target=incident, patient_id=incident.patient_id,
                 structure_id=incident.structure_id, acting_user=acting_user,
                 data={"kind": kind, "severity": severity, "site_id": site.pk})
    return incident


def _stamp(user) -> str:
    now = timezone.localtime(timezone.now(), structure_time_zone())
    return f"{now:%d/%m/%Y %H:%M} · {user.get_full_name() or user.username}"


@transaction.atomic(durable=True)
def update_incident(incident: Incident, *, follow_up: str, acting_user) -> Incident:
    """Add a dated line to the follow-up (the reporter or a coordinator, while open)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.is_closed:
        raise ServiceError(_("This incident is closed: its follow-up can no longer change."))
    if not can_update_incident(acting_user, incident):
        raise ServiceError(_("Only the person who reported the incident or a coordinator can add to its follow-up."))
    text = follow_up.strip()
    if not text:
        raise ServiceError(_("Write what was done or decided."))
    entry = f"{_stamp(acting_user)} — {text}"
    combined = f"{incident.follow_up}\n{entry}" if incident.follow_up else entry
    if len(combined) > FOLLOW_UP_MAX:
        raise ServiceError(_("The follow-up is full (2000 characters): shorten this note or close the incident."))
    incident.follow_up = combined
    incident.save(update_fields=["follow_up"])
    audit.record("reception.incident_updated", target=incident, patient_id=incident.patient_id,
                 structure_id=incident.structure_id, acting_user=acting_user, data={"added_characters": len(text)})
    return incident


@transaction.atomic(durable=True)
def close_incident(incident: Incident, *, closing_note: str, acting_user) -> Incident:
    """Close the report, with what was concluded (coordinators only)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not acting_user.has_capability(Capability.CLOSE_INCIDENTS) or acting_user.structure_id != incident.structure_id:
        raise ServiceError(_("Only a coordinator can close an incident."))
    if not can_close_incident(acting_user, incident):
        raise ServiceError(_("This incident is already closed."))
    note = closing_note.strip()
    if not note:
        raise ServiceError(_("Write a closing note: what was concluded, what changes."))
    incident.closed_at = timezone.now()
    incident.closed_by = acting_user
    incident.closing_note = note
    incident.save(update_fields=["closed_at", "closed_by", "closing_note"])
    audit.record("reception.incident_closed", target=incident, patient_id=incident.patient_id,
                 structure_id=incident.structure_id, acting_user=acting_user)
    return incident
