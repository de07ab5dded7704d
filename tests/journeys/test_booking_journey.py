"""On the phone: the patient is found, then the appointment is booked in three keystrokes."""

from datetime import date, timedelta

from playwright.sync_api import Page

from secretariat.agenda.models import Appointment
from secretariat.agenda.tests.factories import WeeklyPeriodFactory, practice_with_schedule
from secretariat.patients.tests.factories import PatientFactory

from .conftest import ARTIFACTS, log_in


def test_booking_from_a_phone_call_in_three_keystrokes_after_finding_the_patient(
        live_server, personas, page: Page) -> None:
    practice = practice_with_schedule(personas.practitioner)
    for weekday in range(5):  # open every weekday so that the test does not depend on today
        WeeklyPeriodFactory(practitioner=personas.practitioner, site=practice.site, weekday=weekday,
                            start=practice.monday.start.replace(hour=14), end=practice.monday.end.replace(hour=18))
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                             birth_name="Garnier", first_birth_first_name="Lucie", birth_date=date(1975, 3, 12))
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/patients/{patient.pk}/")

    keystrokes = 0

    def press(key: str) -> None:
        nonlocal keystrokes
        keystrokes += 1
        page.keyboard.press(key)

    with page.expect_navigation():
        press("r")  # book an appointment for this patient
    first_slot = page.locator("#slots a.slot").first
    first_slot.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "booking-screen.png"), full_page=True)
    slot_text = first_slot.inner_text()
    with page.expect_navigation():
        press("1")  # the first slot the patient accepts
    page.locator(".confirm-panel").wait_for()
    page.screenshot(path=str(ARTIFACTS / "booking-confirm.png"), full_page=True)
    with page.expect_navigation():
        press("Enter")  # book

    assert keystrokes == 3
    page.locator(".booked").wait_for()
    page.screenshot(path=str(ARTIFACTS / "booking-done.png"), full_page=True)
    appointment = Appointment.objects.get()
    assert appointment.patient == patient
    assert appointment.booked_by == personas.secretary
    assert appointment.start.astimezone().strftime("%H:%M") in slot_text
    assert appointment.start - appointment.end == -timedelta(minutes=20)
    assert "Rendez-vous pris" in page.locator(".messages").inner_text()
