"""The day view a secretary keeps open all day: drag an appointment to another time or another
practitioner, see a refused drop come back to its place, move through the appointments with
the keyboard, mark a patient arrived from the panel, and look at the other views.

The clock is set to a Monday 08:00 (ticking), so the appointments are today and in the future.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from secretariat.agenda.models import Appointment, Resource, ResourceBooking
from secretariat.agenda.tests.factories import (
    AdministrativeFileFactory,
    AppointmentFactory,
    AppointmentTypeFactory,
    WeeklyPeriodFactory,
    practice_with_schedule,
)
from secretariat.core.tests.factories import PractitionerFactory
from secretariat.patients.tests.factories import PatientFactory

from .conftest import ARTIFACTS, log_in

PARIS = ZoneInfo("Europe/Paris")
SCREEN = {"width": 1440, "height": 900}
STEP_MINUTES = 5


def next_monday() -> datetime:
    today = datetime.now(PARIS).date() + timedelta(days=1)
    return datetime.combine(today + timedelta(days=(7 - today.weekday()) % 7), time(8), tzinfo=PARIS)


NOW = next_monday()
DAY = NOW.date()


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def day(live_server, clock, personas):
    """Two practitioners of Alice's team working Monday 08:00–12:30 and 14:00–18:00, a morning
    of appointments of several types, flags and statuses."""
    practice = practice_with_schedule(personas.practitioner)
    practice.ultrasound.colour = "#2f8f5b"
    practice.ultrasound.save()
    renewal = AppointmentTypeFactory(structure=personas.structure, code="renouvellement", label="Renouvellement",
                                     duration_minutes=15, colour="#b0641d")
    colleague = PractitionerFactory(structure=personas.structure, last_name="Lune", first_name="Claire",
                                    specialty="Médecine générale")
    personas.team_a.practitioners.add(colleague)
    for practitioner in (personas.practitioner, colleague):
        WeeklyPeriodFactory(practitioner=practitioner, site=practice.site, weekday=0, start=time(8),
                            end=time(12, 30))
        WeeklyPeriodFactory(practitioner=practitioner, site=practice.site, weekday=0, start=time(14),
                            end=time(18))
    names = iter(["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
                  "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL"])
    booked = {}

    def book(practitioner, start, appointment_type, **kwargs):
        patient = PatientFactory(structure=personas.structure, birth_name=next(names),
                                 care_teams=[personas.team_a], phone="0478000000")
        file_options = kwargs.pop("file", None)
        if file_options:
            AdministrativeFileFactory(patient=patient, **file_options)
        appointment = AppointmentFactory(practitioner=practitioner, site=practice.site, patient=patient,
                                         appointment_type=appointment_type, start=start,
                                         booked_by=personas.secretary, **kwargs)
        booked[patient.birth_name] = appointment
        return appointment

    book(personas.practitioner, at(8, 30), practice.consultation, status="seen")
    book(personas.practitioner, at(9), practice.consultation, status="arrived", is_first_visit=True)
    book(personas.practitioner, at(9, 20), practice.consultation, file={"needs_interpreter": True})
    book(personas.practitioner, at(10), practice.ultrasound, note="Apporter l'ordonnance")
    book(personas.practitioner, at(10, 30), renewal)
    book(personas.practitioner, at(11), practice.ultrasound, urgent=True,
         file={"needs_mobility_access": True})
    book(personas.practitioner, at(14, 20), practice.consultation)
    book(colleague, at(8, 15), renewal, status="missed")
    book(colleague, at(8, 45), practice.consultation)
    book(colleague, at(9, 30), practice.consultation, file={"needs_hearing_support": True})
    book(colleague, at(10, 15), practice.ultrasound, is_first_visit=True)
    book(colleague, at(11, 40), practice.consultation, status="cancelled", cancelled_at=NOW,
         cancellation_reason="Grippe")
    room = Resource.objects.create(structure=personas.structure, site=practice.site, name="Salle d'échographie")
    probe = Resource.objects.create(structure=personas.structure, site=practice.site, name="Échographe portable",
                                    kind="equipment")
    for name, resource in (("THOMAS", room), ("RICHARD", room), ("SIMON", probe)):
        appointment = booked[name]
        ResourceBooking.objects.create(appointment=appointment, resource=resource, start=appointment.start,
                                       end=appointment.end)
    return {"practice": practice, "colleague": colleague, "booked": booked}


def open_day(page: Page, live_server) -> None:
    page.set_viewport_size(SCREEN)
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/agenda/?date={DAY.isoformat()}")
    page.locator(".agenda-grid").wait_for()


def drag(page: Page, appointment: Appointment, *, column_index: int, hour: int, minute: int) -> None:
    """Press on the top of the block, move to the time in the column, release (5-minute snap)."""
    block = page.locator(f"#appt-{appointment.pk}")
    block.scroll_into_view_if_needed()
    box = block.bounding_box()
    column = page.locator(".day-col").nth(column_index).bounding_box()
    first_hour = int(page.locator(".agenda-grid").get_attribute("data-first-hour"))
    last_hour = int(page.locator(".agenda-grid").get_attribute("data-last-hour"))
    step = column["height"] / ((last_hour - first_hour) * 60 / STEP_MINUTES)
    steps = ((hour - first_hour) * 60 + minute) / STEP_MINUTES
    grab = 4
    mark_grid(page)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + grab)
    page.mouse.down()
    page.mouse.move(column["x"] + column["width"] / 2, column["y"] + steps * step + grab, steps=12)
    page.mouse.up()


def mark_grid(page: Page) -> None:
    """Tag the grid on screen: the one the server sends after a change comes without the tag."""
    page.locator("#agenda-grid").evaluate("grid => { grid.dataset.stale = 'yes'; }")


def toasts(page: Page) -> int:
    return page.locator("#toasts .message").count()


def wait_for_toast(page: Page, level: str, *, before: int) -> str:
    """The text of the toast that came after the ``before`` ones already shown; after a
    success, also wait for the server to redraw the grid (a new #agenda-grid element, see
    ``drag`` and ``mark_grid``)."""
    expect(page.locator("#toasts .message")).to_have_count(before + 1)
    toast = page.locator("#toasts .message").last
    expect(toast).to_have_class(re.compile(rf"\b{level}\b"))
    if level == "success":
        page.locator("#agenda-grid:not([data-stale])").wait_for(state="attached")
    return toast.inner_text()


def test_drag_and_drop_moves_an_appointment_and_a_refused_drop_comes_back(live_server, day, page) -> None:
    open_day(page, live_server)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "agenda_day.png"))
    interpreter = day["booked"]["DUBOIS"]  # Dr Cœur 09:20

    # Same practitioner, later the same morning.
    shown = toasts(page)
    drag(page, interpreter, column_index=0, hour=11, minute=35)
    assert "11:35" in wait_for_toast(page, "success", before=shown)
    interpreter.refresh_from_db()
    assert interpreter.start == at(11, 35)
    moved = page.locator(f"#appt-{interpreter.pk}")
    expect(moved.locator("time")).to_have_text("11:35")
    expect(moved).to_have_class(re.compile(r"\bh-11 f-7\b"))  # redrawn by the server after the move

    # Onto the colleague's column.
    shown = toasts(page)
    drag(page, interpreter, column_index=1, hour=11, minute=0)
    wait_for_toast(page, "success", before=shown)
    interpreter.refresh_from_db()
    assert (interpreter.practitioner, interpreter.start) == (day["colleague"], at(11))
    expect(page.locator(f".day-col[data-practitioner='{day['colleague'].pk}'] #appt-{interpreter.pk}")).to_be_visible()

    # Onto a taken time: refused, the block goes back where it was.
    echo = day["booked"]["THOMAS"]  # Dr Cœur 10:00–10:30
    classes_before = page.locator(f"#appt-{echo.pk}").get_attribute("class")
    shown = toasts(page)
    drag(page, echo, column_index=0, hour=11, minute=5)
    error = wait_for_toast(page, "error", before=shown)
    assert error in ("Ce créneau vient d'être pris à un autre poste : choisissez-en un autre.",
                     "This slot was just taken at another desk: choose another one.")
    echo.refresh_from_db()
    assert (echo.start, echo.practitioner_id) == (at(10), echo.practitioner_id)
    block = page.locator(f"#appt-{echo.pk}")
    assert block.get_attribute("class") == classes_before
    assert block.locator("time").inner_text() == "10:00"
    assert block.evaluate("element => element.closest('.day-col').dataset.practitioner") == str(
        echo.practitioner_id)
    page.screenshot(path=str(ARTIFACTS / "agenda_day_after_moves.png"))


def test_keyboard_moves_through_the_day_and_marks_a_patient_arrived(live_server, day, page) -> None:
    open_day(page, live_server)
    ordered = sorted((a for a in day["booked"].values() if a.status != "cancelled"),
                     key=lambda a: (a.start, a.practitioner.last_name != "Cœur"))

    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"appt-{ordered[0].pk}"
    for _ in range(3):
        page.keyboard.press("j")
    page.keyboard.press("k")
    third = ordered[2]
    assert page.evaluate("document.activeElement.id") == f"appt-{third.pk}"

    page.keyboard.press("Enter")
    panel = page.locator("#agenda-panel .panel")
    panel.wait_for()
    assert third.patient.display_name in panel.locator("h2").inner_text()
    page.screenshot(path=str(ARTIFACTS / "agenda_panel.png"))

    shown = toasts(page)
    mark_grid(page)
    page.keyboard.press("a")  # "Arrivé"
    wait_for_toast(page, "success", before=shown)
    third.refresh_from_db()
    assert third.status == Appointment.Status.ARRIVED
    expect(page.locator(f"#appt-{third.pk}")).to_have_class(re.compile(r"\bst-arrived\b"))

    page.keyboard.press("Escape")
    assert page.locator("#agenda-panel .panel").count() == 0

    with page.expect_navigation():
        page.keyboard.press("ArrowRight")
    assert page.url.endswith(f"date={(DAY + timedelta(days=1)).isoformat()}")
    with page.expect_navigation():
        page.keyboard.press("t")
    assert page.locator(".agenda-head h1").inner_text().lower().startswith("lundi")


def test_the_other_views_and_the_printed_list(live_server, day, page) -> None:
    open_day(page, live_server)
    for name, path in (("week", "semaine/"), ("month", "mois/"), ("list", "liste/"), ("print", "impression/")):
        page.goto(f"{live_server.url}/agenda/{path}?date={DAY.isoformat()}")
        page.locator("main h1").wait_for()
        page.screenshot(path=str(ARTIFACTS / f"agenda_{name}.png"), full_page=name != "week")
    assert page.locator(".sheet").count() == 2
    page.goto(f"{live_server.url}/agenda/?date={DAY.isoformat()}&by=resource")
    page.screenshot(path=str(ARTIFACTS / "agenda_resources.png"))
    page.goto(f"{live_server.url}/agenda/rdv/{day['booked']['RICHARD'].pk}/")
    page.screenshot(path=str(ARTIFACTS / "agenda_appointment_page.png"), full_page=True)
    page.goto(f"{live_server.url}/agenda/rdv/{day['booked']['RICHARD'].pk}/annuler/")
    page.click(".cancel-form button[type=submit]")  # no reason: refused, nothing written
    page.locator(".cancel-form .errors").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "agenda_cancel_refused.png"), full_page=True)
    assert Appointment.objects.get(pk=day["booked"]["RICHARD"].pk).status == Appointment.Status.BOOKED
