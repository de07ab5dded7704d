"""The waiting list: which waiting patients fit a freed slot, adding and withdrawing entries,
and booking the slot for one of them (their later appointment is cancelled)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from secretariat.agenda import services_waiting as services
from secretariat.agenda.models import Appointment, SlotOffer, TypeDirective, WaitingListEntry
from secretariat.agenda.queries_waiting import candidates_for_slot, waiting_entries_for
from secretariat.agenda.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    WaitingListEntryFactory,
    practice_with_schedule,
)
from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.factories import PractitionerFactory
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)  # a Tuesday
MONDAY = date(2026, 12, 7)
SLOT_START = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)  # Monday 09:00–12:00 takes any type
SLOT_END = datetime(2026, 12, 7, 9, 30, tzinfo=PARIS)  # a 30-minute ultrasound was cancelled

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_in_english():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def practice(personas):
    return practice_with_schedule(personas.practitioner)


@pytest.fixture
def freed(personas, practice):
    """The cancelled ultrasound of Monday 09:00–09:30."""
    return AppointmentFactory(practitioner=personas.practitioner, site=practice.site,
                              appointment_type=practice.ultrasound, start=SLOT_START,
                              status=Appointment.Status.CANCELLED, cancelled_at=NOW, cancellation_reason="Grippe")


def waiting(personas, practice, **kwargs):
    kwargs.setdefault("appointment_type", practice.consultation)
    kwargs.setdefault("patient", PatientFactory(structure=personas.structure, care_teams=[personas.team_a]))
    return WaitingListEntryFactory(structure=personas.structure, **kwargs)


def candidates(personas, practice, start=SLOT_START, end=SLOT_END, **kwargs):
    return candidates_for_slot(personas.practitioner, practice.site, start, end, **kwargs)


# --- Matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("_case", "preferences", "fits"), [
    ("no preference", {}, True),
    ("dates around the slot", {"not_before": date(2026, 12, 2), "latest": date(2026, 12, 31)}, True),
    ("not before the very day", {"not_before": MONDAY}, True),
    ("latest the very day", {"latest": MONDAY}, True),
    ("not before the next day", {"not_before": date(2026, 12, 8)}, False),
    ("latest the day before", {"latest": date(2026, 12, 6)}, False),
    ("mornings only, a morning slot", {"mornings_only": True}, True),
    ("afternoons only, a morning slot", {"afternoons_only": True}, False),
    ("Mondays suit", {"weekdays": [0, 3]}, True),
    ("Mondays do not suit", {"weekdays": [1, 2, 3, 4]}, False),
])
def test_preferences_decide_whether_an_entry_fits(personas, practice, freed, _case, preferences, fits):
    entry = waiting(personas, practice, **preferences)

    found = candidates(personas, practice)

    assert found == ([entry] if fits else [])


def test_an_afternoon_slot_fits_afternoons_only_and_not_mornings_only(personas, practice):
    tuesday = datetime(2026, 12, 8, 14, 0, tzinfo=PARIS)
    afternoons = waiting(personas, practice, afternoons_only=True)
    waiting(personas, practice, mornings_only=True)

    found = candidates(personas, practice, start=tuesday, end=tuesday + timedelta(minutes=20))

    assert found == [afternoons]


def test_the_practitioner_must_match_or_be_any(personas, practice, freed):
    mine = waiting(personas, practice, practitioner=personas.practitioner)
    anyone = waiting(personas, practice)
    waiting(personas, practice, practitioner=personas.other_practitioner)

    assert candidates(personas, practice) == [mine, anyone]


def test_the_type_must_fit_in_the_freed_time(personas, practice, freed):
    exact = waiting(personas, practice, appointment_type=practice.ultrasound)  # 30 minutes, as freed
    shorter = waiting(personas, practice)  # 20 minutes
    waiting(personas, practice, appointment_type=AppointmentTypeFactory(structure=personas.structure,
                                                                       duration_minutes=31))

    found = candidates(personas, practice)

    assert found == [exact, shorter]
    assert [entry.fitting_end for entry in found] == [SLOT_END, SLOT_START + timedelta(minutes=20)]


def test_the_practitioners_own_duration_of_the_type_counts(personas, practice, freed):
    waiting(personas, practice)
    TypeDirective.objects.create(practitioner=personas.practitioner, appointment_type=practice.consultation,
                                 duration_minutes=40)

    assert candidates(personas, practice) == []


def test_a_patient_busy_at_that_time_is_not_proposed(personas, practice, freed):
    busy = waiting(personas, practice)
    free_right_after = waiting(personas, practice)
    AppointmentFactory(practitioner=personas.other_practitioner, patient=busy.patient,
                       start=SLOT_START + timedelta(minutes=10))
    # Starts when the 20-minute consultation would end: no overlap.
    AppointmentFactory(practitioner=PractitionerFactory(structure=personas.structure),
                       patient=free_right_after.patient, start=SLOT_START + timedelta(minutes=20))

    assert candidates(personas, practice) == [free_right_after]


def test_a_cancelled_appointment_of_the_patient_does_not_make_them_busy(personas, practice, freed):
    entry = waiting(personas, practice)
    AppointmentFactory(practitioner=personas.other_practitioner, patient=entry.patient, start=SLOT_START,
                       status=Appointment.Status.CANCELLED, cancelled_at=NOW)

    assert candidates(personas, practice) == [entry]


def test_only_waiting_entries_of_the_structure_in_creation_order(personas, practice, freed):
    newer = waiting(personas, practice)
    older = waiting(personas, practice)
    WaitingListEntry.objects.filter(pk=older.pk).update(created_at=NOW - timedelta(days=3))
    waiting(personas, practice, status=WaitingListEntry.Status.BOOKED)
    waiting(personas, practice, status=WaitingListEntry.Status.WITHDRAWN)
    outsider = PatientFactory(structure=personas.other_structure)
    WaitingListEntryFactory(patient=outsider, appointment_type=AppointmentTypeFactory(
        structure=personas.other_structure))

    assert candidates(personas, practice) == [older, newer]


def test_an_appointment_to_bring_forward_must_be_later_than_the_slot(personas, practice, freed):
    later = waiting(personas, practice)
    later.current_appointment = AppointmentFactory(practitioner=personas.practitioner, patient=later.patient,
                                                   start=SLOT_START + timedelta(days=14))
    later.save()
    earlier = waiting(personas, practice)
    earlier.current_appointment = AppointmentFactory(practitioner=personas.practitioner, patient=earlier.patient,
                                                     start=datetime(2026, 12, 3, 10, 0, tzinfo=PARIS))
    earlier.save()

    assert candidates(personas, practice) == [later]


def test_the_type_asked_for_narrows_the_candidates(personas, practice, freed):
    waiting(personas, practice)
    ultrasound = waiting(personas, practice, appointment_type=practice.ultrasound)

    assert candidates(personas, practice, appointment_type=practice.ultrasound) == [ultrasound]


def test_matching_costs_three_queries_whatever_the_number_of_entries(personas, practice, freed,
                                                                    django_assert_num_queries):
    for _ in range(15):
        waiting(personas, practice)

    with django_assert_num_queries(3):
        found = candidates(personas, practice)

    assert len(found) == 15


def test_the_list_is_scoped_to_the_users_practitioners_and_patients(personas, practice):
    mine = waiting(personas, practice, practitioner=personas.practitioner)
    anyone_my_patient = waiting(personas, practice)
    waiting(personas, practice, practitioner=personas.other_practitioner)
    waiting(personas, practice, patient=PatientFactory(structure=personas.structure, care_teams=[personas.team_b]))

    assert list(waiting_entries_for(personas.secretary)) == [mine, anyone_my_patient]
    assert list(waiting_entries_for(personas.other_structure_secretary)) == []


# --- Adding and withdrawing -------------------------------------------------------------------


def add(personas, practice, patient, **kwargs):
    kwargs.setdefault("appointment_type", practice.consultation)
    kwargs.setdefault("latest", date(2026, 12, 31))
    return services.add_to_waiting_list(patient=patient, acting_user=personas.secretary, **kwargs)


def test_adding_records_the_wishes_and_the_audit(personas, practice):
    patient = PatientFactory(structure=personas.structure)
    later = AppointmentFactory(practitioner=personas.practitioner, patient=patient,
                               start=datetime(2026, 12, 28, 10, 0, tzinfo=PARIS))

    entry = add(personas, practice, patient, practitioner=personas.practitioner, not_before=date(2026, 12, 3),
                mornings_only=True, weekdays=[4, 0, 0], note=" Préfère tôt ", current_appointment=later)

    entry.refresh_from_db()
    assert (entry.status, entry.practitioner, entry.weekdays, entry.note, entry.current_appointment, entry.created_by) \
        == (WaitingListEntry.Status.WAITING, personas.practitioner, [0, 4], "Préfère tôt", later, personas.secretary)
    event = AuditEvent.objects.get(action="agenda.waiting_entry_added")
    assert (event.patient_id, event.target_id) == (patient.pk, str(entry.pk))


@pytest.mark.parametrize(("_case", "kwargs", "message"), [
    ("latest already past", {"latest": date(2026, 11, 30)}, "The latest date is already past: choose a later one."),
    ("dates reversed", {"not_before": date(2027, 1, 5)}, "“Not before” must come before the latest date."),
    ("both half-days", {"mornings_only": True, "afternoons_only": True},
     "Choose mornings only or afternoons only, not both."),
    ("unknown weekday", {"weekdays": [7]}, "Unknown day of the week."),
])
def test_bad_wishes_are_refused_and_nothing_is_written(personas, practice, _case, kwargs, message):
    patient = PatientFactory(structure=personas.structure)

    with pytest.raises(ServiceError) as refusal:
        add(personas, practice, patient, **kwargs)

    assert str(refusal.value) == message
    assert WaitingListEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action="agenda.waiting_entry_added").exists()


def test_a_type_of_another_structure_or_someone_elses_appointment_is_refused(personas, practice):
    patient = PatientFactory(structure=personas.structure)
    foreign_type = AppointmentTypeFactory(structure=personas.other_structure)
    someone_else = AppointmentFactory(practitioner=personas.practitioner,
                                      start=datetime(2026, 12, 28, 10, 0, tzinfo=PARIS))

    with pytest.raises(ServiceError):
        add(personas, practice, patient, appointment_type=foreign_type)
    with pytest.raises(ServiceError) as refusal:
        add(personas, practice, patient, current_appointment=someone_else)

    assert str(refusal.value) == "The appointment to bring forward must be a coming appointment of this patient."
    assert WaitingListEntry.objects.count() == 0


def test_the_same_wish_twice_is_refused(personas, practice):
    patient = PatientFactory(structure=personas.structure)
    add(personas, practice, patient)

    with pytest.raises(ServiceError) as refusal:
        add(personas, practice, patient)

    assert str(refusal.value) == "This patient is already waiting for this appointment type."
    assert WaitingListEntry.objects.count() == 1


def test_withdrawing_closes_the_entry_and_its_open_offers(personas, practice, freed):
    entry = waiting(personas, practice)
    offer = SlotOffer.objects.create(entry=entry, practitioner=personas.practitioner, site=practice.site,
                                     start=SLOT_START, end=SLOT_END, expires_at=NOW + timedelta(hours=2))

    services.withdraw_entry(entry, acting_user=personas.secretary)

    entry.refresh_from_db()
    offer.refresh_from_db()
    assert (entry.status, offer.status) == (WaitingListEntry.Status.WITHDRAWN, SlotOffer.Status.EXPIRED)
    assert AuditEvent.objects.filter(action="agenda.waiting_entry_withdrawn", patient_id=entry.patient_id).count() == 1
    with pytest.raises(ServiceError):
        services.withdraw_entry(entry, acting_user=personas.secretary)


# --- Booking the freed slot for a waiting patient ---------------------------------------------


def test_booking_for_an_entry_brings_the_later_appointment_forward(personas, practice, freed):
    entry = waiting(personas, practice)
    later = AppointmentFactory(practitioner=personas.practitioner, patient=entry.patient, site=practice.site,
                               appointment_type=practice.consultation,
                               start=datetime(2026, 12, 21, 10, 0, tzinfo=PARIS))
    entry.current_appointment = later
    entry.save()
    other = waiting(personas, practice)
    open_offer = SlotOffer.objects.create(entry=other, practitioner=personas.practitioner, site=practice.site,
                                          start=SLOT_START, end=SLOT_START + timedelta(minutes=20),
                                          expires_at=NOW + timedelta(hours=2))

    booked = services.book_for_entry(entry, practitioner=personas.practitioner, start=SLOT_START,
                                     site=practice.site, acting_user=personas.secretary)

    entry.refresh_from_db()
    later.refresh_from_db()
    open_offer.refresh_from_db()
    assert (booked.patient, booked.start, booked.end, booked.status) == (
        entry.patient, SLOT_START, SLOT_START + timedelta(minutes=20), Appointment.Status.BOOKED)
    assert (entry.status, entry.booked_appointment) == (WaitingListEntry.Status.BOOKED, booked)
    assert (later.status, later.cancellation_reason, later.cancelled_by_patient) == (
        Appointment.Status.CANCELLED, "Brought forward", True)
    assert open_offer.status == SlotOffer.Status.TAKEN
    event = AuditEvent.objects.get(action="agenda.waiting_entry_booked")
    assert event.data == {"appointment_id": booked.pk, "replaced_appointment_id": later.pk}


def test_a_taken_slot_books_nothing_and_the_patient_keeps_waiting(personas, practice, freed):
    entry = waiting(personas, practice)
    later = AppointmentFactory(practitioner=personas.practitioner, patient=entry.patient,
                               start=datetime(2026, 12, 21, 10, 0, tzinfo=PARIS))
    entry.current_appointment = later
    entry.save()
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=SLOT_START)  # booked again

    with pytest.raises(ServiceError) as refusal:
        services.book_for_entry(entry, practitioner=personas.practitioner, start=SLOT_START, site=practice.site,
                                acting_user=personas.secretary)

    assert str(refusal.value) == "This slot was just taken at another desk: choose another one."
    entry.refresh_from_db()
    later.refresh_from_db()
    assert (entry.status, later.status) == (WaitingListEntry.Status.WAITING, Appointment.Status.BOOKED)
    assert Appointment.objects.filter(patient=entry.patient).count() == 1
    assert not AuditEvent.objects.filter(action__in=["agenda.waiting_entry_booked",
                                                     "agenda.appointment_booked"]).exists()


def test_an_entry_for_another_practitioner_cannot_be_booked_here(personas, practice, freed):
    entry = waiting(personas, practice, practitioner=personas.other_practitioner)

    with pytest.raises(ServiceError) as refusal:
        services.book_for_entry(entry, practitioner=personas.practitioner, start=SLOT_START, site=practice.site,
                                acting_user=personas.secretary)

    assert str(refusal.value) == "This patient waits for another practitioner."
    assert Appointment.objects.filter(patient=entry.patient).count() == 0
