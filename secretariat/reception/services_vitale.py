"""Writes of the carte Vitale screen: the trace of a reading, and copying what was read into the
patient's coverage. One transaction each, audit inside.

The card is not an identity document (RNIV, french-rules.md §1.6): identity traits are never
written from a reading, only the AMO and AMC coverage, through the administrative file's own
rules (``patients.services_administrative``), so the file's history shows the change like any
other.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.services.errors import ServiceError
from secretariat.patients import services_administrative as administrative
from secretariat.patients.models import Patient
from secretariat.patients.rules.nir import nir_problem
from secretariat.reception.models import VitaleReading
from secretariat.reception.vitale import Beneficiary, CardReading
from secretariat.reception.vitale.base import beneficiary_to_dict
from secretariat.reception.vitale.comparison import (
    amc_row_to_update,
    amc_values,
    amo_row_to_update,
    amo_values,
)


def trace_of(beneficiary: Beneficiary, reading: CardReading) -> dict:
    """What the trace keeps: the beneficiary chosen and the insured person, not the whole family."""
    return {**beneficiary_to_dict(beneficiary), "insured": {
        "nir": reading.holder.full_nir, "birth_name": reading.holder.birth_name,
        "first_names": reading.holder.first_names, "used_name": reading.holder.used_name,
    }, "beneficiaries_on_card": len(reading.beneficiaries)}


@transaction.atomic(durable=True)
def record_reading(patient: Patient, *, reading: CardReading, beneficiary_index: int | None,
                   acting_user) -> VitaleReading:
    """Keep the trace of a card read at the desk for ``patient`` (even if nothing is copied)."""
    beneficiary = _beneficiary(reading, beneficiary_index) if beneficiary_index is not None else None
    trace = VitaleReading.objects.create(
        structure_id=patient.structure_id, patient=patient, source=reading.source.value, read_by=acting_user,
        beneficiary=trace_of(beneficiary, reading) if beneficiary else {},
    )
    audit.record("reception.vitale_read", target=trace, patient_id=patient.pk, structure_id=patient.structure_id,
                 acting_user=acting_user, data={
                     "source": reading.source.value, "beneficiaries": len(reading.beneficiaries),
                     "matched": beneficiary is not None,
                 })
    return trace


@transaction.atomic(durable=True)
def apply_reading(patient: Patient, *, reading: CardReading, beneficiary_index: int, copy_amo: bool,
                  copy_amc: bool, acting_user, trace: VitaleReading | None = None) -> VitaleReading:
    """Copy the AMO and/or AMC coverage read for one beneficiary into the patient's file.

    ``trace`` is the reading recorded by ``record_reading`` (completed here); without it a new
    trace is made. Every value is checked before anything is written: a value the file's rules
    refuse (a malformed NIR, an unknown régime…) stops the whole copy with a message.
    """
    beneficiary = _beneficiary(reading, beneficiary_index)
    if not (copy_amo or copy_amc):
        raise ServiceError(_("Tick the coverage to copy (AMO, AMC), or close without copying."))
    if trace is not None:
        trace = VitaleReading.objects.select_for_update().filter(pk=trace.pk, patient=patient).first()
        if trace is None or trace.applied:
            raise ServiceError(_("This reading was already used: read the card again."))
    today = timezone.localdate()
    applied: dict = {}
    if copy_amo:
        values = _checked_amo_values(reading, beneficiary, today=today)
        row = amo_row_to_update(patient, reading)
        applied["amo"] = _save(patient, row=row, values=values, block="amo",
                               acting_user=acting_user)
    if copy_amc:
        if beneficiary.amc is None:
            raise ServiceError(_("The card has no complementary cover (AMC) for this person: nothing to copy."))
        row = amc_row_to_update(patient, beneficiary)
        applied["amc"] = _save(patient, row=row, values=amc_values(beneficiary), block="amc",
                               acting_user=acting_user)
    if trace is None:
        trace = VitaleReading(structure_id=patient.structure_id, patient=patient, source=reading.source.value,
                              read_by=acting_user)
    trace.beneficiary = trace_of(beneficiary, reading)
    trace.applied = applied
    trace.save()
    audit.record("reception.vitale_applied", target=trace, patient_id=patient.pk,
                 structure_id=patient.structure_id, acting_user=acting_user, data={
                     "source": reading.source.value,
                     **{block: {"item": info["item"], "action": info["action"], "fields": info["fields"]}
                        for block, info in applied.items()},
                 })
    return trace


def _beneficiary(reading: CardReading, index: int) -> Beneficiary:
    if not 0 <= index < len(reading.beneficiaries):
        raise ServiceError(_("Choose the person on the card who is this patient."))
    return reading.beneficiaries[index]


def _checked_amo_values(reading: CardReading, beneficiary: Beneficiary, *, today) -> dict:
    """The values, or a refusal saying why this card cannot be copied (no row is touched)."""
    problem = nir_problem(reading.holder.full_nir)
    if problem:
        raise ServiceError(_("The insured person's NIR read on the card is not valid: %(problem)s Nothing was "
                             "copied; type the coverage from the attestation de droits.") % {"problem": problem})
    values = amo_values(reading, beneficiary, today=today)
    if values["regime"] is None:
        raise ServiceError(_("The card gives the régime code %(code)s, which this software does not know. Nothing "
                             "was copied: type the coverage from the attestation de droits.")
                           % {"code": beneficiary.amo.regime_code})
    return values


def _save(patient, *, row, values: dict, block: str, acting_user) -> dict:
    """Add or change one coverage line inside this transaction, with the file's history and audit."""
    before = {name: getattr(row, name) for name in values} if row is not None else None
    record = administrative.record_amo_coverage if block == "amo" else administrative.record_amc_coverage
    saved = record(patient, values=values, acting_user=acting_user, coverage=row)
    if before is None:
        return {"item": saved.pk, "action": "added", "fields": sorted(name for name, value in values.items()
                                                                         if value not in ("", None, False))}
    changed = sorted(name for name in values if getattr(saved, name) != before[name])
    return {"item": saved.pk, "action": "changed" if changed else "unchanged", "fields": changed}
