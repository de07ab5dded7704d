"""Twenty desks book the same slot at the same instant: exactly one gets it.

Each thread has its own database connection. On PostgreSQL the exclusion constraint refuses
the losers; on SQLite the IMMEDIATE transactions queue and the overlap check refuses them.
Both answer with the same message, and nothing else goes wrong.

The SQLite test database is a file (settings), so the desks queue as in production.
"""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone, translation

from secretariat.agenda.models import Appointment
from secretariat.agenda.services import book_appointment
from secretariat.agenda.tests.factories import ScheduleExceptionFactory, practice_with_schedule
from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.patients.tests.factories import PatientFactory

DESKS = 20
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.django_db(transaction=True)
def test_twenty_desks_booking_one_slot_exactly_one_succeeds(personas):
    practice = practice_with_schedule(personas.practitioner)
    # An extra opening ten days ahead: open whatever the weekday, holidays included.
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=10)
    ScheduleExceptionFactory(practitioner=personas.practitioner, site=practice.site, is_open=True, day=day,
                             start=time(9), end=time(12))
    start = datetime.combine(day, time(10), tzinfo=PARIS)
    patients = [PatientFactory(structure=personas.structure) for _ in range(DESKS)]
    barrier = threading.Barrier(DESKS)
    lock = threading.Lock()
    booked, refused, failures = [], [], []

    def desk(patient):
        try:
            with translation.override("en"):
                barrier.wait(timeout=30)
                appointment = book_appointment(practitioner=personas.practitioner, patient=patient,
                                               appointment_type=practice.consultation, start=start,
                                               acting_user=personas.secretary)
            with lock:
                booked.append(appointment.pk)
        except ServiceError as refusal:
            with lock:
                refused.append(str(refusal))
        except Exception as error:  # noqa: BLE001 (any other outcome fails the test below)
            with lock:
                failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(patient,)) for patient in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    written = (list(Appointment.objects.values_list("pk", flat=True)),
               AuditEvent.objects.filter(action="agenda.appointment_booked").count())

    assert failures == []
    assert len(booked) == 1
    assert refused == ["This slot was just taken at another desk: choose another one."] * (DESKS - 1)
    assert written == (booked, 1)
