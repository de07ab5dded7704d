"""Reminder timing: due at the structure's delays, once, after a stop of the workers too,
never for a delay already passed at booking, and in elapsed hours across changes of clocks."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from secretariat.agenda.models import AgendaSettings, Appointment, AppointmentMessage
from secretariat.agenda.notifications import queue_appointment_messages
from secretariat.agenda.reminders import due_reminders, send_due_reminders
from secretariat.agenda.tasks import send_appointment_reminders
from secretariat.agenda.tests.factories import AdministrativeFileFactory, AppointmentFactory
from secretariat.core.tests.factories import PractitionerFactory
from secretariat.messaging.models import OutboundMessage

PARIS = ZoneInfo("Europe/Paris")
# In UTC: Python subtracts hours on the wall clock between two times of one zone, and the
# tests count elapsed hours.
START = datetime(2026, 12, 1, 9, 0, tzinfo=PARIS).astimezone(UTC)
BOOKED = datetime(2026, 11, 20, 10, 0, tzinfo=PARIS).astimezone(UTC)

pytestmark = pytest.mark.django_db


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def booked(start=START, *, when=BOOKED, sms=False, consent=True, **kwargs) -> Appointment:
    """An appointment booked at ``when`` by a patient who agreed to e-mails (and SMS if asked)."""
    with at(when):
        appointment = AppointmentFactory(start=start, **kwargs)
    patient = appointment.patient
    patient.email = f"patient{patient.pk}@example.org"
    patient.save()
    AdministrativeFileFactory(patient=patient, email_consent=consent, sms_consent=sms)
    return appointment


def reminder_keys(appointment) -> list[str]:
    return sorted(AppointmentMessage.objects.filter(appointment=appointment, kind="reminder")
                  .values_list("key", flat=True))


def scan(moment: datetime) -> int:
    with at(moment):
        return send_due_reminders()


def test_default_delays_48_and_2_hours_each_sent_once():
    appointment = booked()

    assert scan(START - timedelta(hours=48, minutes=1)) == 0
    assert scan(START - timedelta(hours=48)) == 1
    assert reminder_keys(appointment) == ["reminder:48:20261201T0800Z:email"]
    assert scan(START - timedelta(hours=47, minutes=55)) == 0  # the next scan: already reminded
    assert scan(START - timedelta(hours=2, minutes=1)) == 0
    assert scan(START - timedelta(hours=1, minutes=58)) == 1
    assert reminder_keys(appointment) == ["reminder:2:20261201T0800Z:email", "reminder:48:20261201T0800Z:email"]
    assert scan(START - timedelta(minutes=30)) == 0
    assert scan(START + timedelta(minutes=1)) == 0


def test_the_reminder_goes_to_every_channel_agreed(settings, tmp_path):
    settings.SECRETARIAT_SMS_FILE = str(tmp_path / "sms.jsonl")
    appointment = booked(sms=True)
    assert scan(START - timedelta(hours=47)) == 2
    assert sorted(AppointmentMessage.objects.filter(appointment=appointment)
                  .values_list("message__channel", flat=True)) == ["email", "sms"]


def test_a_reminder_due_while_the_workers_were_stopped_still_leaves_once(django_capture_on_commit_callbacks):
    appointment = booked()
    # Workers stopped from three days before until 90 minutes before: both delays are due.
    with django_capture_on_commit_callbacks(execute=True):
        assert scan(START - timedelta(minutes=90)) == 1
    assert reminder_keys(appointment) == ["reminder:2:20261201T0800Z:email"]  # only the nearest
    assert len(mail.outbox) == 1
    assert scan(START - timedelta(minutes=85)) == 0


def test_a_delay_already_passed_at_booking_is_skipped():
    same_day = booked(when=START - timedelta(hours=10))  # no 48 h reminder, the 2 h one later
    late = booked(when=START - timedelta(hours=1), practitioner=same_day.practitioner,
                  start=START + timedelta(minutes=30))  # booked 90 minutes before: no 2 h reminder
    assert scan(START - timedelta(hours=9)) == 0
    assert scan(START - timedelta(hours=2)) == 1
    assert reminder_keys(same_day) == ["reminder:2:20261201T0800Z:email"]
    assert scan(START - timedelta(minutes=59)) == 0
    assert reminder_keys(late) == []


def test_a_confirmation_sent_inside_the_delay_covers_it():
    with at(START - timedelta(hours=30)):
        appointment = booked(when=START - timedelta(days=5))
        # Booked long ago, but the confirmation message left 30 hours before (moved, say).
        queue_appointment_messages(appointment, "change")
    assert scan(START - timedelta(hours=29)) == 0
    assert reminder_keys(appointment) == []
    assert scan(START - timedelta(hours=2)) == 1


def test_no_reminder_without_consent_or_for_a_cancelled_appointment():
    refused = booked(consent=False)
    cancelled = booked(practitioner=refused.practitioner, start=START + timedelta(hours=1))
    Appointment.objects.filter(pk=cancelled.pk).update(status="cancelled", cancelled_at=BOOKED)
    with at(START - timedelta(hours=47)):
        assert due_reminders(START - timedelta(hours=47)) == {}
    assert scan(START - timedelta(hours=47)) == 0
    assert OutboundMessage.objects.count() == 0


def test_a_moved_appointment_is_reminded_at_its_new_time():
    appointment = booked()
    assert scan(START - timedelta(hours=47)) == 1
    later = START + timedelta(days=2)
    Appointment.objects.filter(pk=appointment.pk).update(start=later, end=later + timedelta(minutes=20))
    assert scan(START - timedelta(hours=46)) == 0
    assert scan(later - timedelta(hours=47)) == 1
    assert reminder_keys(appointment) == ["reminder:48:20261201T0800Z:email", "reminder:48:20261203T0800Z:email"]


def test_each_structure_uses_its_own_delays(personas):
    AgendaSettings.objects.create(structure=personas.structure, reminder_hours=[24])
    ours = booked(practitioner=personas.practitioner)
    default = booked(practitioner=PractitionerFactory())  # a structure without settings: 48 and 2

    assert scan(START - timedelta(hours=47)) == 1
    assert reminder_keys(ours) == []
    assert scan(START - timedelta(hours=23)) == 1
    assert reminder_keys(ours) == ["reminder:24:20261201T0800Z:email"]
    assert scan(START - timedelta(hours=1)) == 1  # the default structure's 2 h; none for ours
    assert reminder_keys(default) == ["reminder:2:20261201T0800Z:email", "reminder:48:20261201T0800Z:email"]


def test_settings_without_reminders_send_none(personas):
    AgendaSettings.objects.create(structure=personas.structure, reminder_hours=[])
    booked(practitioner=personas.practitioner)
    assert scan(START - timedelta(hours=1)) == 0


@pytest.mark.parametrize(("start", "due"), [
    # Spring: clocks go forward on Sunday 29 March 2026; 48 elapsed hours before Monday 09:00
    # (CEST) is Saturday 08:00 (CET).
    (datetime(2026, 3, 30, 9, 0, tzinfo=PARIS), datetime(2026, 3, 28, 8, 0, tzinfo=PARIS)),
    # Autumn: clocks go back on Sunday 25 October 2026; 48 hours before Monday 09:00 (CET) is
    # Saturday 10:00 (CEST).
    (datetime(2026, 10, 26, 9, 0, tzinfo=PARIS), datetime(2026, 10, 24, 10, 0, tzinfo=PARIS)),
])
def test_across_a_change_of_clocks_the_delay_is_in_elapsed_hours(start, due):
    start, due = start.astimezone(UTC), due.astimezone(UTC)
    appointment = booked(start=start, when=start - timedelta(days=10))
    assert start - due == timedelta(hours=48)
    assert scan(due - timedelta(minutes=1)) == 0
    assert scan(due) == 1
    assert scan(start - timedelta(hours=2, minutes=1)) == 0
    assert scan(start - timedelta(hours=2)) == 1
    assert len(reminder_keys(appointment)) == 2


def test_a_sunday_night_appointment_across_the_spring_jump():
    # 03:30 CEST on Sunday 29 March 2026 is 01:30 UTC; clocks jumped from 02:00 to 03:00, so two
    # elapsed hours before is 00:30 CET, three hours earlier on the wall clock.
    start = datetime(2026, 3, 29, 3, 30, tzinfo=PARIS)
    appointment = booked(start=start, when=start.astimezone(UTC) - timedelta(days=7))
    assert scan(start.astimezone(UTC) - timedelta(hours=47)) == 1  # the 48 h one
    assert scan(datetime(2026, 3, 29, 0, 29, tzinfo=PARIS)) == 0
    assert scan(datetime(2026, 3, 29, 0, 30, tzinfo=PARIS)) == 1
    assert reminder_keys(appointment) == ["reminder:2:20260329T0130Z:email", "reminder:48:20260329T0130Z:email"]


def test_scan_queries_do_not_grow_with_the_appointments(django_assert_num_queries, settings):
    # Settings (2), due appointments per delay (2), the chunk with its related rows, the
    # practitioners' instructions, then in one transaction (savepoint here) the re-check, the keys
    # already used and two inserts.
    practitioner = PractitionerFactory()
    for index in range(5):
        booked(practitioner=practitioner, start=START + timedelta(minutes=20 * index))
    with at(START - timedelta(hours=34)), django_assert_num_queries(12):
        assert send_due_reminders() == 5
    for index in range(5, 40):
        booked(practitioner=practitioner, start=START + timedelta(minutes=20 * index))
    with at(START - timedelta(hours=34)), django_assert_num_queries(12):
        assert send_due_reminders() == 35


def test_chunks_add_up_to_the_same_reminders():
    practitioner = PractitionerFactory()
    appointments = [booked(practitioner=practitioner, start=START + timedelta(minutes=20 * index))
                    for index in range(5)]
    with at(START - timedelta(hours=40)):
        assert send_due_reminders(chunk=2) == 5
    assert [len(reminder_keys(appointment)) for appointment in appointments] == [1, 1, 1, 1, 1]


def test_the_periodic_task_runs_the_scan():
    appointment = booked()
    with at(START - timedelta(hours=47)):
        send_appointment_reminders.call_local()
    assert reminder_keys(appointment) == ["reminder:48:20261201T0800Z:email"]
