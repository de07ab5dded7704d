"""Background delivery of messages to patients (thin: the work is in ``delivery``)."""

from huey.contrib.djhuey import db_task

from secretariat.messaging.delivery import deliver


@db_task()
def deliver_message(message_id: int) -> None:
    """Send one stored message; idempotent. A failure is recorded on the message (shown to the
    secretariat) and tried again later by scheduling this task, not by raising, so expected
    delivery failures do not fill the coordinators' list of failed tasks."""
    attempt = deliver(message_id)
    if attempt is not None and attempt.retry_in is not None:
        deliver_message.schedule(args=(message_id,), delay=int(attempt.retry_in.total_seconds()))
