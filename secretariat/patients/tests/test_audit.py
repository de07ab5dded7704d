"""Every opening of a patient file leaves one audit row; a refusal leaves none."""

from django.urls import reverse

from secretariat.core.models import AuditEvent


def test_opening_a_file_records_one_read_with_patient_and_user(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    response = client.get(reverse("patients:detail", args=[team_a_patient.pk]))
    assert response.status_code == 200

    event = AuditEvent.objects.get(action="patients.file_viewed")
    assert event.patient_id == team_a_patient.pk
    assert event.acting_user == personas.secretary
    assert event.actor_label == "alice"
    assert event.structure_id == personas.structure.pk
    assert event.target_id == str(team_a_patient.pk)
    assert event.target_label == str(team_a_patient)
    assert event.data == {}


def test_each_opening_is_recorded(client, personas, team_a_patient):
    client.force_login(personas.coordinator)
    url = reverse("patients:detail", args=[team_a_patient.pk])
    client.get(url)
    client.get(url)
    assert AuditEvent.objects.filter(action="patients.file_viewed", patient_id=team_a_patient.pk).count() == 2


def test_a_404_records_nothing(client, personas, team_a_patient):
    client.force_login(personas.other_team_secretary)
    assert client.get(reverse("patients:detail", args=[team_a_patient.pk])).status_code == 404
    assert client.get(reverse("patients:detail", args=[999999])).status_code == 404
    assert AuditEvent.objects.filter(action="patients.file_viewed").exists() is False


def test_a_403_records_nothing(client, personas, team_a_patient):
    client.force_login(personas.accountant)
    assert client.get(reverse("patients:detail", args=[team_a_patient.pk])).status_code == 403
    assert AuditEvent.objects.filter(action="patients.file_viewed").exists() is False


def test_searching_and_listing_record_no_file_read(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    client.get(reverse("patients:list"), {"q": "diaye"})
    client.get(reverse("core:search"), {"q": "diaye"})
    assert AuditEvent.objects.filter(action="patients.file_viewed").exists() is False
