"""Reads behind the agenda screens: positions on the 5-minute grid, side-by-side lanes, open
periods, closures and absences per column, counts per day, flags."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404
from django.utils import translation

from secretariat.agenda.models import Absence, Appointment
from secretariat.agenda.queries_calendar import (
    Axis,
    appointment_for_panel,
    appointment_list,
    day_sheets,
    flags_of,
    month_counts,
    position,
    practitioner_grid,
    safe_colour,
)
from secretariat.agenda.tests.factories import (
    AdministrativeFileFactory,
    AppointmentFactory,
    ScheduleExceptionFactory,
    WeeklyPeriodFactory,
    practice_with_schedule,
)
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=PARIS)
MONDAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen_in_english():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


# Pure positions --------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "css"), [
    (9 * 60, 9 * 60 + 20, "h-9 f-0 lh-0 lf-4"),
    (9 * 60 + 20, 9 * 60 + 40, "h-9 f-4 lh-0 lf-4"),
    (14 * 60 + 55, 16 * 60 + 5, "h-14 f-11 lh-1 lf-2"),
    (10 * 60 + 2, 10 * 60 + 9, "h-10 f-0 lh-0 lf-2"),  # off-grid: starts on its step, rounds the length up
    (10 * 60, 10 * 60, "h-10 f-0 lh-0 lf-1"),  # never less than one step
    (23 * 60 + 30, 24 * 60, "h-23 f-6 lh-0 lf-6"),
    (0, 24 * 60, "h-0 f-0 lh-24 lf-0"),
])
def test_position_on_the_five_minute_grid(start, end, css):
    assert position(start, end) == css


def test_the_axis_widens_to_whole_hours_only():
    assert Axis().css == "from-7 to-20"
    assert Axis().widened(6 * 60 + 30, 12 * 60).css == "from-6 to-20"
    assert Axis().widened(9 * 60, 20 * 60 + 1).css == "from-7 to-21"
    assert Axis().widened(9 * 60, 20 * 60).hours == list(range(7, 20))


def test_colours_other_than_hex_fall_back_to_the_default():
    assert safe_colour("#A0b1C2") == "#A0b1C2"
    assert safe_colour('red" onclick="x') == "#4a78b5"
    assert safe_colour("") == "#4a78b5"


# Grids -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_overlapping_blocks_share_the_width_and_others_keep_it(personas):
    practice = practice_with_schedule(personas.practitioner)

    def book(start, **kwargs):
        return AppointmentFactory(practitioner=personas.practitioner, site=practice.site,
                                  patient=PatientFactory(structure=personas.structure),
                                  appointment_type=practice.ultrasound, start=start, **kwargs)

    cancelled_early = book(at(9), status="cancelled", cancelled_at=NOW)
    live = book(at(9, 10))
    cancelled_late = book(at(9, 20), status="cancelled", cancelled_at=NOW)
    alone = book(at(11))

    grid = practitioner_grid([personas.practitioner], [MONDAY], include_cancelled=True)

    lanes = {block.appointment.pk: (block.lane, block.lanes) for block in grid.columns[0].blocks}
    assert lanes == {cancelled_early.pk: (0, 3), live.pk: (1, 3), cancelled_late.pk: (2, 3), alone.pk: (0, 1)}
    assert [block.appointment.pk for block in grid.blocks_in_order] == [
        cancelled_early.pk, live.pk, cancelled_late.pk, alone.pk]
    assert [block.seq for block in grid.blocks_in_order] == [0, 1, 2, 3]


@pytest.mark.django_db
def test_columns_carry_openings_reserved_periods_closures_and_absences(personas):
    practice = practice_with_schedule(personas.practitioner)
    WeeklyPeriodFactory(practitioner=personas.practitioner, site=practice.site, weekday=0, start=time(17),
                        end=time(18), reserved_for_urgent=True)
    ScheduleExceptionFactory(practitioner=personas.practitioner, day=MONDAY, start=time(10), end=time(10, 30))
    Absence.objects.create(practitioner=personas.practitioner, start=at(16, 0, MONDAY - timedelta(days=1)),
                           end=at(9, 30), reason="Congrès")

    grid = practitioner_grid([personas.practitioner], [MONDAY, MONDAY + timedelta(days=1)])

    monday, tuesday = grid.columns
    assert [(shade.css, shade.reserved) for shade in monday.openings] == [
        ("h-9 f-0 lh-1 lf-0", False), ("h-10 f-6 lh-1 lf-6", False), ("h-17 f-0 lh-1 lf-0", True)]
    assert sorted((shade.kind, shade.css) for shade in monday.closures) == [
        ("absence", "h-0 f-0 lh-9 lf-6"), ("closure", "h-10 f-0 lh-0 lf-6")]
    assert [shade.css for shade in tuesday.openings] == ["h-14 f-0 lh-3 lf-0"]  # consultations only: shaded too
    assert tuesday.closures == []
    assert grid.axis.css == "from-0 to-20"  # the absence starts the day before: the axis shows it


@pytest.mark.django_db
def test_a_day_of_daylight_saving_change_keeps_wall_clock_positions(personas):
    practice = practice_with_schedule(personas.practitioner)
    change = date(2026, 10, 25)  # a Sunday: 03:00 summer time becomes 02:00
    WeeklyPeriodFactory(practitioner=personas.practitioner, site=practice.site, weekday=6, start=time(9),
                        end=time(12))
    appointment = AppointmentFactory(practitioner=personas.practitioner, site=practice.site,
                                     patient=PatientFactory(structure=personas.structure),
                                     appointment_type=practice.consultation, start=at(10, 0, change))

    grid = practitioner_grid([personas.practitioner], [change])

    assert [shade.css for shade in grid.columns[0].openings] == ["h-9 f-0 lh-3 lf-0"]
    assert [(block.appointment.pk, block.css) for block in grid.columns[0].blocks] == [
        (appointment.pk, "h-10 f-0 lh-0 lf-4")]


@pytest.mark.django_db
def test_grid_with_no_practitioner_is_empty():
    grid = practitioner_grid([], [MONDAY])

    assert (grid.columns, grid.blocks_in_order, grid.axis.css) == ([], [], "from-7 to-20")


# Flags, counts, lists --------------------------------------------------------------------

@pytest.mark.django_db
def test_flags_come_from_the_appointment_and_the_patient(personas):
    practice = practice_with_schedule(personas.practitioner)
    with_file = PatientFactory(structure=personas.structure)
    AdministrativeFileFactory(patient=with_file, needs_interpreter=True, needs_hearing_support=True,
                              needs_sight_support=True)
    without_file = PatientFactory(structure=personas.structure)
    first = AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=with_file,
                               appointment_type=practice.consultation, start=at(9), urgent=True)
    second = AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=without_file,
                                appointment_type=practice.consultation, start=at(10), is_first_visit=True)

    blocks = {block.appointment.pk: block.flags for block in practitioner_grid([personas.practitioner],
                                                                                [MONDAY]).blocks_in_order}

    assert blocks[first.pk].interpreter is True
    assert blocks[first.pk].urgent is True
    assert blocks[first.pk].accessibility == ("hearing impairment", "visual impairment")
    assert blocks[first.pk].identity_not_validated is True
    assert (blocks[second.pk].interpreter, blocks[second.pk].accessibility, blocks[second.pk].first_visit) == (
        False, (), True)
    assert flags_of(Appointment.objects.select_related("patient").get(pk=second.pk)) == blocks[second.pk]


@pytest.mark.django_db
def test_month_counts_group_live_appointments_by_local_date(personas):
    practice = practice_with_schedule(personas.practitioner)
    for start, status in ((at(9), "booked"), (at(9, 20), "seen"), (at(9, 40), "cancelled"),
                          (at(0, 30, MONDAY + timedelta(days=1)), "booked")):
        AppointmentFactory(practitioner=personas.practitioner, site=practice.site, status=status,
                           cancelled_at=NOW if status == "cancelled" else None,
                           patient=PatientFactory(structure=personas.structure),
                           appointment_type=practice.consultation, start=start)

    counts = month_counts([personas.practitioner.pk], first_day=date(2026, 12, 1), last_day=date(2026, 12, 31))

    # 00:30 on Tuesday in Paris is still Monday in UTC: counted on the local date.
    assert counts == {MONDAY: {personas.practitioner.pk: 2}, MONDAY + timedelta(days=1): {personas.practitioner.pk: 1}}


@pytest.mark.django_db
def test_lists_and_sheets_are_scoped_to_the_user(personas):
    practice = practice_with_schedule(personas.practitioner)
    ours = AppointmentFactory(practitioner=personas.practitioner, site=practice.site,
                              patient=PatientFactory(structure=personas.structure),
                              appointment_type=practice.consultation, start=at(9))
    theirs = AppointmentFactory(practitioner=personas.other_practitioner, site=practice.site,
                                patient=PatientFactory(structure=personas.structure),
                                appointment_type=practice.consultation, start=at(9))

    listed = appointment_list(personas.secretary, first_day=MONDAY, last_day=MONDAY)
    smuggled = appointment_list(personas.secretary, first_day=MONDAY, last_day=MONDAY,
                                practitioner_ids=[personas.other_practitioner.pk])

    assert [appointment.pk for appointment in listed] == [ours.pk]
    assert list(smuggled) == []
    assert appointment_for_panel(personas.secretary, ours.pk) == ours
    with pytest.raises(Http404):
        appointment_for_panel(personas.secretary, theirs.pk)
    assert [(practitioner, [row[0].pk for row in rows]) for practitioner, rows in
            day_sheets([personas.practitioner], MONDAY)] == [(personas.practitioner, [ours.pk])]
