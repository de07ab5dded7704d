"""Identity services: creation after the anteriority search, corrections, validation, INS."""

from datetime import date

import pytest

from secretariat.core.models import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.patients import services
from secretariat.patients.insi.base import InsIdentity, InsiOutcome, InsiResponse, InsiTraits
from secretariat.patients.models import IdentityChange, Patient
from secretariat.patients.tests.factories import PatientFactory

S = Patient.IdentityStatus
DEMO_OID = "1.2.250.1.213.1.4.11"


def identity(**overrides) -> services.Identity:
    traits = {
        "birth_name": "NDIAYE", "birth_first_names": "AWA FATOU", "first_birth_first_name": "AWA",
        "birth_date": date(1962, 7, 14), "sex": "F", "birthplace_code": "69123",
        "used_name": "", "used_first_name": "",
    }
    traits.update(overrides)
    return services.Identity(**traits)


def create(personas, **overrides):
    return services.create_patient(
        structure=personas.structure, identity=identity(**overrides), care_teams=[personas.team_a],
        acting_user=personas.secretary,
    )


def found(traits: InsiTraits, matricule="262076912300143") -> InsiResponse:
    return InsiResponse(outcome=InsiOutcome.FOUND, identity=InsIdentity(matricule, DEMO_OID, traits),
                        advice="", simulated=True)


def traits_of(patient: Patient, **overrides) -> InsiTraits:
    values = {"birth_name": patient.birth_name, "first_names": patient.birth_first_names,
              "sex": patient.sex, "birth_date": patient.birth_date,
              "birthplace_code": patient.birthplace_code}
    values.update(overrides)
    return InsiTraits(**values)


def test_new_patient_is_provisional_and_traced(personas):
    patient = create(personas)

    assert patient.identity_status == S.PROVISIONAL
    assert list(patient.care_teams.all()) == [personas.team_a]
    change = IdentityChange.objects.get(patient=patient)
    assert change.kind == IdentityChange.Kind.CREATED
    assert change.changed_by == personas.secretary
    assert change.changes["birth_name"] == [None, "NDIAYE"]
    event = AuditEvent.objects.get(action="patients.created")
    assert event.patient_id == patient.pk


def test_search_keys_are_derived_from_the_names(personas):
    patient = create(personas, birth_name="D'ALMEIDA-LEFEVRE")
    assert patient.birth_name_key == "DALMEIDALEFEVRE"


def test_likely_duplicate_stops_creation_and_nothing_is_written(personas):
    existing = create(personas)
    before = Patient.objects.count(), IdentityChange.objects.count(), AuditEvent.objects.count()

    with pytest.raises(services.PossibleDuplicates) as refusal:
        create(personas, birth_name="NDIAY")  # one letter missing

    assert [candidate.patient for candidate in refusal.value.candidates] == [existing]
    assert (Patient.objects.count(), IdentityChange.objects.count(), AuditEvent.objects.count()) == before


def test_creating_despite_a_duplicate_keeps_the_reason(personas):
    existing = create(personas)
    patient = services.create_patient(
        structure=personas.structure, identity=identity(first_birth_first_name="AWA",
                                                        birth_first_names="AWA"),
        care_teams=[personas.team_a], acting_user=personas.secretary,
        duplicate_reason="Twin sister, confirmed with the family record book",
    )
    change = IdentityChange.objects.get(patient=patient)
    assert change.reason == "Twin sister, confirmed with the family record book"
    assert change.changes["possible_duplicates"] == [existing.pk]


def test_validation_records_the_document_and_who_saw_it(personas):
    patient = create(personas)
    patient = services.validate_identity(patient, document_type="id_card", identity=identity(),
                                         acting_user=personas.reception)
    assert patient.identity_status == S.VALIDATED
    assert patient.document_type == "id_card"
    assert patient.document_checked_by == personas.reception
    assert patient.document_checked_at is not None


def test_ins_retrieved_then_document_gives_a_qualified_identity(personas):
    patient = create(personas)
    patient = services.take_over_ins(patient, response=found(traits_of(patient)), acting_user=personas.secretary)
    assert patient.identity_status == S.RETRIEVED
    assert patient.ins_may_be_shown is False

    patient = services.validate_identity(patient, document_type="passport", identity=identity(),
                                         acting_user=personas.secretary)
    assert patient.identity_status == S.QUALIFIED
    assert patient.ins_matricule == "262076912300143"
    assert patient.ins_may_be_shown is True


