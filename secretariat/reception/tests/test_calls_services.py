"""Logging calls and doing callbacks: the rules the desk relies on."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from secretariat.core.models import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import services_calls, services_triage
from secretariat.reception.forms_calls import callback_choices
from secretariat.reception.models import PhoneCall

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def log(personas, **kwargs):
    values = {"structure": personas.structure, "acting_user": personas.secretary, "reason": "Renouvellement",
              "outcome": PhoneCall.Outcome.INFORMATION, "taken_at": NOW}
    return services_calls.log_call(**{**values, **kwargs})


def test_a_call_about_a_patient_is_logged_and_audited(personas):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    call = log(personas, patient=patient, caller_name="Mme Martin", caller_phone=" 06 12 34 56 78 ",
               reason="  Résultats   d'analyse ")
    assert (call.reason, call.caller_phone, call.taken_by) == ("Résultats d'analyse", "06 12 34 56 78",
                                                              personas.secretary)
    event = AuditEvent.objects.get(action="reception.call_logged")
    assert event.patient_id == patient.pk
    assert event.target_id == str(call.pk)


def test_to_call_back_needs_a_due_time(personas):
    with pytest.raises(ServiceError, match="Say when to call back."):
        log(personas, outcome=PhoneCall.Outcome.CALLBACK)
    assert not PhoneCall.objects.exists()
    call = log(personas, outcome=PhoneCall.Outcome.CALLBACK, callback_due_at=NOW + timedelta(hours=1),
               callback_assigned_to=personas.reception)
    assert call.callback_pending
    assert call.callback_assigned_to == personas.reception


def test_a_due_time_is_dropped_when_there_is_nothing_to_call_back(personas):
    call = log(personas, outcome=PhoneCall.Outcome.BOOKED, callback_due_at=NOW)
    assert call.callback_due_at is None
    assert not call.callback_pending


def test_an_emergency_needs_the_triage_or_a_note(personas):
    with pytest.raises(ServiceError, match="needs the triage or a note"):
        log(personas, outcome=PhoneCall.Outcome.EMERGENCY)
    assert log(personas, outcome=PhoneCall.Outcome.EMERGENCY, note="Malaise, le 15 a été appelé").pk
    protocol = services_triage.install_default_protocol(personas.structure)
    record = services_triage.record_triage(protocol, [0], personas.secretary)
    call = log(personas, outcome=PhoneCall.Outcome.EMERGENCY, triage=record)
    assert call.triage == record
    with pytest.raises(ServiceError, match="already attached"):
        log(personas, outcome=PhoneCall.Outcome.EMERGENCY, triage=record)


def test_data_of_another_structure_is_refused(personas):
    stranger = PatientFactory(structure=personas.other_structure)
    with pytest.raises(ServiceError):
        log(personas, patient=stranger)
    with pytest.raises(ServiceError):
        log(personas, practitioner=personas.other_structure_practitioner)
    assert not PhoneCall.objects.exists()


def test_a_callback_is_marked_done_once(personas):
    call = log(personas, outcome=PhoneCall.Outcome.CALLBACK, callback_due_at=NOW)
    done = services_calls.mark_callback_done(call, result="RDV donné jeudi", acting_user=personas.reception,
                                             done_at=NOW + timedelta(minutes=40))
    assert (done.callback_done_by, done.callback_result, done.callback_pending) == (personas.reception,
                                                                                   "RDV donné jeudi", False)
    event = AuditEvent.objects.get(action="reception.callback_done")
    assert event.data["late"] is True
    with pytest.raises(ServiceError, match="already done"):
        services_calls.mark_callback_done(call, result="encore", acting_user=personas.secretary)


def test_a_callback_needs_a_result(personas):
    call = log(personas, outcome=PhoneCall.Outcome.CALLBACK, callback_due_at=NOW)
    with pytest.raises(ServiceError):
        services_calls.mark_callback_done(call, result="  ", acting_user=personas.secretary)
    call.refresh_from_db()
    assert call.callback_done_at is None


def test_quick_callback_times():
    choices = {value: due for value, _label, due in callback_choices(NOW)}
    assert choices["30"] == NOW + timedelta(minutes=30)
    assert choices["60"] == NOW + timedelta(hours=1)
    assert choices["afternoon"] == datetime(2026, 1, 5, 13, 0, tzinfo=UTC)  # 14 h in Paris
    assert choices["tomorrow"] == datetime(2026, 1, 6, 8, 0, tzinfo=UTC)  # 9 h in Paris
    late_saturday = datetime(2026, 1, 10, 17, 30, tzinfo=UTC)
    choices = {value: due for value, _label, due in callback_choices(late_saturday)}
    assert "afternoon" not in choices
    assert choices["tomorrow"] == datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
