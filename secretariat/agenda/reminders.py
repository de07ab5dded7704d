"""Appointment reminders, sent at the delays each structure chose (``AgendaSettings.reminder_hours``,
48 h and 2 h by default), by a periodic scan (``tasks.send_appointment_reminders``).

The reminder at ``h`` hours is due from ``start - h`` until the start: a reminder that fell due
while the workers were stopped still leaves if the appointment has not begun. It is skipped
when the appointment was booked after that moment, or when a confirmation, change or reminder
message about it was queued after that moment (the patient already has the news); when several
delays are due at once, only the nearest one is sent. Delays are elapsed hours, so across a
change of clocks a 48 h reminder leaves at a wall-clock time one hour off the appointment's.

The scan reads only due, consenting, not yet reminded appointments (one query per delay), then
renders and stores them in chunks (a few queries and one transaction per chunk); the unique
message key refuses a second reminder even if two scans overlapped.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from secretariat.agenda.models import AgendaSettings, Appointment, AppointmentMessage
from secretariat.agenda.notifications import (
    RELATED,
    PendingMessage,
    build_appointment_messages,
    extra_instructions_for,
    save_pending,
)

logger = logging.getLogger(__name__)

CHUNK = 500
LONGEST_DELAY_HOURS = 24 * 31


def _valid_delays(raw) -> set[int]:
    """Whole positive hours from the settings' JSON; anything else is ignored."""
    if not isinstance(raw, list):
        return set()
    return {value for value in raw if isinstance(value, int) and not isinstance(value, bool)
            and 0 < value <= LONGEST_DELAY_HOURS}


def _structures_by_delay() -> dict[int, Q]:
    """For each delay in use, which structures want it (those without settings: the defaults)."""
    configured = {row.structure_id: _valid_delays(row.reminder_hours)
                  for row in AgendaSettings.objects.only("structure_id", "reminder_hours")}
    defaults = _valid_delays(AgendaSettings.for_structure(0).reminder_hours)  # unsaved defaults
    delays = set(defaults).union(*configured.values())
    conditions = {}
    for hours in sorted(delays):
        condition = Q(structure_id__in=[pk for pk, wanted in configured.items() if hours in wanted])
        if hours in defaults:
            condition |= ~Q(structure_id__in=list(configured))
        conditions[hours] = condition
    return conditions


def _consented() -> Q:
    file = "patient__administrative_file__"
    return (Q(**{f"{file}email_consent": True}) & ~Q(patient__email="")) | (
        Q(**{f"{file}sms_consent": True}) & ~Q(**{f"{file}mobile_phone": ""}))


def due_reminders(now: datetime) -> dict[int, int]:
    """{appointment id: hours of the reminder to send now}."""
    due: dict[int, int] = {}
    for hours, structures in _structures_by_delay().items():
        delay = timedelta(hours=hours)
        covered = AppointmentMessage.objects.filter(
            appointment_id=OuterRef("pk"), created_at__gte=OuterRef("start") - delay,
            kind__in=[AppointmentMessage.Kind.REMINDER, AppointmentMessage.Kind.CONFIRMATION,
                      AppointmentMessage.Kind.CHANGE],
        )
        rows = (Appointment.objects
                .filter(structures, status=Appointment.Status.BOOKED, start__gt=now, start__lte=now + delay,
                        booked_at__lte=F("start") - delay)
                .filter(_consented())
                .exclude(Exists(covered))
                .values_list("pk", flat=True))
        for pk in rows:
            due[pk] = min(hours, due.get(pk, hours))
    return due


def send_due_reminders(*, now: datetime | None = None, chunk: int = CHUNK) -> int:
    """Queue every reminder due at ``now``; returns the number of messages queued."""
    now = now or timezone.now()
    due = due_reminders(now)
    ids = sorted(due)
    queued = 0
    for first in range(0, len(ids), chunk):
        queued += _queue_chunk({pk: due[pk] for pk in ids[first:first + chunk]}, now=now)
    if queued:
        logger.info("Queued %d appointment reminders", queued)
    return queued


def _queue_chunk(hours_by_id: dict[int, int], *, now: datetime) -> int:
    appointments = list(Appointment.objects.filter(pk__in=hours_by_id).select_related(*RELATED))
    extra = extra_instructions_for(appointments)
    pending: list[PendingMessage] = []
    for appointment in appointments:  # rendered before the transaction: the write lock stays short
        pending += build_appointment_messages(
            appointment, AppointmentMessage.Kind.REMINDER, hours=hours_by_id[appointment.pk],
            extra_instructions=extra.get((appointment.practitioner_id, appointment.appointment_type_id), ""),
        )
    for _attempt in range(3):
        try:
            return _store(pending, now=now)
        except IntegrityError:
            # Another scan stored some of these keys meanwhile: read them again and store the rest.
            continue
    logger.warning("Reminders of %d appointments left for the next scan (key conflicts)", len(hours_by_id))
    return 0


@transaction.atomic(durable=True)
def _store(pending: list[PendingMessage], *, now: datetime) -> int:
    # Cancelled or moved since the read: nothing is sent for them (a moved appointment is
    # reminded at its new time by a later scan).
    still = dict(Appointment.objects.filter(pk__in={item.appointment.pk for item in pending},
                                            status=Appointment.Status.BOOKED, start__gt=now)
                 .values_list("pk", "start"))
    pending = [item for item in pending if still.get(item.appointment.pk) == item.appointment.start]
    return len(save_pending(pending))
