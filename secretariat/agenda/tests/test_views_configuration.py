"""Agenda configuration: types, rooms and equipment, settings — changed by a coordinator only."""

import pytest

from secretariat.agenda.models import AgendaSettings, AppointmentType, Resource
from secretariat.agenda.tests.factories import AppointmentTypeFactory
from secretariat.core.audit import AuditEvent
from secretariat.core.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

TYPE = {"label": "Échographie cardiaque", "code": "echo-coeur", "duration_minutes": "30", "colour": "#AA3355",
        "mode": "practice", "bookable_by_staff": "on", "new_patients_allowed": "on", "buffer_after_minutes": "5",
        "is_active": "on"}


def test_a_coordinator_creates_a_type_with_the_resource_it_needs(client, personas):
    site = SiteFactory(structure=personas.structure)
    scanner = Resource.objects.create(structure=personas.structure, site=site, name="Échographe",
                                      kind=Resource.Kind.EQUIPMENT)
    client.force_login(personas.coordinator)
    response = client.post("/agenda/configuration/motifs/nouveau/", {**TYPE, "resources": [scanner.pk]})
    assert response.status_code == 302
    created = AppointmentType.objects.get(code="echo-coeur")
    assert (created.structure, created.colour, created.buffer_after_minutes) == (personas.structure, "#aa3355", 5)
    assert list(created.resources.all()) == [scanner]
    assert AuditEvent.objects.filter(action="agenda.type_created").count() == 1


@pytest.mark.parametrize(("field", "value"), [("colour", "red"), ("duration_minutes", "0"), ("max_age", "-1")])
def test_bad_type_values_are_refused_and_nothing_written(client, personas, field, value):
    client.force_login(personas.coordinator)
    response = client.post("/agenda/configuration/motifs/nouveau/", {**TYPE, field: value})
    assert response.status_code == 400
    assert not AppointmentType.objects.exists()


def test_ages_must_be_ordered(client, personas):
    client.force_login(personas.coordinator)
    response = client.post("/agenda/configuration/motifs/nouveau/", {**TYPE, "min_age": "18", "max_age": "6"})
    assert response.status_code == 400
    assert "max_age" in response.context["form"].errors


def test_a_secretary_sees_the_configuration_but_cannot_change_it(client, personas):
    other = AppointmentTypeFactory(structure=personas.other_structure)
    client.force_login(personas.secretary)
    page = client.get("/agenda/configuration/")
    assert page.status_code == 200
    assert page.context["can_edit"] is False
    assert client.post("/agenda/configuration/motifs/nouveau/", TYPE).status_code == 403
    client.force_login(personas.coordinator)
    assert client.get(f"/agenda/configuration/motifs/{other.pk}/").status_code == 404  # other structure


def test_reminder_delays_are_parsed_and_checked(client, personas):
    client.force_login(personas.coordinator)
    data = {"reminder_hours": "2; 48", "online_booking_days": "60", "offer_validity_minutes": "120",
            "video_base_url": "https://visio.example.org/"}
    assert client.post("/agenda/configuration/", data).status_code == 302
    settings = AgendaSettings.objects.get(structure=personas.structure)
    assert (settings.reminder_hours, settings.video_base_url) == ([48, 2], "https://visio.example.org/")
    assert client.post("/agenda/configuration/", {**data, "reminder_hours": "deux"}).status_code == 400
    assert client.post("/agenda/configuration/", {**data, "reminder_hours": "0"}).status_code == 400
    settings.refresh_from_db()
    assert settings.reminder_hours == [48, 2]
