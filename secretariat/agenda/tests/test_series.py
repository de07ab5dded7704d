"""Recurring appointments: the preview of each date (free, or the nearest alternative), booking
all or nothing, moving the whole series or one appointment, cancelling the rest."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from secretariat.agenda import services_series as services
from secretariat.agenda.models import Absence, Appointment, AppointmentMessage, AppointmentSeries
from secretariat.agenda.tests.factories import (
    AdministrativeFileFactory,
    AppointmentFactory,
    practice_with_schedule,
)
from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.factories import PractitionerFactory
from secretariat.messaging.models import OutboundMessage
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)  # Tuesday
TAKEN = "This slot was just taken at another desk: choose another one."


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


MONDAYS = [at(12, 7, 9), at(12, 14, 9), at(12, 21, 9), at(12, 28, 9)]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(client):
    client.cookies["django_language"] = "en"
    with time_machine.travel(NOW, tick=False) as traveller, translation.override("en"):
        yield traveller


@pytest.fixture
def practice(personas):
    return practice_with_schedule(personas.practitioner)


@pytest.fixture
def patient(personas):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                             email="patient@example.org")
    AdministrativeFileFactory(patient=patient)
    return patient


def preview(personas, practice, patient, first=MONDAYS[0], count=4, interval_days=7, **kwargs):
    kwargs.setdefault("appointment_type", practice.consultation)
    return services.preview_series(practitioner=personas.practitioner, patient=patient, first_start=first,
                                   count=count, interval_days=interval_days, **kwargs)


def book(personas, practice, patient, starts=MONDAYS, **kwargs):
    kwargs.setdefault("appointment_type", practice.consultation)
    return services.book_series(practitioner=personas.practitioner, patient=patient, starts=starts,
                                acting_user=personas.secretary, **kwargs)


def test_the_dates_keep_the_wall_clock_time_across_a_clock_change():
    starts = services.series_starts(at(3, 22, 9, year=2027), count=2, interval_days=7)
    assert [start.isoformat() for start in starts] == ["2027-03-22T09:00:00+01:00", "2027-03-29T09:00:00+02:00"]


def test_a_free_series_previews_every_date_free(personas, practice, patient):
    dates = preview(personas, practice, patient)

    assert [(item.number, item.start, item.end, item.problem) for item in dates] == [
        (number, start, start + timedelta(minutes=20), "") for number, start in enumerate(MONDAYS, 1)]


def test_conflicts_come_with_the_nearest_free_alternative(personas, practice, patient):
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=MONDAYS[1],
                       appointment_type=practice.consultation)
    AppointmentFactory(practitioner=PractitionerFactory(structure=personas.structure), patient=patient,
                       start=MONDAYS[2])
    Absence.objects.create(practitioner=personas.practitioner, start=at(12, 28, 0), end=at(12, 29, 0))

    dates = preview(personas, practice, patient)

    assert [(item.problem, item.alternative) for item in dates] == [
        ("", None),
        ("Already taken", at(12, 14, 9, 20)),  # same day, right after
        ("The patient has another appointment then", at(12, 21, 9, 20)),  # not while the patient is away
        ("Already taken", at(12, 29, 14)),  # absent all Monday: Tuesday afternoon of that week
    ]


def test_a_date_outside_the_periods_is_closed(personas, practice, patient):
    dates = preview(personas, practice, patient, first=at(12, 7, 11, 50), count=2)

    assert [item.problem for item in dates] == ["Outside the practitioner's periods for this type"] * 2
    assert [item.alternative for item in dates] == [at(12, 7, 11, 40), at(12, 14, 11, 40)]


@pytest.mark.parametrize(("count", "interval", "message"), [
    (1, 7, "A series has from 2 to 52 appointments."),
    (53, 7, "A series has from 2 to 52 appointments."),
    (4, 0, "The interval is from 1 to 90 days."),
])
def test_impossible_series_are_refused(personas, practice, patient, count, interval, message):
    with pytest.raises(ServiceError) as refusal:
        preview(personas, practice, patient, count=count, interval_days=interval)
    assert str(refusal.value) == message


def test_booking_a_series_books_every_date_and_sends_one_message(personas, practice, patient):
    series = book(personas, practice, patient, note="Rééducation")

    appointments = list(series.appointments.order_by("start"))
    assert [(item.start, item.status, item.note) for item in appointments] == [
        (start, Appointment.Status.BOOKED, "Rééducation") for start in MONDAYS]
    assert (series.interval_days, series.created_by) == (7, personas.secretary)
    messages = list(OutboundMessage.objects.filter(purpose="agenda.series").order_by("channel"))
    assert [message.channel for message in messages] == ["email", "sms"]
    assert "28/12/2026 09:00" in messages[0].body  # in the practice's language, whatever the desk's
    assert AppointmentMessage.objects.count() == 0  # no separate confirmation per date
    event = AuditEvent.objects.get(action="agenda.series_booked")
    assert event.data["appointment_ids"] == [item.pk for item in appointments]


def test_one_taken_date_books_nothing_at_all(personas, practice, patient):
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=MONDAYS[2])

    with pytest.raises(ServiceError) as refusal:
        book(personas, practice, patient)

    assert str(refusal.value) == f"Appointment 3 (21/12/2026 at 09:00): {TAKEN} Nothing was booked."
    assert (AppointmentSeries.objects.count(), Appointment.objects.filter(patient=patient).count()) == (0, 0)
    assert OutboundMessage.objects.count() == 0
    assert not AuditEvent.objects.filter(action__in=["agenda.series_booked", "agenda.appointment_booked"]).exists()


def test_two_dates_at_the_same_time_are_refused(personas, practice, patient):
    with pytest.raises(ServiceError):
        book(personas, practice, patient, starts=[MONDAYS[0], MONDAYS[0], MONDAYS[1]])
    assert AppointmentSeries.objects.count() == 0


def test_moving_a_weekly_series_by_one_week_moves_every_coming_appointment(personas, practice, patient):
    series = book(personas, practice, patient)

    moved = services.move_series(series, offset=timedelta(days=7), acting_user=personas.secretary)

    assert [item.start for item in moved] == [start + timedelta(days=7) for start in MONDAYS]
    assert list(series.appointments.order_by("start").values_list("start", flat=True)) == \
        [start + timedelta(days=7) for start in MONDAYS]
    assert OutboundMessage.objects.filter(purpose="agenda.series").count() == 4  # booked, then moved: 2 × 2
    assert AuditEvent.objects.get(action="agenda.series_moved").data == {"offset_minutes": 7 * 24 * 60, "count": 4}


def test_a_move_that_fails_for_one_date_moves_nothing(personas, practice, patient):
    series = book(personas, practice, patient)
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=at(12, 28, 9, 20))

    with pytest.raises(ServiceError) as refusal:
        services.move_series(series, offset=timedelta(minutes=20), acting_user=personas.secretary)

    assert str(refusal.value) == f"28/12/2026 09:20: {TAKEN} Nothing was moved."
    assert list(series.appointments.order_by("start").values_list("start", flat=True)) == MONDAYS
    assert not AuditEvent.objects.filter(action__in=["agenda.series_moved", "agenda.appointment_moved"]).exists()


def test_cancelling_the_rest_leaves_the_past_appointments(personas, practice, patient, clock):
    series = book(personas, practice, patient)
    clock.move_to(at(12, 10, 8))

    cancelled = services.cancel_rest_of_series(series, reason="Guéri", by_patient=True,
                                               acting_user=personas.secretary)

    assert [item.start for item in cancelled] == MONDAYS[1:]
    statuses = list(series.appointments.order_by("start").values_list("status", "cancellation_reason"))
    assert statuses == [("booked", "")] + [("cancelled", "Guéri")] * 3
    assert AuditEvent.objects.get(action="agenda.series_rest_cancelled").data == {"count": 3, "by_patient": True}
    with pytest.raises(ServiceError):
        services.cancel_rest_of_series(series, reason="Encore", by_patient=True, acting_user=personas.secretary)


def test_cancelling_needs_a_reason(personas, practice, patient):
    series = book(personas, practice, patient)

    with pytest.raises(ServiceError):
        services.cancel_rest_of_series(series, reason=" ", by_patient=False, acting_user=personas.secretary)
    assert series.appointments.filter(status=Appointment.Status.BOOKED).count() == 4


# --- Screens ----------------------------------------------------------------------------------


def form_data(personas, practice, **extra):
    return {"practitioner": personas.practitioner.pk, "appointment_type": practice.consultation.pk,
            "first_day": "07/12/2026", "at": "09:00", "count": "4", "interval_days": "7", "note": "", **extra}


def test_the_screen_previews_then_books_the_ticked_dates(client, personas, practice, patient):
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=MONDAYS[1])
    client.force_login(personas.secretary)
    url = reverse("agenda:series_new") + f"?patient={patient.pk}"

    shown = client.post(url, form_data(personas, practice, action="preview"))
    stamps = []
    for item in shown.context["dates"]:
        stamps.append(item.stamp if item.is_free else item.alternative_stamp)
    booked = client.post(url, form_data(personas, practice, action="book", starts=stamps))

    series = AppointmentSeries.objects.get()
    assert booked.url == reverse("agenda:series_detail", args=[series.pk])
    assert list(series.appointments.order_by("start").values_list("start", flat=True)) == [
        MONDAYS[0], at(12, 14, 9, 20), MONDAYS[2], MONDAYS[3]]


def test_a_refused_series_shows_why_and_books_nothing(client, personas, practice, patient):
    client.force_login(personas.secretary)
    url = reverse("agenda:series_new") + f"?patient={patient.pk}"
    stamps = [str(int(start.timestamp())) for start in MONDAYS]
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=MONDAYS[3])

    response = client.post(url, form_data(personas, practice, action="book", starts=stamps))

    assert response.status_code == 200
    assert response.context["refusal"] == f"Appointment 4 (28/12/2026 at 09:00): {TAKEN} Nothing was booked."
    assert AppointmentSeries.objects.count() == 0


@pytest.mark.parametrize(("who", "status"), [("accountant", 403), ("other_team_secretary", 404),
                                             ("other_structure_secretary", 404), ("practitioner_user", 200)])
def test_who_may_open_a_series(client, personas, practice, patient, who, status):
    series = book(personas, practice, patient)
    client.force_login(getattr(personas, who))
    assert client.get(reverse("agenda:series_detail", args=[series.pk])).status_code == status


def test_moving_one_appointment_of_the_series_from_its_page(client, personas, practice, patient):
    series = book(personas, practice, patient)
    second = series.appointments.get(start=MONDAYS[1])
    client.force_login(personas.secretary)

    client.post(reverse("agenda:series_move_one", args=[series.pk, second.pk]), {"day": "14/12/2026", "at": "10h"})

    second.refresh_from_db()
    assert (second.start, second.series) == (at(12, 14, 10), series)
    assert series.appointments.filter(start=MONDAYS[0]).exists()


def test_moving_and_cancelling_from_the_page(client, personas, practice, patient):
    series = book(personas, practice, patient)
    client.force_login(personas.secretary)

    client.post(reverse("agenda:series_move", args=[series.pk]), {"days": "0", "minutes": "20"})
    client.post(reverse("agenda:series_cancel_rest", args=[series.pk]), {"reason": "Déménagement", "by": "practice"})

    rows = list(series.appointments.order_by("start").values_list("start", "status", "cancelled_by_patient"))
    assert rows == [(start + timedelta(minutes=20), "cancelled", False) for start in MONDAYS]
