"""Writes on messages to patients: queue (stored, then sent by the task queue), retry, and
acknowledge a failure once the secretariat has dealt with it."""

import contextlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.services.errors import ServiceError
from secretariat.core.tasks import enqueue_on_commit
from secretariat.messaging.models import OutboundMessage
from secretariat.messaging.sms import SmsError, to_e164

_SUBJECT_MAX = OutboundMessage._meta.get_field("subject").max_length


def build_message(*, structure_id: int, channel: str, recipient: str, body: str, purpose: str,
                  subject: str = "", patient=None) -> OutboundMessage:
    """An unsaved message, normalised: SMS numbers in E.164, the subject on one line."""
    if channel not in OutboundMessage.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    recipient = (recipient or "").strip()
    if not recipient or not body:
        raise ValueError("a message needs a recipient and a text")
    if channel == OutboundMessage.Channel.SMS:
        # A number that cannot be converted is stored as typed: its delivery fails visibly and
        # the secretariat corrects the patient's file.
        with contextlib.suppress(SmsError):
            recipient = to_e164(recipient)
    subject = " ".join(subject.split())
    if len(subject) > _SUBJECT_MAX:
        subject = subject[:_SUBJECT_MAX - 1] + "…"
    return OutboundMessage(structure_id=structure_id, patient=patient, purpose=purpose, channel=channel,
                           recipient=recipient, subject=subject, body=body)


def queue_message(*, structure_id: int, channel: str, recipient: str, body: str, purpose: str,
                  subject: str = "", patient=None) -> OutboundMessage:
    """Store a message and send it once the caller's transaction commits (nothing is sent for a
    rolled-back write). Call it inside your service's transaction."""
    message = build_message(structure_id=structure_id, channel=channel, recipient=recipient, body=body,
                            purpose=purpose, subject=subject, patient=patient)
    message.save()
    _enqueue_delivery(message.pk)
    return message


def queue_messages(messages: list[OutboundMessage]) -> list[OutboundMessage]:
    """Store many messages built by ``build_message`` in one insert, each sent after the commit."""
    created = OutboundMessage.objects.bulk_create(messages)
    for message in created:
        _enqueue_delivery(message.pk)
    return created


def _enqueue_delivery(message_id: int) -> None:
    from secretariat.messaging.tasks import deliver_message

    enqueue_on_commit(deliver_message, message_id)


@transaction.atomic(durable=True)
def retry_message(message: OutboundMessage, *, acting_user) -> OutboundMessage:
    """Send a failed message again now (after the address was checked, for instance)."""
    message = OutboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status == OutboundMessage.Status.SENT:
        raise ServiceError(_("This message has already been sent."))
    if message.status == OutboundMessage.Status.QUEUED:
        raise ServiceError(_("This message is already waiting to be sent."))
    message.status = OutboundMessage.Status.QUEUED
    message.next_attempt_at = None
    message.acknowledged_at = None
    message.acknowledged_by = None
    message.save(update_fields=["status", "next_attempt_at", "acknowledged_at", "acknowledged_by"])
    audit.record("messaging.message_retried", target=message, patient_id=message.patient_id,
                 structure_id=message.structure_id, acting_user=acting_user,
                 data={"channel": message.channel, "purpose": message.purpose, "attempts": message.attempts})
    _enqueue_delivery(message.pk)
    return message


@transaction.atomic(durable=True)
def acknowledge_failure(message: OutboundMessage, *, acting_user) -> OutboundMessage:
    """Mark a failure as dealt with (the patient was reached another way); it leaves the count."""
    message = OutboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != OutboundMessage.Status.FAILED:
        raise ServiceError(_("Only a failed message can be marked as dealt with."))
    if message.acknowledged_at is not None:
        return message
    message.acknowledged_at = timezone.now()
    message.acknowledged_by = acting_user
    message.save(update_fields=["acknowledged_at", "acknowledged_by"])
    audit.record("messaging.failure_acknowledged", target=message, patient_id=message.patient_id,
                 structure_id=message.structure_id, acting_user=acting_user,
                 data={"channel": message.channel, "purpose": message.purpose})
    return message
