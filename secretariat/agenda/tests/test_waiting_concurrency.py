"""Ten patients accept the same offered slot at the same instant: exactly one gets it.

Each thread has its own connection. The offers of a slot are locked in id order before
booking (PostgreSQL queues the acceptances on those rows; SQLite's IMMEDIATE transactions
queue them anyway), so the others read "taken" and nobody deadlocks or sees an error.
"""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone, translation

from secretariat.agenda import services_waiting as services
from secretariat.agenda.models import Appointment, SlotOffer, WaitingListEntry
from secretariat.agenda.tests.factories import (
    AdministrativeFileFactory,
    ScheduleExceptionFactory,
    WaitingListEntryFactory,
    practice_with_schedule,
)
from secretariat.core.audit import AuditEvent
from secretariat.patients.tests.factories import PatientFactory

PATIENTS = 10
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.django_db(transaction=True)
def test_ten_patients_accepting_one_slot_at_once_give_one_booking(personas):
    practice = practice_with_schedule(personas.practitioner)
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=10)
    ScheduleExceptionFactory(practitioner=personas.practitioner, site=practice.site, is_open=True, day=day,
                             start=time(9), end=time(12))
    start = datetime.combine(day, time(10), tzinfo=PARIS)
    entries = []
    for _ in range(PATIENTS):
        patient = PatientFactory(structure=personas.structure, email="patient@example.org")
        AdministrativeFileFactory(patient=patient)
        entries.append(WaitingListEntryFactory(patient=patient, appointment_type=practice.consultation,
                                               latest=day + timedelta(days=30)))
    offers = services.offer_slot(entries=entries, practitioner=personas.practitioner, site=practice.site,
                                 start=start, end=start + timedelta(minutes=20),
                                 acting_user=personas.secretary).offers
    barrier = threading.Barrier(PATIENTS)
    lock = threading.Lock()
    answers, failures = [], []

    def patient_clicks(offer_pk):
        try:
            with translation.override("en"):
                barrier.wait(timeout=30)
                answer, _offer = services.accept_offer(offer_pk)
            with lock:
                answers.append(answer)
        except Exception as error:  # noqa: BLE001 (any error fails the test below)
            with lock:
                failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=patient_clicks, args=(item.pk,)) for item in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert sorted(answers) == sorted([services.Answer.ACCEPTED] + [services.Answer.TAKEN] * (PATIENTS - 1))
    booked = list(Appointment.objects.filter(start=start).exclude(status=Appointment.Status.CANCELLED))
    assert len(booked) == 1
    winner = SlotOffer.objects.get(status=SlotOffer.Status.ACCEPTED)
    assert (winner.appointment_id, winner.entry.patient_id) == (booked[0].pk, booked[0].patient_id)
    assert SlotOffer.objects.filter(status=SlotOffer.Status.TAKEN).count() == PATIENTS - 1
    assert list(WaitingListEntry.objects.filter(status=WaitingListEntry.Status.BOOKED)
                .values_list("pk", flat=True)) == [winner.entry_id]
    assert AuditEvent.objects.filter(action="agenda.appointment_booked").count() == 1
