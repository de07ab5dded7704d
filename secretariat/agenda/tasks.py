"""Periodic work of the agenda (thin: the logic is in ``reminders``)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from secretariat.agenda.online.services import purge_old_online_requests
from secretariat.agenda.reminders import send_due_reminders


@db_periodic_task(crontab(minute="*/5"))
@lock_task("agenda-reminders")
def send_appointment_reminders() -> None:
    """Every five minutes, queue the reminders that fell due. The lock keeps a slow scan (after
    a long stop of the workers) from running twice at once."""
    send_due_reminders()


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_online_booking_requests() -> None:
    """Every night, forget the identities typed on the online booking pages once their request is
    a month old: a confirmed one lives on in the patient's file, the others were never needed."""
    purge_old_online_requests()
