"""Fifty API clients book the same slot at the same instant: one 201, forty-nine clean 409s.

Each client is a thread with its own test Client, its own API token and its own database
connection; a barrier releases them together. The SQLite test database is a file (settings),
so the requests queue on its write lock as in production; on PostgreSQL the exclusion
constraint refuses the losers. Run on both (DATABASE_URL for PostgreSQL).
"""

import json
import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from secretariat.agenda.models import Appointment
from secretariat.agenda.tests.factories import ScheduleExceptionFactory, practice_with_schedule
from secretariat.core.models import AuditEvent
from secretariat.core.services.accounts import issue_api_token
from secretariat.interop.tests.test_fhir_agenda import FHIR_JSON, at, open_day, utc_id
from secretariat.patients.tests.factories import PatientFactory

CLIENTS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_clients_posting_one_slot_exactly_one_books_it(personas):
    practice = practice_with_schedule(personas.practitioner)
    day = open_day()
    ScheduleExceptionFactory(practitioner=personas.practitioner, site=practice.site, is_open=True, day=day,
                             start=at(day, 9).time(), end=at(day, 12).time())
    slot = f"{personas.practitioner.pk}-{practice.site.pk}-{practice.consultation.pk}-{utc_id(at(day, 10))}"
    patients = [PatientFactory(structure=personas.structure, care_teams=[personas.team_a]) for _ in range(CLIENTS)]
    tokens = [issue_api_token(personas.secretary) for _ in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS)
    lock = threading.Lock()
    answers, failures, durations = [], [], []

    def api_client(patient, token):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        body = json.dumps({
            "resourceType": "Appointment", "status": "booked", "slot": [{"reference": f"Slot/{slot}"}],
            "participant": [{"actor": {"reference": f"Patient/{patient.pk}"}, "status": "accepted"}],
        })
        try:
            barrier.wait(timeout=60)
            started = time.perf_counter()
            response = client.post(reverse("fhir:appointment_type"), data=body, content_type=FHIR_JSON,
                                   HTTP_AUTHORIZATION=f"Bearer {token}")
            with lock:
                durations.append(time.perf_counter() - started)
                answers.append((response.status_code, response.json()))
        except Exception as error:  # noqa: BLE001 (any other outcome fails the test below)
            with lock:
                failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=api_client, args=pair) for pair in zip(patients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == []
    statuses = sorted(status for status, _body in answers)
    assert statuses == [201] + [409] * (CLIENTS - 1)
    refusals = [body for status, body in answers if status == 409]
    assert {(body["resourceType"], body["issue"][0]["code"], body["issue"][0]["diagnostics"]) for body in refusals} \
        == {("OperationOutcome", "conflict", "This slot was just taken at another desk: choose another one.")}
    (created,) = [body for status, body in answers if status == 201]
    (appointment,) = Appointment.objects.all()
    assert created["id"] == str(appointment.pk)
    assert appointment.channel == Appointment.Channel.API
    assert AuditEvent.objects.filter(action="agenda.appointment_booked").count() == 1
    durations.sort()
    print(f"\n{connection.vendor}: {CLIENTS} requests, median {durations[CLIENTS // 2] * 1000:.0f} ms, "  # noqa: T201
          f"slowest {durations[-1] * 1000:.0f} ms")
