"""Messages between colleagues: sending, answering, read receipts, and who may read what."""

import pytest

from secretariat.core.models import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import services_transmissions as services
from secretariat.reception.badges import unread_messages
from secretariat.reception.models import Transmission
from secretariat.reception.queries_transmissions import (
    received_by,
    recipients_for,
    transmissions_for,
    unread_for,
    urgent_unread_for,
)

Priority = Transmission.Priority


@pytest.fixture
def patient(personas):
    return PatientFactory(structure=personas.structure, care_teams=[personas.team_a])


def test_send_records_the_message_and_the_audit_row(personas, patient):
    message = services.send_transmission(recipient=personas.practitioner_user, subject="  Résultats   de Mme X ",
                                         body="Le labo a appelé.", priority=Priority.URGENT, patient=patient,
                                         acting_user=personas.secretary)
    assert (message.sender, message.recipient, message.patient, message.priority) == (
        personas.secretary, personas.practitioner_user, patient, Priority.URGENT)
    assert message.subject == "Résultats de Mme X"
    assert message.structure_id == personas.structure.pk
    event = AuditEvent.objects.get(action="reception.transmission_sent")
    assert event.patient_id == patient.pk
    assert event.target_id == str(message.pk)
    assert event.data["recipient_id"] == personas.practitioner_user.pk


def test_cannot_write_to_another_structure_or_oneself(personas):
    for recipient in (personas.other_structure_secretary, personas.secretary):
        with pytest.raises(ServiceError):
            services.send_transmission(recipient=recipient, subject="Bonjour", acting_user=personas.secretary)
    assert not Transmission.objects.exists()


def test_cannot_write_about_a_patient_out_of_reach(personas):
    team_b_patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_b])
    with pytest.raises(ServiceError):
        services.send_transmission(recipient=personas.practitioner_user, subject="Sujet", patient=team_b_patient,
                                   acting_user=personas.secretary)
    assert not Transmission.objects.exists()


def test_a_message_about_a_patient_goes_only_to_who_may_read_it(personas, patient):
    # The reception agent cannot read medical messages; bob follows another team.
    for recipient in (personas.reception, personas.other_team_secretary):
        with pytest.raises(ServiceError):
            services.send_transmission(recipient=recipient, subject="Sujet", patient=patient,
                                       acting_user=personas.practitioner_user)
    assert not Transmission.objects.exists()


def test_empty_subject_is_refused(personas):
    with pytest.raises(ServiceError):
        services.send_transmission(recipient=personas.practitioner_user, subject="   ", acting_user=personas.secretary)


def test_reply_goes_to_the_other_party_and_keeps_the_thread(personas, patient):
    first = services.send_transmission(recipient=personas.practitioner_user, subject="Mme X", patient=patient,
                                       acting_user=personas.secretary)
    answer = services.reply_to_transmission(first, body="Je la rappelle.", acting_user=personas.practitioner_user)
    assert (answer.sender, answer.recipient) == (personas.practitioner_user, personas.secretary)
    assert answer.thread_root == first
    assert answer.in_reply_to == first
    assert answer.patient == patient
    assert answer.subject == "Re: Mme X"
    again = services.reply_to_transmission(answer, body="Merci", acting_user=personas.secretary)
    assert again.thread_root == first
    assert again.recipient == personas.practitioner_user
    assert again.subject == "Re: Mme X"


def test_a_third_party_cannot_reply(personas):
    first = services.send_transmission(recipient=personas.practitioner_user, subject="Sujet",
                                       acting_user=personas.secretary)
    with pytest.raises(ServiceError):
        services.reply_to_transmission(first, body="Moi aussi", acting_user=personas.coordinator)
    assert Transmission.objects.count() == 1


def test_mark_read_only_by_the_recipient_once(personas):
    first = services.send_transmission(recipient=personas.practitioner_user, subject="Sujet",
                                       acting_user=personas.secretary)
    assert services.mark_read([first], acting_user=personas.secretary) == 0
    first.refresh_from_db()
    assert first.read_at is None
    assert services.mark_read([first], acting_user=personas.practitioner_user) == 1
    first.refresh_from_db()
    assert first.read_at is not None
    assert services.mark_read([first], acting_user=personas.practitioner_user) == 0
    assert AuditEvent.objects.filter(action="reception.transmission_read").count() == 1


def test_visibility_rules(personas, patient):
    plain = services.send_transmission(recipient=personas.reception, subject="Clés", acting_user=personas.secretary)
    medical = services.send_transmission(recipient=personas.secretary, subject="Mme X", patient=patient,
                                         acting_user=personas.reception)
    answer = services.reply_to_transmission(medical, body="Vu", acting_user=personas.secretary)
    # The reception agent: their plain message, their own medical text, not the answer to it.
    assert set(transmissions_for(personas.reception)) == {plain, medical}
    assert answer not in received_by(personas.reception)
    assert unread_for(personas.reception).count() == 1  # only the plain message
    assert unread_messages(personas.reception) == 1  # the tab's badge counts the same
    # The secretary: both sides of the medical thread, and the plain message she sent.
    assert set(transmissions_for(personas.secretary)) == {plain, medical, answer}
    # Nobody else sees anything, not even the coordinator; not another structure.
    for outsider in (personas.coordinator, personas.practitioner_user, personas.other_structure_secretary):
        assert not transmissions_for(outsider).exists()


def test_urgent_unread_lists_only_urgent_and_unread(personas):
    urgent = services.send_transmission(recipient=personas.practitioner_user, subject="Urgent", priority=Priority.URGENT,
                                        acting_user=personas.secretary)
    services.send_transmission(recipient=personas.practitioner_user, subject="Normal", acting_user=personas.secretary)
    assert urgent_unread_for(personas.practitioner_user) == [urgent]
    services.mark_read([urgent], acting_user=personas.practitioner_user)
    assert urgent_unread_for(personas.practitioner_user) == []


def test_inbox_order_unread_urgent_first(personas):
    normal = services.send_transmission(recipient=personas.practitioner_user, subject="1",
                                        acting_user=personas.secretary)
    urgent = services.send_transmission(recipient=personas.practitioner_user, subject="2", priority=Priority.URGENT,
                                        acting_user=personas.secretary)
    high = services.send_transmission(recipient=personas.practitioner_user, subject="3", priority=Priority.HIGH,
                                      acting_user=personas.secretary)
    read_urgent = services.send_transmission(recipient=personas.practitioner_user, subject="4",
                                             priority=Priority.URGENT, acting_user=personas.secretary)
    services.mark_read([read_urgent], acting_user=personas.practitioner_user)
    assert list(received_by(personas.practitioner_user)) == [urgent, high, normal, read_urgent]


def test_recipients_are_colleagues_of_the_desk_practitioners_first(personas):
    recipients = list(recipients_for(personas.secretary))
    assert recipients[0] == personas.practitioner_user
    assert personas.secretary not in recipients
    assert personas.accountant not in recipients  # no desk
    assert personas.other_structure_secretary not in recipients
    assert {personas.reception, personas.coordinator} <= set(recipients)
