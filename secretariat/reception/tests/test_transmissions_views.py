"""Screens of the messages: inbox, writing, conversation, answer, and the urgent bar."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from secretariat.core.models import AuditEvent
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import services_transmissions as services
from secretariat.reception.models import Transmission
from secretariat.reception.queries_transmissions import urgent_notices

Priority = Transmission.Priority


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def patient(personas):
    return PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name="LEGRAND",
                          first_birth_first_name="Paulette")


def test_compose_sends_and_redirects_to_inbox(client, personas, patient):
    client.force_login(personas.secretary)
    page = client.get(reverse("reception:compose") + f"?patient={patient.pk}")
    assert page.status_code == 200
    assert "LEGRAND" in page.content.decode()
    response = client.post(reverse("reception:compose"), {
        "recipient": personas.practitioner_user.pk, "priority": "urgent", "subject": "Appel du labo",
        "body": "Rappeler avant midi", "patient": patient.pk,
    })
    assert response.status_code == 302
    assert response.url == reverse("reception:inbox")
    message = Transmission.objects.get()
    assert (message.patient, message.priority, message.sender) == (patient, Priority.URGENT, personas.secretary)


def test_compose_refuses_a_patient_out_of_reach(client, personas):
    team_b_patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_b])
    client.force_login(personas.secretary)
    assert client.get(reverse("reception:compose") + f"?patient={team_b_patient.pk}").status_code == 404
    response = client.post(reverse("reception:compose"), {
        "recipient": personas.practitioner_user.pk, "priority": "normal", "subject": "S", "patient": team_b_patient.pk,
    })
    assert response.status_code == 404
    assert not Transmission.objects.exists()


def test_compose_shows_the_refusal(client, personas, patient, english):
    client.force_login(personas.practitioner_user)
    response = client.post(reverse("reception:compose"), {
        "recipient": personas.reception.pk, "priority": "normal", "subject": "Mme L", "patient": patient.pk,
    })
    assert response.status_code == 200
    assert "cannot read messages about this patient" in response.content.decode()
    assert not Transmission.objects.exists()


def test_patient_search_is_restricted_to_the_senders_patients(client, personas, patient):
    PatientFactory(structure=personas.structure, care_teams=[personas.team_b], birth_name="LEGRAND",
                   first_birth_first_name="Odile")
    client.force_login(personas.secretary)
    html = client.get(reverse("reception:compose_patients"), {"q": "legrand"}).content.decode()
    assert "Paulette" in html
    assert "Odile" not in html


def test_opening_marks_read_and_the_sender_sees_the_receipt(client, personas, english):
    message = services.send_transmission(recipient=personas.practitioner_user, subject="Salle 2",
                                         acting_user=personas.secretary)
    client.force_login(personas.secretary)
    assert "Not read yet" in client.get(reverse("reception:transmission", args=[message.pk])).content.decode()
    message.refresh_from_db()
    assert message.read_at is None  # the sender opening it does not read it for the recipient
    client.force_login(personas.practitioner_user)
    assert client.get(reverse("reception:transmission", args=[message.pk])).status_code == 200
    message.refresh_from_db()
    assert message.read_at is not None
    assert AuditEvent.objects.filter(action="reception.transmission_read", target_id=str(message.pk)).count() == 1
    client.force_login(personas.secretary)
    html = client.get(reverse("reception:inbox") + "?box=sent").content.decode()
    assert f"Read on {timezone.localtime(message.read_at):%d/%m} at {timezone.localtime(message.read_at):%H:%M}" in html


def test_reply_through_the_screen(client, personas):
    message = services.send_transmission(recipient=personas.practitioner_user, subject="Salle 2",
                                         acting_user=personas.secretary)
    client.force_login(personas.practitioner_user)
    response = client.post(reverse("reception:transmission_reply", args=[message.pk]),
                           {"body": "D'accord", "priority": "normal"})
    assert response.status_code == 302
    answer = Transmission.objects.exclude(pk=message.pk).get()
    assert answer.recipient == personas.secretary
    assert answer.thread_root == message


def test_reception_agent_cannot_open_a_medical_message_addressed_to_them(client, personas, patient):
    sent = services.send_transmission(recipient=personas.secretary, subject="Mme L a appelé", patient=patient,
                                      acting_user=personas.reception)
    answer = services.reply_to_transmission(sent, body="Résultat normal", acting_user=personas.secretary)
    client.force_login(personas.reception)
    assert client.get(reverse("reception:transmission", args=[answer.pk])).status_code == 404
    answer.refresh_from_db()
    assert answer.read_at is None
    inbox = client.get(reverse("reception:inbox")).content.decode()
    assert "Re: Mme L a appelé" not in inbox
    # Their own text stays readable, without the answer.
    own = client.get(reverse("reception:transmission", args=[sent.pk])).content.decode()
    assert "Mme L a appelé" in own
    assert "Résultat normal" not in own


def test_nobody_opens_other_peoples_messages(client, personas):
    message = services.send_transmission(recipient=personas.practitioner_user, subject="Privé",
                                         acting_user=personas.secretary)
    for outsider in (personas.coordinator, personas.reception, personas.other_structure_coordinator):
        client.force_login(outsider)
        assert client.get(reverse("reception:transmission", args=[message.pk])).status_code == 404
        assert client.post(reverse("reception:transmission_reply", args=[message.pk]),
                           {"body": "x", "priority": "normal"}).status_code == 404
        assert "Privé" not in client.get(reverse("reception:inbox")).content.decode()
    assert Transmission.objects.count() == 1


def test_accountant_has_no_mailbox(client, personas):
    client.force_login(personas.accountant)
    assert client.get(reverse("reception:inbox")).status_code == 403


def test_inbox_shows_unread_in_bold_and_urgent_in_red(client, personas):
    services.send_transmission(recipient=personas.practitioner_user, subject="Vite", priority=Priority.URGENT,
                               acting_user=personas.secretary)
    client.force_login(personas.practitioner_user)
    html = client.get(reverse("reception:inbox")).content.decode()
    assert '<tr class="unread urgent">' in html


def test_urgent_bar_on_every_page_until_opened(client, personas):
    message = services.send_transmission(recipient=personas.practitioner_user, subject="Patient agité en salle",
                                         priority=Priority.URGENT, acting_user=personas.secretary)
    client.force_login(personas.practitioner_user)
    html = client.get(reverse("core:home")).content.decode()
    assert "shell-urgent" in html
    assert "Patient agité en salle" in html
    assert reverse("reception:transmission", args=[message.pk]) in html
    client.get(reverse("reception:transmission", args=[message.pk]))
    assert "shell-urgent" not in client.get(reverse("core:home")).content.decode()
    # The sender does not get the bar.
    client.force_login(personas.secretary)
    assert "shell-urgent" not in client.get(reverse("core:home")).content.decode()


def test_urgent_notices_cost_one_query(personas, django_assert_num_queries):
    for number in range(5):
        services.send_transmission(recipient=personas.practitioner_user, subject=f"Urgent {number}",
                                   priority=Priority.URGENT, acting_user=personas.secretary)
    request = RequestFactory().get("/")
    request.user = personas.practitioner_user
    with django_assert_num_queries(1):
        notices = urgent_notices(request)
    assert len(notices) == 4  # three named, then "more are waiting"
    assert all(notice.level == "urgent" for notice in notices)


def test_one_query_per_page_and_an_urgent_message_shows_at_once(personas, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = personas.practitioner_user
    with django_assert_num_queries(1):
        assert urgent_notices(request) == []
    services.send_transmission(recipient=personas.practitioner_user, subject="Vite", priority=Priority.URGENT,
                               acting_user=personas.secretary)
    assert [notice.level for notice in urgent_notices(request)] == ["urgent"]


def test_inbox_queries_do_not_grow_with_the_messages(client, personas, django_assert_max_num_queries):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    for number in range(3):
        services.send_transmission(recipient=personas.practitioner_user, subject=f"Sujet {number}", patient=patient,
                                   acting_user=personas.secretary)
    client.force_login(personas.practitioner_user)
    client.get(reverse("reception:inbox"))  # warm the session and caches
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("reception:inbox"))
    for number in range(12):
        services.send_transmission(recipient=personas.practitioner_user, subject=f"Autre {number}",
                                   priority=Priority.HIGH, acting_user=personas.coordinator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("reception:inbox"))
