"""Administrative file services: each block saved and traced; refusals write nothing."""

from datetime import date

import pytest
from django.utils import translation

from secretariat.core.models import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.patients import services_administrative as services
from secretariat.patients.merging import attached_rows
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
from secretariat.patients.services_administrative import InvalidAdministrativeData
from secretariat.patients.tests.factories import PatientFactory

VALID_NIR = "185057800608491"
BAD_KEY_NIR = "185057800608490"
VALID_RPPS = "10001234565"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def patient(personas):
    return PatientFactory(structure=personas.structure, care_teams=[personas.team_a])


def counts():
    """Everything an administrative write may create (reads of files left out)."""
    return (AdministrativeFile.objects.count(), Address.objects.count(), ContactPerson.objects.count(),
            AmoCoverage.objects.count(), AmcCoverage.objects.count(),
            AdministrativeChange.objects.count(),
            AuditEvent.objects.exclude(action="patients.file_viewed").count())


def contact(**overrides):
    values = {"mobile_phone": "0612345678", "landline": "", "sms_consent": None, "email_consent": None,
              "preferred_language": "fr", "needs_interpreter": False}
    values.update(overrides)
    return values


def amo(**overrides):
    values = dict.fromkeys(services.item_fields(AmoCoverage))
    values.update({
        "regime": AmoCoverage.Regime.GENERAL, "caisse_code": "691", "centre_code": "",
        "patient_is_insured": True, "insured_last_name": "", "insured_first_name": "", "insured_nir": "",
        "has_ald": False, "ald_label": "", "maternity": False, "at_mp_number": "", "has_c2s": False,
        "has_ame": False, "card_seen": "",
    })
    values.update(overrides)
    return values


def amc(**overrides):
    values = {"organism_name": "Mutuelle des Tilleuls", "amc_number": "12345678", "member_number": "A-42",
              "tiers_payant": True, "valid_from": date(2026, 1, 1), "valid_until": date(2026, 12, 31)}
    values.update(overrides)
    return values


def address(**overrides):
    values = {"kind": Address.Kind.HOME, "recipient_line": "", "building_line": "Bât. B",
              "street_line": "12 rue des Tilleuls", "locality_line": "", "postal_code": "69100",
              "city": "Villeurbanne", "country": "France"}
    values.update(overrides)
    return values


def person(**overrides):
    values = {"role": ContactPerson.Role.EMERGENCY, "last_name": "Martin", "first_name": "Louise",
              "relationship": "daughter", "phone": "0611223344", "email": "", "legal_basis": "",
              "decision_date": None}
    values.update(overrides)
    return values


# --- Contact preferences ----------------------------------------------------------------------


def test_contact_preferences_are_saved_with_who_recorded_the_consent(personas, patient):
    file = services.set_contact_preferences(patient, values=contact(sms_consent=True),
                                            email="awa@example.org", acting_user=personas.secretary)

    file.refresh_from_db()
    patient.refresh_from_db()
    assert (file.mobile_phone, file.sms_consent, file.sms_consent_recorded_by) == (
        "0612345678", True, personas.secretary)
    assert file.sms_consent_recorded_at is not None
    assert file.email_consent is None
    assert file.email_consent_recorded_at is None
    assert patient.email == "awa@example.org"
    change = AdministrativeChange.objects.get(patient=patient)
    assert (change.block, change.action, change.changed_by) == ("contact", "changed", personas.secretary)
    assert change.changes["sms_consent"] == [None, True]
    assert change.changes["email"] == ["", "awa@example.org"]
    event = AuditEvent.objects.get(action="patients.contact_preferences_changed")
    assert event.patient_id == patient.pk
    assert event.acting_user == personas.secretary
    assert event.data["fields"] == ["email", "mobile_phone", "sms_consent"]


