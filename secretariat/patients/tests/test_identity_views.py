"""Identity screens: create with the anteriority search, correct, validate, INSi, attributes."""

import pytest
from django.urls import reverse

from secretariat.core.models import AuditEvent
from secretariat.patients.models import IdentityChange, Patient
from secretariat.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.usefixtures("english")

S = Patient.IdentityStatus


def new_patient_form(personas, **overrides):
    data = {
        "birth_name": "Lefèvre", "birth_first_names": "Éloïse Marie", "first_birth_first_name": "",
        "birth_date": "14/7/62", "sex": "F", "birthplace_code": "69123", "used_name": "",
        "used_first_name": "", "phone": "06 12 34 56 78", "email": "", "care_teams": [personas.team_a.pk],
        "duplicate_reason": "",
    }
    data.update(overrides)
    return data


def counts():
    return Patient.objects.count(), IdentityChange.objects.count(), AuditEvent.objects.exclude(
        action="patients.file_viewed").count()


@pytest.fixture
def team_a_patient(personas):
    return PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                          birth_name="NDIAYE", birth_first_names="AWA FATOU", first_birth_first_name="AWA")


def test_secretary_creates_a_provisional_patient_written_under_the_rules(client, personas):
    client.force_login(personas.secretary)
    response = client.post(reverse("patients:create"), new_patient_form(personas))

    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("patients:detail", args=[patient.pk])
    assert (patient.birth_name, patient.birth_first_names, patient.first_birth_first_name) == (
        "LEFEVRE", "ELOISE MARIE", "ELOISE")
    assert patient.birth_date.isoformat() == "1962-07-14"
    assert patient.phone == "0612345678"
    assert patient.identity_status == S.PROVISIONAL
    assert list(patient.care_teams.all()) == [personas.team_a]


