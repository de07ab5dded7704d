"""The appointment panel and its actions: status, cancellation with a reason, move (form and
drag and drop). Refused ⇒ nothing written; outsiders get 404."""

import json
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from secretariat.agenda.models import (
    Appointment,
    AppointmentMessage,
    AppointmentSeries,
    PractitionerDirectives,
)
from secretariat.agenda.tests.factories import (
    AppointmentFactory,
    WeeklyPeriodFactory,
    practice_with_schedule,
)
from secretariat.agenda.views_calendar import url_or_none
from secretariat.core.audit import AuditEvent
from secretariat.messaging.models import OutboundMessage
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=PARIS)  # a Monday; the practice works 09:00–12:00
MONDAY = NOW.date()
HTMX_PANEL = {"HX-Request": "true", "HX-Target": "agenda-panel"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_in_english(english):
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def practice(personas):
    return practice_with_schedule(personas.practitioner)


@pytest.fixture
def appointment(personas, practice):
    return AppointmentFactory(practitioner=personas.practitioner, site=practice.site,
                              patient=PatientFactory(structure=personas.structure),
                              appointment_type=practice.consultation, start=at(9, 20),
                              booked_by=personas.secretary, note="Apporter les résultats")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(MONDAY, time(hour, minute), tzinfo=PARIS)


def snapshot(appointment) -> tuple:
    appointment.refresh_from_db()
    return (appointment.status, appointment.start, appointment.practitioner_id, appointment.cancellation_reason)


# The panel ------------------------------------------------------------------------------

def test_panel_shows_the_appointment_and_the_messages_sent(client, personas, appointment):
    appointment.overridden_directives = ["min_notice"]
    appointment.override_reason = "Douleur thoracique, vu avec le Dr"
    appointment.save()
    sms = OutboundMessage.objects.create(structure=personas.structure, patient=appointment.patient,
                                         purpose="agenda.confirmation", channel="sms", recipient="0612345678",
                                         body="RDV", status=OutboundMessage.Status.FAILED,
                                         last_error="Numéro invalide")
    AppointmentMessage.objects.create(appointment=appointment, kind="confirmation", key="confirmation:sms",
                                      message=sms)
    client.force_login(personas.secretary)

    response = client.get(f"/agenda/rdv/{appointment.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/patients/{appointment.patient_id}/"' in html
    assert appointment.patient.display_name in html
    for text in ("Consultation", personas.practitioner.display_name, appointment.site.name,
                 "At the desk or by phone", "Apporter les résultats", "minimum notice",
                 "Douleur thoracique, vu avec le Dr", "Failed", "Numéro invalide"):
        assert text in html, text
    assert [status for status, _label, _key in response.context["status_actions"]] == [
        "arrived", "seen", "missed", "excused_late"]


def test_htmx_gets_the_panel_alone(client, personas, appointment):
    client.force_login(personas.reception)

    response = client.get(f"/agenda/rdv/{appointment.pk}/", headers=HTMX_PANEL)

    html = response.content.decode()
    assert html.lstrip().startswith('<div class="panel"')
    assert "<html" not in html


def test_status_marks_wait_for_the_day_of_the_appointment(client, personas, practice):
    later = AppointmentFactory(practitioner=personas.practitioner, site=practice.site,
                               patient=PatientFactory(structure=personas.structure),
                               appointment_type=practice.consultation,
                               start=datetime(2026, 12, 14, 9, tzinfo=PARIS))
    client.force_login(personas.secretary)

    response = client.get(f"/agenda/rdv/{later.pk}/")

    assert response.context["status_actions"] == []
    assert response.context["can_cancel"] is True


@pytest.mark.parametrize("who", ["other_team_secretary", "other_structure_secretary", "other_structure_coordinator"])
def test_outsiders_get_404_on_every_url_and_nothing_changes(client, personas, appointment, who):
    client.force_login(getattr(personas, who))
    before = snapshot(appointment)

    assert client.get(f"/agenda/rdv/{appointment.pk}/").status_code == 404
    assert client.post(f"/agenda/rdv/{appointment.pk}/statut/", {"status": "arrived"}).status_code == 404
    assert client.post(f"/agenda/rdv/{appointment.pk}/annuler/", {"reason": "x", "by": "patient"}).status_code == 404
    assert client.post(f"/agenda/rdv/{appointment.pk}/deplacer/", {"start": "2026-12-07T10:00"},
                       headers={"Accept": "application/json"}).status_code == 404
    assert snapshot(appointment) == before


def test_accountant_is_refused_the_agenda(client, personas, appointment):
    client.force_login(personas.accountant)

    assert client.get(f"/agenda/rdv/{appointment.pk}/").status_code == 403
    assert client.post(f"/agenda/rdv/{appointment.pk}/statut/", {"status": "arrived"}).status_code == 403
    assert snapshot(appointment)[0] == "booked"


# Status ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["secretary", "reception", "practitioner_user", "coordinator"])
def test_the_desk_marks_the_patient_arrived(client, personas, appointment, who):
    client.force_login(getattr(personas, who))

    response = client.post(f"/agenda/rdv/{appointment.pk}/statut/", {"status": "arrived"})

    assert response.status_code == 302
    assert response["Location"] == f"/agenda/rdv/{appointment.pk}/"
    assert snapshot(appointment)[0] == "arrived"
    event = AuditEvent.objects.get(action="agenda.appointment_status")
    assert event.data == {"from": "booked", "to": "arrived"}


def test_status_through_htmx_refreshes_the_panel_and_the_grid(client, personas, appointment):
    client.force_login(personas.secretary)

    response = client.post(f"/agenda/rdv/{appointment.pk}/statut/", {"status": "missed"}, headers=HTMX_PANEL)

    assert response.status_code == 200
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["agenda-changed"] is True
    assert trigger["toast"] == {"text": f"{appointment.patient.display_name}: Missed.", "level": "success"}
    assert [status for status, _label, _key in response.context["status_actions"]] == [
        "arrived", "excused_late", "booked"]


def test_a_forbidden_status_change_is_refused_and_nothing_changes(client, personas, appointment):
    appointment.status = Appointment.Status.SEEN
    appointment.save()
    client.force_login(personas.secretary)

    response = client.post(f"/agenda/rdv/{appointment.pk}/statut/", {"status": "missed"}, headers=HTMX_PANEL)

    assert response.context["error"] == "An appointment “Seen” cannot become “Missed”."
    assert snapshot(appointment)[0] == "seen"
    assert not AuditEvent.objects.filter(action="agenda.appointment_status").exists()


def test_status_needs_a_post(client, personas, appointment):
    client.force_login(personas.secretary)

    assert client.get(f"/agenda/rdv/{appointment.pk}/statut/?status=arrived").status_code == 405
    assert snapshot(appointment)[0] == "booked"


# Cancellation ---------------------------------------------------------------------------

@pytest.mark.parametrize("data", [{"by": "patient"}, {"by": "patient", "reason": "   "}, {"reason": "Grippe"}])
def test_cancelling_without_a_reason_or_without_who_changes_nothing(client, personas, appointment, data):
    client.force_login(personas.secretary)
    before = snapshot(appointment)

    response = client.post(f"/agenda/rdv/{appointment.pk}/annuler/", data, headers=HTMX_PANEL)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert snapshot(appointment) == before
    assert not AuditEvent.objects.filter(action="agenda.appointment_cancelled").exists()


def test_cancelling_with_a_reason_by_the_patient(client, personas, appointment):
    client.force_login(personas.secretary)

    form = client.get(f"/agenda/rdv/{appointment.pk}/annuler/", headers=HTMX_PANEL)
    response = client.post(f"/agenda/rdv/{appointment.pk}/annuler/",
                           {"reason": "  Grippe,   reportera  ", "by": "patient"})

    assert form.content.decode().lstrip().startswith('<div class="panel"')
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert appointment.cancellation_reason == "Grippe, reportera"
    assert appointment.cancelled_by_patient is True
    assert appointment.cancelled_by == personas.secretary
    freed = url_or_none("agenda:freed_slot", appointment.pk)
    assert response["Location"] == (freed or "/agenda/?date=2026-12-07")


def test_cancelling_through_htmx_leaves_the_page(client, personas, appointment):
    client.force_login(personas.secretary)

    response = client.post(f"/agenda/rdv/{appointment.pk}/annuler/", {"reason": "Travaux", "by": "practice"},
                           headers=HTMX_PANEL)

    appointment.refresh_from_db()
    assert appointment.cancelled_by_patient is False
    assert response["HX-Redirect"] == (url_or_none("agenda:freed_slot", appointment.pk) or "/agenda/?date=2026-12-07")


def test_a_cancelled_appointment_cannot_be_cancelled_again(client, personas, appointment):
    client.force_login(personas.secretary)
    client.post(f"/agenda/rdv/{appointment.pk}/annuler/", {"reason": "Grippe", "by": "patient"})

    response = client.post(f"/agenda/rdv/{appointment.pk}/annuler/", {"reason": "Autre", "by": "practice"})

    assert response.context["form"].non_field_errors() == ["This appointment is already cancelled."]
    assert snapshot(appointment)[3] == "Grippe"
    panel = client.get(f"/agenda/rdv/{appointment.pk}/")
    assert panel.context["can_act"] is False


# Move: drag and drop (JSON) -------------------------------------------------------------

def drop(client, appointment, start, practitioner=None):
    data = {"start": start}
    if practitioner is not None:
        data["practitioner"] = practitioner
    response = client.post(f"/agenda/rdv/{appointment.pk}/deplacer/", data, headers={"Accept": "application/json"})
    return response.status_code, response.json()


def test_dropping_on_a_free_time_moves_the_appointment(client, personas, appointment):
    client.force_login(personas.secretary)

    status, body = drop(client, appointment, "2026-12-07T10:35")

    assert status == 200
    assert body["ok"] is True
    assert body["start"] == "2026-12-07T10:35"
    assert snapshot(appointment)[1:3] == (at(10, 35), personas.practitioner.pk)
    assert AuditEvent.objects.filter(action="agenda.appointment_moved").count() == 1


def test_dropping_on_another_practitioner_of_the_team(client, personas, practice, appointment):
    WeeklyPeriodFactory(practitioner=personas.other_practitioner, site=practice.site, weekday=0, start=time(9),
                        end=time(12))
    client.force_login(personas.coordinator)

    status, _body = drop(client, appointment, "2026-12-07T09:20", personas.other_practitioner.pk)

    assert status == 200
    assert snapshot(appointment)[2] == personas.other_practitioner.pk


def test_dropping_on_a_practitioner_outside_the_team_is_refused(client, personas, practice, appointment):
    client.force_login(personas.secretary)
    before = snapshot(appointment)

    status, body = drop(client, appointment, "2026-12-07T09:20", personas.other_practitioner.pk)

    assert (status, body) == (400, {"error": "This practitioner is not one you work with."})
    assert snapshot(appointment) == before


@pytest.mark.parametrize(("start", "message"), [
    ("2026-12-07T09:50", "This slot was just taken at another desk: choose another one."),
    ("2026-12-07T13:00", "This slot is outside the practitioner's periods for this appointment type."),
    ("2026-12-07T07:00", "This slot is in the past: choose a later one."),
])
def test_dropping_on_a_taken_or_closed_time_is_refused(client, personas, practice, appointment, start, message):
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, appointment_type=practice.consultation,
                       patient=PatientFactory(structure=personas.structure), start=at(10))
    client.force_login(personas.secretary)
    before = snapshot(appointment)

    status, body = drop(client, appointment, start)

    assert (status, body["error"]) == (409, message)
    assert snapshot(appointment) == before
    assert not AuditEvent.objects.filter(action="agenda.appointment_moved").exists()


def test_dropping_against_the_directives_is_refused_with_them(client, personas, appointment):
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, min_notice_minutes=24 * 60)
    client.force_login(personas.secretary)
    before = snapshot(appointment)

    status, body = drop(client, appointment, "2026-12-07T11:00")

    assert status == 409
    assert body["violations"] == ["The practitioner asks for at least 1 day of notice."]
    assert snapshot(appointment) == before


