"""A patient cancels by phone; the secretary cancels the appointment from the day view and is
shown at once who on the waiting list fits the freed slot, then books one in one click. Also:
the slot offered by SMS, accepted by the patient on a phone-size screen.

Visible labels are matched in French or English (the French catalogue may lag behind the
English msgids); structure is matched with ids, names and URLs.
"""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from secretariat.agenda import links
from secretariat.agenda import services_waiting as services
from secretariat.agenda.models import Appointment, SlotOffer, WaitingListEntry
from secretariat.agenda.tests.factories import (
    AdministrativeFileFactory,
    AppointmentFactory,
    ScheduleExceptionFactory,
    WaitingListEntryFactory,
    practice_with_schedule,
)
from secretariat.patients.tests.factories import PatientFactory

from .conftest import ARTIFACTS, log_in

PARIS = ZoneInfo("Europe/Paris")
PHONE = {"width": 390, "height": 844}


def opening(personas, practice, day: date) -> None:
    """Open the practitioner that day whatever its weekday (the test runs any day)."""
    ScheduleExceptionFactory(practitioner=personas.practitioner, site=practice.site, is_open=True, day=day,
                             start=time(9), end=time(12))


def a_waiting_patient(personas, practice, *, later_day: date, later_hour: int = 11, **names):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a], email="lucie@example.org",
                             **names)
    AdministrativeFileFactory(patient=patient)
    later = AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=patient,
                               appointment_type=practice.consultation,
                               start=datetime.combine(later_day, time(later_hour), tzinfo=PARIS))
    entry = WaitingListEntryFactory(patient=patient, appointment_type=practice.consultation,
                                    current_appointment=later, latest=later_day)
    return entry, later


def test_cancelling_shows_the_waiting_list_and_books_it_in_one_click(live_server, personas, page: Page) -> None:
    practice = practice_with_schedule(personas.practitioner)
    today = timezone.localdate()
    day, later_day = today + timedelta(days=7), today + timedelta(days=21)
    opening(personas, practice, day)
    opening(personas, practice, later_day)
    cancelled_patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                                       birth_name="DURAND", first_birth_first_name="PAUL")
    freed = AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=cancelled_patient,
                               appointment_type=practice.consultation,
                               start=datetime.combine(day, time(10), tzinfo=PARIS))
    entry, later = a_waiting_patient(personas, practice, later_day=later_day, birth_name="GARNIER",
                                     first_birth_first_name="LUCIE")

    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}{reverse('agenda:day')}?date={day.isoformat()}")
    page.click(f"#appt-{freed.pk}")
    cancel = page.locator("#agenda-panel a[href$='/annuler/']")
    cancel.click()
    page.locator("#agenda-panel .cancel-form").wait_for()
    page.check("#agenda-panel input[name=by][value=patient]")
    page.fill("#agenda-panel textarea[name=reason]", "Empêchement professionnel")
    with page.expect_navigation(url=re.compile(r"/agenda/creneau-libere/\d+/$")):
        page.click("#agenda-panel .cancel-form button[type=submit]")

    candidates = page.locator("table.candidates tbody tr")
    expect(candidates).to_have_count(1)
    expect(candidates.first).to_contain_text("GARNIER Lucie")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "waiting-freed-slot.png"), full_page=True)

    with page.expect_navigation(url=re.compile(r"/agenda/\?date=")):
        page.locator("table.candidates .book-form button").first.click()

    page.screenshot(path=str(ARTIFACTS / "waiting-booked.png"), full_page=True)
    expect(page.locator(".messages")).to_contain_text(re.compile("GARNIER Lucie"))
    booked = Appointment.objects.get(patient=entry.patient, status=Appointment.Status.BOOKED)
    assert (booked.start, booked.practitioner) == (freed.start, personas.practitioner)
    later.refresh_from_db()
    entry.refresh_from_db()
    assert (later.status, entry.status, entry.booked_appointment) == (
        Appointment.Status.CANCELLED, WaitingListEntry.Status.BOOKED, booked)
    expect(page.locator(f"#appt-{booked.pk}")).to_contain_text("GARNIER")


