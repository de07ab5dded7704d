"""The booking screen: slots for the request, confirm panel with directives, booking and moving."""

from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine

from secretariat.agenda.models import Appointment, PractitionerDirectives
from secretariat.agenda.tests.factories import AppointmentFactory, practice_with_schedule
from secretariat.core.audit import AuditEvent
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)
TUESDAY_AFTERNOON = datetime(2026, 12, 1, 14, 0, tzinfo=PARIS)  # today, Tuesday 14:00–17:00

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def practice(personas):
    return practice_with_schedule(personas.practitioner)


@pytest.fixture
def patient(personas):
    return PatientFactory(structure=personas.structure, care_teams=[personas.team_a])


def submit(client, patient, practice, start, **extra):
    data = {"patient": patient.pk, "practitioner": practice.monday.practitioner_id,
            "appointment_type": practice.consultation.pk, "start": start.isoformat(), **extra}
    return client.post("/agenda/prendre-rdv/reserver/", data)


def test_the_screen_lists_the_next_free_slots_numbered_for_the_keyboard(client, personas, practice, patient):
    client.force_login(personas.secretary)
    response = client.get("/agenda/prendre-rdv/", {"patient": patient.pk})
    assert response.status_code == 200
    slots = response.context["slots"]
    assert [key for key, _slot in slots] == list("1234567890")
    # The consultation is chosen by default; this Tuesday afternoon comes first, 20 minutes apart.
    assert slots[0][1].start == TUESDAY_AFTERNOON
    assert slots[1][1].start == TUESDAY_AFTERNOON + timedelta(minutes=20)
    assert b'data-key="1"' in response.content


def test_preferences_narrow_the_slots(client, personas, practice, patient):
    client.force_login(personas.secretary)
    response = client.get("/agenda/prendre-rdv/", {"patient": patient.pk, "half_day": "am",
                                                   "appointment_type": practice.consultation.pk})
    starts = [slot.start for _key, slot in response.context["slots"]]
    assert starts[0] == MONDAY  # Tuesday afternoon skipped
    assert all(start.astimezone(PARIS).hour < 12 for start in starts)
    response = client.get("/agenda/prendre-rdv/", {"patient": patient.pk, "not_before": "2026-12-08",
                                                   "appointment_type": practice.consultation.pk})
    assert response.context["slots"][0][1].start == TUESDAY_AFTERNOON + timedelta(days=7)


def test_booking_from_the_confirm_panel(client, personas, practice, patient):
    client.force_login(personas.secretary)
    panel = client.get("/agenda/prendre-rdv/creneau/", {
        "patient": patient.pk, "practitioner": personas.practitioner.pk,
        "appointment_type": practice.consultation.pk, "start": MONDAY.isoformat()})
    assert panel.status_code == 200
    assert panel.context["violations"] == []

    response = submit(client, patient, practice, MONDAY, note="Douleur thoracique")

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/agenda/prendre-rdv/?" + urlencode({"patient": patient.pk,
                                                                       "booked": appointment.pk})
    assert (appointment.patient, appointment.start, appointment.note, appointment.booked_by) == (
        patient, MONDAY, "Douleur thoracique", personas.secretary)


def test_a_taken_slot_is_refused_with_the_reason_and_nothing_written(client, english, personas, practice,
                                                                     patient):
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=MONDAY,
                       appointment_type=practice.consultation)
    client.force_login(personas.secretary)
    response = submit(client, patient, practice, MONDAY)
    assert response.status_code == 409
    assert response.context["error"] == "This slot was just taken at another desk: choose another one."
    assert Appointment.objects.filter(patient=patient).count() == 0


def test_directives_are_shown_before_and_a_coordinator_overrides_with_a_reason(client, personas, practice, patient):
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, accepts_new_patients=False,
                                          instructions="Pas de nouveaux patients sauf urgence.")
    client.force_login(personas.secretary)
    panel = client.get("/agenda/prendre-rdv/creneau/", {
        "patient": patient.pk, "practitioner": personas.practitioner.pk,
        "appointment_type": practice.consultation.pk, "start": MONDAY.isoformat()})
    assert [violation.code for violation in panel.context["violations"]] == ["new_patients"]
    assert "Pas de nouveaux patients sauf urgence." in panel.content.decode()
    assert submit(client, patient, practice, MONDAY, override_reason="urgence").status_code == 409
    assert not Appointment.objects.exists()

    client.force_login(personas.coordinator)
    assert submit(client, patient, practice, MONDAY).status_code == 409
    assert submit(client, patient, practice, MONDAY, override_reason="Urgence vue avec le Dr").status_code == 302
    assert Appointment.objects.get().overridden_directives == ["new_patients"]
    assert AuditEvent.objects.filter(action="agenda.directives_overridden").count() == 1


def test_moving_from_the_screen(client, personas, practice, patient):
    appointment = AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=MONDAY,
                                     appointment_type=practice.consultation, patient=patient)
    client.force_login(personas.secretary)
    page = client.get("/agenda/prendre-rdv/", {"move": appointment.pk})
    assert page.context["patient"] == patient
    later = MONDAY + timedelta(hours=2)
    response = client.post("/agenda/prendre-rdv/reserver/", {
        "move": appointment.pk, "practitioner": personas.practitioner.pk,
        "appointment_type": practice.consultation.pk, "start": later.isoformat()})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == later
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("start", ["2026-02-30T09:00:00+01:00", "demain", "2026-12-07T09:00:00"])
def test_impossible_or_naive_times_are_refused(client, personas, practice, patient, start):
    client.force_login(personas.secretary)
    response = client.post("/agenda/prendre-rdv/reserver/", {
        "patient": patient.pk, "practitioner": personas.practitioner.pk,
        "appointment_type": practice.consultation.pk, "start": start})
    assert response.status_code == 404
    assert not Appointment.objects.exists()


def test_outsiders_cannot_book_for_a_patient_or_practitioner_they_do_not_work_with(client, personas, practice,
                                                                                   patient):
    client.force_login(personas.other_team_secretary)
    assert client.get("/agenda/prendre-rdv/", {"patient": patient.pk}).status_code == 404
    assert submit(client, patient, practice, MONDAY).status_code == 404
    client.force_login(personas.accountant)
    assert client.get("/agenda/prendre-rdv/").status_code == 403
    assert not Appointment.objects.exists()
