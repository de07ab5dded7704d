"""Screens of the waiting list and of the freed slot: who may see and do what, and that the
buttons do what they say."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from secretariat.agenda.models import Appointment, SlotOffer, WaitingListEntry
from secretariat.agenda.tests.factories import (
    AdministrativeFileFactory,
    AppointmentFactory,
    WaitingListEntryFactory,
    practice_with_schedule,
)
from secretariat.core.audit import AuditEvent
from secretariat.messaging.models import OutboundMessage
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
SLOT_START = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_in_english(client):
    client.cookies["django_language"] = "en"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def practice(personas):
    return practice_with_schedule(personas.practitioner)


@pytest.fixture
def freed(personas, practice):
    return AppointmentFactory(practitioner=personas.practitioner, site=practice.site,
                              appointment_type=practice.ultrasound, start=SLOT_START,
                              status=Appointment.Status.CANCELLED, cancelled_at=NOW)


def waiting(personas, practice, *, team=None, reachable=True, **kwargs):
    patient = PatientFactory(structure=personas.structure, care_teams=[team or personas.team_a],
                             email="patient@example.org")
    if reachable:
        AdministrativeFileFactory(patient=patient)
    return WaitingListEntryFactory(patient=patient, appointment_type=practice.consultation, **kwargs)


@pytest.mark.parametrize(("who", "status"), [
    ("secretary", 200), ("reception", 200), ("practitioner_user", 200), ("coordinator", 200), ("accountant", 403),
])
def test_the_list_is_for_the_roles_who_see_agendas(client, personas, practice, who, status):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("agenda:waiting_list")).status_code == status


def test_anonymous_visitors_are_sent_to_the_login_page(client, personas, freed):
    for url in (reverse("agenda:waiting_list"), reverse("agenda:freed_slot", args=[freed.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/connexion/")


def test_the_list_shows_the_users_entries_only(client, personas, practice, django_assert_max_num_queries):
    mine = waiting(personas, practice, practitioner=personas.practitioner)
    theirs = waiting(personas, practice, practitioner=personas.other_practitioner, team=personas.team_b)
    for _ in range(10):
        waiting(personas, practice)
    client.force_login(personas.secretary)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("agenda:waiting_list"))

    shown = list(response.context["entries"])
    assert mine in shown
    assert theirs not in shown
    assert len(shown) == 11


def test_adding_a_patient_from_the_form(client, personas, practice):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    client.force_login(personas.reception)
    url = reverse("agenda:waiting_add") + f"?patient={patient.pk}"

    response = client.post(url, {"appointment_type": practice.consultation.pk, "practitioner": "",
                                 "latest": "31/12/2026", "not_before": "", "half_day": "afternoons",
                                 "weekdays": ["1", "3"], "note": "Disponible vite"})

    assert response.status_code == 302
    entry = WaitingListEntry.objects.get(patient=patient)
    assert (entry.practitioner, entry.latest, entry.afternoons_only, entry.mornings_only, entry.weekdays) == (
        None, date(2026, 12, 31), True, False, [1, 3])


def test_a_patient_outside_the_users_teams_cannot_be_added(client, personas, practice):
    stranger = PatientFactory(structure=personas.structure, care_teams=[personas.team_b])
    client.force_login(personas.secretary)

    response = client.post(reverse("agenda:waiting_add") + f"?patient={stranger.pk}",
                           {"appointment_type": practice.consultation.pk, "latest": "31/12/2026"})

    assert response.status_code == 404
    assert WaitingListEntry.objects.count() == 0


def test_the_search_lists_the_users_patients_to_choose_from(client, personas, practice):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name="MARTINEZ")
    PatientFactory(structure=personas.structure, care_teams=[personas.team_b], birth_name="MARTINEZ")
    client.force_login(personas.secretary)

    response = client.get(reverse("agenda:waiting_add"), {"q": "martinez"})

    assert response.context["hits"] == [patient]
    assert f'href="?patient={patient.pk}"' in response.content.decode()


def test_withdrawing_someone_elses_entry_is_not_found(client, personas, practice):
    theirs = waiting(personas, practice, practitioner=personas.other_practitioner, team=personas.team_b)
    client.force_login(personas.secretary)

    assert client.post(reverse("agenda:waiting_withdraw", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == WaitingListEntry.Status.WAITING


def test_withdrawing_needs_the_booking_capability(client, personas, practice):
    entry = waiting(personas, practice, practitioner=personas.practitioner)
    client.force_login(personas.accountant)

    assert client.post(reverse("agenda:waiting_withdraw", args=[entry.pk])).status_code == 403
    entry.refresh_from_db()
    assert entry.status == WaitingListEntry.Status.WAITING


# --- The freed slot ---------------------------------------------------------------------------


def test_the_freed_slot_lists_the_fitting_patients_the_user_may_see(client, personas, practice, freed):
    first = waiting(personas, practice)
    phone_only = waiting(personas, practice, reachable=False)
    waiting(personas, practice, team=personas.team_b)  # another team's patient, any practitioner
    waiting(personas, practice, latest=date(2026, 12, 4))  # not until Monday
    client.force_login(personas.secretary)

    response = client.get(reverse("agenda:freed_slot", args=[freed.pk]))

    assert response.status_code == 200
    assert response.context["candidates"] == [first, phone_only]
    assert [entry.reachable for entry in response.context["candidates"]] == [["email", "sms"], []]
    page = response.content.decode()
    assert f'name="entries" value="{first.pk}"' in page
    assert f'name="entries" value="{phone_only.pk}"' not in page  # nobody to write to


@pytest.mark.parametrize("who", ["other_team_secretary", "other_structure_secretary"])
def test_outsiders_do_not_find_the_freed_slot(client, personas, freed, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("agenda:freed_slot", args=[freed.pk])).status_code == 404


def test_a_live_appointment_proposes_nobody(client, personas, practice):
    live = AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=SLOT_START)
    waiting(personas, practice)
    client.force_login(personas.secretary)

    response = client.get(reverse("agenda:freed_slot", args=[live.pk]))

    assert (response.context["is_free"], response.context["candidates"]) == (False, [])
    assert "This appointment is not cancelled" in response.content.decode()


def test_booking_from_the_freed_slot_in_one_click(client, personas, practice, freed):
    entry = waiting(personas, practice)
    client.force_login(personas.secretary)

    response = client.post(reverse("agenda:freed_slot_book", args=[freed.pk]), {"entry": entry.pk})

    booked = Appointment.objects.get(patient=entry.patient)
    assert (booked.start, booked.practitioner, booked.booked_by) == (SLOT_START, personas.practitioner,
                                                                     personas.secretary)
    assert response.status_code == 302
    assert response.url == reverse("agenda:day") + "?date=2026-12-07"
    entry.refresh_from_db()
    assert entry.status == WaitingListEntry.Status.BOOKED


def test_booking_refused_by_the_database_shows_the_reason(client, personas, practice, freed):
    entry = waiting(personas, practice)
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=SLOT_START)
    client.force_login(personas.secretary)

    response = client.post(reverse("agenda:freed_slot_book", args=[freed.pk]), {"entry": entry.pk}, follow=True)

    assert "This slot was just taken at another desk" in response.content.decode()
    assert not Appointment.objects.filter(patient=entry.patient).exists()


def test_the_accountant_cannot_book_from_the_freed_slot(client, personas, practice, freed):
    entry = waiting(personas, practice)
    client.force_login(personas.accountant)

    assert client.post(reverse("agenda:freed_slot_book", args=[freed.pk]), {"entry": entry.pk}).status_code == 403
    assert not Appointment.objects.filter(patient=entry.patient).exists()


def test_offering_to_several_patients_at_once(client, personas, practice, freed):
    first, second = waiting(personas, practice), waiting(personas, practice)
    client.force_login(personas.secretary)

    response = client.post(reverse("agenda:freed_slot_offer", args=[freed.pk]),
                           {"entries": [first.pk, second.pk]}, follow=True)

    assert set(SlotOffer.objects.values_list("entry_id", flat=True)) == {first.pk, second.pk}
    assert OutboundMessage.objects.filter(purpose="agenda.slot_offer").count() == 4
    assert "The slot was offered to 2 patients." in response.content.decode()
    # Already offered: shown as such, no longer tickable.
    assert f'name="entries" value="{first.pk}"' not in response.content.decode()
    assert AuditEvent.objects.filter(action="agenda.slot_offered").count() == 2


def test_offering_to_an_entry_outside_the_users_scope_sends_nothing(client, personas, practice, freed):
    theirs = waiting(personas, practice, team=personas.team_b)
    client.force_login(personas.secretary)

    response = client.post(reverse("agenda:freed_slot_offer", args=[freed.pk]), {"entries": [theirs.pk]},
                           follow=True)

    assert "Tick the patients to whom the slot should be offered." in response.content.decode()
    assert (SlotOffer.objects.count(), OutboundMessage.objects.count()) == (0, 0)


def test_the_offers_of_the_slot_are_listed_with_their_answers(client, personas, practice, freed):
    entry = waiting(personas, practice)
    SlotOffer.objects.create(entry=entry, practitioner=personas.practitioner, site=practice.site, start=SLOT_START,
                             end=SLOT_START + timedelta(minutes=20), expires_at=NOW + timedelta(hours=2),
                             status=SlotOffer.Status.DECLINED, answered_at=NOW)
    client.force_login(personas.secretary)

    response = client.get(reverse("agenda:freed_slot", args=[freed.pk]))

    assert [offer.status for offer in response.context["offers"]] == [SlotOffer.Status.DECLINED]
    assert "Declined" in response.content.decode()