def test_saving_the_same_values_again_writes_nothing(personas, patient):
    services.set_contact_preferences(patient, values=contact(), email="", acting_user=personas.secretary)
    before = counts()
    services.set_contact_preferences(patient, values=contact(), email="", acting_user=personas.secretary)
    assert counts() == before


def test_a_recorded_answer_is_changed_never_erased(personas, patient):
    services.set_contact_preferences(patient, values=contact(sms_consent=True), email="",
                                     acting_user=personas.secretary)
    before = counts()
    with pytest.raises(InvalidAdministrativeData) as refusal:
        services.set_contact_preferences(patient, values=contact(sms_consent=None), email="",
                                         acting_user=personas.reception)
    assert "sms_consent" in refusal.value.errors
    assert counts() == before

    services.set_contact_preferences(patient, values=contact(sms_consent=False), email="",
                                     acting_user=personas.reception)
    file = AdministrativeFile.objects.get(patient=patient)
    assert (file.sms_consent, file.sms_consent_recorded_by) == (False, personas.reception)


@pytest.mark.parametrize(
    ("_case", "values", "email", "field", "message"),
    [
        ("SMS without a mobile", contact(mobile_phone="", sms_consent=True), "", "sms_consent",
         "Add the mobile phone the SMS will go to."),
        ("e-mails without an address", contact(email_consent=True), "", "email_consent",
         "Add the e-mail address the messages will go to."),
        ("a landline as the mobile", contact(mobile_phone="0478000000"), "", "mobile_phone",
         "This is not a mobile number"),
        ("bad e-mail", contact(), "not-an-address", "email", "valid email"),
        ("unknown language code", contact(preferred_language="french"), "", "preferred_language",
         "Choose the language in the list"),
    ],
)
def test_contact_preferences_refused_write_nothing(personas, patient, _case, values, email, field,
                                                   message):
    before = counts()
    with pytest.raises(InvalidAdministrativeData) as refusal:
        services.set_contact_preferences(patient, values=values, email=email, acting_user=personas.secretary)
    assert message.lower() in " ".join(refusal.value.errors[field]).lower()
    assert counts() == before


# --- Needs, médecin traitant, sharing ---------------------------------------------------------


def test_needs_are_saved_and_free_text_stays_out_of_the_audit_trail(personas, patient):
    values = {"needs_mobility_access": True, "needs_hearing_support": False, "needs_sight_support": False,
              "needs_cognitive_support": True, "accessibility_note": "Comes with a guide dog",
              "legal_protection": "curatelle", "is_socially_vulnerable": False, "is_homeless": True}
    services.set_needs(patient, values=values, acting_user=personas.secretary)

    file = AdministrativeFile.objects.get(patient=patient)
    assert file.accessibility_needs == ["reduced mobility or wheelchair", "cognitive impairment"]
    event = AuditEvent.objects.get(action="patients.needs_changed")
    assert "accessibility_note" in event.data["fields"]
    assert "accessibility_note" not in event.data["changes"]
    assert event.data["changes"]["legal_protection"] == ["", "curatelle"]
    change = AdministrativeChange.objects.get(block="needs")
    assert change.changes["accessibility_note"] == ["", "Comes with a guide dog"]


def test_medecin_traitant_of_the_structure_or_outside(personas, patient):
    services.set_medecin_traitant(patient, values={
        "medecin_traitant": personas.practitioner, "outside_medecin_traitant_name": "",
        "outside_medecin_traitant_rpps": ""}, acting_user=personas.secretary)
    file = AdministrativeFile.objects.get(patient=patient)
    assert file.medecin_traitant == personas.practitioner
    change = AdministrativeChange.objects.get(block="medecin_traitant")
    assert change.changes["medecin_traitant"] == [None, str(personas.practitioner)]

    services.set_medecin_traitant(patient, values={
        "medecin_traitant": None, "outside_medecin_traitant_name": "Dr Durand, Bron",
        "outside_medecin_traitant_rpps": VALID_RPPS}, acting_user=personas.secretary)
    file.refresh_from_db()
    assert (file.medecin_traitant, file.medecin_traitant_label) == (None, "Dr Durand, Bron")