@pytest.mark.parametrize(
    ("_case", "field", "value", "message"),
    [
        ("digit in a name", "birth_name", "DUP0NT", "cannot be part of a name"),
        ("markup in a name", "birth_name", "<script>alert(1)</script>", "cannot be part of a name"),
        ("impossible date", "birth_date", "31/02/1980", "Type an existing date"),
        ("future date", "birth_date", "01/01/2090", "future"),
        ("unknown birthplace", "birthplace_code", "00000", "is not an INSEE code we know"),
        ("double hyphen in a first name", "birth_first_names", "JEAN--PIERRE", "single hyphen"),
        ("bad phone", "phone", "12345", "French phone number"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(client, personas, _case, field,
                                                                       value, message):
    client.force_login(personas.secretary)
    before = counts()
    response = client.post(reverse("patients:create"), new_patient_form(personas, **{field: value}))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message.lower() in errors.lower()
    assert counts() == before


def test_duplicate_is_shown_before_creating_and_a_reason_lets_the_secretary_go_on(client, personas):
    client.force_login(personas.secretary)
    client.post(reverse("patients:create"), new_patient_form(personas))
    existing = Patient.objects.get()
    before = counts()

    response = client.post(reverse("patients:create"), new_patient_form(personas, birth_name="LEFEBVRE"))

    assert response.status_code == 200
    assert [candidate.patient for candidate in response.context["candidates"]] == [existing]
    assert "This person may already have a file" in response.content.decode()
    assert counts() == before

    response = client.post(reverse("patients:create"), new_patient_form(
        personas, birth_name="LEFEBVRE", duplicate_reason="Different person: checked with her passport"))
    assert response.status_code == 302
    assert Patient.objects.count() == 2


def test_validation_at_the_desk_with_an_identity_card(client, personas, team_a_patient):
    client.force_login(personas.reception)
    form = {"document_type": "id_card", "birth_name": "NDIAYE", "birth_first_names": "AWA FATOU",
            "first_birth_first_name": "AWA", "birth_date": "14/07/1962", "sex": "F",
            "birthplace_code": "69123", "used_name": "", "used_first_name": ""}
    response = client.post(reverse("patients:validate", args=[team_a_patient.pk]), form)

    assert response.status_code == 302
    team_a_patient.refresh_from_db()
    assert team_a_patient.identity_status == S.VALIDATED
    assert team_a_patient.document_checked_by == personas.reception


def test_insi_answer_is_shown_then_taken_over_on_confirmation(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    url = reverse("patients:insi", args=[team_a_patient.pk])

    response = client.post(url)
    assert response.status_code == 200
    assert response.context["response"].outcome == "00"
    assert "This answer is simulated" in response.content.decode()
    team_a_patient.refresh_from_db()
    assert team_a_patient.identity_status == S.PROVISIONAL
    assert AuditEvent.objects.filter(action="patients.insi_called").count() == 1

    response = client.post(url, {"take_over": response.context["token"]})
    assert response.status_code == 302
    team_a_patient.refresh_from_db()
    assert team_a_patient.identity_status == S.RETRIEVED
    assert team_a_patient.ins_oid == "1.2.250.1.213.1.4.11"


def test_a_forged_confirmation_takes_nothing_over(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    response = client.post(reverse("patients:insi", args=[team_a_patient.pk]), {"take_over": "123"})
    assert response.status_code == 200
    team_a_patient.refresh_from_db()
    assert team_a_patient.ins_matricule == ""


def test_ins_and_datamatrix_are_shown_only_for_a_qualified_identity(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    url = reverse("patients:insi", args=[team_a_patient.pk])
    client.post(url, {"take_over": client.post(url).context["token"]})
    team_a_patient.refresh_from_db()

    page = client.get(reverse("patients:detail", args=[team_a_patient.pk])).content.decode()
    assert team_a_patient.ins_matricule not in page
    assert "<svg" not in page

    client.post(reverse("patients:validate", args=[team_a_patient.pk]), {
        "document_type": "passport", "birth_name": "NDIAYE", "birth_first_names": "AWA FATOU",
        "first_birth_first_name": "AWA", "birth_date": "14/07/1962", "sex": "F", "birthplace_code": "69123"})
    page = client.get(reverse("patients:detail", args=[team_a_patient.pk])).content.decode()
    assert team_a_patient.ins_matricule in page
    assert "<svg" in page


def test_correcting_a_strict_trait_without_a_reason_is_refused(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    form = {"birth_name": "NDIAYE", "birth_first_names": "AWA FATOU", "first_birth_first_name": "AWA",
            "birth_date": "15/07/1962", "sex": "F", "birthplace_code": "69123", "reason": ""}
    response = client.post(reverse("patients:edit", args=[team_a_patient.pk]), form)
    assert response.status_code == 200
    assert "Say why a strict trait changes" in response.content.decode()
    team_a_patient.refresh_from_db()
    assert team_a_patient.birth_date.isoformat() == "1962-07-14"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("secretary", 200), ("reception", 200), ("coordinator", 200), ("practitioner_user", 403),
     ("accountant", 403), ("other_team_secretary", 404), ("other_structure_secretary", 404)],
)
@pytest.mark.parametrize("view", ["patients:edit", "patients:validate", "patients:attributes"])
def test_identity_screens_by_role_and_team(client, personas, team_a_patient, persona, status, view):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse(view, args=[team_a_patient.pk])).status_code == status


def test_outsider_post_changes_nothing(client, personas, team_a_patient):
    client.force_login(personas.other_team_secretary)
    before = counts()
    response = client.post(reverse("patients:attributes", args=[team_a_patient.pk]),
                           {"is_doubtful": "on", "reason": "x"})
    assert response.status_code == 404
    assert counts() == before


def test_birthplace_list_follows_what_is_typed(client, personas):
    client.force_login(personas.secretary)
    response = client.get(reverse("patients:birthplace_options"), {"birthplace_code": "ajaccio"})
    assert '<option value="2A004">' in response.content.decode()
