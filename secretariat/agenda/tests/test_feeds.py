"""Private calendar feeds: the staff screen (create, list, revoke) and the public .ics address."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from secretariat.agenda import services_feeds
from secretariat.agenda.models import CalendarFeed
from secretariat.agenda.tests.factories import AppointmentFactory, AppointmentTypeFactory
from secretariat.core.models import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.factories import SiteFactory
from secretariat.patients.tests.factories import PatientFactory

FEED_URL = re.compile(r'value="(http://testserver/agenda/flux/([A-Za-z0-9_-]+)\.ics)"')


def create(client, practitioner, **headers):
    return client.post(reverse("agenda:feed_create"), {"practitioner": practitioner.pk}, **headers)


def secret_of(response) -> tuple[str, str]:
    """(address, secret) shown once in the answer to a creation."""
    return FEED_URL.search(response.content.decode()).groups()


@pytest.fixture
def appointment(personas):
    site = SiteFactory(structure=personas.structure, name="Cabinet des Tilleuls")
    kind = AppointmentTypeFactory(structure=personas.structure, label="Consultation")
    patient = PatientFactory(structure=personas.structure, birth_name="DUPONT", first_birth_first_name="JEANNE")
    return AppointmentFactory(practitioner=personas.practitioner, site=site, appointment_type=kind, patient=patient,
                              start=timezone.now().replace(microsecond=0) + timedelta(days=2))


def test_a_practitioner_creates_a_feed_and_sees_its_address_once(client, personas, english):
    client.force_login(personas.practitioner_user)
    page = client.get(reverse("agenda:feeds"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "This is the practitioner's private calendar: it shows the patients' names." in text
    assert "No calendar feed yet." in text

    response = create(client, personas.practitioner)
    assert response.status_code == 200
    url, secret = secret_of(response)
    feed = CalendarFeed.objects.get()
    assert (feed.practitioner, feed.created_by, feed.revoked_at) == (personas.practitioner,
                                                                      personas.practitioner_user, None)
    # Only the hash is kept: the address cannot be read back from the database.
    assert feed.token == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in feed.token
    (event,) = AuditEvent.objects.filter(action="agenda.calendar_feed_created")
    assert (event.acting_user, event.data) == (personas.practitioner_user, {"practitioner_id": personas.practitioner.pk})
    listed = client.get(reverse("agenda:feeds")).content.decode()
    assert secret not in listed
    assert feed.created_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y %H:%M") in listed


def test_the_address_serves_the_calendar_without_login_and_audits_each_fetch(client, personas, appointment):
    feed, secret = services_feeds.create_feed(personas.practitioner, acting_user=personas.practitioner_user)
    anonymous = Client()
    for _attempt in range(2):
        response = anonymous.get(reverse("agenda:feed_ics", args=[secret]))
        assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]).endswith("— DUPONT Jeanne")
    assert str(event["uid"]) == f"appointment-{appointment.pk}@testserver"
    fetches = AuditEvent.objects.filter(action="agenda.calendar_feed_fetched")
    assert [(row.target_id, row.acting_user, row.data) for row in fetches] == [
        (str(feed.pk), None, {"practitioner_id": personas.practitioner.pk, "appointments": 1})] * 2


def test_revoked_unknown_or_orphan_addresses_answer_404(client, personas, appointment):
    revoked, revoked_secret = services_feeds.create_feed(personas.practitioner, acting_user=personas.coordinator)
    services_feeds.revoke_feed(revoked, acting_user=personas.coordinator)
    _feed, left_secret = services_feeds.create_feed(personas.other_practitioner, acting_user=personas.coordinator)
    personas.other_practitioner.is_active = False
    personas.other_practitioner.save()
    for token in (revoked_secret, left_secret, "x" * 43, revoked.token):
        assert client.get(reverse("agenda:feed_ics", args=[token])).status_code == 404
    assert not AuditEvent.objects.filter(action="agenda.calendar_feed_fetched").exists()


def test_revoke_kills_the_address_and_is_traced_once(client, personas, english):
    client.force_login(personas.practitioner_user)
    feed, secret = services_feeds.create_feed(personas.practitioner, acting_user=personas.practitioner_user)
    url = reverse("agenda:feed_revoke", args=[feed.pk])
    response = client.post(url, follow=True)
    assert "The calendar feed is revoked: its address no longer works." in response.content.decode()
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert client.get(reverse("agenda:feed_ics", args=[secret])).status_code == 404
    again = client.post(url, follow=True)
    assert "This calendar feed is already revoked." in again.content.decode()
    assert AuditEvent.objects.filter(action="agenda.calendar_feed_revoked").count() == 1
    with pytest.raises(ServiceError):
        services_feeds.revoke_feed(feed, acting_user=personas.practitioner_user)


def test_a_coordinator_manages_any_practitioner_of_the_structure(client, personas):
    client.force_login(personas.coordinator)
    page = client.get(reverse("agenda:feeds"), {"practitioner": personas.other_practitioner.pk})
    assert page.status_code == 200
    assert create(client, personas.other_practitioner).status_code == 200
    assert CalendarFeed.objects.get().practitioner == personas.other_practitioner


def test_others_cannot_see_create_or_revoke_feeds(client, personas, english):
    feed, _secret = services_feeds.create_feed(personas.practitioner, acting_user=personas.practitioner_user)
    client.force_login(personas.practitioner_user)
    assert create(client, personas.other_practitioner).status_code == 404  # another practitioner's
    assert client.get(reverse("agenda:feeds"), {"practitioner": personas.other_practitioner.pk}).status_code == 404
    assert client.get(reverse("agenda:feeds"), {"practitioner": "abc"}).status_code == 404

    client.force_login(personas.secretary)  # VIEW_AGENDA, but feeds are the practitioners' own
    page = client.get(reverse("agenda:feeds")).content.decode()
    assert "Calendar feeds are managed by the practitioners themselves, or by a coordinator." in page
    assert create(client, personas.practitioner).status_code == 404
    assert client.post(reverse("agenda:feed_revoke", args=[feed.pk])).status_code == 404

    client.force_login(personas.other_structure_coordinator)
    assert create(client, personas.practitioner).status_code == 404
    assert client.post(reverse("agenda:feed_revoke", args=[feed.pk])).status_code == 404

    client.force_login(personas.accountant)  # no VIEW_AGENDA
    assert client.get(reverse("agenda:feeds")).status_code == 403

    client.logout()
    assert client.get(reverse("agenda:feeds")).status_code == 302
    assert client.get(reverse("agenda:feed_create")).status_code == 302
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert CalendarFeed.objects.count() == 1
    assert not AuditEvent.objects.filter(action="agenda.calendar_feed_revoked").exists()


def test_creation_is_a_post_and_htmx_gets_the_fragment(client, personas):
    client.force_login(personas.practitioner_user)
    assert client.get(reverse("agenda:feed_create")).status_code == 405
    response = create(client, personas.practitioner, HTTP_HX_REQUEST="true")
    assert response.status_code == 201
    text = response.content.decode()
    assert text.lstrip().startswith('<section id="feeds"')
    assert "<html" not in text
    secret_of(response)


def test_an_inactive_practitioner_gets_no_new_feed(personas):
    personas.practitioner.is_active = False
    personas.practitioner.save()
    with pytest.raises(ServiceError):
        services_feeds.create_feed(personas.practitioner, acting_user=personas.coordinator)
    assert not CalendarFeed.objects.exists()
