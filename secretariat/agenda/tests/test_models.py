"""Invariants the database keeps, whatever the code that writes."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from secretariat.agenda.models import Appointment
from secretariat.agenda.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    ScheduleExceptionFactory,
    WeeklyPeriodFactory,
)
from secretariat.patients.merging import attached_rows

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


def refused(factory, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**fields)
    return True


def test_a_weekly_period_ends_after_it_starts():
    assert refused(WeeklyPeriodFactory, start=time(12), end=time(9))
    assert refused(WeeklyPeriodFactory, start=time(9), end=time(9))


def test_a_weekly_period_has_a_weekday_and_ordered_validity():
    assert refused(WeeklyPeriodFactory, weekday=7)
    assert refused(WeeklyPeriodFactory, valid_from=START.date(), valid_until=START.date() - timedelta(days=1))


def test_only_a_reserved_period_is_released_before_its_start():
    assert refused(WeeklyPeriodFactory, release_before=timedelta(hours=2))
    assert WeeklyPeriodFactory(reserved_for_urgent=True, release_before=timedelta(hours=2)).pk


def test_an_extra_opening_says_where():
    assert refused(ScheduleExceptionFactory, day=START.date(), is_open=True)
    assert refused(ScheduleExceptionFactory, day=START.date(), start=time(10), end=time(9))


def test_appointment_type_codes_are_unique_per_structure(personas):
    AppointmentTypeFactory(structure=personas.structure, code="suivi")
    assert refused(AppointmentTypeFactory, structure=personas.structure, code="suivi")
    assert AppointmentTypeFactory(structure=personas.other_structure, code="suivi").pk


def test_an_appointment_ends_after_it_starts(personas):
    assert refused(AppointmentFactory, practitioner=personas.practitioner, start=START, end=START)


def test_appointments_follow_their_patient_through_merges(personas):
    appointment = AppointmentFactory(practitioner=personas.practitioner, start=START)
    assert attached_rows(appointment.patient) == {"agenda.Appointment:patient": [appointment.pk]}


def test_the_database_refuses_overlapping_live_appointments_on_postgresql(personas):
    from django.db import connection

    AppointmentFactory(practitioner=personas.practitioner, start=START)
    overlapping = START + timedelta(minutes=10)
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only; SQLite relies on the service")
    assert refused(AppointmentFactory, practitioner=personas.practitioner, start=overlapping)
    assert AppointmentFactory(practitioner=personas.practitioner, start=overlapping,
                              status=Appointment.Status.CANCELLED).pk
    assert AppointmentFactory(practitioner=personas.other_practitioner, start=overlapping).pk
