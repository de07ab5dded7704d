"""Writes of the messages between colleagues: send, reply, mark as read.

One transaction each, audit inside (``patient_id`` set when the message is about a patient).
Who may read what is ``queries_transmissions.transmissions_for``.
"""


from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.permissions import patients_for
from secretariat.reception.models import Transmission
from secretariat.reception.queries_transmissions import (
    can_receive_about,
    transmissions_for,
)

Priority = Transmission.Priority
SUBJECT_MAX = 200


def _check_recipient(recipient, *, acting_user) -> None:
    if (recipient.structure_id != acting_user.structure_id or not recipient.is_active
            or not recipient.has_capability(Capability.VIEW_DESK)):
        raise ServiceError(_("Choose a colleague of your structure."))
    if recipient.pk == acting_user.pk:
        raise ServiceError(_("You cannot send a message to yourself."))



def _audit_sent(message: Transmission, *, acting_user) -> None:
    audit.record("reception.transmission_sent", target=message, patient_id=message.patient_id,
                 structure_id=message.structure_id, acting_user=acting_user,
                 data={"recipient_id": message.recipient_id, "priority": message.priority,
                       "in_reply_to": message.in_reply_to_id})


@transaction.atomic(durable=True)
def send_transmission(*, recipient, subject: str, body: str = "", priority: str = Priority.NORMAL,
                      patient=None, acting_user) -> Transmission:
    """Write to a colleague, about a patient or not."""
    _check_recipient(recipient, acting_user=acting_user)
    subject = " ".join(subject.split())
    if not subject:
        raise ServiceError(_("Write a subject: it is what your colleague sees first."))
    if priority not in Priority.values:
        raise ServiceError(_("Unknown priority."))
    if patient is not None:
        if not patients_for(acting_user).filter(pk=patient.pk).exists():
            raise ServiceError(_("You cannot write about this patient."))
        if not can_receive_about(recipient, patient):
            raise ServiceError(_("%(name)s cannot read messages about this patient's care: choose a colleague "
                                 "of the patient's care team, or write without naming the patient.")
                               % {"name": recipient.get_full_name() or recipient.username})
    message = Transmission.objects.create(
        structure_id=acting_user.structure_id, sender=acting_user, recipient=recipient, patient=patient,
        priority=priority, subject=subject[:SUBJECT_MAX], body=body.strip(),
    )
    _audit_sent(message, acting_user=acting_user)
    return message


@transaction.atomic(durable=True)
def reply_to_transmission(message: Transmission, *, body: str, priority: str = Priority.NORMAL,
                          acting_user) -> Transmission:
    """Answer ``message``: the reply goes to the other party and stays in the conversation
    (same first message, same patient)."""
    if not transmissions_for(acting_user).filter(pk=message.pk).exists():
        raise ServiceError(_("You cannot answer this message."))
    if acting_user.pk not in (message.sender_id, message.recipient_id):
        raise ServiceError(_("You cannot answer this message."))
    body = body.strip()
    if not body:
        raise ServiceError(_("Write your answer."))
    if priority not in Priority.values:
        raise ServiceError(_("Unknown priority."))
    other = message.recipient if acting_user.pk == message.sender_id else message.sender
    if not other.is_active:
        raise ServiceError(_("This colleague no longer has access: write to someone else."))
    root = message.thread_root or message
    subject = root.subject if root.subject.lower().startswith("re:") else f"Re: {root.subject}"
    reply = Transmission.objects.create(
        structure_id=message.structure_id, sender=acting_user, recipient=other, patient_id=root.patient_id,
        priority=priority, subject=subject[:SUBJECT_MAX], body=body, in_reply_to=message, thread_root=root,
    )
    _audit_sent(reply, acting_user=acting_user)
    return reply


@transaction.atomic(durable=True)
def mark_read(messages, *, acting_user) -> int:
    """Mark as read the unread ``messages`` addressed to ``acting_user`` (opening a conversation);
    the sender then sees the read receipt. Returns how many were marked."""
    ids = [message.pk for message in messages if message.recipient_id == acting_user.pk and message.read_at is None]
    if not ids:
        return 0
    now = timezone.now()
    unread = list(transmissions_for(acting_user).select_for_update()
                  .filter(pk__in=ids, recipient=acting_user, read_at__isnull=True).order_by("pk"))
    for message in unread:
        message.read_at = now
        message.save(update_fields=["read_at"])
        audit.record("reception.transmission_read", target=message, patient_id=message.patient_id,
                     structure_id=message.structure_id, acting_user=acting_user,
                     data={"sender_id": message.sender_id})
    for message in messages:
        if message.pk in {row.pk for row in unread}:
            message.read_at = now
    return len(unread)
