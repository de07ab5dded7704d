"""The demo agenda of seed_demo: plausible, never double-booked, inside the periods, and with
statuses that match the clock.

Seeded once for the module at a fixed instant (24 March 2026, 10:30 in Paris) so the three
months cover a change to summer time (29 March), Easter Monday, 1 and 8 May and Ascension;
everything is rolled back at the end.
"""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from secretariat.agenda import demo
from secretariat.agenda.models import (
    Absence,
    AgendaSettings,
    Appointment,
    AppointmentSeries,
    AppointmentType,
    ExternalAppointment,
    PractitionerDirectives,
    Resource,
    ResourceBooking,
    ScheduleException,
    TypeDirective,
    WaitingListEntry,
    WeeklyPeriod,
)
from secretariat.agenda.queries import site_schedules
from secretariat.agenda.rules.holidays import holidays_between
from secretariat.agenda.rules.periods import open_intervals
from secretariat.core.models import CareTeam, Structure

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 24, 10, 30, tzinfo=PARIS)
FIRST, LAST = date(2026, 2, 21), date(2026, 5, 24)  # 31 days before, 61 days after
S = Appointment.Status
AGENDA_MODELS = [AppointmentType, WeeklyPeriod, ScheduleException, Absence, PractitionerDirectives, TypeDirective,
                 AgendaSettings, Resource, Appointment, ResourceBooking, AppointmentSeries, WaitingListEntry,
                 ExternalAppointment]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in AGENDA_MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        appointments = list(Appointment.objects.select_related("appointment_type", "practitioner", "site"))
        yield appointments
        transaction.set_rollback(True)


@pytest.fixture
def appointments(seeded, db):
    return seeded


def live(appointments):
    return [a for a in appointments if a.status != S.CANCELLED]


def test_catalogue_settings_and_directives(appointments):
    structure = Structure.objects.get()
    assert set(AppointmentType.objects.values_list("code", flat=True)) == {code for code, *_ in demo.TYPES}
    assert WeeklyPeriod.objects.count() == sum(len(weekdays) for _, _, weekdays, *_ in demo.WEEK) == 54
    assert WeeklyPeriod.objects.filter(reserved_for_urgent=True, release_before=timedelta(hours=2)).count() == 15
    # The doctors keep Wednesday afternoon free.
    assert not WeeklyPeriod.objects.filter(weekday=2, start__gte=time(13)).exclude(
        practitioner__care_teams__name="Kinésithérapie").exists()
    types = {kind.code: kind for kind in AppointmentType.objects.prefetch_related("resources")}
    assert types["teleconsultation"].mode == AppointmentType.Mode.TELECONSULTATION
    assert types["visite-domicile"].mode == AppointmentType.Mode.HOME_VISIT
    assert (types["consultation"].duration_minutes, types["premiere-consultation"].duration_minutes,
            types["renouvellement"].duration_minutes, types["echographie"].duration_minutes,
            types["kinesitherapie"].duration_minutes) == (20, 30, 15, 30, 30)
    assert [resource.name for resource in types["echographie"].resources.all()] == ["Échographe"]
    assert {code for code, kind in types.items() if kind.bookable_online} >= {"consultation", "teleconsultation"}
    settings = AgendaSettings.for_structure(structure.pk)
    assert settings.pk is not None
    assert (settings.reminder_hours, settings.online_booking_enabled, settings.video_base_url) == (
        [48, 2], True, "https://visio.example.org/")
    assert PractitionerDirectives.objects.count() == 4
    assert TypeDirective.objects.get(appointment_type__code="echographie").max_per_half_day == 2
    assert Absence.objects.get().end - Absence.objects.get().start == timedelta(days=7)


def test_counts_and_fill(appointments):
    assert 3000 < len(appointments) < 4500
    assert AppointmentSeries.objects.count() == 5
    assert Counter(entry.status for entry in WaitingListEntry.objects.all()) == {"waiting": 5, "withdrawn": 1}
    assert ExternalAppointment.objects.count() == len(demo.EXTERNAL)
    statuses = Counter(a.status for a in appointments)
    assert set(statuses) >= {S.SEEN, S.MISSED, S.CANCELLED, S.BOOKED, S.EXCUSED_LATE}
    past = [a for a in appointments if a.end <= NOW]
    assert 0.03 < statuses[S.MISSED] / len(past) < 0.08
    # Ordinary periods: the next two months about 70 % booked, the past month nearly full.
    future, history = _occupancy(appointments, after=True), _occupancy(appointments, after=False)
    assert 0.62 < future < 0.78, future
    assert 0.8 < history < 0.95, history


def _occupancy(appointments, *, after: bool) -> float:
    """Share of the ordinary open time (not reserved for urgent requests) that is booked."""
    open_time = booked = timedelta(0)
    entries = site_schedules(list({a.practitioner_id for a in appointments}), first_day=FIRST, last_day=LAST)
    for entry in entries:
        spans = set()
        for code in {code for period in entry.periods for code in period.type_codes}:
            spans.update((start, end) for start, end, _ in open_intervals(
                entry.periods, entry.exceptions, set(entry.holidays), start=FIRST, end=LAST, tz=PARIS,
                type_code=code, urgent=False, now=datetime(2000, 1, 1, tzinfo=UTC)) if (start >= NOW) == after)
        open_time += sum((end - start for start, end in spans), timedelta(0))
        booked += sum((a.end - a.start for a in live(appointments) if a.practitioner_id == entry.practitioner_id
                       and a.site_id == entry.site.pk and any(s <= a.start < e for s, e in spans)), timedelta(0))
    return booked / open_time