@pytest.mark.parametrize(
    ("_case", "values", "field"),
    [
        ("practitioner of another structure", {"medecin_traitant": "other_structure_practitioner",
                                               "outside_medecin_traitant_name": "",
                                               "outside_medecin_traitant_rpps": ""}, "medecin_traitant"),
        ("both", {"medecin_traitant": "practitioner", "outside_medecin_traitant_name": "Dr Durand",
                  "outside_medecin_traitant_rpps": ""}, "outside_medecin_traitant_name"),
        ("bad RPPS key", {"medecin_traitant": None, "outside_medecin_traitant_name": "Dr Durand",
                          "outside_medecin_traitant_rpps": "10001234566"}, "outside_medecin_traitant_rpps"),
        ("RPPS without a name", {"medecin_traitant": None, "outside_medecin_traitant_name": "",
                                 "outside_medecin_traitant_rpps": VALID_RPPS}, "outside_medecin_traitant_name"),
    ],
)
def test_medecin_traitant_refusals(personas, patient, _case, values, field):
    if isinstance(values["medecin_traitant"], str):
        values = {**values, "medecin_traitant": getattr(personas, values["medecin_traitant"])}
    before = counts()
    with pytest.raises(InvalidAdministrativeData) as refusal:
        services.set_medecin_traitant(patient, values=values, acting_user=personas.secretary)
    assert field in refusal.value.errors
    assert counts() == before


def test_opposition_to_sharing_and_dmp_consent_are_dated_and_signed(personas, patient):
    services.set_sharing_choices(patient, values={"opposes_team_sharing": True, "dmp_consent": False},
                                 acting_user=personas.reception)

    file = AdministrativeFile.objects.get(patient=patient)
    assert (file.opposes_team_sharing, file.team_sharing_recorded_by) == (True, personas.reception)
    assert (file.dmp_consent, file.dmp_consent_recorded_by) == (False, personas.reception)
    assert file.team_sharing_recorded_at is not None
    assert file.dmp_consent_recorded_at is not None
    assert AuditEvent.objects.get(action="patients.sharing_choices_changed").data["changes"] == {
        "dmp_consent": [None, False], "opposes_team_sharing": [False, True]}


# --- Addresses and people ---------------------------------------------------------------------


def test_address_added_changed_and_removed_with_history(personas, patient):
    home = services.save_address(patient, values=address(), acting_user=personas.secretary)
    services.save_address(patient, values=address(street_line="14 rue des Tilleuls"), address=home,
                          acting_user=personas.secretary)
    services.remove_address(patient, address=home, acting_user=personas.secretary)

    assert Address.objects.filter(patient=patient).exists() is False
    added, changed, removed = AdministrativeChange.objects.filter(block="address").order_by("pk")
    assert (added.action, changed.action, removed.action) == ("added", "changed", "removed")
    assert added.changes["street_line"] == [None, "12 rue des Tilleuls"]
    assert "recipient_line" not in added.changes
    assert changed.changes == {"street_line": ["12 rue des Tilleuls", "14 rue des Tilleuls"]}
    assert removed.changes["city"] == ["Villeurbanne", None]
    assert removed.item_id == home.pk
    assert [event.action for event in AuditEvent.objects.filter(patient_id=patient.pk).order_by("pk")] == [
        "patients.address_added", "patients.address_changed", "patients.address_removed"]
    # Free text of the address is in the file's history, not in the audit trail.
    assert "street_line" not in AuditEvent.objects.get(action="patients.address_changed").data["changes"]


