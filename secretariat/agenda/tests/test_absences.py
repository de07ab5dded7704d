"""A practitioner's absence: no slot offered during it, the appointments inside it listed with
replacement slots, then moved or cancelled one transaction each, with a summary."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from secretariat.agenda import services_absences as services
from secretariat.agenda.models import Absence, Appointment, AppointmentMessage
from secretariat.agenda.queries import free_slots_for
from secretariat.agenda.queries_waiting import appointments_in_absence, replacement_proposals
from secretariat.agenda.tests.factories import (
    AdministrativeFileFactory,
    AppointmentFactory,
    WeeklyPeriodFactory,
    practice_with_schedule,
)
from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.factories import PractitionerFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)  # Tuesday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_in_english(client):
    client.cookies["django_language"] = "en"
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def practice(personas):
    return practice_with_schedule(personas.practitioner)


@pytest.fixture
def monday(personas, practice):
    """Three appointments on Monday 7 (two consultations, one ultrasound), one cancelled, one
    the Monday after; and the practitioner away all Monday 7."""
    def book(start, kind, **kwargs):
        return AppointmentFactory(practitioner=personas.practitioner, site=practice.site, appointment_type=kind,
                                  start=start, patient__care_teams=[personas.team_a], **kwargs)

    first = book(at(7, 9), practice.consultation)
    second = book(at(7, 9, 20), practice.consultation)
    ultrasound = book(at(7, 10), practice.ultrasound)
    book(at(7, 11), practice.consultation, status=Appointment.Status.CANCELLED, cancelled_at=NOW)
    book(at(14, 11), practice.consultation)
    absence = Absence.objects.create(practitioner=personas.practitioner, start=at(7, 0), end=at(8, 0),
                                     reason="Formation")
    return absence, first, second, ultrasound


def test_declaring_an_absence_records_it_and_the_audit(personas, practice):
    absence = services.declare_absence(practitioner=personas.practitioner, start=at(7, 0), end=at(8, 0),
                                       reason=" Congé ", acting_user=personas.secretary)

    assert (absence.reason, absence.created_by) == ("Congé", personas.secretary)
    event = AuditEvent.objects.get(action="agenda.absence_declared")
    assert (event.structure_id, event.data["practitioner_id"]) == (personas.structure.pk, personas.practitioner.pk)


@pytest.mark.parametrize(("start", "end", "message"), [
    (at(8, 0), at(7, 0), "The end of the absence must come after its start."),
    (at(8, 0), at(8, 0), "The end of the absence must come after its start."),
    (datetime(2026, 11, 20, tzinfo=PARIS), datetime(2026, 11, 30, tzinfo=PARIS), "This absence is already over."),
    (at(7, 0), datetime(2028, 1, 1, tzinfo=PARIS),
     "An absence lasts at most a year: declare a longer one in several parts."),
])
def test_impossible_absences_are_refused_and_nothing_is_written(personas, practice, start, end, message):
    with pytest.raises(ServiceError) as refusal:
        services.declare_absence(practitioner=personas.practitioner, start=start, end=end, reason="",
                                 acting_user=personas.secretary)

    assert str(refusal.value) == message
    assert (Absence.objects.count(), AuditEvent.objects.filter(action="agenda.absence_declared").count()) == (0, 0)


def test_no_slot_is_offered_during_an_absence(personas, practice, monday):
    found = free_slots_for([personas.practitioner], appointment_type=practice.consultation, now=NOW,
                           between=(at(7, 0), at(9, 0)), limit=1)

    assert [slot.start for slot in found] == [at(8, 14)]  # not Monday 7: Tuesday 8 afternoon


def test_the_booked_appointments_inside_are_listed(personas, practice, monday):
    absence, first, second, ultrasound = monday

    assert list(appointments_in_absence(absence)) == [first, second, ultrasound]


def test_each_appointment_gets_its_own_first_proposal_after_the_absence(personas, practice, monday):
    absence, first, second, ultrasound = monday

    proposals = replacement_proposals(absence, [first, second, ultrasound], now=NOW)

    assert [item.start for item in proposals[first.pk]] == [at(8, 14), at(8, 14, 20), at(8, 14, 40)]
    assert [item.start for item in proposals[second.pk]] == [at(8, 14, 20), at(8, 14, 40), at(8, 15)]
    # Tuesday afternoons take consultations only: the ultrasound goes to the next Monday.
    assert [item.start for item in proposals[ultrasound.pk]] == [at(14, 9), at(14, 9, 30), at(14, 10)]
    assert {item.practitioner for items in proposals.values() for item in items} == {personas.practitioner}


def test_colleagues_of_the_same_specialty_are_proposed_from_the_same_day(personas, practice, monday):
    absence, first, _second, _ultrasound = monday
    colleague = PractitionerFactory(structure=personas.structure, specialty=personas.practitioner.specialty)
    WeeklyPeriodFactory(practitioner=colleague, site=practice.site, weekday=0, start=time(9), end=time(12))

    proposals = replacement_proposals(absence, [first], colleagues=[colleague], now=NOW)

    assert [(item.practitioner, item.start) for item in proposals[first.pk]] == [
        (personas.practitioner, at(8, 14)), (personas.practitioner, at(8, 14, 20)),
        (personas.practitioner, at(8, 14, 40)), (colleague, at(7, 9)), (colleague, at(7, 9, 20))]


def test_rebooking_moves_cancels_and_lists_each_refusal(personas, practice, monday):
    absence, first, second, ultrasound = monday
    AdministrativeFileFactory(patient=first.patient)
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=at(14, 9))  # taken meanwhile
    Decision = services.Decision

    result = services.rebook_after_absence(absence, [
        Decision(first.pk, Decision.MOVE, start=at(8, 14)),
        Decision(second.pk, Decision.CANCEL),
        Decision(ultrasound.pk, Decision.MOVE, start=at(14, 9)),
    ], acting_user=personas.secretary)

    assert (result.moved, result.cancelled) == ([first], [second])
    assert [(appointment, reason) for appointment, reason in result.failed] == [
        (ultrasound, "This slot was just taken at another desk: choose another one.")]
    first.refresh_from_db()
    second.refresh_from_db()
    ultrasound.refresh_from_db()
    assert (first.start, first.status) == (at(8, 14), Appointment.Status.BOOKED)
    assert (second.status, second.cancellation_reason, second.cancelled_by_patient) == (
        Appointment.Status.CANCELLED, "Formation", False)
    assert (ultrasound.start, ultrasound.status) == (at(7, 10), Appointment.Status.BOOKED)
    assert AppointmentMessage.objects.filter(appointment=first, kind=AppointmentMessage.Kind.CHANGE).exists()
    event = AuditEvent.objects.get(action="agenda.absence_rebooked")
    assert event.data == {"moved": 1, "cancelled": 1, "failed": 1}


def test_an_appointment_moved_out_of_the_absence_meanwhile_is_left_alone(personas, practice, monday):
    absence, first, *_rest = monday
    Appointment.objects.filter(pk=first.pk).update(start=at(14, 9, 40), end=at(14, 10))

    result = services.rebook_after_absence(absence, [services.Decision(first.pk, services.Decision.CANCEL)],
                                           acting_user=personas.secretary)

    assert [reason for _appointment, reason in result.failed] == [
        "This appointment is no longer booked during the absence."]
    first.refresh_from_db()
    assert first.status == Appointment.Status.BOOKED


def test_without_a_reason_the_cancellation_says_the_practitioner_is_absent(personas, practice, monday):
    absence, first, *_rest = monday
    Absence.objects.filter(pk=absence.pk).update(reason="")
    absence.refresh_from_db()

    services.rebook_after_absence(absence, [services.Decision(first.pk, services.Decision.CANCEL)],
                                  acting_user=personas.secretary)

    first.refresh_from_db()
    assert first.cancellation_reason == "Practitioner absent"


# --- Screens ----------------------------------------------------------------------------------


def test_declaring_from_the_screen_leads_to_the_appointments_inside(client, personas, practice):
    client.force_login(personas.secretary)

    response = client.post(reverse("agenda:absence_new"), {
        "practitioner": personas.practitioner.pk, "start_day": "07/12/2026", "start_time": "00:00",
        "end_day": "07/12/2026", "end_time": "23h59", "reason": "Formation"})

    absence = Absence.objects.get()
    assert (absence.start, absence.end) == (at(7, 0), at(7, 23, 59))
    assert response.url == reverse("agenda:absence_detail", args=[absence.pk])


def test_an_absence_of_a_practitioner_outside_the_users_teams_is_refused(client, personas, practice):
    client.force_login(personas.secretary)

    response = client.post(reverse("agenda:absence_new"), {
        "practitioner": personas.other_practitioner.pk, "start_day": "07/12/2026", "start_time": "00:00",
        "end_day": "07/12/2026", "end_time": "23:59"})

    assert response.status_code == 200
    assert "practitioner" in response.context["form"].errors
    assert Absence.objects.count() == 0


@pytest.mark.parametrize(("who", "status"), [("accountant", 403), ("other_team_secretary", 404),
                                             ("other_structure_secretary", 404), ("reception", 200)])
def test_who_may_open_the_absence(client, personas, practice, monday, who, status):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("agenda:absence_detail", args=[monday[0].pk])).status_code == status


def test_the_plan_ticks_the_first_proposal_and_applying_shows_the_summary(client, personas, practice, monday):
    absence, first, second, ultrasound = monday
    client.force_login(personas.secretary)
    page = client.get(reverse("agenda:absence_detail", args=[absence.pk]))
    defaults = {appointment.pk: appointment.default_choice for appointment in page.context["appointments"]}
    assert defaults[first.pk] == f"{personas.practitioner.pk}:{int(at(8, 14).timestamp())}"

    response = client.post(reverse("agenda:absence_detail", args=[absence.pk]), {
        f"decision-{first.pk}": defaults[first.pk], f"decision-{second.pk}": "cancel",
        f"decision-{ultrasound.pk}": "keep"})

    assert response.status_code == 200
    result = response.context["result"]
    assert (len(result.moved), len(result.cancelled), len(result.failed)) == (1, 1, 0)
    first.refresh_from_db()
    ultrasound.refresh_from_db()
    assert (first.start, ultrasound.start) == (at(8, 14), at(7, 10))


def test_a_slot_that_was_never_proposed_is_not_booked(client, personas, practice, monday):
    absence, first, *_rest = monday
    client.force_login(personas.secretary)
    forged = f"{personas.practitioner.pk}:{int(at(8, 16, 40).timestamp())}"

    response = client.post(reverse("agenda:absence_detail", args=[absence.pk]), {f"decision-{first.pk}": forged},
                           follow=True)

    assert "is no longer available: choose again." in response.content.decode()
    first.refresh_from_db()
    assert first.start == at(7, 9)
    assert not AuditEvent.objects.filter(action="agenda.absence_rebooked").exists()


def test_applying_needs_the_booking_capability(client, personas, practice, monday):
    absence, first, *_rest = monday
    client.force_login(personas.accountant)

    response = client.post(reverse("agenda:absence_detail", args=[absence.pk]), {f"decision-{first.pk}": "cancel"})

    assert response.status_code == 403
    first.refresh_from_db()
    assert first.status == Appointment.Status.BOOKED


def test_rebooking_every_appointment_of_a_long_absence_takes_one_transaction_each(personas, practice):
    absence = Absence.objects.create(practitioner=personas.practitioner, start=at(7, 0), end=at(22, 0))
    appointments = [AppointmentFactory(practitioner=personas.practitioner, site=practice.site,
                                       appointment_type=practice.consultation, start=at(day, 9))
                    for day in (7, 14, 21)]
    proposals = replacement_proposals(absence, appointments, now=NOW)

    result = services.rebook_after_absence(absence, [
        services.Decision(item.pk, services.Decision.MOVE, start=proposals[item.pk][0].start) for item in appointments
    ], acting_user=personas.secretary)

    assert [item.start for item in result.moved] == [at(22, 14), at(22, 14, 20), at(22, 14, 40)]
    assert result.failed == []
