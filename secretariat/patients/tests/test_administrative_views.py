"""Administrative file screens: who sees and edits what, forms, bad input, the summary partial."""

from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from secretariat.core.models import AuditEvent
from secretariat.patients import services_administrative as services
from secretariat.patients.models import (
    Address,
    AdministrativeChange,
    AdministrativeFile,
    AmcCoverage,
    AmoCoverage,
    ContactPerson,
)
from secretariat.patients.queries_administrative import administrative_summary
from secretariat.patients.rules.nir import nir_problem
from secretariat.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.usefixtures("english")

BAD_KEY_NIR = "185057800608490"


def counts():
    return (AdministrativeFile.objects.count(), Address.objects.count(), ContactPerson.objects.count(),
            AmoCoverage.objects.count(), AmcCoverage.objects.count(), AdministrativeChange.objects.count(),
            AuditEvent.objects.exclude(action="patients.file_viewed").count())


def amo_form(**overrides):
    data = {"regime": "general", "caisse_code": "691", "centre_code": "", "patient_is_insured": "on",
            "insured_last_name": "", "insured_first_name": "", "insured_nir": "", "twin_rank": "",
            "rights_from": "01/01/2026", "rights_until": "31/12/2026", "ald_until": "", "ald_label": "",
            "at_mp_number": "", "at_mp_date": "", "c2s_until": "", "ame_until": "", "card_seen": "vitale",
            "card_seen_on": "", }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def ayant_droit(**overrides):
    data = amo_form(patient_is_insured=None, insured_last_name="Ndiaye", insured_first_name="Moussa",
                    insured_nir="1 85 05 78 006 084 91")
    data.pop("patient_is_insured", None)
    data.update(overrides)
    return data


@pytest.fixture
def coverage(personas, team_a_patient):
    return services.save_amo_coverage(team_a_patient, values={
        "regime": "general", "caisse_code": "691", "centre_code": "", "patient_is_insured": True,
        "insured_last_name": "", "insured_first_name": "", "insured_nir": "", "twin_rank": None,
        "rights_from": date(2026, 1, 1), "rights_until": None, "has_ald": False, "ald_until": None,
        "ald_label": "", "maternity": False, "at_mp_number": "", "at_mp_date": None, "has_c2s": False,
        "c2s_until": None, "has_ame": False, "ame_until": None, "card_seen": "", "card_seen_on": None,
    }, acting_user=personas.secretary)


# --- Who sees, who edits ----------------------------------------------------------------------

VIEWERS = [
    ("secretary of the patient's team", "secretary", 200),
    ("reception of the patient's team", "reception", 200),
    ("practitioner of the patient's team", "practitioner_user", 200),
    ("coordinator of the structure", "coordinator", 200),
    ("accountant", "accountant", 403),
    ("secretary of another team", "other_team_secretary", 404),
    ("secretary of another structure", "other_structure_secretary", 404),
]


@pytest.mark.parametrize(("_case", "viewer", "status"), VIEWERS)
def test_administrative_file_scope(client, personas, team_a_patient, _case, viewer, status):
    client.force_login(getattr(personas, viewer))
    response = client.get(reverse("patients:administrative", args=[team_a_patient.pk]))
    assert response.status_code == status
    reads = AuditEvent.objects.filter(action="patients.file_viewed", patient_id=team_a_patient.pk)
    assert reads.count() == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    ("_case", "editor", "status"),
    [
        ("secretary", "secretary", 200),
        ("reception", "reception", 200),
        ("coordinator", "coordinator", 200),
        ("practitioner may read, not edit", "practitioner_user", 403),
        ("accountant", "accountant", 403),
        ("secretary of another team", "other_team_secretary", 404),
        ("secretary of another structure", "other_structure_secretary", 404),
    ],
)
@pytest.mark.parametrize("url_name", ["administrative_contact", "administrative_needs",
                                      "administrative_medecin_traitant", "administrative_sharing",
                                      "address_add", "contact_person_add", "amo_add", "amc_add"])
def test_edit_forms_scope(client, personas, team_a_patient, _case, editor, status, url_name):
    client.force_login(getattr(personas, editor))
    assert client.get(reverse(f"patients:{url_name}", args=[team_a_patient.pk])).status_code == status


