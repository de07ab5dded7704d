"""Reminder journey: a booking for a patient who agreed to e-mails, the periodic reminder task,
the e-mail received by a real local SMTP server, and the cancel link opened on a phone.

The SMTP server is aiosmtpd on a free local port; Django's SMTP backend talks to it as it would
to the structure's mail server. Labels are matched by ids (the French catalogue may lag).
"""

import email
import email.policy
import re
import socket
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone

from secretariat.agenda.models import Appointment
from secretariat.agenda.queries import structure_time_zone
from secretariat.agenda.services import book_appointment
from secretariat.agenda.tasks import send_appointment_reminders
from secretariat.agenda.tests.factories import AdministrativeFileFactory, practice_with_schedule
from secretariat.messaging.models import OutboundMessage
from secretariat.patients.tests.factories import PatientFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}


class Inbox:
    """aiosmtpd handler keeping every message received."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_inbox(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def next_monday_morning(days_ahead: int = 4) -> datetime:
    """Monday 09:20 (inside the practice's Monday period), at least ``days_ahead`` days away."""
    tz = structure_time_zone()
    day = timezone.localdate() + timedelta(days=days_ahead)
    day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime.combine(day, time(9, 20), tzinfo=tz)


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_reminder_email_arrives_and_its_link_cancels_on_a_phone(live_server, personas, browser, smtp_inbox,
                                                               settings):
    settings.SECRETARIAT_PUBLIC_URL = live_server.url
    practice = practice_with_schedule(personas.practitioner)
    patient = PatientFactory(structure=personas.structure, email="eloise.lefevre@example.org",
                             care_teams=[personas.team_a])
    AdministrativeFileFactory(patient=patient, email_consent=True, sms_consent=False)

    start = next_monday_morning()
    appointment = book_appointment(practitioner=personas.practitioner, patient=patient,
                                   appointment_type=practice.consultation, start=start,
                                   acting_user=personas.secretary)
    assert len(smtp_inbox.messages) == 1  # the confirmation, sent on commit

    # The periodic task, run as the worker would 47 hours before the appointment.
    with time_machine.travel(start - timedelta(hours=47), tick=True):
        send_appointment_reminders.call_local()

    reminder = OutboundMessage.objects.get(purpose="agenda.reminder")
    assert reminder.status == OutboundMessage.Status.SENT
    # The encoded subject is folded onto its own line; the whitespace of the fold is not the subject's.
    [received] = [message for message in smtp_inbox.messages if message["Subject"].strip() == reminder.subject]
    assert received["To"] == "eloise.lefevre@example.org"
    assert received["Auto-Submitted"] == "auto-generated"
    text = body_of(received)
    assert personas.practitioner.display_name in text
    links = re.findall(re.escape(live_server.url) + r"/rdv/lien/\S+/", text)
    assert len(links) == 1

    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(5_000)
    page = context.new_page()
    try:
        page.goto(links[0])
        assert page.locator("#confirm-appointment").is_visible()
        assert page.locator("main h1").is_visible()
        # Nothing overflows sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "reminder_link_phone.png"), full_page=True)

        page.fill("#id_reason", "Je suis retenue au travail")
        page.once("dialog", lambda dialog: dialog.accept())  # "Annuler ce rendez-vous ?"
        with page.expect_navigation():
            page.click("#cancel-appointment")
        assert page.locator(".message.success").is_visible()
        assert page.locator("#cancel-appointment").count() == 0
        page.screenshot(path=str(ARTIFACTS / "reminder_link_phone_cancelled.png"), full_page=True)
    finally:
        context.close()

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancelled_by_patient is True
    assert appointment.cancellation_reason == "Je suis retenue au travail"
    # The patient is told the cancellation went through, by the same mail server.
    cancellation = OutboundMessage.objects.get(purpose="agenda.cancellation")
    assert cancellation.status == OutboundMessage.Status.SENT
    assert [message["Subject"].strip() for message in smtp_inbox.messages][-1] == cancellation.subject
