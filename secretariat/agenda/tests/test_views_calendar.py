"""Day, week, month and list views: who sees which agenda, what a block shows, and a day view
built in a fixed number of queries whatever the number of practitioners."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from secretariat.agenda.models import Absence, Appointment, Resource, ResourceBooking
from secretariat.agenda.tests.factories import (
    AdministrativeFileFactory,
    AppointmentFactory,
    ScheduleExceptionFactory,
    WeeklyPeriodFactory,
    practice_with_schedule,
)
from secretariat.agenda.views_calendar import SESSION_KEY
from secretariat.core.tests.factories import CareTeamFactory, PractitionerFactory
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=PARIS)  # a Monday
MONDAY = NOW.date()

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_in_english(english):
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def practice(personas):
    return practice_with_schedule(personas.practitioner)


def at(hour: int, minute: int = 0, day=MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def book(personas, practice, start, **kwargs):
    kwargs.setdefault("patient", PatientFactory(structure=personas.structure))
    kwargs.setdefault("appointment_type", practice.consultation)
    return AppointmentFactory(practitioner=kwargs.pop("practitioner", personas.practitioner), site=practice.site,
                              start=start, **kwargs)


def day_page(client, user, query="date=2026-12-07", **headers):
    client.force_login(user)
    return client.get(f"/agenda/?{query}", headers=headers)


def blocks(response) -> dict[str, str]:
    """Appointment blocks of a page: id → class attribute."""
    found = re.findall(r'<a class="(appt [^"]*)" id="(appt-\d+)"', response.content.decode())
    return {ident: css for css, ident in found}


def column_heads(response) -> list[str]:
    return re.findall(r'<div class="col-head[^"]*">\s*<strong>([^<]+)</strong>', response.content.decode())


# Who sees what --------------------------------------------------------------------------

def test_secretary_sees_the_practitioners_of_her_care_team_and_their_appointments(client, personas, practice):
    appointment = book(personas, practice, at(9, 20), note="Renouvellement")
    book(personas, practice, at(10), practitioner=personas.other_practitioner)

    response = day_page(client, personas.secretary)

    assert response.status_code == 200
    assert column_heads(response) == [personas.practitioner.display_name]
    assert blocks(response) == {f"appt-{appointment.pk}": "appt h-9 f-4 lh-0 lf-4 lane-0 lanes-1 st-booked"}
    html = response.content.decode()
    assert appointment.patient.display_name in html
    assert "Renouvellement" in html
    assert '<time datetime="2026-12-07T09:20:00+01:00">09:20</time>' in html
    assert 'fill="#4a78b5"' in html  # the type's colour


def test_coordinator_sees_every_practitioner_of_the_structure(client, personas, practice):
    response = day_page(client, personas.coordinator)

    assert column_heads(response) == sorted(
        [personas.practitioner.display_name, personas.other_practitioner.display_name],
        key=lambda name: name.split()[-1])


def test_practitioner_sees_their_own_agenda(client, personas, practice):
    appointment = book(personas, practice, at(9))

    response = day_page(client, personas.practitioner_user)

    assert column_heads(response) == [personas.practitioner.display_name]
    assert f"appt-{appointment.pk}" in blocks(response)


@pytest.mark.parametrize("who", ["other_team_secretary", "other_structure_secretary", "other_structure_coordinator"])
def test_outsiders_see_neither_the_column_nor_the_patients(client, personas, practice, who):
    appointment = book(personas, practice, at(9))

    response = day_page(client, getattr(personas, who))

    assert response.status_code == 200
    assert personas.practitioner.display_name not in column_heads(response)
    assert appointment.patient.display_name not in response.content.decode()


def test_a_practitioner_id_outside_the_scope_is_ignored(client, personas, practice):
    book(personas, practice, at(9), practitioner=personas.other_practitioner)

    response = day_page(client, personas.secretary, f"practitioners={personas.other_practitioner.pk}")

    assert column_heads(response) == [personas.practitioner.display_name]


def test_accountant_has_no_agenda_and_anonymous_goes_to_the_login(client, personas):
    client.force_login(personas.accountant)
    assert client.get("/agenda/").status_code == 403
    client.logout()
    response = client.get("/agenda/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


# Selection, dates, toggles --------------------------------------------------------------

def test_the_choice_of_practitioners_is_remembered(client, personas, practice):
    third = PractitionerFactory(structure=personas.structure, last_name="Zèbre")
    personas.team_a.practitioners.add(third)

    chosen = day_page(client, personas.secretary, f"practitioners={third.pk}")
    assert client.session[SESSION_KEY] == [third.pk]
    later = client.get("/agenda/?date=2026-12-08")
    everyone = client.get("/agenda/?practitioners=")

    assert column_heads(chosen) == [third.display_name]
    assert column_heads(later) == [third.display_name]
    assert column_heads(everyone) == [personas.practitioner.display_name, third.display_name]
    assert client.session[SESSION_KEY] == []


def test_the_day_defaults_to_today_and_a_bad_date_too(client, personas, practice):
    appointment = book(personas, practice, at(9))

    for query in ("", "date=31/12/2026", "date=2026-02-30"):
        response = day_page(client, personas.secretary, query)
        assert response.context["day"] == MONDAY
        assert f"appt-{appointment.pk}" in blocks(response)


def test_cancelled_appointments_are_hidden_unless_asked_for(client, personas, practice):
    live = book(personas, practice, at(9))
    cancelled = book(personas, practice, at(9), status=Appointment.Status.CANCELLED, cancelled_at=NOW,
                     cancellation_reason="Empêchement")

    hidden = day_page(client, personas.secretary)
    shown = client.get("/agenda/?date=2026-12-07&cancelled=1")

    assert set(blocks(hidden)) == {f"appt-{live.pk}"}
    assert blocks(shown) == {
        f"appt-{live.pk}": "appt h-9 f-0 lh-0 lf-4 lane-0 lanes-2 st-booked",
        f"appt-{cancelled.pk}": "appt h-9 f-0 lh-0 lf-4 lane-1 lanes-2 st-cancelled",
    }


def test_previous_and_next_day_links_keep_the_display(client, personas, practice):
    response = day_page(client, personas.secretary, "date=2026-12-07&cancelled=1")

    assert response.context["previous_url"] == "/agenda/?date=2026-12-06&cancelled=1"
    assert response.context["next_url"] == "/agenda/?date=2026-12-08&cancelled=1"
    assert response.context["today_url"] == "/agenda/?cancelled=1"
    html = response.content.decode()
    for key in ("ArrowLeft", "ArrowRight", "t"):
        assert f'data-key="{key}"' in html


# What a block and a column show -----------------------------------------------------------

def test_flags_of_the_patient_and_of_the_appointment(client, personas, practice):
    patient = PatientFactory(structure=personas.structure)
    AdministrativeFileFactory(patient=patient, needs_interpreter=True, needs_mobility_access=True)
    flagged = book(personas, practice, at(9), patient=patient, is_first_visit=True, urgent=True)
    plain_patient = PatientFactory(structure=personas.structure)
    plain_patient.identity_status = "VALI"
    plain_patient.document_checked_at = NOW
    plain_patient.save()
    plain = book(personas, practice, at(10), patient=plain_patient)

    html = day_page(client, personas.secretary).content.decode()

    flagged_html = html[html.index(f'id="appt-{flagged.pk}"'):html.index(f'id="appt-{plain.pk}"')]
    plain_html = html[html.index(f'id="appt-{plain.pk}"'):]
    plain_html = plain_html[:plain_html.index("</a>")]
    for css in ("flag urgent", "flag first", "flag interpreter", "flag access", "flag identity"):
        assert css in flagged_html
    assert "reduced mobility or wheelchair" in flagged_html
    assert "flag" not in plain_html


def test_open_periods_closures_and_absences_are_drawn(client, personas, practice):
    ScheduleExceptionFactory(practitioner=personas.practitioner, day=MONDAY, start=time(11), end=time(12))
    Absence.objects.create(practitioner=personas.practitioner, start=at(14), end=at(18, 30), reason="Formation")

    response = day_page(client, personas.secretary)

    column = response.context["grid"].columns[0]
    assert [(shade.css, shade.kind) for shade in column.openings] == [("h-9 f-0 lh-2 lf-0", "open")]
    assert sorted((shade.css, shade.kind, shade.label) for shade in column.closures) == [
        ("h-11 f-0 lh-1 lf-0", "closure", ""), ("h-14 f-0 lh-4 lf-6", "absence", "Formation")]
    html = response.content.decode()
    assert '<div class="shade open h-9 f-0 lh-2 lf-0"' in html
    assert "Absent · Formation" in html


def test_a_public_holiday_is_said_in_the_column(client, personas):
    practice = practice_with_schedule(personas.practitioner)
    WeeklyPeriodFactory(practitioner=personas.practitioner, site=practice.site, weekday=4, start=time(9),
                        end=time(12))

    response = day_page(client, personas.secretary, "date=2026-12-25")

    assert response.context["grid"].columns[0].holiday is True
    assert response.context["grid"].columns[0].openings == []
    assert "Public holiday" in response.content.decode()


def test_the_axis_widens_for_an_early_appointment(client, personas, practice):
    WeeklyPeriodFactory(practitioner=personas.practitioner, site=practice.site, weekday=0, start=time(6),
                        end=time(7))
    book(personas, practice, at(6, 30))

    response = day_page(client, personas.secretary)

    assert 'class="agenda-grid from-6 to-20"' in response.content.decode()


def test_columns_per_resource(client, personas, practice):
    room = Resource.objects.create(structure=personas.structure, site=practice.site, name="Salle d'échographie")
    Resource.objects.create(structure=personas.structure, site=practice.site, name="Holter", kind="equipment")
    appointment = book(personas, practice, at(10), appointment_type=practice.ultrasound)
    ResourceBooking.objects.create(appointment=appointment, resource=room, start=appointment.start,
                                   end=appointment.end)

    response = day_page(client, personas.secretary, "date=2026-12-07&by=resource")

    assert column_heads(response) == ["Holter", "Salle d&#x27;échographie"]
    assert blocks(response) == {f"appt-{appointment.pk}": "appt h-10 f-0 lh-0 lf-6 lane-0 lanes-1 st-booked"}
    assert "data-move-url" not in response.content.decode()  # moving is done in the practitioners' view


def test_htmx_refresh_gets_the_grid_alone(client, personas, practice):
    appointment = book(personas, practice, at(9))

    response = day_page(client, personas.secretary, HX_Request="true", HX_Target="agenda-grid")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="agenda-grid"')
    assert "<html" not in html
    assert f"appt-{appointment.pk}" in html


# Speed: a fixed number of queries -------------------------------------------------------

def full_day(personas, practice, practitioners, *, per_practitioner=24):
    """Every practitioner works 08:00–20:00 and has ``per_practitioner`` appointments."""
    for practitioner in practitioners:
        WeeklyPeriodFactory(practitioner=practitioner, site=practice.site, weekday=0, start=time(8), end=time(20))
        Absence.objects.create(practitioner=practitioner, start=at(19, 40), end=at(20))
        for index in range(per_practitioner):
            patient = PatientFactory(structure=personas.structure)
            if index % 3 == 0:
                AdministrativeFileFactory(patient=patient, needs_interpreter=True)
            AppointmentFactory(practitioner=practitioner, site=practice.site, patient=patient,
                               appointment_type=practice.consultation,
                               start=at(8) + timedelta(minutes=25 * index), is_first_visit=index % 2 == 0)


def count_queries(client, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/agenda/?date=2026-12-07")
    assert response.status_code == 200
    return len(queries)


def test_day_view_of_ten_practitioners_takes_as_many_queries_as_one(client, personas, practice,
                                                                     django_assert_max_num_queries):
    team = [PractitionerFactory(structure=personas.structure) for _ in range(9)]
    personas.team_a.practitioners.add(*team)
    full_day(personas, practice, [personas.practitioner])
    client.force_login(personas.secretary)
    client.get(f"/agenda/?practitioners={personas.practitioner.pk}")
    one = count_queries(client, personas.secretary)

    full_day(personas, practice, team)
    client.get("/agenda/?practitioners=")
    with django_assert_max_num_queries(14):  # 14: the shell asks for urgent messages
        response = client.get("/agenda/?date=2026-12-07")

    assert len(response.context["grid"].columns) == 10
    assert len(response.context["grid"].blocks_in_order) == 240
    assert count_queries(client, personas.secretary) == one


# Week, month, list ----------------------------------------------------------------------

def test_week_view_has_a_column_per_day(client, personas, practice):
    tuesday = book(personas, practice, at(14, 20, day=MONDAY + timedelta(days=1)))
    client.force_login(personas.secretary)

    response = client.get("/agenda/semaine/?date=2026-12-09")

    grid = response.context["grid"]
    assert [column.day for column in grid.columns] == [MONDAY + timedelta(days=n) for n in range(7)]
    assert [block.appointment.pk for block in grid.columns[1].blocks] == [tuesday.pk]
    assert response.context["title"] == "Week of 7 December to 13 December 2026"
    assert response.context["next_url"] == "/agenda/semaine/?date=2026-12-16"


def test_week_view_stacks_several_practitioners(client, personas, practice):
    client.force_login(personas.coordinator)

    response = client.get("/agenda/semaine/?date=2026-12-07")

    assert [section[0] for section in response.context["sections"]] == sorted(
        [personas.practitioner, personas.other_practitioner], key=lambda p: p.last_name)
    assert [len(columns) for _practitioner, columns in response.context["sections"]] == [7, 7]


def test_month_view_counts_live_appointments_per_day_and_practitioner(client, personas, practice):
    book(personas, practice, at(9))
    book(personas, practice, at(10))
    book(personas, practice, at(11), status=Appointment.Status.CANCELLED, cancelled_at=NOW)
    book(personas, practice, at(9, day=MONDAY + timedelta(days=7)))
    client.force_login(personas.secretary)

    response = client.get("/agenda/mois/?date=2026-12-15")

    cells = {cell["day"]: cell for week in response.context["weeks"] for cell in week}
    assert cells[MONDAY]["counts"] == [(personas.practitioner, 2)]
    assert cells[MONDAY + timedelta(days=7)]["total"] == 1
    assert cells[MONDAY + timedelta(days=1)]["counts"] == []
    assert cells[MONDAY]["url"] == "/agenda/?date=2026-12-07"
    assert response.context["title"] == "December 2026"


def test_list_view_filters_and_paginates(client, personas, practice):
    arrived = book(personas, practice, at(9), status=Appointment.Status.ARRIVED)
    for index in range(60):  # ten half-hour ultrasounds a day, Tuesday to Saturday… and beyond
        day, slot = divmod(index, 10)
        book(personas, practice, at(8) + timedelta(days=1 + day % 6, minutes=30 * slot),
             appointment_type=practice.ultrasound)
    book(personas, practice, at(9), practitioner=personas.other_practitioner)  # another team
    client.force_login(personas.secretary)

    only_arrived = client.get("/agenda/liste/?date=2026-12-07&until=2026-12-13&status=arrived")
    ultrasounds = client.get(f"/agenda/liste/?date=2026-12-07&until=2026-12-13&type={practice.ultrasound.pk}")
    second_page = client.get(f"/agenda/liste/?date=2026-12-07&until=2026-12-13&type={practice.ultrasound.pk}&page=2")

    assert [row[0].pk for row in only_arrived.context["rows"]] == [arrived.pk]
    assert ultrasounds.context["page"].paginator.count == 60
    assert len(ultrasounds.context["rows"]) == 50
    assert len(second_page.context["rows"]) == 10
    everything = client.get("/agenda/liste/?date=2026-12-07&until=2026-12-13")
    assert {row.practitioner_id for row in everything.context["page"].object_list} == {personas.practitioner.pk}


def test_view_switcher_links_every_view_on_the_same_date(client, personas, practice):
    response = day_page(client, personas.secretary, "date=2026-12-09")

    assert [link["url"] for link in response.context["views"]] == [
        "/agenda/?date=2026-12-09", "/agenda/semaine/?date=2026-12-09", "/agenda/mois/?date=2026-12-09",
        "/agenda/liste/?date=2026-12-09"]


# Printable day list ---------------------------------------------------------------------

def test_print_page_lists_the_day_with_birth_date_phone_and_flags(client, personas, practice):
    patient = PatientFactory(structure=personas.structure, phone="0478000000")
    AdministrativeFileFactory(patient=patient, mobile_phone="0612345678", needs_interpreter=True)
    book(personas, practice, at(9, 40), patient=patient, note="Apporter l'ECG")
    book(personas, practice, at(10), status=Appointment.Status.CANCELLED, cancelled_at=NOW)
    client.force_login(personas.secretary)

    response = client.get("/agenda/impression/?date=2026-12-07")

    html = response.content.decode()
    assert response.status_code == 200
    assert [len(rows) for _practitioner, rows in response.context["sheets"]] == [1]
    assert "09:40–10:00" in html
    assert "14/07/1962" in html
    assert "06 12 34 56 78" in html
    assert "Interpreter needed" in html
    assert "Apporter l&#x27;ECG" in html


def test_pdf_of_the_day_list(client, personas, practice):
    book(personas, practice, at(9))
    client.force_login(personas.secretary)

    response = client.get("/agenda/impression/liste.pdf?date=2026-12-07")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="agenda-2026-12-07.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_other_team_prints_nothing_of_ours(client, personas, practice):
    appointment = book(personas, practice, at(9))
    client.force_login(personas.other_team_secretary)

    response = client.get(f"/agenda/impression/?date=2026-12-07&practitioners={personas.practitioner.pk}")

    assert appointment.patient.display_name not in response.content.decode()
    assert [practitioner for practitioner, _rows in response.context["sheets"]] == [personas.other_practitioner]


def test_a_new_team_member_sees_the_day_at_once(client, personas, practice):
    newcomer_team = CareTeamFactory(structure=personas.structure, members=[personas.other_team_secretary],
                                    practitioners=[personas.practitioner])
    appointment = book(personas, practice, at(9))

    response = day_page(client, personas.other_team_secretary)

    assert newcomer_team.pk
    assert f"appt-{appointment.pk}" in blocks(response)
