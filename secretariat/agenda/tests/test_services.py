"""Booking and cancelling: refusals write nothing, the slot is guaranteed free."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from secretariat.agenda.models import Appointment
from secretariat.agenda.services import book_appointment, cancel_appointment
from secretariat.agenda.tests.factories import (
    AppointmentFactory,
    ScheduleExceptionFactory,
    WeeklyPeriodFactory,
    practice_with_schedule,
)
from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
MONDAY = datetime(2026, 12, 7, 9, 20, tzinfo=PARIS)  # inside Monday 09:00–12:00
TAKEN = "This slot was just taken at another desk: choose another one."

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_in_english():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def practice(personas):
    return practice_with_schedule(personas.practitioner)


@pytest.fixture
def patient(personas):
    return PatientFactory(structure=personas.structure)


def book(personas, patient, appointment_type, start, **kwargs):
    return book_appointment(practitioner=personas.practitioner, patient=patient, appointment_type=appointment_type,
                            start=start, acting_user=personas.secretary, **kwargs)


def assert_nothing_booked():
    assert Appointment.objects.count() == 0
    assert not AuditEvent.objects.filter(action="agenda.appointment_booked").exists()


def test_booking_inside_a_period_records_the_appointment_and_the_audit(personas, practice, patient):
    appointment = book(personas, patient, practice.consultation, MONDAY, note="Renouvellement")

    appointment.refresh_from_db()
    assert appointment.start == MONDAY
    assert appointment.end == datetime(2026, 12, 7, 9, 40, tzinfo=PARIS)
    assert appointment.site == practice.site
    assert appointment.structure == personas.structure
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.booked_by == personas.secretary
    assert appointment.note == "Renouvellement"
    event = AuditEvent.objects.get(action="agenda.appointment_booked")
    assert event.patient_id == patient.pk
    assert event.target_id == str(appointment.pk)


def test_an_appointment_may_end_exactly_when_the_period_ends(personas, practice, patient):
    appointment = book(personas, patient, practice.consultation, datetime(2026, 12, 7, 11, 40, tzinfo=PARIS))
    assert appointment.end == datetime(2026, 12, 7, 12, 0, tzinfo=PARIS)


@pytest.mark.parametrize(("_case", "start"), [
    ("before the period", datetime(2026, 12, 7, 8, 50, tzinfo=PARIS)),
    ("running past its end", datetime(2026, 12, 7, 11, 50, tzinfo=PARIS)),
    ("a day without period", datetime(2026, 12, 9, 10, 0, tzinfo=PARIS)),
])
def test_booking_outside_the_periods_is_refused_and_nothing_is_written(personas, practice, patient, _case, start):
    with pytest.raises(ServiceError, match="outside the practitioner's periods"):
        book(personas, patient, practice.consultation, start)
    assert_nothing_booked()


def test_booking_on_a_public_holiday_is_refused(personas, practice, patient):
    whit_monday = datetime(2027, 5, 17, 9, 0, tzinfo=PARIS)
    with pytest.raises(ServiceError, match="outside the practitioner's periods"):
        book(personas, patient, practice.consultation, whit_monday)
    assert_nothing_booked()


def test_a_local_holiday_applies_only_to_sites_of_its_departement(personas, patient):
    # 26 December 2027 is a Sunday; St Stephen's Day 2028 (Tuesday) is a holiday in Moselle only.
    tuesday = datetime(2028, 12, 26, 14, 0, tzinfo=PARIS)
    metz = practice_with_schedule(personas.practitioner, postal_code="57000")
    with pytest.raises(ServiceError, match="outside the practitioner's periods"):
        book(personas, patient, metz.consultation, tuesday)
    lyon = WeeklyPeriodFactory(practitioner=personas.practitioner, weekday=1, start=time(14), end=time(17),
                               site__postal_code="69003")
    assert book(personas, patient, metz.consultation, tuesday).site == lyon.site


def test_a_closure_cancels_the_period_and_an_extra_opening_allows_a_holiday(personas, practice, patient):
    ScheduleExceptionFactory(practitioner=personas.practitioner, day=MONDAY.date(), start=time(9), end=time(10))
    with pytest.raises(ServiceError, match="outside the practitioner's periods"):
        book(personas, patient, practice.consultation, MONDAY)
    ScheduleExceptionFactory(practitioner=personas.practitioner, site=practice.site, is_open=True,
                             day=datetime(2027, 5, 17).date(), start=time(9), end=time(12))
    assert book(personas, patient, practice.consultation, datetime(2027, 5, 17, 9, 0, tzinfo=PARIS))


def test_booking_in_the_past_is_refused(personas, practice, patient):
    with pytest.raises(ServiceError, match="in the past"):
        book(personas, patient, practice.consultation, datetime(2026, 11, 30, 9, 0, tzinfo=PARIS))
    assert_nothing_booked()


def test_a_naive_start_is_refused(personas, practice, patient):
    with pytest.raises(ServiceError, match="time zone"):
        book(personas, patient, practice.consultation, datetime(2026, 12, 7, 9, 0))
    assert_nothing_booked()


def test_a_type_the_period_does_not_allow_is_refused(personas, practice, patient):
    with pytest.raises(ServiceError, match="outside the practitioner's periods"):
        book(personas, patient, practice.ultrasound, datetime(2026, 12, 8, 14, 0, tzinfo=PARIS))
    assert_nothing_booked()
    assert book(personas, patient, practice.consultation, datetime(2026, 12, 8, 14, 0, tzinfo=PARIS))


def test_a_period_reserved_for_urgent_requests_needs_an_urgent_booking(personas, practice, patient):
    WeeklyPeriodFactory(practitioner=personas.practitioner, site=practice.site, weekday=2, start=time(17),
                        end=time(18), reserved_for_urgent=True)
    start = datetime(2026, 12, 9, 17, 0, tzinfo=PARIS)
    with pytest.raises(ServiceError, match="outside the practitioner's periods"):
        book(personas, patient, practice.consultation, start)
    assert book(personas, patient, practice.consultation, start, urgent=True).start == start


@pytest.mark.parametrize(("_case", "start"), [
    ("same start", datetime(2026, 12, 7, 9, 20, tzinfo=PARIS)),
    ("starts during it", datetime(2026, 12, 7, 9, 30, tzinfo=PARIS)),
    ("ends during it", datetime(2026, 12, 7, 9, 10, tzinfo=PARIS)),
])
def test_an_overlapping_booking_is_refused_and_nothing_is_written(personas, practice, patient, _case, start):
    first = book(personas, patient, practice.consultation, MONDAY)
    with pytest.raises(ServiceError) as refusal:
        book(personas, PatientFactory(structure=personas.structure), practice.ultrasound, start)
    assert str(refusal.value) == TAKEN
    assert list(Appointment.objects.all()) == [first]
    assert AuditEvent.objects.filter(action="agenda.appointment_booked").count() == 1


def test_back_to_back_appointments_are_allowed(personas, practice, patient):
    book(personas, patient, practice.consultation, MONDAY)
    after = book(personas, patient, practice.consultation, datetime(2026, 12, 7, 9, 40, tzinfo=PARIS))
    before = book(personas, patient, practice.consultation, datetime(2026, 12, 7, 9, 0, tzinfo=PARIS))
    assert Appointment.objects.count() == 3
    assert (before.end, after.start) == (MONDAY, datetime(2026, 12, 7, 9, 40, tzinfo=PARIS))


def test_another_practitioner_may_be_booked_at_the_same_time(personas, practice, patient):
    book(personas, patient, practice.consultation, MONDAY)
    WeeklyPeriodFactory(practitioner=personas.other_practitioner, site=practice.site, weekday=0)
    appointment = book_appointment(practitioner=personas.other_practitioner, patient=patient,
                                   appointment_type=practice.consultation, start=MONDAY,
                                   acting_user=personas.secretary)
    assert appointment.practitioner == personas.other_practitioner


def test_a_patient_of_another_structure_is_refused(personas, practice):
    stranger = PatientFactory(structure=personas.other_structure)
    with pytest.raises(ServiceError, match="same structure"):
        book(personas, stranger, practice.consultation, MONDAY)
    assert_nothing_booked()


def test_cancel_then_rebook_the_same_slot(personas, practice, patient):
    first = book(personas, patient, practice.consultation, MONDAY)

    cancelled = cancel_appointment(first, reason="Empêchement professionnel", by_patient=True,
                                   acting_user=personas.reception)

    cancelled.refresh_from_db()
    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.cancellation_reason == "Empêchement professionnel"
    assert cancelled.cancelled_by_patient is True
    assert cancelled.cancelled_by == personas.reception
    assert cancelled.cancelled_at == NOW
    event = AuditEvent.objects.get(action="agenda.appointment_cancelled")
    assert (event.patient_id, event.data) == (patient.pk, {"by_patient": True})
    again = book(personas, PatientFactory(structure=personas.structure), practice.consultation, MONDAY)
    assert again.status == Appointment.Status.BOOKED
    assert Appointment.objects.count() == 2


def test_cancelling_twice_is_refused_and_changes_nothing(personas, practice, patient):
    appointment = book(personas, patient, practice.consultation, MONDAY)
    cancel_appointment(appointment, reason="Grève", by_patient=False, acting_user=personas.secretary)
    with pytest.raises(ServiceError, match="already cancelled"):
        cancel_appointment(appointment, reason="Autre", by_patient=True, acting_user=personas.reception)
    appointment.refresh_from_db()
    assert (appointment.cancellation_reason, appointment.cancelled_by) == ("Grève", personas.secretary)
    assert AuditEvent.objects.filter(action="agenda.appointment_cancelled").count() == 1


def test_cancelling_needs_a_reason(personas, practice, patient):
    appointment = book(personas, patient, practice.consultation, MONDAY)
    with pytest.raises(ServiceError, match="reason"):
        cancel_appointment(appointment, reason="  ", by_patient=True, acting_user=personas.secretary)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_the_database_refuses_a_second_live_appointment_at_the_same_start(personas, practice, patient):
    from django.db import IntegrityError, transaction

    AppointmentFactory(practitioner=personas.practitioner, patient=patient, start=MONDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(practitioner=personas.practitioner, patient=patient, start=MONDAY)
    AppointmentFactory(practitioner=personas.practitioner, patient=patient, start=MONDAY,
                       status=Appointment.Status.CANCELLED)