def test_the_slot_offered_by_sms_is_taken_by_the_patient_on_a_phone(live_server, personas, page: Page) -> None:
    practice = practice_with_schedule(personas.practitioner)
    today = timezone.localdate()
    day, later_day = today + timedelta(days=7), today + timedelta(days=21)
    opening(personas, practice, day)
    opening(personas, practice, later_day)
    start = datetime.combine(day, time(10), tzinfo=PARIS)
    entry, later = a_waiting_patient(personas, practice, later_day=later_day)
    other, _other_later = a_waiting_patient(personas, practice, later_day=later_day, later_hour=10)
    offers = services.offer_slot(entries=[entry, other], practitioner=personas.practitioner, site=practice.site,
                                 start=start, end=start + timedelta(minutes=20),
                                 acting_user=personas.secretary).offers

    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("agenda_public:offer", args=[links.make_token("offer", offers[0].pk)]))
    page.screenshot(path=str(ARTIFACTS / "waiting-offer-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("#accept-offer")
    expect(page.locator(".notice.success")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "waiting-offer-accepted.png"), full_page=True)

    page.goto(live_server.url + reverse("agenda_public:offer", args=[links.make_token("offer", offers[1].pk)]))
    expect(page.locator("#accept-offer")).to_have_count(0)
    expect(page.locator(".notice.warning")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "waiting-offer-taken.png"), full_page=True)

    assert Appointment.objects.get(start=start, status=Appointment.Status.BOOKED).patient == entry.patient
    assert sorted(SlotOffer.objects.values_list("status", flat=True)) == ["accepted", "taken"]


def test_an_absence_is_declared_and_its_appointments_moved_in_one_action(live_server, personas, page: Page) -> None:
    practice = practice_with_schedule(personas.practitioner)
    day = timezone.localdate() + timedelta(days=7)
    opening(personas, practice, day)
    opening(personas, practice, day + timedelta(days=1))
    booked = []
    for minute, name in ((0, "MARTIN"), (20, "BERNARD")):
        patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name=name,
                                 email=f"{name.lower()}@example.org")
        AdministrativeFileFactory(patient=patient)
        booked.append(AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=patient,
                                         appointment_type=practice.consultation,
                                         start=datetime.combine(day, time(9, minute), tzinfo=PARIS)))

    log_in(page, live_server, "alice")
    page.goto(live_server.url + reverse("agenda:absence_list"))
    with page.expect_navigation():
        page.keyboard.press("n")
    page.select_option("#id_practitioner", str(personas.practitioner.pk))
    page.fill("#id_start_day", day.strftime("%d/%m/%Y"))
    page.fill("#id_start_time", "00:00")
    page.fill("#id_end_day", day.strftime("%d/%m/%Y"))
    page.fill("#id_end_time", "23:59")
    page.fill("#id_reason", "Formation")
    with page.expect_navigation(url=re.compile(r"/agenda/absences/\d+/$")):
        page.click("form.waiting-form button[type=submit]")

    rows = page.locator("table.rebooking tbody tr")
    expect(rows).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / "absence-plan.png"), full_page=True)
    page.on("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click(".rebooking-form button[type=submit]")

    expect(page.locator(".summary .counts li").first).to_contain_text("2")
    page.screenshot(path=str(ARTIFACTS / "absence-result.png"), full_page=True)
    moved = [Appointment.objects.get(pk=item.pk) for item in booked]
    next_day = datetime.combine(day + timedelta(days=1), time(9), tzinfo=PARIS)
    assert [item.start for item in moved] == [next_day, next_day + timedelta(minutes=20)]


def test_a_series_is_previewed_then_booked(live_server, personas, page: Page) -> None:
    practice = practice_with_schedule(personas.practitioner)
    first = timezone.localdate() + timedelta(days=7)
    for week in range(3):
        opening(personas, practice, first + timedelta(days=7 * week))
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, appointment_type=practice.consultation,
                       start=datetime.combine(first + timedelta(days=7), time(10), tzinfo=PARIS))
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name="PETIT")

    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}{reverse('agenda:series_new')}?patient={patient.pk}")
    page.select_option("#id_practitioner", str(personas.practitioner.pk))
    page.select_option("#id_appointment_type", str(practice.consultation.pk))
    page.fill("#id_first_day", first.strftime("%d/%m/%Y"))
    page.fill("#id_at", "10:00")
    page.fill("#id_count", "3")
    with page.expect_navigation():
        page.click("button[value=preview]")
    expect(page.locator(".series-dates li")).to_have_count(3)
    expect(page.locator(".series-dates li.conflict")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "series-preview.png"), full_page=True)
    with page.expect_navigation(url=re.compile(r"/agenda/series/\d+/$")):
        page.click("button[value=book]")
    page.screenshot(path=str(ARTIFACTS / "series-detail.png"), full_page=True)

    starts = list(Appointment.objects.filter(patient=patient).order_by("start").values_list("start", flat=True))
    assert [start.astimezone(PARIS).strftime("%H:%M") for start in starts] == ["10:00", "09:40", "10:00"]  # as near before as after: the earlier
