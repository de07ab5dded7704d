"""Merge duplicates field by field, undo a merge, split a collision."""

from datetime import date

import pytest
from django.utils import timezone

from secretariat.core.models import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.patients import merging, services
from secretariat.patients.models import IdentityChange, Patient, PatientMerge
from secretariat.patients.permissions import access_patient, patients_for
from secretariat.patients.tests.factories import PatientFactory

S = Patient.IdentityStatus


@pytest.fixture
def pair(personas):
    """The same woman entered twice: validated with her card, then typed again with a typo."""
    kept = PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name="NDIAYE",
                          birth_first_names="AWA FATOU", first_birth_first_name="AWA", phone="")
    kept = services.validate_identity(kept, document_type="id_card", identity=services.Identity(
        birth_name="NDIAYE", birth_first_names="AWA FATOU", first_birth_first_name="AWA",
        birth_date=kept.birth_date, sex="F", birthplace_code=kept.birthplace_code), acting_user=personas.secretary)
    double = PatientFactory(structure=personas.structure, care_teams=[personas.team_b], birth_name="NDIAY",
                            birth_first_names="AWA", first_birth_first_name="AWA", phone="0612345678")
    return kept, double


def merge(personas, kept, double, **chosen):
    return merging.merge_patients(kept, duplicate=double, chosen=chosen, reason="Same card, typo",
                                  acting_user=personas.coordinator)


def test_merge_keeps_the_chosen_traits_and_the_merged_number_resolves(personas, pair):
    kept, double = pair
    merge(personas, kept, double, phone="merged")

    kept.refresh_from_db()
    double.refresh_from_db()
    assert kept.phone == "0612345678"
    assert kept.birth_name == "NDIAYE"
    assert kept.identity_status == S.VALIDATED  # its strict traits survive whole, so does the check
    assert double.merged_into == kept
    assert set(kept.care_teams.all()) == {personas.team_a, personas.team_b}
    assert double not in patients_for(personas.coordinator)
    assert access_patient(personas.coordinator, double.pk, follow_merges=True) == kept
    assert IdentityChange.objects.filter(patient=kept, kind="merged").count() == 1
    assert IdentityChange.objects.filter(patient=double, kind="merged_into").count() == 1
    assert AuditEvent.objects.filter(action="patients.merged", patient_id=kept.pk).count() == 1


def test_strict_traits_taken_from_both_records_drop_the_checks(personas, pair):
    kept, double = pair
    merge(personas, kept, double, birth_first_names="merged")
    kept.refresh_from_db()
    assert kept.birth_first_names == "AWA"
    assert kept.identity_status == S.PROVISIONAL
    assert kept.document_checked_at is None


def test_undo_gives_each_record_its_identity_and_rows_back(personas, pair):
    kept, double = pair
    done = merge(personas, kept, double, phone="merged", birth_first_names="merged")

    merging.undo_merge(done, reason="Not the same person after all", acting_user=personas.coordinator)

    kept.refresh_from_db()
    double.refresh_from_db()
    assert (kept.phone, kept.birth_first_names, kept.identity_status) == ("", "AWA FATOU", S.VALIDATED)
    assert kept.document_checked_by == personas.secretary
    assert double.merged_into is None
    assert list(kept.care_teams.all()) == [personas.team_a]
    done.refresh_from_db()
    assert done.undone_by == personas.coordinator
    with pytest.raises(ServiceError):
        merging.undo_merge(done, reason="again", acting_user=personas.coordinator)


def test_merge_needs_a_reason_and_changes_nothing_without(personas, pair):
    kept, double = pair
    with pytest.raises(ServiceError):
        merging.merge_patients(kept, duplicate=double, chosen={}, reason=" ", acting_user=personas.coordinator)
    double.refresh_from_db()
    assert double.merged_into is None
    assert PatientMerge.objects.count() == 0


def test_a_merged_record_cannot_be_merged_again(personas, pair):
    kept, double = pair
    merge(personas, kept, double)
    third = PatientFactory(structure=personas.structure)
    with pytest.raises(ServiceError):
        merge(personas, third, double)


def test_split_moves_the_chosen_rows_to_a_new_provisional_record(personas, pair, monkeypatch):
    kept, _double = pair
    # History rows stand in for attached data of another app (addresses, coverage…).
    monkeypatch.setattr(merging, "_ATTACHED", [(IdentityChange, "patient")])
    row = IdentityChange.objects.create(patient=kept, kind="traits_changed", status_after="VALI",
                                        changed_at=timezone.now())
    other = merging.split_patient(
        kept, identity=services.Identity(birth_name="NDIAYE", birth_first_names="MARIAMA",
                                         first_birth_first_name="MARIAMA", birth_date=date(1990, 1, 2),
                                         sex="F", birthplace_code="99341"),
        rows={"patients.IdentityChange:patient": [row.pk]}, care_teams=[personas.team_a],
        reason="Her sister's results were filed here", acting_user=personas.coordinator,
    )
    row.refresh_from_db()
    assert row.patient == other
    assert other.identity_status == S.PROVISIONAL
    kept.refresh_from_db()
    assert kept.identity_status == S.VALIDATED