def test_ins_with_other_traits_replaces_them_and_drops_the_document_check(personas):
    patient = services.validate_identity(create(personas), document_type="id_card", identity=identity(),
                                         acting_user=personas.secretary)
    response = found(traits_of(patient, first_names="AWA FATOU MARIE"))

    patient = services.take_over_ins(patient, response=response, acting_user=personas.secretary)

    assert patient.birth_first_names == "AWA FATOU MARIE"
    assert patient.identity_status == S.RETRIEVED
    assert patient.document_checked_at is None


def test_changing_a_strict_trait_needs_a_reason_and_falls_back_to_provisional(personas):
    patient = services.validate_identity(create(personas), document_type="id_card", identity=identity(),
                                         acting_user=personas.secretary)
    with pytest.raises(ServiceError):
        services.change_identity(patient, identity=identity(birth_date=date(1962, 7, 15)), reason="",
                                 acting_user=personas.secretary)
    patient.refresh_from_db()
    assert patient.identity_status == S.VALIDATED

    patient = services.change_identity(patient, identity=identity(birth_date=date(1962, 7, 15)),
                                       reason="Typo", acting_user=personas.secretary)

    assert patient.identity_status == S.PROVISIONAL
    assert patient.document_checked_at is None
    change = patient.identity_changes.first()
    assert change.changes["birth_date"] == ["1962-07-14", "1962-07-15"]
    assert change.changes["identity_status"] == ["VALI", "PROV"]
    assert change.reason == "Typo"


def test_changing_only_the_used_name_keeps_the_status(personas):
    patient = services.validate_identity(create(personas), document_type="id_card", identity=identity(),
                                         acting_user=personas.secretary)
    patient = services.change_identity(patient, identity=identity(used_name="MARTIN"), reason="",
                                       acting_user=personas.secretary)
    assert patient.identity_status == S.VALIDATED
    assert patient.used_name == "MARTIN"


def test_saving_without_change_writes_no_history(personas):
    patient = create(personas)
    services.change_identity(patient, identity=identity(), reason="", acting_user=personas.secretary)
    assert patient.identity_changes.count() == 1


def test_doubtful_identity_cannot_be_validated_and_marking_it_resets_the_status(personas):
    patient = services.validate_identity(create(personas), document_type="id_card", identity=identity(),
                                         acting_user=personas.secretary)
    patient = services.set_identity_attributes(patient, is_doubtful=True, is_fictitious=False,
                                               is_homonym=False, reason="Card looks forged",
                                               acting_user=personas.coordinator)
    assert patient.identity_status == S.PROVISIONAL

    with pytest.raises(ServiceError):
        services.validate_identity(patient, document_type="id_card", identity=identity(),
                                   acting_user=personas.secretary)
    patient.refresh_from_db()
    assert patient.identity_status == S.PROVISIONAL
    assert patient.is_doubtful is True


def test_database_refuses_a_validated_status_without_a_document(personas):
    from django.db import IntegrityError, transaction

    patient = PatientFactory(structure=personas.structure)
    patient.identity_status = S.VALIDATED
    with pytest.raises(IntegrityError), transaction.atomic():
        patient.save()


def test_history_shows_changes_in_words_and_french_dates(personas):
    patient = create(personas)
    patient = services.change_identity(patient, identity=identity(birth_date=date(1962, 7, 15)),
                                       reason="Typo", acting_user=personas.secretary)
    assert patient.identity_changes.first().readable_changes() == [
        ("Date de naissance", "14/07/1962", "15/07/1962"),
    ]


def test_every_identity_write_feeds_the_name_vocabulary_and_the_nightly_task_catches_bulk_loads(personas):
    from secretariat.patients.models import NameKey
    from secretariat.patients.tasks import rebuild_name_vocabulary

    patient = create(personas, used_name="MARTIN")
    assert set(NameKey.objects.values_list("key", flat=True)) == {"NDIAYE", "MARTIN"}

    Patient.objects.bulk_create([Patient(structure=personas.structure, birth_name="KERGOAT",
                                         birth_name_key="KERGOAT", birth_first_names="ANNE",
                                         first_birth_first_name="ANNE", birth_date=date(1950, 1, 1),
                                         sex="F", birthplace_code="29232")])
    rebuild_name_vocabulary.call_local()
    assert set(NameKey.objects.values_list("key", flat=True)) == {"NDIAYE", "MARTIN", "KERGOAT"}
    assert patient.structure_id == NameKey.objects.get(key="KERGOAT").structure_id
