"""Periodic work of the agenda (thin: the logic is in ``reminders``)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from secretariat.agenda.reminders import send_due_reminders


@db_periodic_task(crontab(minute="*/5"))
@lock_task("agenda-reminders")
def send_appointment_reminders() -> None:
    """Every five minutes, queue the reminders that fell due. The lock keeps a slow scan (after
    a long stop of the workers) from running twice at once."""
    send_due_reminders()
