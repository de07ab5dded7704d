"""The carte Vitale screen: permissions, read → compare → copy, the no-reader message."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from secretariat.core.models import AuditEvent
from secretariat.patients.models import AmcCoverage, AmoCoverage
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception.models import VitaleReading


@pytest.fixture
def patient(personas):
    return PatientFactory(structure=personas.structure, birth_name="ROUSSEAU", first_birth_first_name="CAMILLE",
                          birth_first_names="CAMILLE ANNE", birth_date=date(1984, 3, 12), sex="F",
                          care_teams=[personas.team_a])


def _url(patient):
    return reverse("reception:vitale", args=[patient.pk])


def test_simulation_is_labelled_and_reading_leaves_a_trace(client, english, personas, patient):
    client.force_login(personas.secretary)
    page = client.get(_url(patient))
    assert page.status_code == 200
    assert "Simulated reading — no certified carte Vitale reader is connected." in page.text
    response = client.post(_url(patient), {"action": "read", "card": "spelling"})
    assert response.status_code == 302
    trace = VitaleReading.objects.get(patient=patient)
    assert trace.applied == {}
    assert trace.read_by == personas.secretary
    page = client.get(_url(patient))
    assert page.context["chosen"] == 0
    assert page.context["proposed"] == 0
    differing = [row.label for row in page.context["identity_rows"] if row.differs]
    assert differing == ["Birth name", "Birth first names"]
    assert [row.label for row in page.context["amo_rows"] if row.differs][:3] == ["Régime", "Caisse code",
                                                                                   "Centre code"]
    assert "The carte Vitale is not an identity document (RNIV)" in page.text
    assert AuditEvent.objects.filter(action="reception.vitale_read", patient_id=patient.pk).count() == 1


def test_copying_from_the_screen_updates_the_file(client, personas, patient):
    client.force_login(personas.reception)
    client.post(_url(patient), {"action": "read", "card": "up_to_date"})
    response = client.post(_url(patient), {"action": "apply", "beneficiary": "0", "copy_amo": "on"})
    assert response.status_code == 302
    amo = AmoCoverage.objects.get(patient=patient)
    assert amo.caisse_code == "691"
    assert not AmcCoverage.objects.filter(patient=patient).exists()
    assert VitaleReading.objects.get(patient=patient).applied["amo"]["action"] == "added"
    assert "reception.vitale" not in client.session
    # The reading was used: a second copy needs a new reading.
    client.post(_url(patient), {"action": "apply", "beneficiary": "0", "copy_amc": "on"})
    assert not AmcCoverage.objects.filter(patient=patient).exists()


def test_choosing_another_beneficiary_on_a_family_card(client, personas, patient):
    client.force_login(personas.secretary)
    client.post(_url(patient), {"action": "read", "card": "family"})
    page = client.get(_url(patient), {"beneficiary": "2"})
    assert page.context["proposed"] == 0
    assert page.context["chosen"] == 2
    assert page.context["beneficiary"].first_names == "LEO NOE"


def test_blocked_card_shows_the_refusal_and_keeps_no_trace(client, english, personas, patient):
    client.force_login(personas.secretary)
    response = client.post(_url(patient), {"action": "read", "card": "blocked"}, follow=True)
    assert "blocked or on the opposition list" in response.text
    assert not VitaleReading.objects.exists()


def test_no_reader_says_so_plainly(client, english, personas, patient, settings):
    settings.SECRETARIAT_VITALE_READER = "none"
    client.force_login(personas.secretary)
    page = client.get(_url(patient))
    assert "No carte Vitale reader is connected to this desk" in page.text
    assert 'name="card"' not in page.text
    assert "Simulated reading" not in page.text
    response = client.post(_url(patient), {"action": "read", "card": "up_to_date"}, follow=True)
    assert "No carte Vitale reader is connected to this desk" in response.text
    assert not VitaleReading.objects.exists()


def test_patient_of_another_structure_is_404(client, personas):
    outsider = PatientFactory(structure=personas.other_structure)
    client.force_login(personas.secretary)
    assert client.get(_url(outsider)).status_code == 404
    assert client.post(_url(outsider), {"action": "read", "card": "up_to_date"}).status_code == 404
    assert not VitaleReading.objects.exists()


def test_patient_outside_the_care_teams_is_404(client, personas, patient):
    client.force_login(personas.other_team_secretary)
    assert client.get(_url(patient)).status_code == 404


def test_accountant_is_refused(client, personas, patient):
    client.force_login(personas.accountant)
    assert client.get(_url(patient)).status_code == 403
    assert client.post(_url(patient), {"action": "read", "card": "up_to_date"}).status_code == 403
    assert not VitaleReading.objects.exists()


def test_practitioner_reads_but_does_not_copy(client, personas, patient):
    client.force_login(personas.practitioner_user)
    client.post(_url(patient), {"action": "read", "card": "up_to_date"})
    page = client.get(_url(patient))
    assert page.context["can_apply"] is False
    assert 'name="copy_amo"' not in page.text
    response = client.post(_url(patient), {"action": "apply", "beneficiary": "0", "copy_amo": "on"})
    assert response.status_code == 403
    assert not AmoCoverage.objects.filter(patient=patient).exists()


def test_a_reading_is_not_used_for_another_patient(client, personas, patient):
    other = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    client.force_login(personas.secretary)
    client.post(_url(patient), {"action": "read", "card": "up_to_date"})
    client.post(_url(other), {"action": "apply", "beneficiary": "0", "copy_amo": "on"})
    assert not AmoCoverage.objects.exists()


def test_expired_card_does_not_tick_over_newer_rights_in_the_file(client, personas, patient):
    AmoCoverage.objects.create(patient=patient, caisse_code="691", rights_from=date(2020, 1, 1))
    client.force_login(personas.secretary)
    client.post(_url(patient), {"action": "read", "card": "expired"})
    page = client.get(_url(patient))
    assert page.context["amo_expired"] is True
    assert page.context["amo_file_newer"] is True
    assert "checked" not in _checkbox(page.text, "copy_amo")  # shown, not ticked
    assert "checked" in _checkbox(page.text, "copy_amc")  # no AMC in the file: the card's is offered


def _checkbox(html, name):
    return re.search(rf'<input type="checkbox" name="{name}"[^>]*>', html).group(0)


def test_a_reading_left_pending_expires(client, personas, patient):
    client.force_login(personas.secretary)
    client.post(_url(patient), {"action": "read", "card": "up_to_date"})
    session = client.session
    session["reception.vitale"]["read_at"] = (timezone.now() - timedelta(minutes=31)).isoformat()
    session.save()
    assert "reading" not in client.get(_url(patient)).context
    client.post(_url(patient), {"action": "apply", "beneficiary": "0", "copy_amo": "on"})
    assert not AmoCoverage.objects.filter(patient=patient).exists()
