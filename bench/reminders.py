"""Benchmark of appointment reminders: 10,000 appointments due, the periodic scan, and the
deliveries to a real local SMTP server (aiosmtpd).

The scan runs as the periodic task does (``send_due_reminders``: render, store, enqueue one
delivery task per message in Huey's queue on commit). Deliveries then run as ``run_huey``'s
thread workers do: each worker takes the next task from the same Huey storage and executes it
(``HUEY.dequeue`` then ``HUEY.execute``), so queue, database writes and one SMTP conversation
per e-mail are all counted.

SQLite in a temporary directory by default; ``BENCH_DATABASE_URL=postgres://…`` runs on
PostgreSQL (the database is emptied first, so never point it at real data).

Usage: .venv/bin/python bench/reminders.py [--appointments 10000] [--workers 2]
"""

import argparse
import os
import platform
import socket
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import configure  # noqa: E402

PRACTITIONERS = 50
SLOT = timedelta(minutes=12)


class CountingInbox:
    """aiosmtpd handler: counts the e-mails accepted (and keeps the last one to look at)."""

    def __init__(self):
        self.count = 0
        self.last = b""
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self._lock:
            self.count += 1
            self.last = envelope.original_content
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_data(count: int) -> None:
    """``count`` booked appointments starting in the next 3 to 43 hours (the 48 h reminder is
    due for all), booked ten days ago, for patients who agreed to e-mails."""
    from django.utils import timezone

    from secretariat.agenda.models import AgendaSettings, Appointment, AppointmentType
    from secretariat.core.models import Practitioner, Site, Structure
    from secretariat.core.tests.factories import rpps_from_sequence
    from secretariat.patients.models import AdministrativeFile, Patient

    structure = Structure.objects.create(name="Centre hospitalier de démonstration")
    AgendaSettings.objects.create(structure=structure, reminder_hours=[48, 2])
    site = Site.objects.create(structure=structure, name="Site principal", address="1 place de l'Hôpital",
                               postal_code="69003", city="Lyon", phone="04 72 00 00 00")
    kind = AppointmentType.objects.create(
        structure=structure, code="consultation", label="Consultation", duration_minutes=10,
        preparation_instructions="Apporter la liste de vos médicaments.",
        documents_to_bring="Carte Vitale, ordonnance, derniers résultats.",
    )
    practitioners = Practitioner.objects.bulk_create([
        Practitioner(structure=structure, title="Dr", first_name="Camille", last_name=f"MEDECIN{index}",
                     rpps=rpps_from_sequence(90_000 + index), specialty="Cardiologie")
        for index in range(PRACTITIONERS)
    ])
    patients = []
    for index in range(count):
        patient = Patient(structure=structure, birth_name=f"PATIENT{index}", birth_first_names="CLAIRE",
                          first_birth_first_name="CLAIRE", birth_date="1970-01-01", sex="F",
                          birthplace_code="69123", email=f"patient{index}@example.org")
        patient.refresh_search_keys()
        patients.append(patient)
    patients = Patient.objects.bulk_create(patients, batch_size=2000)
    AdministrativeFile.objects.bulk_create(
        [AdministrativeFile(patient=patient, email_consent=True) for patient in patients], batch_size=2000)
    first = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    appointments = []
    for index, patient in enumerate(patients):
        start = first + SLOT * (index // PRACTITIONERS)
        appointments.append(Appointment(
            structure=structure, practitioner=practitioners[index % PRACTITIONERS], site=site, patient=patient,
            appointment_type=kind, start=start, end=start + kind.duration,
        ))
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    Appointment.objects.update(booked_at=timezone.now() - timedelta(days=10))
    last = max(appointment.start for appointment in appointments)
    assert last < timezone.now() + timedelta(hours=48), "more appointments than fit before the 48 h delay"


def deliver_all(workers: int) -> None:
    """Empty Huey's queue with ``workers`` threads, as the consumer's thread workers would."""
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    def work():
        try:
            while True:
                task = HUEY.dequeue()
                if task is None:
                    return
                HUEY.execute(task)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appointments", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="as HUEY_WORKERS (default 2)")
    args = parser.parse_args()
    os.environ["HUEY_IMMEDIATE"] = "false"
    configure(os.environ.get("BENCH_DATABASE_URL"))

    import logging

    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    from secretariat.agenda.reminders import send_due_reminders
    from secretariat.messaging.models import OutboundMessage

    # One line per task and per SMTP command otherwise.
    logging.getLogger("huey").setLevel(logging.WARNING)
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    inbox = CountingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    HUEY.flush()

    started = time.perf_counter()
    build_data(args.appointments)
    built = time.perf_counter()
    queued = send_due_reminders()
    scanned = time.perf_counter()
    deliver_all(args.workers)
    delivered = time.perf_counter()
    controller.stop()

    sent = OutboundMessage.objects.filter(status="sent").count()
    failed = OutboundMessage.objects.filter(status="failed").count()
    total = delivered - built
    print(f"\nReminders — {connection.vendor}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, {args.workers} delivery threads")
    print(f"data: {args.appointments:,} appointments in {built - started:.1f} s")
    print(f"scan: {queued:,} reminders rendered, stored and enqueued in {scanned - built:.1f} s")
    print(f"delivery: {inbox.count:,} e-mails received by the SMTP server in {delivered - scanned:.1f} s "
          f"({sent:,} sent, {failed:,} failed)")
    print(f"total scan + delivery: {total:.1f} s, {inbox.count / total:.0f} messages/s")
    if inbox.count != args.appointments or sent != args.appointments:
        raise SystemExit("not every reminder arrived")


if __name__ == "__main__":
    main()
