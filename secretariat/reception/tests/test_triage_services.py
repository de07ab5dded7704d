"""Installing, editing and using the triage protocols."""

import pytest
from django.utils import translation

from secretariat.core.models import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import protocols, services_triage
from secretariat.reception.models import PhoneCall, Priority, TriageProtocol, TriageRecord
from secretariat.reception.rules_triage import parse_lines


@pytest.fixture
def protocol(personas):
    return services_triage.install_default_protocol(personas.structure)


def test_installing_the_default_protocol_is_idempotent(personas):
    first = services_triage.install_default_protocol(personas.structure, acting_user=personas.practitioner_user)
    again = services_triage.install_default_protocol(personas.structure)
    assert first == again
    assert TriageProtocol.objects.filter(structure=personas.structure).count() == 1
    assert first.tree == protocols.load()["tree"]
    assert first.version == 1
    assert AuditEvent.objects.filter(action="reception.protocol_changed", target_id=str(first.pk)).count() == 1


def test_recording_an_emergency_copies_the_words_and_the_script(personas, protocol):
    record = services_triage.record_triage(protocol, [0], personas.secretary)
    assert record.priority == Priority.EMERGENCY
    assert record.outcome_key == "call_15"
    assert record.outcome_title == "Appelez le 15 (ou le 112) maintenant"
    assert record.path == [{"question": protocol.tree["questions"]["chest_pain"]["text"], "answer": "Oui"}]
    assert "gardez-la en ligne" in record.instructions
    assert "Prévenez le médecin" in record.instructions
    assert record.protocol_version == 1
    assert record.structure_id == personas.structure.pk
    event = AuditEvent.objects.get(action="reception.triage_recorded")
    assert event.data["outcome"] == "call_15"
    assert event.patient_id is None


def test_recording_with_a_patient_and_a_call(personas, protocol):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    call = PhoneCall.objects.create(structure=personas.structure, taken_by=personas.secretary,
                                    taken_at="2026-01-05T09:00:00Z", reason="Fièvre", outcome="information")
    # no to the eight life-threatening questions, yes to the high fever
    record = services_triage.record_triage(protocol, [1] * 8 + [0], personas.secretary, patient=patient, call=call)
    assert record.priority == Priority.SAME_DAY
    assert record.patient == patient
    call.refresh_from_db()
    assert call.triage == record
    assert AuditEvent.objects.get(action="reception.triage_recorded").patient_id == patient.pk


@pytest.mark.parametrize(("answers", "message"), [
    ([1], "The triage is not finished: answer the remaining questions."),
    ([5], "These answers do not follow the protocol: please run it again."),
])
def test_unfinished_or_wrong_answers_record_nothing(personas, protocol, answers, message):
    with translation.override("en"), pytest.raises(ServiceError, match=message):
        services_triage.record_triage(protocol, answers, personas.secretary)
    assert not TriageRecord.objects.exists()


def test_a_protocol_changed_during_the_triage_must_be_run_again(personas, protocol):
    with pytest.raises(ServiceError):
        services_triage.record_triage(protocol, [0], personas.secretary, version=protocol.version + 1)
    assert not TriageRecord.objects.exists()


def test_an_inactive_protocol_is_not_recorded(personas, protocol):
    services_triage.set_protocol_active(protocol, active=False, acting_user=personas.practitioner_user)
    with pytest.raises(ServiceError):
        services_triage.record_triage(protocol, [0], personas.secretary)


def test_saving_bumps_the_version_and_audits_before_and_after(personas, protocol):
    tree = parse_lines("QUESTION q1: Douleur ?\n- Oui => e\n- Non => r\nISSUE e: Appelez le 15\nPRIORITÉ: 1\n"
                       "SCRIPT: Restez en ligne.\nISSUE r: Habituel\nPRIORITÉ: 4\n")
    saved = services_triage.save_protocol(protocol, name="Mon protocole", context="phone", tree=tree,
                                          sources="Relu par le Dr Cœur", acting_user=personas.practitioner_user)
    assert (saved.version, saved.name, saved.tree, saved.updated_by) == (2, "Mon protocole", tree,
                                                                        personas.practitioner_user)
    event = AuditEvent.objects.filter(action="reception.protocol_changed").latest("pk")
    assert event.data["before"]["version"] == 1
    assert event.data["before"]["tree"] == protocols.load()["tree"]
    assert event.data["after"]["version"] == 2
    assert event.data["after"]["tree"] == tree


def test_saving_an_unchanged_protocol_keeps_the_version(personas, protocol):
    saved = services_triage.save_protocol(protocol, name=protocol.name, context=protocol.context, tree=protocol.tree,
                                          sources=protocol.sources, acting_user=personas.practitioner_user)
    assert saved.version == 1


def test_a_broken_tree_is_refused(personas, protocol):
    tree = dict(protocol.tree, start="nowhere")
    with pytest.raises(ServiceError):
        services_triage.save_protocol(protocol, name=protocol.name, context="both", tree=tree, sources="",
                                      acting_user=personas.practitioner_user)
    protocol.refresh_from_db()
    assert protocol.version == 1
    assert protocol.tree["start"] == "chest_pain"
