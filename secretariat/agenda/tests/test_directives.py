"""Every directive of a practitioner, at booking and in the slot search; overriding them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from secretariat.agenda.models import (
    Absence,
    Appointment,
    PractitionerDirectives,
    Resource,
    ResourceBooking,
    TypeDirective,
)
from secretariat.agenda.queries import free_slots_for
from secretariat.agenda.rules import directives as rules
from secretariat.agenda.services import (
    DirectiveViolation,
    book_appointment,
    cancel_appointment,
    move_appointment,
    set_status,
)
from secretariat.agenda.tests.factories import (
    AppointmentFactory,
    WeeklyPeriodFactory,
    practice_with_schedule,
)
from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.factories import PractitionerFactory
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)  # a Tuesday
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)  # Monday period 09:00–12:00, any type

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_in_english():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def practice(personas):
    return practice_with_schedule(personas.practitioner)


@pytest.fixture
def patient(personas):
    return PatientFactory(structure=personas.structure, birth_date=date(1980, 5, 17))


def book(personas, patient, appointment_type, start, *, user=None, **kwargs):
    return book_appointment(practitioner=personas.practitioner, patient=patient, appointment_type=appointment_type,
                            start=start, acting_user=user or personas.secretary, **kwargs)


def codes(error: DirectiveViolation) -> list[str]:
    return [violation.code for violation in error.violations]


def slots(personas, appointment_type, **kwargs):
    return [slot.start for slot in free_slots_for(
        [personas.practitioner], appointment_type=appointment_type, now=NOW,
        between=(MONDAY.replace(hour=0), MONDAY.replace(hour=23)), **kwargs)]


# The pure rules ---------------------------------------------------------------------------

def facts(**overrides):
    base = {"start": MONDAY, "now": NOW, "local_day": MONDAY.date(), "morning": True, "online": False,
                "by_privileged_role": False, "patient_age": 46, "first_visit": False, "missed_recently": 0,
                "type_label": "Consultation", "type_bookable_online": True, "type_bookable_by_staff": True,
                "type_new_patients_allowed": True, "min_age": None, "max_age": None}
    base.update(overrides)
    return rules.BookingFacts(**base)


@pytest.mark.parametrize(("overrides", "expected"), [
    ({}, []),
    ({"min_notice": timedelta(days=7)}, [rules.MIN_NOTICE]),
    ({"online": True, "online_min_notice": timedelta(days=7)}, [rules.ONLINE_NOTICE]),
    ({"online": False, "online_min_notice": timedelta(days=7)}, []),
    ({"online": True, "online_max_missed": 2, "missed_recently": 2}, [rules.ONLINE_MISSED]),
    ({"online": True, "online_max_missed": 2, "missed_recently": 1}, []),
    ({"online": True, "type_bookable_online": False}, [rules.NOT_BOOKABLE_ONLINE]),
    ({"type_bookable_by_staff": False}, [rules.STAFF_NOT_ALLOWED]),
    ({"type_bookable_by_staff": False, "by_privileged_role": True}, []),
    ({"first_visit": True, "accepts_new_patients": False}, [rules.NEW_PATIENTS]),
    ({"first_visit": True, "type_new_patients_allowed": False}, [rules.TYPE_NEW_PATIENTS]),
    ({"first_visit": False, "accepts_new_patients": False}, []),
    ({"type_accepted": False}, [rules.TYPE_NOT_ACCEPTED]),
    ({"min_age": 50}, [rules.MIN_AGE]),
    ({"max_age": 17}, [rules.MAX_AGE]),
    ({"min_age": 46, "max_age": 46}, []),
    ({"max_per_day": 3, "same_type_that_day": 3}, [rules.QUOTA_DAY]),
    ({"max_per_day": 3, "same_type_that_day": 2}, []),
    ({"max_per_half_day": 1, "same_type_that_half_day": 1}, [rules.QUOTA_HALF_DAY]),
])
def test_each_directive_is_reported_with_its_code(overrides, expected):
    assert [violation.code for violation in rules.violations(facts(**overrides))] == expected


def test_the_messages_say_why_in_words_a_secretary_can_repeat():
    found = rules.violations(facts(min_notice=timedelta(hours=168), max_per_half_day=2, same_type_that_half_day=2))
    assert [violation.message for violation in found] == [
        "The practitioner asks for at least 7 days of notice.",
        "Already 2 “Consultation” that morning: the practitioner takes 2 per half-day.",
    ]


@pytest.mark.parametrize(("birth", "day", "age"), [
    (date(1980, 5, 17), date(2026, 5, 16), 45),
    (date(1980, 5, 17), date(2026, 5, 17), 46),
    (date(2000, 2, 29), date(2026, 2, 28), 25),
    (date(2000, 2, 29), date(2026, 3, 1), 26),
])
def test_age_on_the_day_of_the_appointment(birth, day, age):
    assert rules.age_on(birth, day) == age


# Booking under directives ----------------------------------------------------------------

def test_a_booking_breaking_a_directive_is_refused_with_the_reason_and_nothing_written(
        personas, practice, patient):
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, min_notice_minutes=14 * 24 * 60)

    with pytest.raises(DirectiveViolation) as refused:
        book(personas, patient, practice.consultation, MONDAY)

    assert codes(refused.value) == [rules.MIN_NOTICE]
    assert refused.value.can_override is False  # a secretary may not override
    assert Appointment.objects.count() == 0


def test_a_secretary_cannot_override_even_with_a_reason(personas, practice, patient):
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, accepts_new_patients=False)
    with pytest.raises(DirectiveViolation):
        book(personas, patient, practice.consultation, MONDAY, override_reason="Le docteur a dit oui")
    assert Appointment.objects.count() == 0


def test_a_coordinator_overrides_with_a_reason_and_it_is_traced(personas, practice, patient):
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, accepts_new_patients=False)
    with pytest.raises(DirectiveViolation) as refused:
        book(personas, patient, practice.consultation, MONDAY, user=personas.coordinator)
    assert refused.value.can_override is True  # allowed, but a reason is needed

    appointment = book(personas, patient, practice.consultation, MONDAY, user=personas.coordinator,
                       override_reason="Enfant d'une patiente suivie")

    appointment.refresh_from_db()
    assert appointment.overridden_directives == [rules.NEW_PATIENTS]
    assert appointment.override_reason == "Enfant d'une patiente suivie"
    event = AuditEvent.objects.get(action="agenda.directives_overridden")
    assert event.data == {"directives": [rules.NEW_PATIENTS], "reason": "Enfant d'une patiente suivie"}
    assert event.acting_user_id == personas.coordinator.pk


def test_first_visit_is_known_from_the_patients_history(personas, practice, patient):
    first = book(personas, patient, practice.consultation, MONDAY)
    second = book(personas, patient, practice.consultation, MONDAY + timedelta(hours=1))
    assert (first.is_first_visit, second.is_first_visit) == (True, False)


def test_online_booking_closed_after_missed_appointments(personas, practice, patient):
    practice.consultation.bookable_online = True
    practice.consultation.save()
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, online_max_missed=2,
                                          online_min_notice_hours=0)
    for days in (10, 20):
        AppointmentFactory(practitioner=personas.practitioner, patient=patient, site=practice.site,
                           appointment_type=practice.consultation, start=NOW - timedelta(days=days),
                           status=Appointment.Status.MISSED)

    with pytest.raises(DirectiveViolation) as refused:
        book_appointment(practitioner=personas.practitioner, patient=patient,
                         appointment_type=practice.consultation, start=MONDAY, acting_user=None,
                         channel=Appointment.Channel.ONLINE, override_reason="forged")
    assert codes(refused.value) == [rules.ONLINE_MISSED]
    assert refused.value.can_override is False
    # By phone, the secretary books them.
    assert book(personas, patient, practice.consultation, MONDAY).channel == Appointment.Channel.DESK


def test_quota_per_half_day_refuses_at_booking_and_hides_the_half_day_from_the_search(
        personas, practice, patient):
    TypeDirective.objects.create(practitioner=personas.practitioner, appointment_type=practice.ultrasound,
                                 max_per_half_day=2)
    book(personas, patient, practice.ultrasound, MONDAY)
    assert slots(personas, practice.ultrasound)[:2] == [MONDAY.replace(hour=9, minute=30),
                                                        MONDAY.replace(hour=10)]
    book(personas, PatientFactory(structure=personas.structure), practice.ultrasound, MONDAY.replace(hour=10))

    with pytest.raises(DirectiveViolation) as refused:
        book(personas, PatientFactory(structure=personas.structure), practice.ultrasound,
             MONDAY.replace(hour=11))
    assert codes(refused.value) == [rules.QUOTA_HALF_DAY]
    assert slots(personas, practice.ultrasound) == []  # Monday morning is the only period for ultrasounds
    assert slots(personas, practice.consultation)[0] == MONDAY.replace(hour=9, minute=40)  # other types still


def test_a_type_the_practitioner_does_not_take_is_neither_offered_nor_booked(personas, practice, patient):
    TypeDirective.objects.create(practitioner=personas.practitioner, appointment_type=practice.ultrasound,
                                 accepted=False)
    assert slots(personas, practice.ultrasound) == []
    with pytest.raises(DirectiveViolation) as refused:
        book(personas, patient, practice.ultrasound, MONDAY)
    assert codes(refused.value) == [rules.TYPE_NOT_ACCEPTED]


def test_practitioner_variant_changes_duration_and_buffer(personas, practice, patient):
    TypeDirective.objects.create(practitioner=personas.practitioner, appointment_type=practice.consultation,
                                 duration_minutes=30, buffer_after_minutes=10)
    appointment = book(personas, patient, practice.consultation, MONDAY)
    assert appointment.end == MONDAY + timedelta(minutes=30)
    # The next slot starts after the 10-minute buffer, on the 30-minute grid: 09:30 is inside the
    # buffer, so 10:00.
    assert slots(personas, practice.consultation)[0] == MONDAY.replace(hour=10)
    with pytest.raises(ServiceError, match="just taken"):
        book(personas, PatientFactory(structure=personas.structure), practice.consultation,
             MONDAY + timedelta(minutes=35))


def test_a_new_booking_must_leave_its_own_buffer_free(personas, practice, patient):
    practice.ultrasound.buffer_after_minutes = 15
    practice.ultrasound.save()
    book(personas, patient, practice.consultation, MONDAY.replace(hour=10))  # 10:00–10:20
    with pytest.raises(ServiceError, match="just taken"):  # 09:30–10:00 + 15 min buffer reaches 10:15
        book(personas, PatientFactory(structure=personas.structure), practice.ultrasound,
             MONDAY.replace(hour=9, minute=30))
    assert Appointment.objects.count() == 1


def test_an_absence_removes_slots_and_refuses_bookings(personas, practice, patient):
    Absence.objects.create(practitioner=personas.practitioner, start=MONDAY.replace(hour=0),
                           end=MONDAY.replace(hour=10, minute=30), reason="Formation")
    assert slots(personas, practice.consultation)[0] == MONDAY.replace(hour=10, minute=40)
    with pytest.raises(ServiceError, match="absent"):
        book(personas, patient, practice.consultation, MONDAY.replace(hour=10))
    assert not Appointment.objects.exists()


def test_resources_are_booked_with_the_appointment_and_never_twice(personas, practice, patient):
    scanner = Resource.objects.create(structure=personas.structure, site=practice.site, name="Échographe",
                                      kind=Resource.Kind.EQUIPMENT)
    practice.ultrasound.resources.add(scanner)
    other_doctor = PractitionerFactory(structure=personas.structure)
    WeeklyPeriodFactory(practitioner=other_doctor, site=practice.site, weekday=0)

    first = book(personas, patient, practice.ultrasound, MONDAY)
    assert list(first.resource_bookings.values_list("resource__name", "start", "is_live")) == [
        ("Échographe", MONDAY, True)]
    # The other practitioner is free at 09:00, but the ultrasound machine is not.
    offered = [slot.start for slot in free_slots_for(
        [other_doctor], appointment_type=practice.ultrasound, now=NOW,
        between=(MONDAY.replace(hour=0), MONDAY.replace(hour=23)))]
    assert offered[0] == MONDAY.replace(hour=9, minute=30)
    with pytest.raises(ServiceError, match="Échographe is already booked"):
        book_appointment(practitioner=other_doctor, patient=PatientFactory(structure=personas.structure),
                         appointment_type=practice.ultrasound, start=MONDAY, acting_user=personas.secretary)
    assert Appointment.objects.count() == 1

    cancel_appointment(first, reason="Empêchement", by_patient=True, acting_user=personas.secretary)
    assert ResourceBooking.objects.get().is_live is False
    assert book_appointment(practitioner=other_doctor, patient=patient, appointment_type=practice.ultrasound,
                            start=MONDAY, acting_user=personas.secretary).resource_bookings.count() == 1


# Moving and statuses ----------------------------------------------------------------------

def test_moving_keeps_the_appointment_and_traces_before_and_after(personas, practice, patient):
    appointment = book(personas, patient, practice.consultation, MONDAY)
    moved = move_appointment(appointment, start=MONDAY.replace(hour=11), acting_user=personas.secretary)
    assert (moved.pk, moved.start, moved.end) == (appointment.pk, MONDAY.replace(hour=11),
                                                  MONDAY.replace(hour=11, minute=20))
    event = AuditEvent.objects.get(action="agenda.appointment_moved")
    assert datetime.fromisoformat(event.data["before"]["start"]) == MONDAY


def test_moving_onto_a_taken_or_closed_slot_changes_nothing(personas, practice, patient):
    appointment = book(personas, patient, practice.consultation, MONDAY)
    book(personas, PatientFactory(structure=personas.structure), practice.consultation, MONDAY.replace(hour=10))
    with pytest.raises(ServiceError, match="just taken"):
        move_appointment(appointment, start=MONDAY.replace(hour=10, minute=10), acting_user=personas.secretary)
    with pytest.raises(ServiceError, match="outside the practitioner's periods"):
        move_appointment(appointment, start=MONDAY.replace(hour=13), acting_user=personas.secretary)
    appointment.refresh_from_db()
    assert appointment.start == MONDAY
    assert not AuditEvent.objects.filter(action="agenda.appointment_moved").exists()


def test_moving_onto_its_own_time_shifted_by_ten_minutes_is_allowed(personas, practice, patient):
    appointment = book(personas, patient, practice.consultation, MONDAY)
    assert move_appointment(appointment, start=MONDAY + timedelta(minutes=10),
                            acting_user=personas.secretary).start == MONDAY + timedelta(minutes=10)


def test_status_transitions_follow_the_day(personas, practice, patient):
    appointment = book(personas, patient, practice.consultation, MONDAY)
    with pytest.raises(ServiceError, match="later day"):
        set_status(appointment, Appointment.Status.ARRIVED, acting_user=personas.secretary)
    with time_machine.travel(MONDAY + timedelta(minutes=5), tick=False):
        set_status(appointment, Appointment.Status.ARRIVED, acting_user=personas.secretary)
        set_status(appointment, Appointment.Status.SEEN, acting_user=personas.secretary)
        with pytest.raises(ServiceError, match="cannot become"):
            set_status(appointment, Appointment.Status.MISSED, acting_user=personas.secretary)
        with pytest.raises(ServiceError, match="already come"):
            cancel_appointment(appointment, reason="x", by_patient=True, acting_user=personas.secretary)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.SEEN
    assert list(AuditEvent.objects.filter(action="agenda.appointment_status").order_by("pk")
                .values_list("data", flat=True)) == [{"from": "booked", "to": "arrived"},
                                                     {"from": "arrived", "to": "seen"}]


def test_a_teleconsultation_gets_its_own_video_room_on_the_configured_service(personas, practice, patient):
    from secretariat.agenda.models import AgendaSettings, AppointmentType

    practice.consultation.mode = AppointmentType.Mode.TELECONSULTATION
    practice.consultation.save()
    assert book(personas, patient, practice.consultation, MONDAY).video_room_url == ""  # no service configured
    AgendaSettings.objects.create(structure=personas.structure, video_base_url="https://visio.example.org/")
    first = book(personas, patient, practice.consultation, MONDAY + timedelta(hours=1))
    second = book(personas, patient, practice.consultation, MONDAY + timedelta(hours=2))
    assert first.video_room_url.startswith("https://visio.example.org/secretariat-")
    assert len(first.video_room_url) > len("https://visio.example.org/secretariat-") + 16
    assert first.video_room_url != second.video_room_url
    assert book(personas, patient, practice.ultrasound, MONDAY + timedelta(minutes=20)).video_room_url == ""


def test_a_type_needing_equipment_is_neither_offered_nor_booked_at_a_site_without_it(personas, practice, patient):
    from secretariat.core.tests.factories import SiteFactory

    other_site = SiteFactory(structure=personas.structure)
    scanner = Resource.objects.create(structure=personas.structure, site=other_site, name="Échographe",
                                      kind=Resource.Kind.EQUIPMENT)
    practice.ultrasound.resources.add(scanner)
    assert slots(personas, practice.ultrasound) == []  # the practitioner only works where there is none
    with pytest.raises(ServiceError, match="needs Échographe"):
        book(personas, patient, practice.ultrasound, MONDAY)
    assert not Appointment.objects.exists()
