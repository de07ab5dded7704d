"""Free slots read from the database in a fixed number of queries; the département helper."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from secretariat.agenda.models import Appointment
from secretariat.agenda.queries import department_of_postal_code, free_slots_for
from secretariat.agenda.tests.factories import (
    AppointmentFactory,
    ScheduleExceptionFactory,
    WeeklyPeriodFactory,
    practice_with_schedule,
)
from secretariat.core.tests.factories import PractitionerFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
WEEK = (datetime(2026, 12, 7, tzinfo=PARIS), datetime(2026, 12, 14, tzinfo=PARIS))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(("postal_code", "department"), [
    ("69100", "69"),
    ("01000", "01"),
    ("75015", "75"),
    ("57000", "57"),
    ("20000", "2A"),  # Ajaccio
    ("20100", "2A"),  # Sartène
    ("20200", "2B"),  # Bastia
    ("20600", "2B"),  # Furiani
    ("97110", "971"),
    ("97400", "974"),
    ("97600", "976"),
    ("97133", "971"),  # Saint-Barthélemy's postal code is Guadeloupe's range
    (" 69003 ", "69"),
])
def test_department_of_postal_code(postal_code, department):
    assert department_of_postal_code(postal_code) == department


@pytest.mark.parametrize("postal_code", ["", "6910", "691000", "69 10", "2A000", "20300", "00100", None])
def test_department_of_an_unplaceable_postal_code_is_an_error(postal_code):
    with pytest.raises(ValueError, match="postal code"):
        department_of_postal_code(postal_code)


@pytest.mark.django_db
def test_free_slots_of_one_practitioner_skip_busy_time(personas):
    practice = practice_with_schedule(personas.practitioner)
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=at(7, 9, 20),
                       appointment_type=practice.consultation)
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=at(7, 9, 0),
                       appointment_type=practice.consultation, status=Appointment.Status.CANCELLED)

    slots = free_slots_for([personas.practitioner], appointment_type=practice.consultation, between=WEEK,
                           now=NOW, limit=4)

    assert [slot.start for slot in slots] == [at(7, 9, 0), at(7, 9, 40), at(7, 10, 0), at(7, 10, 20)]
    assert {(slot.practitioner, slot.site, slot.reserved) for slot in slots} == {
        (personas.practitioner, practice.site, False)}
    assert slots[0].end == at(7, 9, 20)


@pytest.mark.django_db
def test_free_slots_respect_types_holidays_and_exceptions(personas):
    practice = practice_with_schedule(personas.practitioner)
    ScheduleExceptionFactory(practitioner=personas.practitioner, day=at(7, 0).date(), start=time(9), end=time(12))

    ultrasound = free_slots_for([personas.practitioner], appointment_type=practice.ultrasound, between=WEEK,
                                now=NOW)
    consultation = free_slots_for([personas.practitioner], appointment_type=practice.consultation, between=WEEK,
                                  now=NOW, limit=1)

    assert ultrasound == []  # Monday closed, Tuesday for consultations only
    assert [slot.start for slot in consultation] == [at(8, 14)]
    christmas_week = (datetime(2026, 12, 21, tzinfo=PARIS), datetime(2027, 1, 1, tzinfo=PARIS))
    starts = {slot.start.date() for slot in free_slots_for(
        [personas.practitioner], appointment_type=practice.consultation, between=christmas_week, now=NOW,
        limit=100)}
    assert starts == {datetime(2026, 12, 21).date(), datetime(2026, 12, 22).date(),
                      datetime(2026, 12, 28).date(), datetime(2026, 12, 29).date()}


@pytest.mark.django_db
def test_reserved_periods_are_offered_to_urgent_requests_only(personas):
    practice = practice_with_schedule(personas.practitioner)
    WeeklyPeriodFactory(practitioner=personas.practitioner, site=practice.site, weekday=6, start=time(8),
                        end=time(9), reserved_for_urgent=True)
    sunday = (at(6, 0), at(7, 0))

    assert free_slots_for([personas.practitioner], appointment_type=practice.consultation, between=sunday,
                          now=NOW) == []
    urgent = free_slots_for([personas.practitioner], appointment_type=practice.consultation, between=sunday,
                            now=NOW, urgent=True)
    assert [(slot.start, slot.reserved) for slot in urgent] == [
        (at(6, 8), True), (at(6, 8, 20), True), (at(6, 8, 40), True)]


@pytest.mark.django_db
def test_free_slots_of_several_practitioners_are_merged_in_time_order(personas):
    practice = practice_with_schedule(personas.practitioner)
    WeeklyPeriodFactory(practitioner=personas.other_practitioner, site=practice.site, weekday=0, start=time(8),
                        end=time(9))
    practitioners = [personas.practitioner, personas.other_practitioner]

    slots = free_slots_for(practitioners, appointment_type=practice.consultation, between=WEEK, now=NOW, limit=5)

    assert [(slot.practitioner, slot.start) for slot in slots] == [
        (personas.other_practitioner, at(7, 8)),
        (personas.other_practitioner, at(7, 8, 20)),
        (personas.other_practitioner, at(7, 8, 40)),
        (personas.practitioner, at(7, 9)),
        (personas.practitioner, at(7, 9, 20)),
    ]


@pytest.mark.django_db
def test_practitioners_of_another_structure_are_ignored(personas):
    practice = practice_with_schedule(personas.practitioner)
    WeeklyPeriodFactory(practitioner=personas.other_structure_practitioner, weekday=0, start=time(8), end=time(9))

    slots = free_slots_for([personas.other_structure_practitioner], appointment_type=practice.consultation,
                           between=WEEK, now=NOW)

    assert slots == []


@pytest.mark.django_db
def test_free_slots_take_a_fixed_number_of_queries(personas, django_assert_num_queries):
    practice = practice_with_schedule(personas.practitioner)
    practitioners = [personas.practitioner]
    for number in range(6):
        practitioner = PractitionerFactory(structure=personas.structure)
        practitioners.append(practitioner)
        WeeklyPeriodFactory(practitioner=practitioner, site__structure=personas.structure, weekday=number % 5,
                            appointment_types=[practice.consultation])
        ScheduleExceptionFactory(practitioner=practitioner, day=at(10, 0).date(), start=time(10), end=time(11))
        AppointmentFactory(practitioner=practitioner, start=at(7 + number % 5, 9), appointment_type=practice.consultation)

    # the practitioners' rules for the type and their directives; periods, their appointment
    # types, exceptions; buffers, busy appointments, absences; the resources the type needs
    with django_assert_num_queries(9):
        slots = free_slots_for(practitioners, appointment_type=practice.consultation, between=WEEK, now=NOW,
                               limit=30)

    assert len(slots) == 30
    assert [slot.start for slot in slots] == sorted(slot.start for slot in slots)


def test_widening_the_search_step_by_step_finds_the_same_slots_as_one_search(personas, monkeypatch):
    from datetime import timedelta

    from secretariat.agenda import queries

    practice = practice_with_schedule(personas.practitioner)
    # Fill this Tuesday and next Monday and Tuesday: the answer needs the third window.
    for day, hour in [(1, 14), (1, 15), (1, 16), (7, 9), (7, 10), (7, 11), (8, 14), (8, 15), (8, 16)]:
        for minute in (0, 20, 40):
            AppointmentFactory(practitioner=personas.practitioner, site=practice.site,
                               appointment_type=practice.consultation, start=at(day, hour, minute))
    quarter = (NOW, NOW + timedelta(days=92))

    def search():
        return [(slot.start, slot.practitioner.pk) for slot in free_slots_for(
            [personas.practitioner], appointment_type=practice.consultation, between=quarter, now=NOW, limit=25)]

    stepwise = search()
    monkeypatch.setattr(queries, "SEARCH_HORIZONS", (None,))
    assert stepwise == search()
    assert len(stepwise) == 25
    assert stepwise[0][0] == at(14, 9)  # the first two weeks' periods are full or past
