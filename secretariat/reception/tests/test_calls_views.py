"""The phone log and the callbacks screen: quick form, visibility, callbacks."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from secretariat.core.models import AuditEvent
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import services_triage
from secretariat.reception.models import PhoneCall


def make_call(personas, **kwargs):
    values = {"structure": personas.structure, "taken_by": personas.secretary, "taken_at": timezone.now(),
              "reason": "Question", "outcome": PhoneCall.Outcome.INFORMATION}
    return PhoneCall.objects.create(**{**values, **kwargs})


def test_a_call_is_logged_from_the_quick_form(client, personas):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    client.force_login(personas.secretary)
    page = client.get(reverse("reception:phone_log")).content.decode()
    assert 'id="id_caller_name"' in page
    assert "autofocus" in page
    response = client.post(reverse("reception:phone_log"), {
        "direction": "in", "caller_name": "M. Petit", "caller_phone": "0601020304", "patient": patient.pk,
        "practitioner": personas.practitioner.pk, "reason": "Demande d'ordonnance", "outcome": "message"})
    assert response.status_code == 302
    call = PhoneCall.objects.get()
    assert (call.patient, call.practitioner, call.outcome, call.taken_by) == (
        patient, personas.practitioner, "message", personas.secretary)
    assert AuditEvent.objects.get(action="reception.call_logged").patient_id == patient.pk


def test_a_callback_from_the_quick_choices(client, english, personas):
    client.force_login(personas.secretary)
    before = timezone.now()
    response = client.post(reverse("reception:phone_log"), {
        "direction": "in", "caller_name": "Mme Roy", "reason": "Résultats", "outcome": "callback",
        "callback_when": "60", "callback_assigned_to": personas.reception.pk})
    assert response.status_code == 302
    call = PhoneCall.objects.get()
    assert before + timedelta(minutes=59) < call.callback_due_at < timezone.now() + timedelta(minutes=61)
    response = client.post(reverse("reception:phone_log"), {"direction": "in", "reason": "x", "outcome": "callback"})
    assert response.status_code == 400
    assert "Say when to call back." in response.content.decode()
    assert PhoneCall.objects.count() == 1


def test_an_emergency_without_triage_or_note_is_refused(client, english, personas):
    client.force_login(personas.secretary)
    response = client.post(reverse("reception:phone_log"), {"direction": "in", "reason": "Malaise",
                                                            "outcome": "emergency"})
    assert response.status_code == 400
    assert "Run the triage, or write what happened." in response.content.decode()
    assert not PhoneCall.objects.exists()


def test_the_triage_comes_back_on_the_form(client, personas):
    protocol = services_triage.install_default_protocol(personas.structure)
    record = services_triage.record_triage(protocol, [0], personas.secretary)
    client.force_login(personas.secretary)
    page = client.get(reverse("reception:phone_log"), {"triage": record.pk}).content.decode()
    assert f'name="triage" value="{record.pk}"' in page
    emergency_input = re.search(r'<input[^>]*value="emergency"[^>]*>', page).group(0)
    assert "checked" in emergency_input
    assert "checked" not in re.search(r'<input[^>]*value="booked"[^>]*>', page).group(0)
    response = client.post(reverse("reception:phone_log"), {"direction": "in", "reason": "Douleur thoracique",
                                                            "outcome": "emergency", "triage": record.pk})
    assert response.status_code == 302
    assert PhoneCall.objects.get().triage == record


def test_calls_about_other_teams_patients_are_hidden(client, personas):
    theirs = PatientFactory(structure=personas.structure, care_teams=[personas.team_b])
    make_call(personas, reason="Appel équipe B", patient=theirs, practitioner=personas.other_practitioner)
    make_call(personas, reason="Appel sans patient")
    make_call(personas, reason="Autre structure", structure=personas.other_structure,
              taken_by=personas.other_structure_secretary)
    client.force_login(personas.secretary)
    page = client.get(reverse("reception:phone_log")).content.decode()
    assert "Appel sans patient" in page
    assert "Appel équipe B" not in page
    assert "Autre structure" not in page
    client.force_login(personas.coordinator)
    assert "Appel équipe B" in client.get(reverse("reception:phone_log")).content.decode()


def test_callbacks_late_first_and_marked_done(client, personas):
    now = timezone.now()
    soon = make_call(personas, reason="Rappel plus tard", outcome="callback", callback_due_at=now + timedelta(hours=2))
    late = make_call(personas, reason="Rappel en retard", outcome="callback", callback_due_at=now - timedelta(hours=1))
    client.force_login(personas.reception)
    page = client.get(reverse("reception:callbacks")).content.decode()
    assert page.index("Rappel en retard") < page.index("Rappel plus tard")
    assert "callback late" in page
    response = client.post(reverse("reception:callback_done", args=[late.pk]), {"result": "Rappelée, RDV demain"})
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.callback_done_by == personas.reception
    assert late.callback_result == "Rappelée, RDV demain"
    soon.refresh_from_db()
    assert soon.callback_done_at is None


def test_callbacks_of_another_structure_cannot_be_done(client, personas):
    call = make_call(personas, outcome="callback", callback_due_at=timezone.now())
    client.force_login(personas.other_structure_secretary)
    assert client.post(reverse("reception:callback_done", args=[call.pk]), {"result": "x"}).status_code == 404
    call.refresh_from_db()
    assert call.callback_done_at is None


def test_the_patient_search_needs_access_to_patients(client, personas):
    PatientFactory(structure=personas.structure, birth_name="DUPONT", care_teams=[personas.team_a])
    client.force_login(personas.secretary)
    response = client.get(reverse("reception:call_patient_search"), {"q": "dupont"})
    assert 'name="patient"' in response.content.decode()
    client.force_login(personas.accountant)
    assert client.get(reverse("reception:call_patient_search"), {"q": "dupont"}).status_code == 403


def test_the_phone_log_does_not_query_per_call(client, personas):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    make_call(personas, patient=patient, practitioner=personas.practitioner, outcome="callback",
              callback_due_at=timezone.now(), callback_assigned_to=personas.reception)
    client.force_login(personas.secretary)
    client.get(reverse("reception:phone_log"))  # warm the session and the protocol-free caches
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("reception:phone_log"))
    for _index in range(5):
        make_call(personas, patient=patient, practitioner=personas.practitioner, outcome="callback",
                  callback_due_at=timezone.now(), callback_assigned_to=personas.reception)
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("reception:phone_log"))
    assert len(six) == len(one)