@pytest.mark.parametrize("start", ["", "07/12/2026 10:00", "2026-12-07T25:00", "2026-12-07"])
def test_an_unreadable_drop_is_refused(client, personas, appointment, start):
    client.force_login(personas.secretary)
    before = snapshot(appointment)

    status, body = drop(client, appointment, start)

    assert status == 400
    assert body == {"error": "The new time could not be read: drop the appointment again."}
    assert snapshot(appointment) == before


# Move: the panel's form -----------------------------------------------------------------

def test_moving_with_the_panel_form(client, personas, appointment):
    client.force_login(personas.secretary)

    response = client.post(f"/agenda/rdv/{appointment.pk}/deplacer/", {
        "move-day": "2026-12-07", "move-at": "11:00", "move-practitioner": personas.practitioner.pk,
    }, headers=HTMX_PANEL)

    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["toast"]["text"] == (
        f"Appointment of {appointment.patient.display_name} moved to 07/12/2026 at 11:00 with "
        f"{personas.practitioner.display_name}.")
    assert snapshot(appointment)[1] == at(11)


def test_the_panel_form_offers_to_override_the_directives_with_a_reason(client, personas, appointment):
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, min_notice_minutes=24 * 60)
    client.force_login(personas.coordinator)
    data = {"move-day": "2026-12-07", "move-at": "11:00", "move-practitioner": personas.practitioner.pk}

    refused = client.post(f"/agenda/rdv/{appointment.pk}/deplacer/", data, headers=HTMX_PANEL)
    assert snapshot(appointment)[1] == at(9, 20)
    forced = client.post(f"/agenda/rdv/{appointment.pk}/deplacer/",
                         {**data, "move-override_reason": "Demande du Dr Cœur"}, headers=HTMX_PANEL)

    assert refused.context["violations"] == ["The practitioner asks for at least 1 day of notice."]
    assert refused.context["can_override"] is True
    assert 'name="move-override_reason"' in refused.content.decode()
    assert forced.status_code == 200
    appointment.refresh_from_db()
    assert (appointment.start, appointment.overridden_directives, appointment.override_reason) == (
        at(11), ["min_notice"], "Demande du Dr Cœur")


def test_the_panel_form_refuses_bad_input_and_changes_nothing(client, personas, appointment):
    client.force_login(personas.secretary)
    before = snapshot(appointment)

    response = client.post(f"/agenda/rdv/{appointment.pk}/deplacer/", {
        "move-day": "2026-13-45", "move-at": "11:00", "move-practitioner": personas.other_practitioner.pk,
    })

    assert response.status_code == 200
    assert set(response.context["move_form"].errors) == {"day", "practitioner"}
    assert snapshot(appointment) == before


def test_panel_links_to_the_series_and_to_the_booking_screen(client, personas, practice, appointment):
    series = AppointmentSeries.objects.create(structure=personas.structure, patient=appointment.patient,
                                              practitioner=personas.practitioner,
                                              appointment_type=practice.consultation)
    appointment.series = series
    appointment.save()
    client.force_login(personas.secretary)

    response = client.get(f"/agenda/rdv/{appointment.pk}/")

    assert response.context["series_url"] == url_or_none("agenda:series_detail", series.pk)
    book = url_or_none("agenda:book")
    assert response.context["rebook_url"] == (
        f"{book}?patient={appointment.patient_id}&move={appointment.pk}" if book else None)