def test_only_editors_see_the_edit_buttons(client, personas, team_a_patient):
    url = reverse("patients:administrative", args=[team_a_patient.pk])
    client.force_login(personas.practitioner_user)
    assert reverse("patients:amo_add", args=[team_a_patient.pk]) not in client.get(url).content.decode()
    client.force_login(personas.reception)
    assert reverse("patients:amo_add", args=[team_a_patient.pk]) in client.get(url).content.decode()


@pytest.mark.parametrize("outsider", ["other_team_secretary", "other_structure_secretary", "practitioner_user",
                                      "accountant"])
def test_a_refused_post_changes_nothing(client, personas, team_a_patient, coverage, outsider):
    client.force_login(getattr(personas, outsider))
    before = counts()
    posts = [
        (reverse("patients:amo_add", args=[team_a_patient.pk]), amo_form()),
        (reverse("patients:amo_edit", args=[team_a_patient.pk, coverage.pk]), amo_form(caisse_code="751")),
        (reverse("patients:amo_remove", args=[team_a_patient.pk, coverage.pk]), {}),
        (reverse("patients:administrative_sharing", args=[team_a_patient.pk]),
         {"opposes_team_sharing": "on", "dmp_consent": "True"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (403, 404)
    assert counts() == before
    coverage.refresh_from_db()
    assert coverage.caisse_code == "691"
    assert AuditEvent.objects.filter(action="patients.file_viewed").exists() is False


def test_a_row_of_another_patient_answers_404(client, personas, team_a_patient):
    other = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    client.force_login(personas.secretary)
    client.post(reverse("patients:amc_add", args=[other.pk]), {"organism_name": "Mutuelle X"})
    foreign = AmcCoverage.objects.get(patient=other)
    before = counts()
    assert client.get(reverse("patients:amc_edit", args=[team_a_patient.pk, foreign.pk])).status_code == 404
    response = client.post(reverse("patients:amc_remove", args=[team_a_patient.pk, foreign.pk]))
    assert response.status_code == 404
    assert counts() == before


# --- Saving blocks through the screens --------------------------------------------------------


def test_secretary_adds_an_ayant_droit_coverage(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    response = client.post(reverse("patients:amo_add", args=[team_a_patient.pk]), ayant_droit(twin_rank="1"))

    assert response.status_code == 302
    assert response.url == reverse("patients:administrative", args=[team_a_patient.pk]) + "#amo"
    coverage = AmoCoverage.objects.get(patient=team_a_patient)
    assert (coverage.patient_is_insured, coverage.insured_nir, coverage.twin_rank) == (False, "185057800608491", 1)
    assert (coverage.rights_from, coverage.rights_until) == (date(2026, 1, 1), date(2026, 12, 31))
    page = client.get(response.url).content.decode()
    assert "Ayant droit of" in page
    assert "NDIAYE" in page


def test_contact_preferences_through_the_form(client, personas, team_a_patient):
    client.force_login(personas.reception)
    response = client.post(reverse("patients:administrative_contact", args=[team_a_patient.pk]), {
        "mobile_phone": "+33 6 12 34 56 78", "landline": "04.78.00.00.00", "email": "awa@example.org",
        "sms_consent": "True", "email_consent": "", "preferred_language": "wo", "needs_interpreter": "on",
    })
    assert response.status_code == 302
    file = AdministrativeFile.objects.get(patient=team_a_patient)
    assert (file.mobile_phone, file.landline, file.preferred_language, file.needs_interpreter) == (
        "0612345678", "0478000000", "wo", True)
    assert (file.sms_consent, file.sms_consent_recorded_by) == (True, personas.reception)
    page = client.get(reverse("patients:administrative", args=[team_a_patient.pk])).content.decode()
    assert "06 12 34 56 78" in page
    assert "Wolof" in page
    assert "recorded on" in page
    # Once answered, "not asked yet" is no longer offered for SMS.
    form_page = client.get(reverse("patients:administrative_contact", args=[team_a_patient.pk]))
    assert [value for value, _label in form_page.context["form"].fields["sms_consent"].widget.choices] == [
        "True", "False"]


def test_every_block_saves_through_its_form(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    pk = team_a_patient.pk
    posts = [
        ("administrative_needs", {"accessibility": ["needs_mobility_access"], "accessibility_note": "Stretcher",
                                  "legal_protection": "tutelle", "is_homeless": "on"}),
        ("administrative_medecin_traitant", {"medecin_traitant": str(personas.practitioner.pk),
                                             "outside_medecin_traitant_name": "",
                                             "outside_medecin_traitant_rpps": ""}),
        ("administrative_sharing", {"opposes_team_sharing": "on", "dmp_consent": "True"}),
        ("address_add", {"kind": "home", "street_line": "12 rue des Tilleuls", "postal_code": "69100",
                         "city": "Villeurbanne", "country": "France"}),
        ("contact_person_add", {"role": "tuteur", "last_name": "UDAF", "legal_basis": "court_decision",
                                "decision_date": "02/05/2024"}),
        ("amc_add", {"organism_name": "Mutuelle des Tilleuls", "amc_number": "1234 5678", "tiers_payant": "on",
                     "valid_from": "01/01/2026", "valid_until": "31/12/2026"}),
    ]
    for url_name, data in posts:
        response = client.post(reverse(f"patients:{url_name}", args=[pk]), data)
        assert response.status_code == 302, (url_name, response.context["form"].errors)
    file = AdministrativeFile.objects.get(patient=team_a_patient)
    assert (file.needs_mobility_access, file.legal_protection, file.is_homeless) == (True, "tutelle", True)
    assert (file.medecin_traitant, file.opposes_team_sharing, file.dmp_consent) == (
        personas.practitioner, True, True)
    assert ContactPerson.objects.get(patient=team_a_patient).decision_date == date(2024, 5, 2)
    assert AmcCoverage.objects.get(patient=team_a_patient).amc_number == "12345678"
    assert AdministrativeChange.objects.filter(patient=team_a_patient).count() == 6
    page = client.get(reverse("patients:administrative", args=[pk])).content.decode()
    assert "The patient objects" in page
    assert "Mutuelle des Tilleuls" in page


def test_removal_asks_for_confirmation_then_removes(client, personas, team_a_patient, coverage):
    client.force_login(personas.secretary)
    url = reverse("patients:amo_remove", args=[team_a_patient.pk, coverage.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert AmoCoverage.objects.filter(pk=coverage.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert AmoCoverage.objects.filter(pk=coverage.pk).exists() is False
    assert AdministrativeChange.objects.filter(block="amo", action="removed").count() == 1


def test_the_page_lists_the_problems_to_solve(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    page = client.get(reverse("patients:administrative", args=[team_a_patient.pk])).content.decode()
    assert "No AMO coverage recorded" in page
    assert "No complementary coverage (AMC) recorded" in page


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "data", "field", "message"),
    [
        ("NIR with a bad key", ayant_droit(insured_nir=BAD_KEY_NIR), "insured_nir",
         "The key 90 does not match: check the 15 characters on the carte Vitale."),
        ("ayant droit without NIR", ayant_droit(insured_nir=""), "insured_nir",
         "Type the insured person's NIR: an ayant droit is billed under it."),
        ("dates reversed", amo_form(rights_from="01/06/2026", rights_until="01/01/2026"), "rights_until",
         "The end date is before the start date: check both dates."),
        ("two-digit year", amo_form(rights_until="31/12/26"), "rights_until",
         "with the year in four digits"),
        ("impossible date", amo_form(rights_until="31/02/2026"), "rights_until", "Type an existing date"),
        ("oversized ALD label", amo_form(has_ald="on", ald_label="x" * 201), "ald_label",
         "Ensure this value has at most 200 characters (it has 201)."),
        ("oversized NIR", ayant_droit(insured_nir="1" * 31), "insured_nir", "at most 30 characters"),
        ("markup as a number", amo_form(caisse_code="<b>"), "caisse_code", "The caisse code has 3 digits"),
        ("rang gémellaire of 10", amo_form(twin_rank="10"), "twin_rank", "less than or equal to 9"),
    ],
)
def test_bad_amo_input_is_refused_on_the_field_and_nothing_written(client, personas, team_a_patient, _case,
                                                                    data, field, message):
    client.force_login(personas.secretary)
    before = counts()
    response = client.post(reverse("patients:amo_add", args=[team_a_patient.pk]), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert counts() == before


def test_bad_key_message_is_the_nir_rules_own(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    response = client.post(reverse("patients:amo_add", args=[team_a_patient.pk]),
                           ayant_droit(insured_nir=BAD_KEY_NIR))
    assert response.context["form"].errors["insured_nir"] == [nir_problem(BAD_KEY_NIR)]
    assert nir_problem(BAD_KEY_NIR) in response.content.decode()


@pytest.mark.parametrize(
    ("_case", "url_name", "data", "field", "message"),
    [
        ("bad phone", "administrative_contact", {"mobile_phone": "12345", "preferred_language": "fr"},
         "mobile_phone", "Type a phone number"),
        ("unknown language", "administrative_contact", {"preferred_language": "xx"}, "preferred_language",
         "Select a valid choice"),
        ("oversized accessibility note", "administrative_needs", {"accessibility_note": "x" * 301},
         "accessibility_note", "at most 300 characters"),
        ("bad RPPS", "administrative_medecin_traitant", {"outside_medecin_traitant_name": "Dr Durand",
                                                         "outside_medecin_traitant_rpps": "10001234566"},
         "outside_medecin_traitant_rpps", "This RPPS number is not valid"),
        ("practitioner of another structure", "administrative_medecin_traitant",
         {"medecin_traitant": "other_structure_practitioner"}, "medecin_traitant", "Select a valid choice"),
        ("French postal code", "address_add", {"kind": "home", "street_line": "1 rue", "postal_code": "691",
                                               "city": "Lyon", "country": "France"},
         "postal_code", "A French postal code has 5 digits."),
        ("AMC dates reversed", "amc_add", {"organism_name": "M", "valid_from": "01/01/2026",
                                           "valid_until": "31/12/2025"}, "valid_until",
         "The end date is before the start date"),
        ("oversized organism", "amc_add", {"organism_name": "M" * 101}, "organism_name",
         "at most 100 characters"),
    ],
)
def test_bad_input_in_other_blocks(client, personas, team_a_patient, _case, url_name, data, field, message):
    if data.get("medecin_traitant") == "other_structure_practitioner":
        data = {**data, "medecin_traitant": str(personas.other_structure_practitioner.pk)}
    client.force_login(personas.secretary)
    before = counts()
    response = client.post(reverse(f"patients:{url_name}", args=[team_a_patient.pk]), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert counts() == before


def test_second_home_address_is_refused_on_the_kind_field(client, personas, team_a_patient):
    client.force_login(personas.secretary)
    data = {"kind": "home", "street_line": "1 rue", "postal_code": "69001", "city": "Lyon", "country": "France"}
    url = reverse("patients:address_add", args=[team_a_patient.pk])
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 200
    assert "already has a home address" in response.context["form"].errors["kind"][0]
    assert Address.objects.filter(patient=team_a_patient).count() == 1


# --- The summary partial for the patient file -------------------------------------------------


def test_summary_partial_renders_from_the_summary(personas, team_a_patient, coverage,
                                                  django_assert_max_num_queries):
    services.set_sharing_choices(team_a_patient, values={"opposes_team_sharing": True, "dmp_consent": None},
                                 acting_user=personas.secretary)
    with translation.override("en"), django_assert_max_num_queries(7):
        html = render_to_string("patients/administrative/_administrative_summary.html", {
            "patient": team_a_patient, "administrative": administrative_summary(team_a_patient),
        })
    assert "Régime général (CPAM)" in html
    assert "No complementary coverage (AMC) recorded" in html
    assert "Objects to sharing within the care team" in html
    assert reverse("patients:administrative", args=[team_a_patient.pk]) in html


def test_first_contact_form_offers_the_phone_typed_with_the_identity(client, personas):
    landline_patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                                      phone="0478000000")
    client.force_login(personas.secretary)
    form = client.get(reverse("patients:administrative_contact", args=[landline_patient.pk])).context["form"]
    assert (form["mobile_phone"].value(), form["landline"].value()) == ("", "0478000000")
