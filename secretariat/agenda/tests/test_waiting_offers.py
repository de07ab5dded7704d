"""Offers of a freed slot by SMS or e-mail: who receives what, the first to accept gets the
slot, the others are told it is taken; forged or expired links write nothing."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import resolve, reverse
from django.utils import translation

from secretariat.agenda import links
from secretariat.agenda import services_waiting as services
from secretariat.agenda.models import AgendaSettings, Appointment, SlotOffer, WaitingListEntry
from secretariat.agenda.tests.factories import (
    AdministrativeFileFactory,
    AppointmentFactory,
    WaitingListEntryFactory,
    practice_with_schedule,
)
from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.messaging.models import OutboundMessage
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
SLOT_START = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)
SLOT_END = datetime(2026, 12, 7, 9, 30, tzinfo=PARIS)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def clock(settings):
    settings.SECRETARIAT_PUBLIC_URL = "https://rdv.example.org"
    with time_machine.travel(NOW, tick=False) as traveller, translation.override("en"):
        yield traveller


@pytest.fixture
def practice(personas):
    return practice_with_schedule(personas.practitioner)


@pytest.fixture
def freed(personas, practice):
    return AppointmentFactory(practitioner=personas.practitioner, site=practice.site,
                              appointment_type=practice.ultrasound, start=SLOT_START,
                              status=Appointment.Status.CANCELLED, cancelled_at=NOW)


def waiting(personas, practice, *, email=True, sms=True):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                             email="patient@example.org")
    AdministrativeFileFactory(patient=patient, email_consent=email, sms_consent=sms, mobile_phone="0612345678")
    return WaitingListEntryFactory(patient=patient, appointment_type=practice.consultation)


def offer(personas, practice, entries, **kwargs):
    kwargs.setdefault("start", SLOT_START)
    kwargs.setdefault("end", SLOT_END)
    return services.offer_slot(entries=entries, practitioner=personas.practitioner, site=practice.site,
                               acting_user=personas.secretary, **kwargs)


def token_in(body: str) -> str:
    url = next(word for word in body.split() if word.startswith("https://rdv.example.org/"))
    match = resolve(urlsplit(url).path)
    assert match.view_name == "agenda_public:offer"
    return match.kwargs["token"]


# --- Sending offers ---------------------------------------------------------------------------


def test_each_reachable_patient_gets_a_link_on_every_consented_channel(personas, practice, freed):
    both = waiting(personas, practice)
    sms_only = waiting(personas, practice, email=False)
    phone_only = waiting(personas, practice, email=False, sms=False)

    result = offer(personas, practice, [both, sms_only, phone_only])

    assert [item.entry for item in result.offers] == [both, sms_only]
    assert result.unreachable == [phone_only]
    messages = list(OutboundMessage.objects.order_by("pk"))
    assert [(message.patient, message.channel, message.purpose) for message in messages] == [
        (both.patient, "email", "agenda.slot_offer"), (both.patient, "sms", "agenda.slot_offer"),
        (sms_only.patient, "sms", "agenda.slot_offer")]
    first = result.offers[0]
    assert links.read_token(token_in(messages[0].body), "offer", max_age=timedelta(days=1)) == first.pk
    assert "09:00" in messages[0].body
    assert (first.start, first.end, first.expires_at, first.status) == (
        SLOT_START, SLOT_START + timedelta(minutes=20), NOW + timedelta(minutes=120), SlotOffer.Status.OFFERED)
    assert AuditEvent.objects.filter(action="agenda.slot_offered").count() == 2


def test_the_structures_validity_applies_but_never_past_the_slot(personas, practice, freed):
    AgendaSettings.objects.create(structure=personas.structure, offer_validity_minutes=30)
    entry = waiting(personas, practice)
    assert offer(personas, practice, [entry]).offers[0].expires_at == NOW + timedelta(minutes=30)

    AgendaSettings.objects.filter(structure=personas.structure).update(offer_validity_minutes=60 * 24 * 30)
    other = waiting(personas, practice)
    assert offer(personas, practice, [other]).offers[0].expires_at == SLOT_START


def test_nobody_reachable_is_refused_and_nothing_is_written(personas, practice, freed):
    entry = waiting(personas, practice, email=False, sms=False)

    with pytest.raises(ServiceError) as refusal:
        offer(personas, practice, [entry])

    assert str(refusal.value) == "None of these patients accepts SMS or e-mail: call them instead."
    assert (SlotOffer.objects.count(), OutboundMessage.objects.count()) == (0, 0)
    assert not AuditEvent.objects.filter(action="agenda.slot_offered").exists()


def test_a_slot_booked_again_cannot_be_offered(personas, practice, freed):
    entry = waiting(personas, practice)
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=SLOT_START)

    with pytest.raises(ServiceError) as refusal:
        offer(personas, practice, [entry])

    assert str(refusal.value) == "This slot has been booked in the meantime."
    assert (SlotOffer.objects.count(), OutboundMessage.objects.count()) == (0, 0)


def test_an_entry_no_longer_waiting_stops_the_whole_round(personas, practice, freed):
    fine = waiting(personas, practice)
    gone = waiting(personas, practice)
    WaitingListEntry.objects.filter(pk=gone.pk).update(status=WaitingListEntry.Status.WITHDRAWN)

    with pytest.raises(ServiceError):
        offer(personas, practice, [fine, gone])

    assert (SlotOffer.objects.count(), OutboundMessage.objects.count()) == (0, 0)


# --- Answers ----------------------------------------------------------------------------------


def test_the_first_to_accept_gets_the_slot_and_the_others_are_told_it_is_taken(personas, practice, freed):
    first, second = waiting(personas, practice), waiting(personas, practice)
    later = AppointmentFactory(practitioner=personas.practitioner, patient=first.patient,
                               start=datetime(2026, 12, 21, 10, 0, tzinfo=PARIS))
    WaitingListEntry.objects.filter(pk=first.pk).update(current_appointment=later)
    offers = offer(personas, practice, [first, second]).offers

    answer, accepted = services.accept_offer(offers[0].pk)
    late_answer, too_late = services.accept_offer(offers[1].pk)

    assert (answer, late_answer) == (services.Answer.ACCEPTED, services.Answer.TAKEN)
    appointment = Appointment.objects.get(start=SLOT_START, status=Appointment.Status.BOOKED)
    assert (appointment.patient, appointment.booked_by) == (first.patient, personas.secretary)
    assert (accepted.status, accepted.appointment, too_late.status) == (
        SlotOffer.Status.ACCEPTED, appointment, SlotOffer.Status.TAKEN)
    first.refresh_from_db()
    second.refresh_from_db()
    later.refresh_from_db()
    assert (first.status, first.booked_appointment, second.status) == (
        WaitingListEntry.Status.BOOKED, appointment, WaitingListEntry.Status.WAITING)
    assert (later.status, later.cancellation_reason) == (Appointment.Status.CANCELLED, "Brought forward")
    assert AuditEvent.objects.filter(action="agenda.slot_offer_accepted").count() == 1


def test_accepting_twice_is_harmless(personas, practice, freed):
    entry = waiting(personas, practice)
    made = offer(personas, practice, [entry]).offers[0]
    services.accept_offer(made.pk)

    assert services.accept_offer(made.pk)[0] == services.Answer.ACCEPTED
    assert Appointment.objects.filter(patient=entry.patient).count() == 1


def test_a_slot_taken_at_a_desk_meanwhile_leaves_every_offer_taken(personas, practice, freed):
    first, second = waiting(personas, practice), waiting(personas, practice)
    offers = offer(personas, practice, [first, second]).offers
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, start=SLOT_START)

    answer, _offer = services.accept_offer(offers[0].pk)

    assert answer == services.Answer.TAKEN
    assert set(SlotOffer.objects.values_list("status", flat=True)) == {SlotOffer.Status.TAKEN}
    assert Appointment.objects.filter(patient__in=[first.patient, second.patient]).count() == 0
    first.refresh_from_db()
    assert first.status == WaitingListEntry.Status.WAITING


def test_declining_keeps_the_patient_waiting(personas, practice, freed):
    entry = waiting(personas, practice)
    made = offer(personas, practice, [entry]).offers[0]

    answer, declined = services.decline_offer(made.pk)

    entry.refresh_from_db()
    assert (answer, declined.status, entry.status) == (
        services.Answer.DECLINED, SlotOffer.Status.DECLINED, WaitingListEntry.Status.WAITING)
    assert services.accept_offer(made.pk)[0] == services.Answer.DECLINED
    assert not Appointment.objects.filter(patient=entry.patient).exists()


def test_an_expired_offer_books_nothing_and_writes_nothing(personas, practice, freed, clock):
    entry = waiting(personas, practice)
    made = offer(personas, practice, [entry]).offers[0]
    clock.move_to(NOW + timedelta(minutes=121))
    events = AuditEvent.objects.count()

    assert services.accept_offer(made.pk)[0] == services.Answer.EXPIRED
    assert services.decline_offer(made.pk)[0] == services.Answer.EXPIRED

    made.refresh_from_db()
    assert (made.status, made.answered_at) == (SlotOffer.Status.OFFERED, None)
    assert not Appointment.objects.filter(patient=entry.patient).exists()
    assert AuditEvent.objects.count() == events


# --- The patient's page -----------------------------------------------------------------------


def page_url(made) -> str:
    return reverse("agenda_public:offer", args=[links.make_token("offer", made.pk)])


def test_looking_at_the_offer_writes_nothing(client, personas, practice, freed):
    made = offer(personas, practice, [waiting(personas, practice)]).offers[0]
    events = AuditEvent.objects.count()

    response = client.get(page_url(made))

    assert response.status_code == 200
    assert response.context["state"] == "offered"
    assert 'value="accept"' in response.content.decode()
    made.refresh_from_db()
    assert (made.status, AuditEvent.objects.count()) == (SlotOffer.Status.OFFERED, events)


def test_accepting_on_the_page_books_and_shows_it(client, personas, practice, freed):
    entry = waiting(personas, practice)
    made = offer(personas, practice, [entry]).offers[0]

    response = client.post(page_url(made), {"answer": "accept"}, follow=True)

    assert response.redirect_chain == [(page_url(made), 302)]
    assert response.context["state"] == "accepted"
    assert "It is yours: your appointment is booked." in response.content.decode()
    assert Appointment.objects.get(patient=entry.patient).start == SLOT_START


def test_the_late_acceptor_reads_that_the_slot_is_taken(client, personas, practice, freed):
    first, second = waiting(personas, practice), waiting(personas, practice)
    offers = offer(personas, practice, [first, second]).offers
    services.accept_offer(offers[0].pk)

    response = client.post(page_url(offers[1]), {"answer": "accept"}, follow=True)

    assert "This slot has already been taken: you stay on the waiting list" in response.content.decode()
    assert not Appointment.objects.filter(patient=second.patient).exists()


@pytest.mark.parametrize("make_token", [
    lambda pk: links.make_token("offer", pk) + "x",
    lambda pk: links.make_token("appointment", pk),
    lambda pk: "nonsense",
    lambda pk: links.make_token("offer", pk + 1000),
])
def test_forged_or_foreign_links_get_a_plain_page_and_write_nothing(client, personas, practice, freed, make_token):
    made = offer(personas, practice, [waiting(personas, practice)]).offers[0]
    url = reverse("agenda_public:offer", args=[make_token(made.pk)])
    events = AuditEvent.objects.count()

    shown = client.get(url)
    posted = client.post(url, {"answer": "accept"})

    assert (shown.status_code, posted.status_code) == (404, 404)
    assert "This link is not valid" in posted.content.decode()
    made.refresh_from_db()
    assert made.status == SlotOffer.Status.OFFERED
    assert (Appointment.objects.filter(status=Appointment.Status.BOOKED).count(), AuditEvent.objects.count()) \
        == (0, events)


def test_a_link_older_than_its_signature_allows_is_refused(client, personas, practice, freed, clock):
    made = offer(personas, practice, [waiting(personas, practice)]).offers[0]
    url = page_url(made)
    clock.move_to(NOW + services.OFFER_LINK_MAX_AGE + timedelta(minutes=1))

    assert client.post(url, {"answer": "accept"}).status_code == 404
    made.refresh_from_db()
    assert made.status == SlotOffer.Status.OFFERED


def test_an_unknown_answer_changes_nothing(client, personas, practice, freed):
    made = offer(personas, practice, [waiting(personas, practice)]).offers[0]

    assert client.post(page_url(made), {"answer": "maybe"}).status_code == 400
    made.refresh_from_db()
    assert made.status == SlotOffer.Status.OFFERED