def test_no_practitioner_patient_or_resource_is_double_booked(appointments):
    by_practitioner, by_patient = defaultdict(list), defaultdict(list)
    for a in live(appointments):
        by_practitioner[a.practitioner_id].append((a.start, a.end + a.appointment_type.buffer_after))
        by_patient[a.patient_id].append((a.start, a.end))
    for intervals in [*by_practitioner.values(), *by_patient.values()]:
        intervals.sort()
        assert all(end <= following for (_, end), (following, _) in zip(intervals, intervals[1:], strict=False))
    bookings = sorted(ResourceBooking.objects.filter(is_live=True).values_list("start", "end"))
    assert len(bookings) == sum(1 for a in live(appointments) if a.appointment_type.code == "echographie")
    assert all(end <= following for (_, end), (following, _) in zip(bookings, bookings[1:], strict=False))


def test_every_appointment_lies_in_an_open_period_of_its_type(appointments):
    """Inside a period of its practitioner, site and type (never on a holiday, never in a
    closure) — except the three booked before the cardiologist's leave, waiting to be moved."""
    absence = Absence.objects.get()
    schedules = {(entry.practitioner_id, entry.site.pk): entry for entry in site_schedules(
        list({a.practitioner_id for a in appointments}), first_day=FIRST, last_day=LAST)}
    intervals = {}
    outside = []
    for a in appointments:
        key = (a.practitioner_id, a.site_id, a.appointment_type.code)
        if key not in intervals:
            entry = schedules[key[:2]]
            intervals[key] = [(start, end) for start, end, _ in open_intervals(
                entry.periods, entry.exceptions, set(entry.holidays), start=FIRST, end=LAST, tz=PARIS,
                type_code=key[2], urgent=True, now=datetime(2000, 1, 1, tzinfo=UTC))]
        if not any(start <= a.start and a.end <= end for start, end in intervals[key]):
            outside.append(a)
        assert FIRST <= a.start.astimezone(PARIS).date() <= LAST
    assert outside == []
    in_leave = [a for a in live(appointments) if a.practitioner_id == absence.practitioner_id
                and a.start < absence.end and absence.start < a.end]
    assert len(in_leave) == 3
    assert {a.status for a in in_leave} == {S.BOOKED}
    holidays = set(holidays_between(FIRST, LAST, department="69"))
    assert holidays >= {date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 14)}
    assert not [a for a in appointments if a.start.astimezone(PARIS).date() in holidays]
    # Summer time from 29 March: a 08:30 period still starts at 08:30 on the wall clock.
    assert {a.start.astimezone(PARIS).time() for a in appointments if a.practitioner.last_name == "Bernard"
            and a.start.astimezone(PARIS).date() in (date(2026, 3, 23), date(2026, 3, 30))} >= {time(8, 30)}


def test_statuses_match_the_clock(appointments):
    for a in appointments:
        assert a.booked_at <= min(a.start, NOW), a
        if a.status in (S.SEEN, S.MISSED, S.EXCUSED_LATE):
            assert a.end <= NOW, a
            assert a.status_changed_at <= NOW, a
        # The desk's demo, seeded after, checks a few patients in early and leaves one late.
        elif a.status == S.ARRIVED:
            assert a.start - timedelta(hours=1) <= NOW < a.end, a
        elif a.status == S.BOOKED:
            assert a.start > NOW - timedelta(minutes=30), a
            assert a.status_changed_at is None, a
        else:
            assert a.booked_at <= a.cancelled_at <= min(a.start, NOW), a
            assert a.cancellation_reason, a
            assert a.cancelled_by_patient is not None, a
        if a.status != S.CANCELLED:
            assert a.cancelled_at is None
            assert a.cancellation_reason == ""
        if a.confirmed_by_patient_at is not None:
            assert a.booked_at <= a.confirmed_by_patient_at <= min(a.start, NOW), a


def test_appointments_fit_their_type_team_and_quotas(appointments):
    teams = {team.practitioners.get().pk: set(team.patients.values_list("pk", flat=True))
             for team in CareTeam.objects.all()}
    per_half_day = Counter()
    for a in appointments:
        assert a.end - a.start == a.appointment_type.duration
        assert a.patient_id in teams[a.practitioner_id]  # the practitioner's care team sees the patient
        is_video = a.appointment_type.mode == AppointmentType.Mode.TELECONSULTATION
        assert a.video_room_url.startswith("https://visio.example.org/tilleuls-") == is_video
        assert (a.channel == Appointment.Channel.ONLINE) == (a.booked_by_id is None)
        if a.channel == Appointment.Channel.ONLINE:
            assert a.appointment_type.bookable_online
        if a.is_first_visit:
            assert a.appointment_type.code in {"premiere-consultation", "bilan-kine"}
        if a.status != S.CANCELLED:
            local = a.start.astimezone(PARIS)
            per_half_day[(a.appointment_type.code, local.date(), local.hour < 12)] += 1
    assert max(n for (code, *_), n in per_half_day.items() if code == "echographie") == 2
    series = AppointmentSeries.objects.prefetch_related("appointments")
    assert all(7 <= len(s.appointments.all()) <= 10 for s in series)
    entries = WaitingListEntry.objects.select_related("current_appointment")
    assert all(e.current_appointment.status == S.BOOKED and e.latest < e.current_appointment.start.date()
               for e in entries)


def test_seeding_twice_changes_nothing(appointments):
    before = counts()
    call_command("seed_demo", stdout=StringIO())
    structure = Structure.objects.get()
    teams = {key: CareTeam.objects.get(name=name) for key, name in [
        ("general", "Médecine générale"), ("cardiology", "Cardiologie"), ("imaging", "Imagerie"),
        ("physio", "Kinésithérapie")]}
    assert demo.seed(structure, teams=teams, users={}) == {}
    assert counts() == before
