"""Patients are scoped by structure and care team: outsiders get a 404 and learn nothing."""

import pytest
from django.urls import reverse

from secretariat.patients.permissions import patients_for
from secretariat.patients.tests.factories import PatientFactory


@pytest.mark.parametrize(
    ("_case", "viewer", "status"),
    [
        ("secretary of the patient's team", "secretary", 200),
        ("reception of the patient's team", "reception", 200),
        ("practitioner of the patient's team", "practitioner_user", 200),
        ("coordinator of the structure", "coordinator", 200),
        ("secretary of another team", "other_team_secretary", 404),
        ("secretary of another structure", "other_structure_secretary", 404),
        ("coordinator of another structure", "other_structure_coordinator", 404),
    ],
)
def test_patient_file_scope(client, personas, team_a_patient, _case, viewer, status):
    client.force_login(getattr(personas, viewer))
    response = client.get(reverse("patients:detail", args=[team_a_patient.pk]))
    assert response.status_code == status


def test_outsider_404_looks_like_a_missing_patient(client, personas, team_a_patient):
    client.force_login(personas.other_team_secretary)
    outsider = client.get(reverse("patients:detail", args=[team_a_patient.pk]))
    missing = client.get(reverse("patients:detail", args=[999999]))
    assert outsider.status_code == missing.status_code == 404
    assert b"N'DIAYE" not in outsider.content
    assert b"N&#x27;DIAYE" not in outsider.content


def test_accountant_is_refused_the_patients_area(client, personas, team_a_patient):
    client.force_login(personas.accountant)
    assert client.get(reverse("patients:list")).status_code == 403
    assert client.get(reverse("patients:detail", args=[team_a_patient.pk])).status_code == 403
    assert list(patients_for(personas.accountant)) == []


def test_anonymous_visitor_is_sent_to_login(client, team_a_patient):
    response = client.get(reverse("patients:detail", args=[team_a_patient.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_scoped_querysets(personas, team_a_patient, other_structure_patient):
    team_b_patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_b])
    both_teams = PatientFactory(structure=personas.structure, care_teams=[personas.team_a, personas.team_b])
    no_team = PatientFactory(structure=personas.structure)

    assert set(patients_for(personas.secretary)) == {team_a_patient, both_teams}
    assert set(patients_for(personas.practitioner_user)) == {team_a_patient, both_teams}
    assert set(patients_for(personas.other_team_secretary)) == {team_b_patient, both_teams}
    assert set(patients_for(personas.coordinator)) == {team_a_patient, team_b_patient, both_teams, no_team}
    assert list(patients_for(personas.other_structure_secretary)) == [other_structure_patient]
    # Seen through two teams, listed once.
    assert patients_for(personas.secretary).filter(pk=both_teams.pk).count() == 1


def test_disabled_user_sees_no_patient(personas, team_a_patient):
    personas.secretary.is_active = False
    assert list(patients_for(personas.secretary)) == []
