"""Flooding and bad input on the online booking form: refused calmly, nothing written."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from secretariat.agenda.models import OnlineBookingRequest
from secretariat.agenda.online import throttle
from secretariat.agenda.online.services import hash_code, purge_old_online_requests
from secretariat.agenda.tests.factories import online_practice
from secretariat.agenda.tests.test_online_support import IDENTITY, first_slots, post_identity
from secretariat.core.audit import AuditEvent
from secretariat.messaging.models import OutboundMessage
from secretariat.patients.models import Patient

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def practice(personas):
    return online_practice(personas.practitioner)


@pytest.fixture
def slot(personas, practice):
    return first_slots([personas.practitioner], practice.consultation)[0]


def written() -> tuple[int, int, int, int]:
    return (OnlineBookingRequest.objects.count(), OutboundMessage.objects.count(), AuditEvent.objects.count(),
            Patient.objects.count())


def earlier_requests(practice, slot, count: int, *, minutes_ago: int = 10, **fields):
    for _ in range(count):
        request = OnlineBookingRequest.objects.create(
            structure=practice.site.structure, appointment_type=practice.consultation,
            practitioner=slot.practitioner, site=slot.site, start=slot.start, last_name="AUTRE",
            first_names="PERSONNE", birth_date="1990-01-01", sex="M", code_hash=hash_code("123456"),
            expires_at=timezone.now(), **fields)
        OnlineBookingRequest.objects.filter(pk=request.pk).update(
            created_at=timezone.now() - timedelta(minutes=minutes_ago))


def test_ten_code_requests_an_hour_from_one_address_then_429(client, practice, slot):
    earlier_requests(practice, slot, throttle.PER_ADDRESS - 1, client_address="198.51.100.7",
                     email="other@example.org")
    assert post_identity(client, practice.consultation, slot).status_code == 303  # the tenth
    before = written()
    response = post_identity(client, practice.consultation, slot, email="third@example.org")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Many booking requests came from your connection in the last hour" in response.content.decode()
    assert written() == before
    # Another address is not held back; an hour later the first one is free again.
    assert post_identity(client, practice.consultation, slot, address="203.0.113.9",
                         email="fourth@example.org").status_code == 303
    OnlineBookingRequest.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    assert post_identity(client, practice.consultation, slot, email="fifth@example.org").status_code == 303


@pytest.mark.parametrize(("field", "value", "typed"), [
    ("email", "claire.martin@example.org", {"email": "Claire.Martin@Example.org"}),
    ("phone", "0612345678", {"email": "", "phone": "+33 6 12 34 56 78"}),
])
def test_three_codes_an_hour_to_one_contact_then_429(client, practice, slot, field, value, typed):
    earlier_requests(practice, slot, throttle.PER_CONTACT, client_address="203.0.113.50", **{field: value})
    before = written()
    response = post_identity(client, practice.consultation, slot, **typed)
    assert response.status_code == 429
    assert "Several codes were already sent to this e-mail address or phone number" in response.content.decode()
    assert written() == before


def test_the_honeypot_refuses_robots_and_writes_nothing(client, practice, slot):
    before = written()
    response = post_identity(client, practice.consultation, slot, website="http://spam.example")
    assert response.status_code == 400
    assert written() == before


def test_csrf_is_checked_on_the_public_form(practice, slot):
    client = Client(enforce_csrf_checks=True)
    before = written()
    assert post_identity(client, practice.consultation, slot).status_code == 403
    assert written() == before


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"birth_date": "31/02/1990"}, "birth_date", "Type an existing date, day first"),
    ({"birth_date": "1/1/2999"}, "birth_date", "The birth date is in the future"),
    ({"birth_date": ""}, "birth_date", "This field is required."),
    ({"last_name": "Martin 2"}, "last_name", "“2” cannot be part of a name"),
    ({"first_names": ""}, "first_names", "This field is required."),
    ({"sex": "X"}, "sex", "Select a valid choice."),
    ({"email": "claire@"}, "email", "Enter a valid email address."),
    ({"email": "", "phone": "12345"}, "phone", "Type a phone number"),
    ({"email": "", "phone": "04 78 00 00 00"}, "phone", "This is not a mobile number"),
    ({"email": "", "phone": ""}, "phone", "Give an e-mail address or a mobile phone number"),
])
def test_bad_input_is_refused_with_a_message_on_the_field(client, practice, slot, changes, field, message):
    before = written()
    response = post_identity(client, practice.consultation, slot, **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert "Some answers need to be corrected" in response.content.decode()
    assert written() == before


def test_the_types_ages_are_checked_on_the_day_of_the_appointment(client, practice, slot):
    practice.consultation.min_age = 18
    practice.consultation.save()
    young = (slot.start.date() - timedelta(days=17 * 366)).strftime("%d/%m/%Y")
    before = written()
    response = post_identity(client, practice.consultation, slot, birth_date=young)
    assert "“Consultation” is for patients aged 18 or more." in response.context["form"].errors["birth_date"]
    assert written() == before


def test_entries_are_kept_when_the_form_comes_back(client, practice, slot):
    response = post_identity(client, practice.consultation, slot, email="claire@", first_names="Anne Claire")
    text = response.content.decode()
    assert 'value="Anne Claire"' in text
    assert 'value="01/03/1980"' in text
    assert IDENTITY["last_name"] in text


def test_requests_older_than_a_month_are_purged(personas):
    practice = online_practice(personas.practitioner)
    slot_start = timezone.now() + timedelta(days=3)
    common = {"structure": personas.structure, "appointment_type": practice.consultation,
              "practitioner": personas.practitioner, "site": practice.site, "start": slot_start,
              "last_name": "MARTIN", "first_names": "Claire", "birth_date": "1980-01-01", "sex": "F",
              "code_hash": "x", "expires_at": slot_start}
    old = OnlineBookingRequest.objects.create(**common)
    recent = OnlineBookingRequest.objects.create(**common)
    OnlineBookingRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert purge_old_online_requests() == 1
    assert list(OnlineBookingRequest.objects.values_list("pk", flat=True)) == [recent.pk]
