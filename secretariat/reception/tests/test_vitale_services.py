"""apply_reading and record_reading: traces, coverage lines, nothing half written."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import timezone

from secretariat.core.models import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.patients.models import AdministrativeChange, AmcCoverage, AmoCoverage
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import services_vitale
from secretariat.reception.demo_vitale import seed_vitale
from secretariat.reception.models import VitaleReading
from secretariat.reception.vitale import SimulatedReader, Subject


@pytest.fixture
def patient(personas):
    return PatientFactory(structure=personas.structure, birth_name="ROUSSEAU", first_birth_first_name="CAMILLE",
                          birth_first_names="CAMILLE ANNE", birth_date=date(1984, 3, 12), sex="F",
                          care_teams=[personas.team_a])


def _read(patient, card="up_to_date"):
    return SimulatedReader(card, subject=Subject.of_patient(patient)).read()


def test_reading_without_copying_leaves_a_trace_and_changes_nothing(personas, patient):
    reading = _read(patient)
    trace = services_vitale.record_reading(patient, reading=reading, beneficiary_index=0,
                                           acting_user=personas.secretary)
    assert trace.source == "simulation"
    assert trace.applied == {}
    assert trace.beneficiary["birth_name"] == "ROUSSEAU"
    assert trace.beneficiary["insured"]["nir"] == reading.holder.full_nir
    event = AuditEvent.objects.get(action="reception.vitale_read")
    assert event.patient_id == patient.pk
    assert event.data == {"source": "simulation", "beneficiaries": 1, "matched": True}
    assert not AmoCoverage.objects.filter(patient=patient).exists()


def test_copying_creates_amo_and_amc_lines_with_history_and_audit(personas, patient):
    reading = _read(patient)
    trace = services_vitale.record_reading(patient, reading=reading, beneficiary_index=0,
                                           acting_user=personas.secretary)
    services_vitale.apply_reading(patient, reading=reading, beneficiary_index=0, copy_amo=True, copy_amc=True,
                                  acting_user=personas.secretary, trace=trace)
    amo = AmoCoverage.objects.get(patient=patient)
    assert (amo.regime, amo.caisse_code, amo.centre_code) == ("general", "691", "6901")
    assert amo.patient_is_insured is True
    assert amo.insured_nir == reading.holder.full_nir
    assert amo.rights_until == reading.beneficiaries[0].amo.rights_until
    assert (amo.card_seen, amo.card_seen_on) == ("vitale", timezone.localdate())
    amc = AmcCoverage.objects.get(patient=patient)
    assert (amc.organism_name, amc.amc_number, amc.tiers_payant) == ("Mutuelle des Tilleuls", "11223344", True)
    trace.refresh_from_db()
    assert trace.applied["amo"]["action"] == "added"
    assert trace.applied["amc"]["action"] == "added"
    assert VitaleReading.objects.count() == 1  # the read trace was completed, not doubled
    assert AdministrativeChange.objects.filter(patient=patient).count() == 2
    event = AuditEvent.objects.get(action="reception.vitale_applied")
    assert event.patient_id == patient.pk
    assert set(event.data) == {"source", "amo", "amc"}
    assert reading.holder.full_nir not in str(event.data)  # no NIR in the audit trail


def test_copying_updates_the_line_of_the_same_insured_person(personas, patient):
    reading = _read(patient, "spelling")
    line = AmoCoverage.objects.create(patient=patient, caisse_code="691", centre_code="6901",
                                      insured_nir=reading.holder.full_nir, rights_from=date(2025, 1, 1))
    other = AmoCoverage.objects.create(patient=patient, caisse_code="381", rights_from=date(2026, 6, 1))
    trace = services_vitale.apply_reading(patient, reading=reading, beneficiary_index=0, copy_amo=True,
                                          copy_amc=False, acting_user=personas.secretary)
    line.refresh_from_db()
    other.refresh_from_db()
    assert (line.caisse_code, line.centre_code) == ("751", "7502")
    assert other.caisse_code == "381"
    assert trace.applied["amo"]["item"] == line.pk
    assert "caisse_code" in trace.applied["amo"]["fields"]
    assert not AmcCoverage.objects.filter(patient=patient).exists()


def test_child_is_recorded_as_ayant_droit_under_the_parents_nir(personas):
    child = PatientFactory(structure=personas.structure, birth_name="DIALLO", first_birth_first_name="AWA",
                           birth_first_names="AWA", birth_date=timezone.localdate() - timedelta(days=8 * 365),
                           care_teams=[personas.team_a])
    reading = _read(child, "family")
    services_vitale.apply_reading(child, reading=reading, beneficiary_index=1, copy_amo=True, copy_amc=False,
                                  acting_user=personas.secretary)
    amo = AmoCoverage.objects.get(patient=child)
    assert amo.patient_is_insured is False
    assert (amo.insured_last_name, amo.insured_first_name) == ("DIALLO", "CLAIRE")
    assert amo.insured_nir == reading.holder.full_nir
    assert amo.has_c2s is True


def test_malformed_nir_on_the_card_refuses_and_writes_nothing(personas, patient):
    reading = _read(patient)
    broken = replace(reading, holder=replace(reading.holder, nir_key="00"))
    line = AmoCoverage.objects.create(patient=patient, caisse_code="381")
    with pytest.raises(ServiceError) as refused:
        services_vitale.apply_reading(patient, reading=broken, beneficiary_index=0, copy_amo=True, copy_amc=True,
                                      acting_user=personas.secretary)
    assert "NIR" in str(refused.value)
    line.refresh_from_db()
    assert line.caisse_code == "381"
    assert not AmcCoverage.objects.filter(patient=patient).exists()
    assert not VitaleReading.objects.exists()
    assert not AuditEvent.objects.filter(action="reception.vitale_applied").exists()


def test_invalid_amc_value_rolls_back_the_amo_copy_too(personas, patient):
    reading = _read(patient)
    beneficiary = reading.beneficiaries[0]
    bad = replace(beneficiary, amc=replace(beneficiary.amc, organism_number="12AB"))
    broken = replace(reading, beneficiaries=(bad,))
    with pytest.raises(ServiceError):
        services_vitale.apply_reading(patient, reading=broken, beneficiary_index=0, copy_amo=True, copy_amc=True,
                                      acting_user=personas.secretary)
    assert not AmoCoverage.objects.filter(patient=patient).exists()
    assert not AdministrativeChange.objects.filter(patient=patient).exists()


def test_unknown_regime_code_is_refused(personas, patient):
    reading = _read(patient)
    beneficiary = reading.beneficiaries[0]
    odd = replace(reading, beneficiaries=(replace(beneficiary, amo=replace(beneficiary.amo, regime_code="77")),))
    with pytest.raises(ServiceError):
        services_vitale.apply_reading(patient, reading=odd, beneficiary_index=0, copy_amo=True, copy_amc=False,
                                      acting_user=personas.secretary)
    assert not AmoCoverage.objects.filter(patient=patient).exists()


def test_nothing_ticked_or_no_such_beneficiary_is_refused(personas, patient):
    reading = _read(patient)
    with pytest.raises(ServiceError):
        services_vitale.apply_reading(patient, reading=reading, beneficiary_index=0, copy_amo=False,
                                      copy_amc=False, acting_user=personas.secretary)
    with pytest.raises(ServiceError):
        services_vitale.apply_reading(patient, reading=reading, beneficiary_index=3, copy_amo=True,
                                      copy_amc=False, acting_user=personas.secretary)
    assert not VitaleReading.objects.exists()


def test_a_trace_is_used_once(personas, patient):
    reading = _read(patient)
    trace = services_vitale.record_reading(patient, reading=reading, beneficiary_index=0,
                                           acting_user=personas.secretary)
    services_vitale.apply_reading(patient, reading=reading, beneficiary_index=0, copy_amo=True, copy_amc=False,
                                  acting_user=personas.secretary, trace=trace)
    with pytest.raises(ServiceError):
        services_vitale.apply_reading(patient, reading=reading, beneficiary_index=0, copy_amo=False,
                                      copy_amc=True, acting_user=personas.secretary, trace=trace)
    assert not AmcCoverage.objects.filter(patient=patient).exists()


def test_expired_card_copies_the_end_date_it_reads(personas, patient):
    reading = _read(patient, "expired")
    services_vitale.apply_reading(patient, reading=reading, beneficiary_index=0, copy_amo=True, copy_amc=False,
                                  acting_user=personas.secretary)
    amo = AmoCoverage.objects.get(patient=patient)
    assert amo.rights_until == timezone.localdate() - timedelta(days=45)
    assert not amo.is_valid_on(timezone.localdate())


def test_demo_seeds_past_readings(personas, patient):
    AmoCoverage.objects.create(patient=patient, caisse_code="691")
    now = timezone.now()
    seed_vitale(personas.structure, users={"accueil": personas.reception, "secretaire": personas.secretary},
                now=now)
    trace = VitaleReading.objects.get(patient=patient)
    assert trace.read_by == personas.reception
    assert trace.read_at == now - timedelta(days=21, hours=2)
    assert trace.beneficiary["birth_name"] == "ROUSSEAU"
