"""Online booking by a patient, page by page: what is offered, the code, who gets booked."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from secretariat.agenda.links import make_token, read_token
from secretariat.agenda.models import (
    AgendaSettings,
    Appointment,
    OnlineBookingRequest,
    PractitionerDirectives,
    TypeDirective,
)
from secretariat.agenda.online.services import MAX_ATTEMPTS
from secretariat.agenda.online.views import DONE_PURPOSE
from secretariat.agenda.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    online_practice,
)
from secretariat.agenda.tests.test_online_support import (
    IDENTITY,
    first_slots,
    identity_url,
    main_content,
    post_identity,
    sent_code,
    slot_params,
)
from secretariat.core.audit import AuditEvent
from secretariat.messaging.models import OutboundMessage
from secretariat.patients.models import AdministrativeFile, IdentityChange, Patient
from secretariat.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def practice(personas):
    return online_practice(personas.practitioner, other_practitioner=personas.other_practitioner)


def start_url(structure) -> str:
    return reverse("agenda_public:online_start", args=[structure.pk])


def slots_url(appointment_type, choice) -> str:
    return reverse("agenda_public:online_slots", args=[appointment_type.structure_id, appointment_type.pk]) \
        + f"?praticien={choice}"


def book(client, practice, personas, *, slot=None, code=None, **identity):
    """Identity page then code page; returns the response to the code."""
    slot = slot or first_slots([personas.practitioner], practice.consultation)[0]
    response = post_identity(client, practice.consultation, slot, **identity)
    assert response.status_code == 303, response.content.decode()[:2000]
    return client.post(response["Location"], {"code": code or sent_code()})


# --- What is offered ----------------------------------------------------------------------------


def test_closed_structure_says_so_politely_with_the_phone(client, personas):
    response = client.get(start_url(personas.structure))
    assert response.status_code == 200
    assert response.templates[0].name == "agenda/public/online_closed.html"
    assert "Online booking is not open" in response.content.decode()


def test_structure_open_but_without_online_types_is_closed_too(client, personas):
    online_practice(personas.practitioner)
    AgendaSettings.objects.filter(structure=personas.structure).update(online_booking_enabled=True)
    from secretariat.agenda.models import AppointmentType

    AppointmentType.objects.update(bookable_online=False)
    assert client.get(start_url(personas.structure)).templates[0].name == "agenda/public/online_closed.html"


def test_only_active_types_bookable_online_are_listed(client, personas, practice):
    AppointmentTypeFactory(structure=personas.structure, label="Ancien motif", bookable_online=True,
                           is_active=False)
    response = client.get(start_url(personas.structure))
    assert [kind.label for kind in response.context["types"]] == ["Consultation"]
    # The ultrasound is not bookable online: its pages do not exist for patients.
    url = reverse("agenda_public:online_practitioners", args=[personas.structure.pk, practice.ultrasound.pk])
    assert client.get(url).status_code == 404


def test_a_type_of_another_structure_is_not_found(client, personas, practice):
    other = AppointmentTypeFactory(structure=personas.other_structure, bookable_online=True)
    url = reverse("agenda_public:online_practitioners", args=[personas.structure.pk, other.pk])
    assert client.get(url).status_code == 404


def test_practitioners_offering_the_type_are_listed_with_any(client, personas, practice):
    url = reverse("agenda_public:online_practitioners", args=[personas.structure.pk, practice.consultation.pk])
    response = client.get(url)
    assert [p.pk for p in response.context["practitioners"]] == sorted(
        [personas.practitioner.pk, personas.other_practitioner.pk],
        key=lambda pk: {personas.practitioner.pk: "Cœur", personas.other_practitioner.pk: "Os"}[pk])
    assert "?praticien=tous" in response.content.decode()
    # A practitioner who refused the type is not offered; one left: straight to the slots.
    TypeDirective.objects.create(practitioner=personas.other_practitioner, appointment_type=practice.consultation,
                                 accepted=False)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == slots_url(practice.consultation, personas.practitioner.pk)


def test_slots_respect_the_online_notice_and_the_horizon(client, personas, practice):
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, online_min_notice_hours=72)
    AgendaSettings.objects.filter(structure=personas.structure).update(online_booking_days=14)
    before = timezone.now()
    response = client.get(slots_url(practice.consultation, personas.practitioner.pk))
    slots = [slot for _day, day_slots in response.context["days"] for slot, _url in day_slots]
    assert slots, "two weeks of Mondays and Tuesdays give slots"
    assert min(slot.start for slot in slots) >= before + timedelta(hours=72)
    last_day = timezone.localdate() + timedelta(days=14)
    assert max(slot.start for slot in slots).date() <= last_day
    assert {slot.start.weekday() for slot in slots} <= {0, 1}
    days = [day for day, _slots in response.context["days"]]
    assert days == sorted(days)
    assert len(days) == len(set(days))


def test_slots_for_any_practitioner_merge_both_agendas(client, personas, practice):
    response = client.get(slots_url(practice.consultation, "tous"))
    shown = {slot.practitioner.pk for _day, day_slots in response.context["days"] for slot, _url in day_slots}
    assert shown == {personas.practitioner.pk, personas.other_practitioner.pk}
    assert response.context["show_practitioner"] is True


def test_a_slot_no_longer_offered_gets_the_slot_taken_page(client, personas, practice):
    slot = first_slots([personas.practitioner], practice.consultation)[0]
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, appointment_type=practice.consultation,
                       start=slot.start)
    response = client.get(identity_url(practice.consultation), slot_params(slot))
    assert response.status_code == 409
    assert "This slot has just been taken" in response.content.decode()


def test_a_forged_slot_address_is_not_found(client, personas, practice):
    slot = first_slots([personas.practitioner], practice.consultation)[0]
    params = {**slot_params(slot), "debut": "tomorrow"}
    assert client.get(identity_url(practice.consultation), params).status_code == 404
    params = {**slot_params(slot), "praticien": personas.other_structure_practitioner.pk}
    assert client.get(identity_url(practice.consultation), params).status_code == 404


# --- The code, then the booking ------------------------------------------------------------------


def test_new_patient_books_with_the_code_and_becomes_a_provisional_identity(client, personas, practice):
    slot = first_slots([personas.practitioner], practice.consultation)[0]
    response = post_identity(client, practice.consultation, slot, last_name="Lefèvre",
                             first_names="Éloïse Marie", birth_date="14/07/1962", sex="F",
                             email="Eloise@Example.org", phone="06 12 34 56 78")
    assert response.status_code == 303
    code_page = client.get(response["Location"])
    assert "e•••@example.org" in code_page.content.decode()
    request = OnlineBookingRequest.objects.get()
    assert (request.last_name, request.first_names, request.birth_date, request.email, request.phone) == (
        "LEFEVRE", "ELOISE MARIE", date(1962, 7, 14), "eloise@example.org", "0612345678")
    assert request.status == OnlineBookingRequest.Status.PENDING
    assert request.appointment is None
    message = OutboundMessage.objects.get()
    assert (message.channel, message.recipient, message.purpose) == ("email", "eloise@example.org",
                                                                     "agenda.online_code")
    code = sent_code("eloise@example.org")
    assert code not in request.code_hash
    assert Patient.objects.count() == 0
    assert Appointment.objects.count() == 0

    done = client.post(response["Location"], {"code": f"{code[:3]} {code[3:]}"})
    assert done.status_code == 303
    appointment = Appointment.objects.get()
    patient = appointment.patient
    assert (appointment.start, appointment.practitioner, appointment.channel, appointment.booked_by) == (
        slot.start, personas.practitioner, Appointment.Channel.ONLINE, None)
    assert (patient.birth_name, patient.birth_first_names, patient.first_birth_first_name, patient.birthplace_code,
            patient.identity_status, patient.email, patient.phone) == (
        "LEFEVRE", "ELOISE MARIE", "ELOISE", "", Patient.IdentityStatus.PROVISIONAL, "eloise@example.org",
        "0612345678")
    assert list(patient.care_teams.all()) == [personas.team_a]
    contacts = AdministrativeFile.objects.get(patient=patient)
    assert (contacts.mobile_phone, contacts.sms_consent, contacts.email_consent) == ("0612345678", True, True)
    assert IdentityChange.objects.get(patient=patient).kind == IdentityChange.Kind.CREATED
    request.refresh_from_db()
    assert (request.status, request.appointment) == (OnlineBookingRequest.Status.CONFIRMED, appointment)
    assert set(AuditEvent.objects.filter(action__startswith="agenda.").values_list("action", flat=True)) >= {
        "agenda.online_code_sent", "agenda.online_code_confirmed", "agenda.appointment_booked"}

    page = client.get(done["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "Your appointment is booked" in text
    assert "ELOISE MARIE" not in text
    assert "Eloise Marie LEFEVRE" in text
    assert "Venir à jeun." in text
    assert "Ordonnance et derniers résultats." in text
    # The link to manage the appointment carries it (signed at render time: compare what it carries).
    [manage] = re.findall(r'href="/rdv/lien/([^"/]+)/"', text)
    assert read_token(manage, "appointment", max_age=timedelta(hours=1)) == appointment.pk
    # Sending the code again changes nothing (the link is signed again: compare what it carries).
    again = client.post(response["Location"], {"code": code})["Location"]

    def carried(location):
        return read_token(location.rstrip("/").rsplit("/", 1)[1], DONE_PURPOSE, max_age=timedelta(hours=1))

    assert carried(again) == carried(done["Location"]) == request.pk
    assert Appointment.objects.count() == 1


def test_code_by_sms_when_only_a_mobile_is_given_and_no_consent_is_recorded_as_no(client, personas, practice):
    response = book(client, practice, personas, email="", phone="+33 7 12 34 56 78", consent="")
    assert response.status_code == 303
    message = OutboundMessage.objects.filter(purpose="agenda.online_code").get()
    assert (message.channel, message.recipient) == ("sms", "+33712345678")
    contacts = AdministrativeFile.objects.get()
    assert (contacts.mobile_phone, contacts.sms_consent, contacts.email_consent) == ("0712345678", False, None)
    # No consent: no confirmation message is queued for the appointment.
    assert not OutboundMessage.objects.filter(purpose="agenda.confirmation").exists()


def test_known_patient_is_matched_and_keeps_their_contacts(client, personas, practice):
    known = PatientFactory(structure=personas.structure, birth_name="MARTIN", birth_first_names="CLAIRE ANNE",
                           first_birth_first_name="CLAIRE", birth_date=date(1980, 3, 1), sex="F",
                           email="old@example.org")
    response = book(client, practice, personas, first_names="Claire")
    assert response.status_code == 303
    assert Patient.objects.count() == 1
    assert Appointment.objects.get().patient == known
    known.refresh_from_db()
    assert known.email == "old@example.org"
    assert not AdministrativeFile.objects.filter(patient=known).exists()


def test_two_strong_matches_create_a_new_identity_listing_them(client, personas, practice):
    twins = [PatientFactory(structure=personas.structure, birth_name="MARTIN", birth_first_names="CLAIRE",
                            first_birth_first_name="CLAIRE", birth_date=date(1980, 3, 1), sex="F",
                            birthplace_code=code) for code in ("69123", "75056")]
    assert book(client, practice, personas).status_code == 303
    created = Appointment.objects.get().patient
    assert created not in twins
    change = IdentityChange.objects.get(patient=created)
    assert sorted(change.changes["possible_duplicates"]) == sorted(twin.pk for twin in twins)


def test_a_namesake_born_another_day_is_not_used(client, personas, practice):
    other = PatientFactory(structure=personas.structure, birth_name="MARTIN", birth_first_names="CLAIRE",
                           first_birth_first_name="CLAIRE", birth_date=date(1980, 1, 3), sex="F")
    assert book(client, practice, personas).status_code == 303
    assert Appointment.objects.get().patient != other


def test_wrong_codes_count_and_the_fifth_closes_the_request(client, personas, practice):
    slot = first_slots([personas.practitioner], practice.consultation)[0]
    location = post_identity(client, practice.consultation, slot)["Location"]
    right = sent_code(IDENTITY["email"])
    wrong = "000000" if right != "000000" else "111111"
    for left in range(MAX_ATTEMPTS - 1, 0, -1):
        response = client.post(location, {"code": wrong})
        assert response.status_code == 200
        assert f"This is not the code we sent. Attempts left: {left}." in response.content.decode()
    response = client.post(location, {"code": wrong})
    assert response.status_code == 429
    assert client.post(location, {"code": right}).status_code == 429
    assert client.get(location).status_code == 429
    request = OnlineBookingRequest.objects.get()
    assert (request.attempts, request.status) == (MAX_ATTEMPTS, OnlineBookingRequest.Status.FAILED)
    assert Appointment.objects.count() == 0
    assert Patient.objects.count() == 0


def test_a_malformed_code_is_not_an_attempt(client, personas, practice):
    slot = first_slots([personas.practitioner], practice.consultation)[0]
    location = post_identity(client, practice.consultation, slot)["Location"]
    response = client.post(location, {"code": "12ab"})
    assert "The code has 6 digits." in response.content.decode()
    assert OnlineBookingRequest.objects.get().attempts == 0


def test_an_expired_code_books_nothing(client, personas, practice):
    slot = first_slots([personas.practitioner], practice.consultation)[0]
    location = post_identity(client, practice.consultation, slot)["Location"]
    OnlineBookingRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(location, {"code": sent_code(IDENTITY["email"])})
    assert response.status_code == 410
    assert "This code has expired" in response.content.decode()
    assert OnlineBookingRequest.objects.get().status == OnlineBookingRequest.Status.EXPIRED
    assert Appointment.objects.count() == 0
    assert Patient.objects.count() == 0


def test_a_forged_code_page_address_is_not_found(client, personas, practice):
    slot = first_slots([personas.practitioner], practice.consultation)[0]
    location = post_identity(client, practice.consultation, slot)["Location"]
    forged = location.replace("/code/", "/code/x")
    assert client.get(forged).status_code == 404
    assert client.get(reverse("agenda_public:online_done", args=["nope"])).status_code == 404
    # The confirmation page of a request not confirmed does not exist.
    pending = reverse("agenda_public:online_done",
                      args=[make_token("online_booking", OnlineBookingRequest.objects.get().pk)])
    assert client.get(pending).status_code == 404


def test_slot_taken_at_a_desk_before_the_code_leaves_no_identity(client, personas, practice):
    slot = first_slots([personas.practitioner], practice.consultation)[0]
    location = post_identity(client, practice.consultation, slot)["Location"]
    desk = AppointmentFactory(practitioner=personas.practitioner, site=practice.site,
                              appointment_type=practice.consultation, start=slot.start)
    response = client.post(location, {"code": sent_code(IDENTITY["email"])})
    assert response.status_code == 409
    text = response.content.decode()
    assert "This slot has just been taken" in text
    assert slots_url(practice.consultation, "tous") in text
    assert list(Appointment.objects.all()) == [desk]
    assert Patient.objects.count() == 1  # the desk's patient only
    assert OnlineBookingRequest.objects.get().status == OnlineBookingRequest.Status.FAILED


# --- Refusals that depend on the patient: one neutral message ------------------------------------


def neutral_refusal(response) -> str:
    assert response.status_code == 403
    return main_content(response)


def test_directive_refusals_read_the_same_for_known_and_new_patients(client, personas, practice):
    # A known patient who missed two appointments recently may not book online…
    known = PatientFactory(structure=personas.structure, birth_name="MARTIN", birth_first_names="CLAIRE",
                           first_birth_first_name="CLAIRE", birth_date=date(1980, 3, 1), sex="F")
    for days in (20, 40):
        AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=known,
                           appointment_type=practice.consultation, status=Appointment.Status.MISSED,
                           start=timezone.now() - timedelta(days=days))
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, online_max_missed=2,
                                          accepts_new_patients=False)
    slots = first_slots([personas.practitioner], practice.consultation, count=2)
    known_page = neutral_refusal(book(client, practice, personas, slot=slots[0]))
    # …and the practitioner takes no new patient: a stranger reads exactly the same page.
    new_page = neutral_refusal(book(client, practice, personas, slot=slots[1], last_name="Durand",
                                    email="someone@example.org"))
    assert known_page == new_page
    assert "This slot cannot be booked online. Please call the secretariat" in new_page
    assert 'href="tel:0478000000"' in new_page
    assert Appointment.objects.filter(status=Appointment.Status.BOOKED).count() == 0
    assert Patient.objects.count() == 1  # no identity created for the refused stranger
    assert list(OnlineBookingRequest.objects.values_list("status", flat=True)) == ["failed", "failed"]


def test_identity_step_is_the_same_for_known_and_unknown_people(client, personas, practice):
    PatientFactory(structure=personas.structure, birth_name="MARTIN", birth_first_names="CLAIRE",
                   first_birth_first_name="CLAIRE", birth_date=date(1980, 3, 1), sex="F")
    slot = first_slots([personas.practitioner], practice.consultation)[0]
    known = post_identity(client, practice.consultation, slot)
    unknown = post_identity(client, practice.consultation, slot, last_name="Inconnue", email="x@example.org")
    assert (known.status_code, unknown.status_code) == (303, 303)
    known_code, unknown_code = client.get(known["Location"]), client.get(unknown["Location"])
    assert "c•••@example.org" in main_content(known_code)
    assert main_content(known_code).replace("c•••@example.org", "") == \
        main_content(unknown_code).replace("x•••@example.org", "")
    bodies = [message.body.replace(sent_code(message.recipient), "")
              for message in OutboundMessage.objects.order_by("pk")]
    assert bodies[0] == bodies[1]


def test_done_page_is_not_found_for_a_link_of_another_purpose(client, personas, practice):
    assert book(client, practice, personas).status_code == 303
    request = OnlineBookingRequest.objects.get()
    url = reverse("agenda_public:online_done", args=[make_token("appointment", request.pk)])
    assert client.get(url).status_code == 404



def test_done_page_shows_a_cancelled_appointment_as_cancelled(client, personas, practice):
    from secretariat.agenda.services import cancel_appointment

    done = book(client, practice, personas)
    cancel_appointment(Appointment.objects.get(), reason="Empêchement", by_patient=True, acting_user=None)
    text = client.get(done["Location"]).content.decode()
    assert "This appointment is cancelled" in text
    assert "Cancel or confirm this appointment" not in text
