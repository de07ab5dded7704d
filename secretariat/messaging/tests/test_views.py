"""The secretariat's list of messages to patients: failures first, scoped like patient files,
retry and "dealt with" buttons, and the count for the badge."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from secretariat.core.audit import AuditEvent
from secretariat.messaging.models import OutboundMessage
from secretariat.messaging.queries import failed_messages_count
from secretariat.patients.tests.factories import PatientFactory

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
LIST = reverse("messaging:list")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def message(structure, *, patient=None, status="sent", minutes_ago=0, **kwargs) -> OutboundMessage:
    with time_machine.travel(NOW - timedelta(minutes=minutes_ago), tick=False):
        return OutboundMessage.objects.create(
            structure=structure, patient=patient, channel=kwargs.pop("channel", "email"),
            recipient=kwargs.pop("recipient", "eloise@example.org"), subject="Rappel", body="Bonjour",
            purpose=kwargs.pop("purpose", "agenda.reminder"), status=status, **kwargs)


@pytest.fixture
def world(personas):
    """Messages about a patient of the cardiology team, one of the radiology team, and one of
    the other structure."""
    cardio = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    radio = PatientFactory(structure=personas.structure, care_teams=[personas.team_b])
    elsewhere = PatientFactory(structure=personas.other_structure)
    return {
        "sent": message(personas.structure, patient=cardio, status="sent", minutes_ago=1),
        "failed_old": message(personas.structure, patient=cardio, status="failed", minutes_ago=30, attempts=4,
                              last_error="SMTPRecipientsRefused: 550 unknown user"),
        "queued": message(personas.structure, patient=cardio, status="queued", minutes_ago=2),
        "failed_new": message(personas.structure, patient=cardio, status="failed", minutes_ago=5, attempts=1,
                              channel="sms", recipient="+33612345678", next_attempt_at=NOW + timedelta(minutes=5)),
        "radio": message(personas.structure, patient=radio, status="failed"),
        "elsewhere": message(personas.other_structure, patient=elsewhere, status="failed"),
    }


def listed(response) -> list[int]:
    return [row.pk for row in response.context["page"]]


def test_failures_come_first_then_waiting_then_sent(client, personas, world):
    client.force_login(personas.secretary)
    response = client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == [world[key].pk for key in ("failed_new", "failed_old", "queued", "sent")]
    assert response.context["failed_count"] == 2
    body = response.content.decode()
    assert "SMTPRecipientsRefused: 550 unknown user" in body
    assert reverse("messaging:retry", args=[world["failed_old"].pk]) in body


def test_filter_by_status_and_channel(client, personas, world):
    client.force_login(personas.secretary)
    assert listed(client.get(LIST, {"status": "failed"})) == [world["failed_new"].pk, world["failed_old"].pk]
    assert listed(client.get(LIST, {"status": "failed", "channel": "sms"})) == [world["failed_new"].pk]
    assert listed(client.get(LIST, {"status": "nonsense"})) == listed(client.get(LIST))


def test_coordinator_sees_the_whole_structure_and_nobody_sees_another(client, personas, world):
    client.force_login(personas.coordinator)
    assert set(listed(client.get(LIST))) == {world[key].pk for key in
                                            ("sent", "failed_old", "queued", "failed_new", "radio")}
    client.force_login(personas.other_structure_coordinator)
    assert listed(client.get(LIST)) == [world["elsewhere"].pk]


def test_badge_count_follows_what_the_user_may_see(personas, world):
    assert failed_messages_count(personas.structure.pk) == 3
    assert failed_messages_count(personas.structure.pk, user=personas.secretary) == 2
    assert failed_messages_count(personas.structure.pk, user=personas.other_team_secretary) == 1


def test_reception_may_look_but_the_accountant_may_not(client, personas, world):
    client.force_login(personas.reception)
    assert client.get(LIST).status_code == 200
    client.force_login(personas.accountant)
    assert client.get(LIST).status_code == 403


def test_retry_button_sends_again_and_comes_back_to_the_same_filter(client, personas, world,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(personas.secretary)
    failed = world["failed_old"]
    back = LIST + "?status=failed"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("messaging:retry", args=[failed.pk]), {"next": back})
    assert response.status_code == 302
    assert response.url == back
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 5)
    assert AuditEvent.objects.filter(action="messaging.message_retried", target_id=str(failed.pk)).count() == 1


def test_retry_never_redirects_elsewhere(client, personas, world):
    client.force_login(personas.secretary)
    response = client.post(reverse("messaging:retry", args=[world["failed_old"].pk]),
                           {"next": "https://evil.example.org/"})
    assert response.url == LIST


@pytest.mark.parametrize("who", ["other_team_secretary", "other_structure_secretary"])
def test_retry_outside_ones_scope_is_404_and_writes_nothing(client, personas, world, who):
    client.force_login(getattr(personas, who))
    response = client.post(reverse("messaging:retry", args=[world["failed_old"].pk]))
    assert response.status_code == 404
    world["failed_old"].refresh_from_db()
    assert world["failed_old"].status == "failed"
    assert not AuditEvent.objects.filter(action="messaging.message_retried").exists()


def test_retry_is_post_only(client, personas, world):
    client.force_login(personas.secretary)
    assert client.get(reverse("messaging:retry", args=[world["failed_old"].pk])).status_code == 405


def test_retry_of_a_sent_message_is_refused_with_a_message(client, personas, world, english):
    client.force_login(personas.secretary)
    response = client.post(reverse("messaging:retry", args=[world["sent"].pk]), follow=True)
    assert "This message has already been sent." in response.content.decode()
    assert not AuditEvent.objects.filter(action="messaging.message_retried").exists()


def test_dealt_with_takes_the_failure_out_of_the_count(client, personas, world):
    client.force_login(personas.secretary)
    response = client.post(reverse("messaging:acknowledge", args=[world["failed_old"].pk]))
    assert response.status_code == 302
    assert failed_messages_count(personas.structure.pk, user=personas.secretary) == 1
    world["failed_old"].refresh_from_db()
    assert (world["failed_old"].acknowledged_at, world["failed_old"].acknowledged_by) == (NOW, personas.secretary)
    # Still listed (as failed), after the failures still to deal with.
    assert listed(client.get(LIST, {"status": "failed"})) == [world["failed_new"].pk, world["failed_old"].pk]


def test_list_queries_do_not_grow_with_the_rows(client, personas, world, django_assert_max_num_queries):
    client.force_login(personas.secretary)
    client.get(LIST)
    for _extra in range(20):
        message(personas.structure, patient=world["sent"].patient, status="failed")
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200
