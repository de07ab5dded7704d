"""The patient's appointments on the patient page: next and recent ones here, and those made
elsewhere (external), so the secretary sees the pathway at a glance."""

from datetime import timedelta

from django.utils import timezone

from secretariat.agenda.models import Appointment
from secretariat.agenda.permissions import appointments_for
from secretariat.agenda.queries_waiting import external_for_patient
from secretariat.core.roles import Capability

UPCOMING = 5
RECENT = 5


def patient_section(user, patient) -> dict | None:
    if not user.has_capability(Capability.VIEW_AGENDA):
        return None
    now = timezone.now()
    mine = appointments_for(user).filter(patient=patient).select_related("practitioner", "appointment_type", "site")
    return {
        "upcoming": list(mine.filter(start__gte=now).exclude(status=Appointment.Status.CANCELLED)
                         .order_by("start")[:UPCOMING]),
        "recent": list(mine.filter(start__lt=now).order_by("-start")[:RECENT]),
        "external": list(external_for_patient(patient).filter(start__gte=now - timedelta(days=90))[:10]),
        "can_book": user.has_capability(Capability.BOOK_APPOINTMENTS),
        "patient": patient,
    }
