"""Queue and deliver: e-mail through Django's mail, SMS through the backend, failures recorded
on the message and tried again later, each attempt sent once."""

import json
import socket
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from huey.contrib.djhuey import HUEY

from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.factories import StructureFactory
from secretariat.messaging.delivery import MAX_AUTOMATIC_ATTEMPTS, attempt_delivery, deliver
from secretariat.messaging.models import OutboundMessage
from secretariat.messaging.services import acknowledge_failure, queue_message, retry_message

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.SECRETARIAT_SMS_BACKEND = "file"
    settings.SECRETARIAT_SMS_FILE = str(tmp_path / "sms.jsonl")
    HUEY.flush()  # the in-memory schedule of immediate mode, shared by the whole session
    with time_machine.travel(NOW, tick=False):
        yield
    HUEY.flush()


@pytest.fixture
def structure():
    return StructureFactory()


@pytest.fixture
def unreachable_smtp(settings):
    """An SMTP configuration pointing at a closed local port: the connection is refused."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2


def email_to(structure, recipient="eloise@example.org", **kwargs) -> OutboundMessage:
    return queue_message(structure_id=structure.pk, channel="email", recipient=recipient,
                         subject="Rappel de votre rendez-vous", body="Bonjour,\nÀ mardi.", purpose="test.purpose",
                         **kwargs)


def scheduled_retries() -> list[tuple[int, datetime]]:
    return [(task.args[0], task.eta) for task in HUEY.scheduled()]


def test_email_is_sent_after_the_commit_and_marked_sent(structure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = email_to(structure)
    assert mail.outbox == []  # not before the commit
    assert message.status == "queued"

    for callback in callbacks:
        callback()

    [email] = mail.outbox
    assert (email.to, email.subject, email.body) == (["eloise@example.org"], "Rappel de votre rendez-vous",
                                                     "Bonjour,\nÀ mardi.")
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at, message.last_error) == ("sent", 1, NOW, "")
    assert message.provider_reference == email.extra_headers["Message-ID"]


def test_delivering_twice_sends_once(structure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = email_to(structure)
    assert deliver(message.pk) is None
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_two_workers_with_the_same_message_send_it_once(structure):
    message = email_to(structure)
    first, second = (OutboundMessage.objects.get(pk=message.pk) for _worker in range(2))

    assert attempt_delivery(first).sent is True
    assert attempt_delivery(second) is None  # its claim on attempt 1 finds attempt 1 taken
    assert len(mail.outbox) == 1


def test_sms_goes_to_the_backend_in_e164(settings, structure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(structure_id=structure.pk, channel="sms", recipient="06 12 34 56 78",
                                body="Rappel : RDV demain 09:00", purpose="test.purpose")
    message.refresh_from_db()
    assert (message.recipient, message.status) == ("+33612345678", "sent")
    with open(settings.SECRETARIAT_SMS_FILE, encoding="utf-8") as lines:
        [line] = [json.loads(line) for line in lines]
    assert (line["to"], line["text"]) == ("+33612345678", "Rappel : RDV demain 09:00")


def test_unreachable_mail_server_fails_visibly_and_is_tried_again_later(
        structure, unreachable_smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = email_to(structure)

    message.refresh_from_db()
    assert message.status == "failed"
    assert message.attempts == 1
    assert message.last_error.startswith("ConnectionRefusedError")
    assert message.next_attempt_at == NOW + timedelta(minutes=1)
    # Huey keeps naive UTC times.
    assert scheduled_retries() == [(message.pk, (NOW + timedelta(minutes=1)).astimezone(UTC).replace(tzinfo=None))]


def test_automatic_attempts_stop_after_the_last_one(structure, unreachable_smtp):
    message = email_to(structure)
    delays = []
    for _attempt in range(MAX_AUTOMATIC_ATTEMPTS):
        delays.append(deliver(message.pk).retry_in)
    assert delays == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), None]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == ("failed", 4, None)


@pytest.mark.parametrize(("channel", "recipient", "error"), [
    ("email", "eloise-at-example.org", "not a valid e-mail address"),
    ("sms", "06 12 34", "SmsError: not a phone number that can receive an SMS"),
])
def test_a_bad_address_fails_at_once_without_automatic_retry(structure, channel, recipient, error,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(structure_id=structure.pk, channel=channel, recipient=recipient, body="x",
                                purpose="test.purpose")
    message.refresh_from_db()
    assert (message.status, message.last_error, message.next_attempt_at) == ("failed", error, None)
    assert scheduled_retries() == []
    assert mail.outbox == []


def test_retry_sends_a_failed_message_again_and_is_audited(structure, personas, settings, unreachable_smtp,
                                                          django_capture_on_commit_callbacks):
    message = email_to(structure, recipient="eloise@example.org")
    deliver(message.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back

    with django_capture_on_commit_callbacks(execute=True):
        retry_message(message, acting_user=personas.secretary)

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1
    event = AuditEvent.objects.get(action="messaging.message_retried")
    assert (event.acting_user, event.target_id) == (personas.secretary, str(message.pk))


@pytest.mark.parametrize("status", ["sent", "queued"])
def test_retry_of_a_message_not_failed_is_refused_and_writes_nothing(structure, personas, status):
    message = email_to(structure)
    OutboundMessage.objects.filter(pk=message.pk).update(status=status)
    with pytest.raises(ServiceError):
        retry_message(message, acting_user=personas.secretary)
    message.refresh_from_db()
    assert message.status == status
    assert not AuditEvent.objects.filter(action="messaging.message_retried").exists()


def test_a_failure_dealt_with_is_not_tried_again_automatically(structure, personas, unreachable_smtp):
    message = email_to(structure)
    deliver(message.pk)
    acknowledge_failure(message, acting_user=personas.secretary)

    assert deliver(message.pk) is None
    message.refresh_from_db()
    assert (message.status, message.attempts, message.acknowledged_by) == ("failed", 1, personas.secretary)
    assert AuditEvent.objects.filter(action="messaging.failure_acknowledged").count() == 1


def test_only_a_failure_can_be_dealt_with(structure, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = email_to(structure)
    with pytest.raises(ServiceError):
        acknowledge_failure(message, acting_user=personas.secretary)
    assert not AuditEvent.objects.filter(action="messaging.failure_acknowledged").exists()


def test_subject_stays_on_one_line():
    structure = StructureFactory()
    message = queue_message(
        structure_id=structure.pk, channel="email", recipient="a@example.org", subject="Rappel\r\nBcc: x@evil.org",
        body="x", purpose="test.purpose")
    assert message.subject == "Rappel Bcc: x@evil.org"
