"""The patient's page from the link in a message: shows the appointment, confirms, cancels;
bad links (forged, other purpose, too old, appointment over) answer 404 and write nothing."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from secretariat.agenda.links import make_token
from secretariat.agenda.models import Appointment, AppointmentType, TypeDirective
from secretariat.agenda.services_links import LINK_PURPOSE, link_url
from secretariat.agenda.tests.factories import AppointmentFactory
from secretariat.core.audit import AuditEvent
from secretariat.core.tests.factories import SiteFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=PARIS).astimezone(UTC)
START = datetime(2026, 12, 1, 9, 0, tzinfo=PARIS).astimezone(UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def appointment() -> Appointment:
    site = SiteFactory(name="Maison de santé des Tilleuls", address="12 rue des Lilas", postal_code="69100",
                       city="Villeurbanne", phone="0478000000")
    appointment = AppointmentFactory(start=START, site=site, structure=site.structure,
                                     practitioner__structure=site.structure)
    AppointmentType.objects.filter(pk=appointment.appointment_type_id).update(
        preparation_instructions="Venir à jeun.", documents_to_bring="Ordonnance.")
    TypeDirective.objects.create(practitioner=appointment.practitioner, appointment_type=appointment.appointment_type,
                                 extra_instructions="Apporter les anciens examens.")
    return appointment


def url_for(appointment, *, purpose=LINK_PURPOSE) -> str:
    return reverse("agenda_public:appointment_link", args=[make_token(purpose, appointment.pk)])


def assert_nothing_written(appointment):
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    assert appointment.confirmed_by_patient_at is None
    assert not AuditEvent.objects.exists()


def test_the_page_shows_the_appointment_and_nothing_about_the_patient(client, appointment):
    response = client.get(url_for(appointment))

    assert response.status_code == 200
    body = response.content.decode()
    for expected in ("mardi", "décembre 2026", "09:00", appointment.practitioner.display_name,
                     "12 rue des Lilas", "69100 Villeurbanne", "Venir à jeun.", "Ordonnance.",
                     "Apporter les anciens examens.", 'href="tel:0478000000"',
                     'id="confirm-appointment"', 'id="cancel-appointment"'):
        assert expected in body
    assert appointment.patient.birth_name not in body
    assert response["Cache-Control"].startswith("max-age=0")
    assert 'name="robots" content="noindex, nofollow"' in body
    assert_nothing_written(appointment)  # opening the link (mail scanners do) changes nothing


def test_the_link_written_in_messages_opens_the_page(client, appointment, settings):
    settings.SECRETARIAT_PUBLIC_URL = "https://rdv.example.org"
    link = link_url(appointment)
    assert link.startswith("https://rdv.example.org/rdv/lien/")
    assert client.get(link.removeprefix("https://rdv.example.org")).status_code == 200


def test_confirming_records_the_time_once_with_an_audit(client, appointment):
    url = url_for(appointment)
    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    assert response.url == url
    appointment.refresh_from_db()
    assert appointment.confirmed_by_patient_at == NOW
    event = AuditEvent.objects.get()
    assert (event.action, event.acting_user, event.patient_id) == (
        "agenda.appointment_confirmed_by_patient", None, appointment.patient_id)

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        client.post(url, {"action": "confirm"})
    appointment.refresh_from_db()
    assert appointment.confirmed_by_patient_at == NOW
    assert AuditEvent.objects.count() == 1
    assert 'id="confirm-appointment"' not in client.get(url).content.decode()


def test_cancelling_with_a_reason(client, appointment):
    response = client.post(url_for(appointment), {"action": "cancel", "reason": "  Je suis   malade "})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancelled_by_patient, appointment.cancelled_by,
            appointment.cancellation_reason) == ("cancelled", True, None, "Je suis malade")
    page = client.get(url_for(appointment)).content.decode()
    assert 'id="cancel-appointment"' not in page
    assert 'id="confirm-appointment"' not in page


def test_cancelling_without_a_reason_says_it_came_from_the_link(client, appointment):
    client.post(url_for(appointment), {"action": "cancel", "reason": ""})
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert appointment.cancellation_reason != ""


def test_a_reason_too_long_is_refused_and_nothing_is_written(client, appointment):
    response = client.post(url_for(appointment), {"action": "cancel", "reason": "x" * 301})
    assert response.status_code == 400
    assert_nothing_written(appointment)


def test_an_unknown_action_is_refused(client, appointment):
    assert client.post(url_for(appointment), {"action": "delete"}).status_code == 400
    assert_nothing_written(appointment)


def forged(appointment) -> str:
    token = make_token(LINK_PURPOSE, appointment.pk)
    return token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")


@pytest.mark.parametrize("bad", ["forged", "other_purpose", "other_id", "garbage", "too_old", "over"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_links_answer_404_and_write_nothing(client, appointment, bad, method):
    if bad == "forged":
        token = forged(appointment)
    elif bad == "other_purpose":
        token = make_token("offer", appointment.pk)
    elif bad == "other_id":
        token = make_token(LINK_PURPOSE, appointment.pk + 1000)
    elif bad == "garbage":
        token = "eyJwayI6MX0"
    elif bad == "too_old":
        with time_machine.travel(NOW - timedelta(days=401), tick=False):
            token = make_token(LINK_PURPOSE, appointment.pk)
    else:  # the day after the appointment has passed
        token = make_token(LINK_PURPOSE, appointment.pk)
    url = reverse("agenda_public:appointment_link", args=[token])
    moment = START + timedelta(days=1, minutes=1) if bad == "over" else NOW
    with time_machine.travel(moment, tick=False):
        response = getattr(client, method)(url, {"action": "cancel"} if method == "post" else None)
    assert response.status_code == 404
    assert "appointment" not in response.context or response.context.get("appointment") is None
    assert_nothing_written(appointment)


def test_a_cancelled_appointment_can_no_longer_be_confirmed(client, appointment, english):
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancelled_at=NOW)
    url = url_for(appointment)
    page = client.get(url).content.decode()
    assert "This appointment is cancelled." in page
    assert 'id="confirm-appointment"' not in page

    response = client.post(url, {"action": "confirm"}, follow=True)
    assert "This appointment is cancelled." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.confirmed_by_patient_at is None
    assert not AuditEvent.objects.exists()


def test_a_started_appointment_can_no_longer_be_cancelled(client, appointment, english):
    url = url_for(appointment)
    with time_machine.travel(START + timedelta(minutes=10), tick=False):
        page = client.get(url).content.decode()
        assert "This appointment has already started or taken place" in page
        assert 'id="cancel-appointment"' not in page
        client.post(url, {"action": "cancel", "reason": "trop tard"})
    assert_nothing_written(appointment)


def test_teleconsultation_page_has_the_video_link_and_no_address(client, appointment):
    Appointment.objects.filter(pk=appointment.pk).update(video_room_url="https://visio.example.org/rdv-8f3a")
    AppointmentType.objects.filter(pk=appointment.appointment_type_id).update(mode="teleconsultation")
    body = client.get(url_for(appointment)).content.decode()
    assert 'href="https://visio.example.org/rdv-8f3a"' in body
    assert "12 rue des Lilas" not in body
