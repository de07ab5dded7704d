"""The patients' group of the global search box is scoped like the list."""

from django.urls import reverse

from secretariat.core.search import search_everything
from secretariat.patients.tests.factories import PatientFactory


def patient_titles(user, text):
    groups = [group for group in search_everything(user, text) if group.label in {"Patients"}]
    return [hit.title for group in groups for hit in group.hits]


def test_global_search_finds_patients_of_the_users_teams_only(personas, team_a_patient, other_structure_patient):
    PatientFactory(structure=personas.structure, birth_name="N'DIAYE", first_birth_first_name="Binta",
                   care_teams=[personas.team_b])
    assert patient_titles(personas.secretary, "n'diaye") == ["N'DIAYE Awa"]
    assert patient_titles(personas.other_team_secretary, "n'diaye") == ["N'DIAYE Binta"]
    assert sorted(patient_titles(personas.coordinator, "n'diaye")) == ["N'DIAYE Awa", "N'DIAYE Binta"]
    assert patient_titles(personas.other_structure_secretary, "n'diaye") == ["N'DIAYE Moussa"]
    assert patient_titles(personas.accountant, "n'diaye") == []


def test_hit_shows_birth_date_and_status_and_links_to_the_file(personas, team_a_patient):
    group = next(g for g in search_everything(personas.secretary, "awa") if g.label == "Patients")
    hit = group.hits[0]
    assert hit.url == reverse("patients:detail", args=[team_a_patient.pk])
    assert hit.detail == f"14/07/1962 · {team_a_patient.age} ans · Identité provisoire"


def test_global_search_returns_at_most_eight_patients(personas):
    PatientFactory.create_batch(10, structure=personas.structure, care_teams=[personas.team_a])
    group = next(g for g in search_everything(personas.secretary, "lef") if g.label == "Patients")
    assert len(group.hits) == 8


def test_global_search_page_lists_patients_before_practitioners(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    PatientFactory(structure=personas.structure, birth_name="CŒURDEROY", care_teams=[personas.team_a])
    page = client.get(reverse("core:search"), {"q": "cœur"}).content.decode()
    assert page.index("CŒURDEROY") < page.index("Dr Paul CŒUR")
