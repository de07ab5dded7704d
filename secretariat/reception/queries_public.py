"""What the public waiting-room screen may show: tickets, rooms, delays. Nothing else.

The screen is seen by everyone in the waiting room, so it never carries a name, a birth date or an
identifier (no patient id, no visit id): a call is a ticket number (the day's number at the site)
and the room; the initials only when the structure chose so (``ReceptionSettings.public_display``).
Patient rows are not even read unless initials are shown. Practitioners are named (they are not
patient data) with their current delay.
"""

import hashlib
import json
from datetime import datetime, timedelta

from django.utils import timezone

from secretariat.core.models import Practitioner
from secretariat.reception import rules
from secretariat.reception.models import ConsultingRoom, PublicScreen, ReceptionSettings, Visit

State = Visit.State
CURRENT_CALLS = 4  # shown large
RECENT_CALLS = 8  # shown below, smaller
# A call stays "current" this long unless the consultation starts (then it moves to the recent list).
CALL_SHOWN_FOR = timedelta(minutes=20)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def screen_state(screen: PublicScreen, *, now: datetime | None = None) -> dict:
    """The screen's content as plain JSON-ready data (also used to render the first page)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    settings = ReceptionSettings.for_structure(screen.structure_id)
    with_initials = settings.public_display == ReceptionSettings.PublicDisplay.INITIALS
    fields = ["ticket", "state", "called_at", "call_count", "room", "practitioner_id", "arrived_at",
              "consultation_started_at", "appointment__start", "appointment__end", "priority"]
    related = ["appointment"]
    if with_initials:
        fields += ["patient__used_first_name", "patient__first_birth_first_name", "patient__used_name",
                   "patient__birth_name"]
        related.append("patient")
    visits = list(Visit.objects.filter(site_id=screen.site_id, day=day)
                  .exclude(state__in=[State.DONE, State.LEFT], called_at__isnull=True)
                  .select_related(*related).only(*fields))
    practitioner_ids = {visit.practitioner_id for visit in visits if visit.practitioner_id}
    names = {person.pk: person.display_name for person in
             Practitioner.objects.filter(pk__in=practitioner_ids).only("title", "first_name", "last_name")}
    rooms = dict(ConsultingRoom.objects.filter(site_id=screen.site_id).values_list("practitioner_id", "label"))

    def call(visit: Visit) -> dict:
        entry = {
            "id": f"{visit.ticket}-{visit.call_count}",  # changes on a recall: the screen calls again
            "ticket": visit.ticket_label,
            "room": visit.room or rooms.get(visit.practitioner_id, ""),
            "practitioner": names.get(visit.practitioner_id, ""),
            "at": _local(visit.called_at),
        }
        if with_initials:
            patient = visit.patient
            entry["initials"] = rules.initials(patient.used_first_name or patient.first_birth_first_name,
                                               patient.used_name or patient.birth_name)
        return entry

    called = sorted((visit for visit in visits if visit.called_at), key=lambda visit: visit.called_at,
                    reverse=True)
    current = [visit for visit in called if visit.state == State.CALLED and now - visit.called_at <= CALL_SHOWN_FOR]
    recent = [visit for visit in called if visit not in current]
    delays = []
    for practitioner_id, name in sorted(names.items(), key=lambda pair: pair[1]):
        mine = [visit for visit in visits if visit.practitioner_id == practitioner_id]
        waiting = [rules_waiting(visit) for visit in mine if visit.state == State.ARRIVED]
        busy = [rules_busy(visit) for visit in mine if visit.state in (State.CALLED, State.IN_CONSULTATION)]
        if not waiting and not busy:
            continue
        delay = rules.minutes(rules.current_delay(now=now, busy=busy, waiting=waiting))
        delays.append({"practitioner": name, "room": rooms.get(practitioner_id, ""), "delay": delay,
                       "waiting": len(waiting)})
    return {
        "site": screen.site.name,
        "initials": with_initials,
        "chime": settings.call_chime,
        "calls": [call(visit) for visit in current[:CURRENT_CALLS]],
        "recent": [call(visit) for visit in recent[:RECENT_CALLS]],
        "delays": delays,
    }


def rules_waiting(visit: Visit) -> rules.Waiting:
    appointment = visit.appointment if visit.appointment_id else None
    return rules.Waiting(key=visit.ticket, arrived_at=visit.arrived_at,
                         scheduled_at=appointment.start if appointment else None,
                         duration=(appointment.end - appointment.start) if appointment else None,
                         priority=None if appointment else visit.priority)


def rules_busy(visit: Visit) -> rules.Busy:
    appointment = visit.appointment if visit.appointment_id else None
    return rules.Busy(started_at=visit.consultation_started_at or visit.called_at or visit.arrived_at,
                      scheduled_at=appointment.start if appointment else None,
                      duration=(appointment.end - appointment.start) if appointment else None)


def state_json(state: dict) -> tuple[bytes, str]:
    """The JSON body and its ETag (a hash of the content: unchanged content, 304)."""
    body = json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