def test_one_home_address_and_french_postal_codes(personas, patient):
    services.save_address(patient, values=address(), acting_user=personas.secretary)
    before = counts()
    with pytest.raises(InvalidAdministrativeData) as refusal:
        services.save_address(patient, values=address(), acting_user=personas.secretary)
    assert "already has a home address" in refusal.value.errors["kind"][0]
    with pytest.raises(InvalidAdministrativeData) as refusal:
        services.save_address(patient, values=address(kind="other", postal_code="6910"),
                              acting_user=personas.secretary)
    assert refusal.value.errors["postal_code"] == ["A French postal code has 5 digits."]
    assert counts() == before

    abroad = services.save_address(patient, values=address(kind="other", postal_code="1201", city="Genève",
                                                           country="Suisse"), acting_user=personas.secretary)
    assert abroad.lines()[-2:] == ["1201 GENÈVE", "SUISSE"]


def test_people_around_the_patient(personas, patient):
    services.save_contact_person(patient, values=person(role="trusted_person"), acting_user=personas.secretary)
    guardian = services.save_contact_person(
        patient, values=person(role="tuteur", last_name="UDAF du Rhône", first_name="", phone="",
                               legal_basis="court_decision", decision_date=date(2024, 5, 2)),
        acting_user=personas.secretary)
    assert guardian.is_legal_representative
    summary = administrative_summary(patient, on=date(2026, 3, 15))
    assert summary.trusted_person.last_name == "Martin"
    assert summary.legal_representatives == [guardian]


@pytest.mark.parametrize(
    ("_case", "values", "field", "message"),
    [
        ("second personne de confiance", person(role="trusted_person", last_name="Petit"), "role",
         "already has a personne de confiance (MARTIN Louise)"),
        ("legal representative without basis", person(role="tuteur"), "legal_basis",
         "Say what gives a legal representative the power to act."),
        ("tuteur by parental authority", person(role="tuteur", legal_basis="parental_authority"),
         "legal_basis", "This legal basis does not fit this role: Court decision."),
        ("court decision without date", person(role="curateur", legal_basis="court_decision"),
         "decision_date", "Type the date of the court decision."),
        ("decision in the future", person(role="curateur", legal_basis="court_decision",
                                          decision_date=date(2099, 1, 1)), "decision_date",
         "This date is in the future."),
        ("emergency contact without phone", person(phone=""), "phone",
         "An emergency contact needs a phone number."),
    ],
)
def test_people_refusals_write_nothing(personas, patient, _case, values, field, message):
    services.save_contact_person(patient, values=person(role="trusted_person"), acting_user=personas.secretary)
    before = counts()
    with pytest.raises(InvalidAdministrativeData) as refusal:
        services.save_contact_person(patient, values=values, acting_user=personas.secretary)
    assert message in " ".join(refusal.value.errors[field])
    assert counts() == before


def test_legal_basis_is_dropped_for_an_emergency_contact(personas, patient):
    saved = services.save_contact_person(
        patient, values=person(legal_basis="court_decision", decision_date=date(2024, 1, 1)),
        acting_user=personas.secretary)
    saved.refresh_from_db()
    assert (saved.legal_basis, saved.decision_date) == ("", None)


# --- AMO and AMC ------------------------------------------------------------------------------


def test_amo_coverage_of_an_ayant_droit_keeps_the_insured_persons_nir(personas, patient):
    coverage = services.save_amo_coverage(patient, values=amo(
        patient_is_insured=False, insured_last_name="Ndiaye", insured_first_name="Moussa",
        insured_nir="1 85 05 78 006 084 91", twin_rank=2, rights_from=date(2026, 1, 1),
        rights_until=date(2026, 12, 31), has_ald=True, ald_until=date(2027, 6, 30), ald_label="ALD 8",
    ), acting_user=personas.secretary)

    coverage.refresh_from_db()
    assert coverage.insured_nir == VALID_NIR
    assert (coverage.insured_last_name, coverage.twin_rank) == ("Ndiaye", 2)
    change = AdministrativeChange.objects.get(block="amo")
    assert change.action == "added"
    assert change.changes["insured_nir"] == [None, VALID_NIR]
    assert change.changes["rights_until"] == [None, "2026-12-31"]
    event = AuditEvent.objects.get(action="patients.amo_coverage_added")
    assert event.data["item"] == coverage.pk
    assert "ald_label" not in event.data["changes"]


