"""Delivering one stored message: e-mail through Django's mail (SMTP), SMS through the
configured backend. Called by the ``deliver_message`` task; safe to run twice.

No transaction is held while talking to the mail server or the SMS gateway (on SQLite it would
block every desk): each attempt is claimed first by a conditional UPDATE on ``attempts``, so two
workers that picked up the same message at once never both send it. The claim also shows the
message as waiting again, so the retry button stays closed while an attempt is under way.
"""

import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.core.validators import validate_email
from django.utils import timezone

from secretariat.messaging.models import OutboundMessage
from secretariat.messaging.sms import SmsError, get_sms_backend, to_e164

# Automatic attempts, then the failure waits for the secretariat (retry button).
MAX_AUTOMATIC_ATTEMPTS = 4
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))

_ERROR_MAX = OutboundMessage._meta.get_field("last_error").max_length


class _PermanentError(Exception):
    pass


@dataclass(frozen=True)
class Attempt:
    sent: bool
    retry_in: timedelta | None = None


def deliver(message_id: int) -> Attempt | None:
    """Send the message if it still needs sending; None when there was nothing to do."""
    message = OutboundMessage.objects.filter(pk=message_id).first()
    if message is None or message.status == OutboundMessage.Status.SENT:
        return None
    if message.status == OutboundMessage.Status.FAILED and message.acknowledged_at is not None:
        return None  # dealt with by the secretariat: only its retry button sends it again
    return attempt_delivery(message)


def attempt_delivery(message: OutboundMessage) -> Attempt | None:
    """One attempt, claimed on the ``attempts`` value read with ``message``: if another worker
    claimed it since, nothing is sent."""
    attempt = message.attempts + 1
    claimed = (OutboundMessage.objects.filter(pk=message.pk, attempts=message.attempts)
               .exclude(status=OutboundMessage.Status.SENT)
               .update(attempts=attempt, status=OutboundMessage.Status.QUEUED, next_attempt_at=None))
    if not claimed:
        return None  # another worker took this attempt
    try:
        reference = _send(message)
    except (_PermanentError, SmsError, smtplib.SMTPException, OSError) as error:
        return _record_failure(message, attempt, error)
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundMessage.Status.SENT, sent_at=timezone.now(), provider_reference=reference[:100],
        last_error="", next_attempt_at=None,
    )
    return Attempt(sent=True)


def _send(message: OutboundMessage) -> str:
    if message.channel == OutboundMessage.Channel.EMAIL:
        try:
            validate_email(message.recipient)
        except ValidationError:
            raise _PermanentError("not a valid e-mail address") from None
        message_id = make_msgid()
        email = EmailMessage(
            subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            # Auto-Submitted tells mail servers and autoresponders not to answer (RFC 3834).
            headers={"Auto-Submitted": "auto-generated", "Message-ID": message_id},
        )
        email.send(fail_silently=False)
        return message_id
    return get_sms_backend().send(to=to_e164(message.recipient), text=message.body).reference


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, _PermanentError):
        return True
    if isinstance(error, SmsError):
        return error.permanent
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def _record_failure(message: OutboundMessage, attempt: int, error: Exception) -> Attempt:
    retry_in = None
    if not _is_permanent(error) and attempt < MAX_AUTOMATIC_ATTEMPTS:
        retry_in = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
    text = f"{type(error).__name__}: {error}" if not isinstance(error, _PermanentError) else str(error)
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundMessage.Status.FAILED, last_error=text[:_ERROR_MAX],
        next_attempt_at=timezone.now() + retry_in if retry_in else None,
    )
    return Attempt(sent=False, retry_in=retry_in)
