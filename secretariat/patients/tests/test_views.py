"""The patients list (search by name or birth date) and the patient file."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from secretariat.patients.tests.factories import PatientFactory


@pytest.fixture
def team_a_patients(personas):
    def make(**fields):
        return PatientFactory(structure=personas.structure, care_teams=[personas.team_a], **fields)

    return {
        "claire": make(birth_name="MARTIN-DUBOIS", first_birth_first_name="Claire",
                       birth_first_names="Claire Anne", birth_date=datetime.date(1980, 3, 1)),
        "eloise": make(birth_name="LEFÈVRE", first_birth_first_name="Éloïse", birth_first_names="Éloïse",
                       used_name="ROUX", birth_date=datetime.date(1962, 7, 14)),
        "jean_pierre": make(birth_name="MARTIN", first_birth_first_name="Jean-Pierre",
                            birth_first_names="Jean-Pierre Louis", sex="M",
                            birth_date=datetime.date(1962, 7, 14)),
    }


def listed(client, **params):
    response = client.get(reverse("patients:list"), params)
    assert response.status_code == 200
    return [patient.pk for patient in response.context["patients"]]


def test_search_needs_every_word_in_a_name(client, personas, team_a_patients):
    client.force_login(personas.secretary)
    claire, eloise, jean_pierre = team_a_patients.values()
    assert listed(client, q="martin") == [jean_pierre.pk, claire.pk]
    assert listed(client, q="martin claire") == [claire.pk]
    assert listed(client, q="jean-pierre") == [jean_pierre.pk]
    assert listed(client, q="roux") == [eloise.pk]


def test_search_finds_accented_names_typed_in_lower_case(client, personas, team_a_patients):
    client.force_login(personas.secretary)
    assert listed(client, q="lefèvre éloïse") == [team_a_patients["eloise"].pk]


def test_search_by_birth_date(client, personas, team_a_patients):
    client.force_login(personas.secretary)
    claire, eloise, jean_pierre = team_a_patients.values()
    assert listed(client, q="14/07/1962") == [eloise.pk, jean_pierre.pk]
    assert listed(client, q="14/07/1962 martin") == [jean_pierre.pk]
    assert listed(client, q="31/02/1962") == []


def test_search_shows_only_patients_in_scope(client, personas, team_a_patients, other_structure_patient):
    team_b = PatientFactory(structure=personas.structure, birth_name="N'DIAYE", care_teams=[personas.team_b])
    client.force_login(personas.secretary)
    assert listed(client, q="n'diaye") == []
    client.force_login(personas.other_team_secretary)
    assert listed(client, q="n'diaye") == [team_b.pk]


def test_list_without_search_shows_recent_patients_and_says_when_truncated(client, personas):
    PatientFactory.create_batch(51, structure=personas.structure, care_teams=[personas.team_a])
    client.force_login(personas.secretary)
    response = client.get(reverse("patients:list"))
    assert len(response.context["patients"]) == 50
    assert response.context["truncated"] is True


@time_machine.travel(datetime.datetime(2026, 7, 13, 12, tzinfo=datetime.UTC))
def test_list_rows_show_name_birth_date_age_and_status(client, personas, team_a_patients):
    client.force_login(personas.secretary)
    page = client.get(reverse("patients:list"), {"q": "roux"}).content.decode()
    assert "ROUX Éloïse" in page
    assert "LEFÈVRE" in page  # birth name beside the used name
    assert "14/07/1962" in page
    assert "63 " in page  # the day before her 64th birthday
    assert 'class="badge warn"' in page


def test_list_query_count_does_not_grow_with_rows(client, personas, django_assert_max_num_queries):
    PatientFactory.create_batch(30, structure=personas.structure, care_teams=[personas.team_a])
    client.force_login(personas.secretary)
    # Session, user, two-factor device, the patients; then the session's activity stamp
    # (an UPDATE inside a savepoint).
    with django_assert_max_num_queries(8):  # 8: the shell asks for urgent messages
        client.get(reverse("patients:list"))
    with django_assert_max_num_queries(8):  # 8: the shell asks for urgent messages
        client.get(reverse("patients:list"), {"q": "lef"})


def test_patient_file_shows_identity_and_care_teams(client, personas, team_a_patients):
    eloise = team_a_patients["eloise"]
    eloise.care_teams.add(personas.team_b)
    client.force_login(personas.coordinator)
    response = client.get(reverse("patients:detail", args=[eloise.pk]))
    page = response.content.decode()
    assert "LEFÈVRE" in page
    assert "ROUX" in page
    assert "69123" in page
    assert "Cardiologie" in page
    assert "Radiologie" in page
    assert response.context["active_area"] == "patients"


def test_patient_pages_have_no_inline_script_or_style(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    for url in [reverse("patients:list"), reverse("patients:detail", args=[team_a_patient.pk])]:
        page = client.get(url, {"q": "awa"}).content.decode()
        assert "<script>" not in page
        assert " style=" not in page
        assert " onclick=" not in page


def test_patients_area_appears_in_the_navigation_for_roles_that_see_patients(client, personas):
    client.force_login(personas.secretary)
    assert 'href="/patients/"' in client.get(reverse("core:home")).content.decode()
    client.force_login(personas.accountant)
    assert 'href="/patients/"' not in client.get(reverse("core:practitioner_list")).content.decode()


def test_search_text_is_refused_on_write_methods(client, personas):
    client.force_login(personas.secretary)
    assert client.post(reverse("patients:list"), {"q": "martin"}).status_code == 405


@pytest.mark.parametrize(
    ("_case", "typed"),
    [("letters swapped", "dupnot claire"), ("letter missing", "dupnt"), ("sound-alike", "dupond"),
     ("first name first", "claire dupont"), ("no accent, lower case", "lefevre"),
     ("typed date 1/2/80", "1/2/80"), ("name and compact date", "dupont 01021980")],
)
def test_search_tolerates_what_people_type(client, personas, _case, typed):
    wanted = PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name="DUPONT",
                            birth_first_names="CLAIRE", first_birth_first_name="CLAIRE",
                            birth_date=datetime.date(1980, 2, 1), used_name="LEFÈVRE")
    PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name="MARTIN",
                   birth_first_names="PAUL", first_birth_first_name="PAUL", birth_date=datetime.date(1990, 5, 6))
    client.force_login(personas.secretary)
    assert listed(client, q=typed) == [wanted.pk]


def test_search_by_the_nir_read_on_the_carte_vitale_finds_the_ayant_droit(client, personas):
    from secretariat.patients.models import AmoCoverage

    child = PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name="DUPONT",
                           birth_date=datetime.date(2015, 6, 1))
    AmoCoverage.objects.create(patient=child, patient_is_insured=False, insured_last_name="DUPONT",
                               insured_first_name="CLAIRE", insured_nir="253072A07300443", caisse_code="691")
    PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name="MARTIN")
    client.force_login(personas.secretary)
    assert listed(client, q="2 53 07 2A 073 004 43") == [child.pk]