def test_amo_coverage_change_is_traced_old_to_new(personas, patient):
    coverage = services.save_amo_coverage(patient, values=amo(rights_until=date(2026, 6, 30)),
                                          acting_user=personas.secretary)
    services.save_amo_coverage(patient, values=amo(rights_until=date(2026, 12, 31), has_c2s=True,
                                                   c2s_until=date(2026, 12, 31)),
                               coverage=coverage, acting_user=personas.reception)

    change = AdministrativeChange.objects.filter(block="amo").first()
    assert change.action == "changed"
    assert change.changes == {"rights_until": ["2026-06-30", "2026-12-31"], "has_c2s": [False, True],
                              "c2s_until": [None, "2026-12-31"]}
    assert change.readable_changes() == [
        ("Rights until", "30/06/2026", "31/12/2026"), ("C2S", "no", "yes"), ("C2S until", "∅", "31/12/2026")]


def test_insured_nir_with_a_bad_key_is_refused_with_its_message_and_nothing_written(personas, patient):
    before = counts()
    with pytest.raises(InvalidAdministrativeData) as refusal:
        services.save_amo_coverage(patient, values=amo(insured_nir=BAD_KEY_NIR),
                                   acting_user=personas.secretary)
    assert refusal.value.errors["insured_nir"] == [nir_problem(BAD_KEY_NIR)]
    assert refusal.value.errors["insured_nir"] == [
        "The key 90 does not match: check the 15 characters on the carte Vitale."]
    assert counts() == before


def test_ayant_droit_without_the_insured_nir_is_refused(personas, patient):
    before = counts()
    with pytest.raises(InvalidAdministrativeData) as refusal:
        services.save_amo_coverage(patient, values=amo(patient_is_insured=False, insured_last_name="Ndiaye",
                                                       insured_first_name="Moussa"),
                                   acting_user=personas.secretary)
    assert refusal.value.errors == {"insured_nir": [
        "Type the insured person's NIR: an ayant droit is billed under it."]}
    assert counts() == before


@pytest.mark.parametrize(
    ("_case", "values", "field", "message"),
    [
        ("rights end before they start", amo(rights_from=date(2026, 6, 1), rights_until=date(2026, 1, 1)),
         "rights_until", "The end date is before the start date: check both dates."),
        ("C2S and AME", amo(has_c2s=True, has_ame=True), "has_ame", "C2S and AME do not go together"),
        ("card seen in the future", amo(card_seen="vitale", card_seen_on=date(2099, 1, 1)), "card_seen_on",
         "This date is in the future."),
        ("caisse code of 2 digits", amo(caisse_code="69"), "caisse_code", "The caisse code has 3 digits"),
        ("NIR too long", amo(insured_nir="1850578006084911"), "insured_nir", "You typed 16 characters"),
        ("oversized ALD label", amo(has_ald=True, ald_label="x" * 201), "ald_label", "at most 200 characters"),
    ],
)
def test_amo_refusals_write_nothing(personas, patient, _case, values, field, message):
    before = counts()
    with pytest.raises(InvalidAdministrativeData) as refusal:
        services.save_amo_coverage(patient, values=values, acting_user=personas.secretary)
    assert message in " ".join(refusal.value.errors[field])
    assert counts() == before


def test_ald_details_go_when_the_ald_is_unticked(personas, patient):
    coverage = services.save_amo_coverage(patient, values=amo(has_ald=False, ald_until=date(2027, 1, 1),
                                                              ald_label="ALD 8"),
                                          acting_user=personas.secretary)
    coverage.refresh_from_db()
    assert (coverage.ald_until, coverage.ald_label) == (None, "")


