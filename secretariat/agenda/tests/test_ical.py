"""The iCalendar of a practitioner's agenda: what it holds, and that clients can read it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation
from icalendar import Calendar

from secretariat.agenda import ical
from secretariat.agenda.models import Appointment, AppointmentType
from secretariat.agenda.tests.factories import AppointmentFactory, AppointmentTypeFactory
from secretariat.core.tests.factories import SiteFactory
from secretariat.patients.tests.factories import PatientFactory

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def site(personas):
    return SiteFactory(structure=personas.structure, name="Cabinet des Tilleuls", address="12 rue des Tilleuls",
                       postal_code="69100", city="Villeurbanne")


@pytest.fixture
def consultation(personas):
    return AppointmentTypeFactory(structure=personas.structure, code="consultation", label="Consultation",
                                  duration_minutes=20)


def book(personas, site, appointment_type, start, **fields):
    patient = fields.pop("patient", None) or PatientFactory(structure=personas.structure, birth_name="DUPONT",
                                                             first_birth_first_name="JEANNE")
    return AppointmentFactory(practitioner=personas.practitioner, site=site, patient=patient,
                              appointment_type=appointment_type, start=start, **fields)


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def test_events_carry_uid_times_summary_location_and_status(personas, site, consultation):
    start = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    appointment = book(personas, site, consultation, start)
    with translation.override("en"):
        body = ical.build_calendar(personas.practitioner, [appointment], domain="cabinet.example", now=NOW)
    calendar = parse(body)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]) == ical.PRODID
    assert str(calendar["x-wr-calname"]) == "Appointments of Dr Paul CŒUR"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"appointment-{appointment.pk}@cabinet.example"
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == start + timedelta(minutes=20)
    assert str(event["summary"]) == "Consultation — DUPONT Jeanne"
    assert str(event["location"]) == "Cabinet des Tilleuls, 12 rue des Tilleuls, 69100 Villeurbanne"
    assert (str(event["status"]), str(event["class"]), str(event["transp"])) == ("CONFIRMED", "PRIVATE", "OPAQUE")
    assert b"DTSTART:20260310T090000Z" in body


def test_lines_are_folded_and_end_with_crlf(personas, site, consultation):
    long_type = AppointmentTypeFactory(structure=personas.structure, label="Échographie cardiaque transthoracique "
                                       "de contrôle après chirurgie valvulaire avec Doppler")
    appointment = book(personas, site, long_type, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    body = ical.build_calendar(personas.practitioner, [appointment], domain="cabinet.example", now=NOW)
    lines = body.split(b"\r\n")
    assert lines[-1] == b""
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # a continuation line
    (event,) = parse(body).walk("VEVENT")
    assert str(event["summary"]).startswith("Échographie cardiaque transthoracique de contrôle après chirurgie")


def test_the_same_appointment_keeps_its_uid_when_moved(personas, site, consultation):
    appointment = book(personas, site, consultation, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    first = parse(ical.build_calendar(personas.practitioner, [appointment], domain="h", now=NOW))
    appointment.start += timedelta(hours=2)
    appointment.end += timedelta(hours=2)
    appointment.save()
    second = parse(ical.build_calendar(personas.practitioner, [appointment], domain="h", now=NOW))
    (before,), (after,) = first.walk("VEVENT"), second.walk("VEVENT")
    assert str(before["uid"]) == str(after["uid"])
    assert after.decoded("dtstart") - before.decoded("dtstart") == timedelta(hours=2)


def test_cancelled_teleconsultation_and_home_visit(personas, site):
    video = AppointmentTypeFactory(structure=personas.structure, label="Téléconsultation",
                                   mode=AppointmentType.Mode.TELECONSULTATION)
    home = AppointmentTypeFactory(structure=personas.structure, label="Visite", mode=AppointmentType.Mode.HOME_VISIT)
    start = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    cancelled = book(personas, site, video, start, status=Appointment.Status.CANCELLED, cancelled_at=NOW,
                     video_room_url="https://visio.example.org/secretariat-abc")
    visit = book(personas, site, home, start + timedelta(hours=1))
    with translation.override("en"):
        calendar = parse(ical.build_calendar(personas.practitioner, [cancelled, visit], domain="h", now=NOW))
    first, second = calendar.walk("VEVENT")
    assert (str(first["status"]), str(first["transp"])) == ("CANCELLED", "TRANSPARENT")
    assert str(first["summary"]).startswith("Cancelled: Téléconsultation — ")
    assert str(first["location"]) == "Teleconsultation"
    assert str(first["url"]) == "https://visio.example.org/secretariat-abc"
    assert str(second["location"]) == "Home visit"
    assert "url" not in second


def test_the_feed_holds_30_days_back_to_180_ahead_and_recent_cancellations(personas, site, consultation):
    now = timezone.now().replace(microsecond=0)
    inside = [book(personas, site, consultation, now - timedelta(days=29)),
              book(personas, site, consultation, now + timedelta(days=3), status=Appointment.Status.CANCELLED,
                   cancelled_at=now - timedelta(days=6)),
              book(personas, site, consultation, now + timedelta(days=179))]
    book(personas, site, consultation, now - timedelta(days=31))
    book(personas, site, consultation, now + timedelta(days=181))
    book(personas, site, consultation, now + timedelta(days=4), status=Appointment.Status.CANCELLED,
         cancelled_at=now - timedelta(days=8))
    AppointmentFactory(practitioner=personas.other_practitioner, site=site, appointment_type=consultation,
                       start=now + timedelta(days=1))
    found = ical.feed_appointments(personas.practitioner, now=now)
    assert [appointment.pk for appointment in found] == [appointment.pk for appointment in inside]
