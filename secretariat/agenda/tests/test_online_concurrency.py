"""Fifty patients type their right code for the same slot at the same instant, each from their
own browser (a thread with its own test client and database connection): exactly one is
booked, the 49 others read the "slot just taken" page, nothing answers 5xx, and no identity is
left behind for the patients who lost.

PostgreSQL: the exclusion constraint lets one appointment in, the others roll back to their
savepoint. SQLite (a file, as in production): IMMEDIATE transactions queue, and the losers find
the slot taken before writing anything.
"""

import threading
from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from secretariat.agenda.models import Appointment, OnlineBookingRequest
from secretariat.agenda.online.services import CODE_VALIDITY, hash_code, request_token
from secretariat.agenda.tests.factories import online_practice
from secretariat.agenda.tests.test_online_support import first_slots
from secretariat.core.audit import AuditEvent
from secretariat.patients.models import Patient

CLIENTS = 50


def _name(number: int) -> str:
    return "NOM" + chr(ord("A") + number // 26) + chr(ord("A") + number % 26)


@pytest.mark.django_db(transaction=True)
def test_fifty_patients_confirming_one_slot_online_exactly_one_is_booked(personas):
    practice = online_practice(personas.practitioner)
    slot = first_slots([personas.practitioner], practice.consultation)[0]
    pages = []
    for number in range(CLIENTS):
        code = f"{number:06d}"
        request = OnlineBookingRequest.objects.create(
            structure=personas.structure, appointment_type=practice.consultation, practitioner=slot.practitioner,
            site=slot.site, start=slot.start, last_name=_name(number), first_names="CAMILLE",
            birth_date=date(1940 + number, 1 + number % 12, 10 + number % 10), sex="F",
            email=f"patient{number}@example.org", code_hash=hash_code(code),
            expires_at=timezone.now() + CODE_VALIDITY, client_address=f"198.51.100.{number}",
        )
        pages.append((reverse("agenda_public:online_code", args=[request_token(request, consent=True)]), code))
    barrier = threading.Barrier(CLIENTS)
    lock = threading.Lock()
    answers, failures = [], []

    def patient(url: str, code: str) -> None:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        try:
            barrier.wait(timeout=60)
            response = client.post(url, {"code": code})
            taken = "This slot has just been taken" in response.content.decode()
            with lock:
                answers.append((response.status_code, taken))
        except Exception as error:  # noqa: BLE001 (any other outcome fails the test below)
            with lock:
                failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=patient, args=page) for page in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == []
    assert sorted(answers) == [(303, False)] + [(409, True)] * (CLIENTS - 1)
    (appointment,) = Appointment.objects.all()
    assert (appointment.start, appointment.channel) == (slot.start, Appointment.Channel.ONLINE)
    assert list(Patient.objects.all()) == [appointment.patient]  # no identity left for the 49 others
    statuses = sorted(OnlineBookingRequest.objects.values_list("status", flat=True))
    assert statuses == ["confirmed"] + ["failed"] * (CLIENTS - 1)
    assert AuditEvent.objects.filter(action="agenda.appointment_booked").count() == 1