def test_amc_coverage_saved_and_reversed_dates_refused(personas, patient):
    coverage = services.save_amc_coverage(patient, values=amc(), acting_user=personas.secretary)
    assert AuditEvent.objects.get(action="patients.amc_coverage_added").data["changes"]["tiers_payant"] == [
        None, True]
    before = counts()
    with pytest.raises(InvalidAdministrativeData) as refusal:
        services.save_amc_coverage(patient, values=amc(valid_until=date(2025, 12, 31)), coverage=coverage,
                                   acting_user=personas.secretary)
    assert refusal.value.errors == {"valid_until": ["The end date is before the start date: check both dates."]}
    assert counts() == before


def test_a_row_of_another_patient_is_never_touched(personas, patient):
    other = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    coverage = services.save_amc_coverage(other, values=amc(), acting_user=personas.secretary)
    before = counts()
    with pytest.raises(ServiceError):
        services.save_amc_coverage(patient, values=amc(organism_name="Changed"), coverage=coverage,
                                   acting_user=personas.secretary)
    with pytest.raises(ServiceError):
        services.remove_amc_coverage(patient, coverage=coverage, acting_user=personas.secretary)
    assert counts() == before
    coverage.refresh_from_db()
    assert coverage.organism_name == "Mutuelle des Tilleuls"


# --- Reads and merges -------------------------------------------------------------------------


def test_summary_reads_at_most_six_queries_and_says_what_is_missing(personas, patient,
                                                                    django_assert_max_num_queries):
    services.save_amo_coverage(patient, values=amo(rights_from=date(2026, 1, 1), has_ald=True,
                                                   ald_until=date(2026, 4, 1)),
                               acting_user=personas.secretary)
    services.save_address(patient, values=address(), acting_user=personas.secretary)
    fresh = type(patient).objects.get(pk=patient.pk)
    with django_assert_max_num_queries(6):
        summary = administrative_summary(fresh, on=date(2026, 3, 15))
    assert summary.file is None
    assert summary.home_address.city == "Villeurbanne"
    assert [problem.code for problem in summary.problems] == ["ald_ending", "amc_missing"]


def test_summary_warns_about_a_minor_without_representative(personas):
    child = PatientFactory(structure=personas.structure, birth_date=date(2018, 5, 1))
    summary = administrative_summary(child, on=date(2026, 3, 15))
    assert summary.is_minor
    assert summary.warnings == ["Minor patient: record the parents or the legal representative."]


def test_rows_follow_the_patient_through_merges(personas, patient):
    home = services.save_address(patient, values=address(), acting_user=personas.secretary)
    coverage = services.save_amo_coverage(patient, values=amo(), acting_user=personas.secretary)
    rows = attached_rows(patient)
    assert rows["patients.Address:patient"] == [home.pk]
    assert rows["patients.AmoCoverage:patient"] == [coverage.pk]


def test_summary_of_a_prefetched_patient_reads_nothing_more(personas, patient, django_assert_num_queries):
    from secretariat.patients.permissions import patients_for
    from secretariat.patients.queries_administrative import SUMMARY_PREFETCHES

    services.set_medecin_traitant(patient, values={
        "medecin_traitant": personas.practitioner, "outside_medecin_traitant_name": "",
        "outside_medecin_traitant_rpps": ""}, acting_user=personas.secretary)
    services.save_amc_coverage(patient, values=amc(), acting_user=personas.secretary)
    prefetched = patients_for(personas.secretary).prefetch_related(*SUMMARY_PREFETCHES).get(pk=patient.pk)
    with django_assert_num_queries(0):
        summary = administrative_summary(prefetched, on=date(2026, 3, 15))
        assert summary.file.medecin_traitant_label == personas.practitioner.display_name
        assert summary.current_amc.organism_name == "Mutuelle des Tilleuls"
