"""Messages about appointments: consent decides the channels, texts carry what the patient
needs, each message is queued once and leaves only after the commit."""

import json
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import resolve
from django.utils import translation
from django.utils.translation import gettext

from secretariat.agenda.links import read_token
from secretariat.agenda.models import (
    Appointment,
    AppointmentMessage,
    AppointmentType,
    TypeDirective,
)
from secretariat.agenda.notifications import Contact, patient_contacts, queue_appointment_messages
from secretariat.agenda.services_links import LINK_PURPOSE, LONGEST_LINK_AGE
from secretariat.agenda.tests.factories import AdministrativeFileFactory, AppointmentFactory
from secretariat.core.tests.factories import SiteFactory
from secretariat.messaging.models import OutboundMessage
from secretariat.patients.models import AdministrativeFile
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)
START = datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)  # a Tuesday, the first of the month

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(settings, tmp_path):
    settings.SECRETARIAT_PUBLIC_URL = "https://rdv.example.org"
    settings.SECRETARIAT_SMS_BACKEND = "file"
    settings.SECRETARIAT_SMS_FILE = str(tmp_path / "sms.jsonl")
    with time_machine.travel(NOW, tick=False):
        yield


def french(text: str) -> str:
    with translation.override("fr"):
        return gettext(text)


def sms_sent(settings) -> list[dict]:
    try:
        with open(settings.SECRETARIAT_SMS_FILE, encoding="utf-8") as lines:
            return [json.loads(line) for line in lines]
    except FileNotFoundError:
        return []


def consenting_appointment(*, email=True, sms=True, **kwargs) -> Appointment:
    kwargs.setdefault("start", START)
    appointment = AppointmentFactory(
        site=kwargs.pop("site", None) or SiteFactory(name="Maison de santé des Tilleuls", address="12 rue des Lilas",
                                                     postal_code="69100", city="Villeurbanne",
                                                     phone="04 78 00 00 00"),
        **kwargs,
    )
    patient = appointment.patient
    patient.email = "eloise.lefevre@example.org"
    patient.save()
    AdministrativeFileFactory(patient=patient, email_consent=email, sms_consent=sms, mobile_phone="06 12 34 56 78")
    return Appointment.objects.get(pk=appointment.pk)


# Consent


def test_no_administrative_file_means_no_channel():
    patient = PatientFactory(email="someone@example.org")
    assert patient_contacts(patient) == []


@pytest.mark.parametrize(("email_consent", "sms_consent", "expected"), [
    (None, None, []),
    (False, False, []),
    (True, None, [Contact("email", "someone@example.org")]),
    (None, True, [Contact("sms", "0612345678")]),
    (True, True, [Contact("email", "someone@example.org"), Contact("sms", "0612345678")]),
])
def test_only_the_channels_the_patient_agreed_to(email_consent, sms_consent, expected):
    patient = PatientFactory(email="someone@example.org")
    AdministrativeFile.objects.create(patient=patient, email_consent=email_consent, sms_consent=sms_consent,
                                      mobile_phone="0612345678")
    assert patient_contacts(patient) == expected


def test_consent_without_an_address_or_a_number_sends_nothing():
    patient = PatientFactory(email="")
    AdministrativeFile.objects.create(patient=patient, email_consent=True, sms_consent=True, mobile_phone="")
    assert patient_contacts(patient) == []


