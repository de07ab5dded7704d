"""Twenty desks book the same slot at the same instant: exactly one gets it.

Each thread has its own database connection. On PostgreSQL the exclusion constraint refuses
the losers; on SQLite the IMMEDIATE transactions queue and the overlap check refuses them.
Both answer with the same message, and nothing else goes wrong.

The SQLite test database lives in memory with a shared cache, where a second writer fails at
once with "database table is locked" instead of waiting: production uses a file (WAL,
IMMEDIATE transactions, busy timeout). On SQLite the desks therefore work on a file copy of
the test database, as in production.
"""

import contextlib
import sqlite3
import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from secretariat.agenda.models import Appointment
from secretariat.agenda.services import book_appointment
from secretariat.agenda.tests.factories import ScheduleExceptionFactory, practice_with_schedule
from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.patients.tests.factories import PatientFactory

DESKS = 20
PARIS = ZoneInfo("Europe/Paris")


@contextlib.contextmanager
def file_database_for_threads(directory):
    """On SQLite, connections opened by new threads use a file copy of the test database."""
    if connection.vendor != "sqlite":
        yield
        return
    path = str(directory / "desks.sqlite3")
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    settings_dict = connections.settings["default"]  # shared with the main thread's wrapper
    name = settings_dict["NAME"]
    settings_dict["NAME"] = path
    try:
        yield
    finally:
        settings_dict["NAME"] = name


def in_a_thread(function):
    """Run ``function`` in a new thread (its own connection) and return its result."""
    result = []

    def run():
        try:
            result.append(function())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


@pytest.mark.django_db(transaction=True)
def test_twenty_desks_booking_one_slot_exactly_one_succeeds(personas, tmp_path):
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

    with file_database_for_threads(tmp_path):
        threads = [threading.Thread(target=desk, args=(patient,)) for patient in patients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        written = in_a_thread(lambda: (
            list(Appointment.objects.values_list("pk", flat=True)),
            AuditEvent.objects.filter(action="agenda.appointment_booked").count(),
        ))

    assert failures == []
    assert len(booked) == 1
    assert refused == ["This slot was just taken at another desk: choose another one."] * (DESKS - 1)
    assert written == (booked, 1)
