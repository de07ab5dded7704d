"""Demo data of the carte Vitale screen: a few past readings (simulated reader) of demo patients,
one of them copied into the file, so the "last readings" table is not empty."""

from datetime import timedelta

from secretariat.patients.models import AmoCoverage, Patient
from secretariat.reception.models import VitaleReading
from secretariat.reception.services_vitale import trace_of
from secretariat.reception.vitale import SimulatedReader, Subject
from secretariat.reception.vitale.comparison import best_beneficiary


def seed_vitale(structure, *, users: dict, now) -> None:
    reader_user = users.get("accueil", users["secretaire"])
    covered = (AmoCoverage.objects.filter(patient__structure=structure, patient__merged_into__isnull=True)
               .select_related("patient").order_by("patient_id")[:3])
    for days_ago, coverage in zip((21, 6, 1), covered, strict=False):
        patient: Patient = coverage.patient
        reading = SimulatedReader("up_to_date", subject=Subject.of_patient(patient), today=now.date()).read()
        index = best_beneficiary(reading, patient)
        if index is None:
            continue
        # Past traces only: the coverage itself was seeded by patients.demo and is not changed here.
        applied = {"amo": {"item": coverage.pk, "action": "unchanged", "fields": []}} if days_ago == 6 else {}
        trace = VitaleReading.objects.create(
            structure=structure, patient=patient, source=VitaleReading.Source.SIMULATION, read_by=reader_user,
            beneficiary=trace_of(reading.beneficiaries[index], reading), applied=applied,
        )
        VitaleReading.objects.filter(pk=trace.pk).update(read_at=now - timedelta(days=days_ago, hours=2))