def test_no_consent_queues_nothing(django_capture_on_commit_callbacks):
    appointment = consenting_appointment(email=False, sms=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_appointment_messages(appointment, "confirmation") == []
    assert OutboundMessage.objects.count() == 0
    assert mail.outbox == []


# Texts


def test_confirmation_by_email_and_sms_carries_date_practitioner_address_preparation_and_link(
        settings, django_capture_on_commit_callbacks):
    appointment = consenting_appointment()
    kind = appointment.appointment_type
    kind.label = "Échographie cardiaque"
    kind.preparation_instructions = "Venir à jeun depuis 8 heures."
    kind.documents_to_bring = "Ordonnance et carte Vitale."
    kind.save()
    TypeDirective.objects.create(practitioner=appointment.practitioner, appointment_type=kind,
                                 extra_instructions="Apporter les anciens examens.")

    with django_capture_on_commit_callbacks(execute=True):
        rows = queue_appointment_messages(appointment, AppointmentMessage.Kind.CONFIRMATION)

    assert [(row.kind, row.key) for row in rows] == [
        ("confirmation", "confirmation:20261201T0800Z:email"),
        ("confirmation", "confirmation:20261201T0800Z:sms"),
    ]
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["eloise.lefevre@example.org"]
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    when = french("%(date)s at %(time)s") % {
        "date": french("%(weekday)s %(day)s %(month)s %(year)s") % {
            "weekday": "mardi", "day": french("1st"), "month": "décembre", "year": 2026},
        "time": "09:00"}
    assert when in email.subject
    for expected in (when, appointment.practitioner.display_name, "Échographie cardiaque",
                     "Maison de santé des Tilleuls, 12 rue des Lilas, 69100 Villeurbanne",
                     "Venir à jeun depuis 8 heures.", "Apporter les anciens examens.", "Ordonnance et carte Vitale.",
                     "04 78 00 00 00"):
        assert expected in email.body
    assert "&" not in email.body  # plain text, not HTML-escaped
    assert "\n\n\n" not in email.body

    [sms] = sms_sent(settings)
    assert sms["to"] == "+33612345678"
    assert when in sms["text"]
    assert "12 rue des Lilas, 69100 Villeurbanne" in sms["text"]
    assert "Échographie" not in sms["text"]  # the reason for the visit stays out of SMS
    assert "\n" not in sms["text"]

    # The link is the appointment's signed page, absolute.
    link = next(word for word in email.body.split() if word.startswith("https://rdv.example.org/"))
    assert link in sms["text"]
    match = resolve(urlsplit(link).path)
    assert match.view_name == "agenda_public:appointment_link"
    assert read_token(match.kwargs["token"], LINK_PURPOSE, max_age=LONGEST_LINK_AGE) == appointment.pk

    assert set(OutboundMessage.objects.values_list("status", "purpose")) == {("sent", "agenda.confirmation")}


def test_teleconsultation_messages_carry_the_video_link_and_the_checklist(settings,
                                                                          django_capture_on_commit_callbacks):
    appointment = consenting_appointment(video_room_url="https://visio.example.org/rdv-8f3a")
    AppointmentType.objects.filter(pk=appointment.appointment_type_id).update(mode="teleconsultation")
    appointment.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        queue_appointment_messages(appointment, "reminder", hours=48)

    body = mail.outbox[0].body
    assert "https://visio.example.org/rdv-8f3a" in body
    assert french("connect 5 minutes before the time of the appointment.") in body
    assert "12 rue des Lilas" not in body
    [sms] = sms_sent(settings)
    assert "https://visio.example.org/rdv-8f3a" in sms["text"]


def test_cancellation_names_the_appointment_and_the_number_to_call(django_capture_on_commit_callbacks):
    appointment = consenting_appointment(sms=False)
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancelled_at=NOW)
    appointment.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        queue_appointment_messages(appointment, "cancellation")

    [email] = mail.outbox
    assert appointment.practitioner.display_name in email.body
    assert "04 78 00 00 00" in email.body
    assert "/rdv/lien/" not in email.body  # nothing left to confirm


# Once, and only after the commit


def test_the_same_message_is_never_queued_twice():
    appointment = consenting_appointment()
    assert len(queue_appointment_messages(appointment, "reminder", hours=48)) == 2
    assert queue_appointment_messages(appointment, "reminder", hours=48) == []
    assert len(queue_appointment_messages(appointment, "reminder", hours=2)) == 2
    assert OutboundMessage.objects.count() == 4


def test_each_move_is_told_even_back_to_an_earlier_time():
    appointment = consenting_appointment(sms=False)
    first = queue_appointment_messages(appointment, "change")
    with time_machine.travel(NOW.replace(minute=5), tick=False):
        second = queue_appointment_messages(appointment, "change")
    assert len(first) == len(second) == 1
    assert first[0].key != second[0].key


def test_cancelled_or_started_appointments_get_no_confirmation_or_reminder():
    cancelled = consenting_appointment()
    Appointment.objects.filter(pk=cancelled.pk).update(status="cancelled", cancelled_at=NOW)
    cancelled.refresh_from_db()
    started = consenting_appointment(start=NOW.replace(minute=0), practitioner=cancelled.practitioner)

    assert queue_appointment_messages(cancelled, "reminder", hours=2) == []
    assert queue_appointment_messages(started, "confirmation") == []
    assert OutboundMessage.objects.count() == 0


def _queue_then_fail(appointment):
    with transaction.atomic():
        queue_appointment_messages(appointment, "confirmation")
        raise RuntimeError("the booking failed after the messages were queued")


def test_nothing_leaves_when_the_booking_is_rolled_back(django_capture_on_commit_callbacks):
    appointment = consenting_appointment()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        _queue_then_fail(appointment)
    assert callbacks == []
    assert mail.outbox == []
    assert OutboundMessage.objects.count() == 0


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown kind"):
        queue_appointment_messages(consenting_appointment(), "birthday")
