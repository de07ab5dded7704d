"""Desk settings: coordinator only, saved with an audit row, rooms per site and practitioner."""

import pytest
from django.urls import reverse

from secretariat.core.models import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.factories import SiteFactory
from secretariat.reception.models import ConsultingRoom, ReceptionSettings
from secretariat.reception.services_settings import save_consulting_rooms

URL = "reception:settings"


def _settings_post(**overrides):
    data = {"section": "settings", "desk-public_display": "initials", "desk-call_chime": "",
            "desk-late_after_minutes": "15", "desk-missing_after_minutes": "45", "desk-survey_enabled": "on"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


@pytest.fixture
def site(personas):
    site = SiteFactory(structure=personas.structure, name="Centre")
    personas.practitioner.sites.set([site])
    personas.other_practitioner.sites.set([site])
    return site


@pytest.mark.parametrize("persona", ["secretary", "reception", "practitioner_user", "accountant"])
def test_only_the_coordinator_opens_the_settings(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse(URL)).status_code == 403
    assert client.post(reverse(URL), _settings_post()).status_code == 403
    assert not ReceptionSettings.objects.filter(public_display="initials").exists()


def test_coordinator_saves_the_desk_settings_with_an_audit_row(client, personas):
    client.force_login(personas.coordinator)
    assert client.get(reverse(URL)).status_code == 200
    response = client.post(reverse(URL), _settings_post())
    assert response.status_code == 302
    row = ReceptionSettings.objects.get(structure=personas.structure)
    assert (row.public_display, row.call_chime, row.late_after_minutes, row.missing_after_minutes) == (
        "initials", False, 15, 45)
    event = AuditEvent.objects.get(action="reception.settings_changed")
    assert event.data["changes"]["public_display"] == ["ticket", "initials"]
    assert event.structure_id == personas.structure.pk
    # The other structure keeps its defaults.
    assert ReceptionSettings.for_structure(personas.other_structure.pk).public_display == "ticket"


def test_missing_must_come_after_late_and_nothing_is_saved(client, english, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse(URL), _settings_post(**{"desk-missing_after_minutes": "10"}))
    assert response.status_code == 400
    assert "choose more minutes than for “late” (15)" in response.text
    assert ReceptionSettings.for_structure(personas.structure.pk).late_after_minutes == 10
    assert not AuditEvent.objects.filter(action="reception.settings_changed").exists()


def test_saving_unchanged_settings_writes_no_audit(client, personas):
    client.force_login(personas.coordinator)
    client.post(reverse(URL), _settings_post(**{"desk-public_display": "ticket", "desk-call_chime": "on",
                                                "desk-late_after_minutes": "10", "desk-missing_after_minutes": "30"}))
    assert not AuditEvent.objects.filter(action="reception.settings_changed").exists()


def test_coordinator_sets_changes_and_removes_rooms(client, personas, site):
    client.force_login(personas.coordinator)
    field = f"rooms-room_{site.pk}_{personas.practitioner.pk}"
    other = f"rooms-room_{site.pk}_{personas.other_practitioner.pk}"
    page = client.get(reverse(URL))
    assert field in page.text
    assert other in page.text
    assert f"room_{site.pk}_{personas.other_structure_practitioner.pk}" not in page.text
    client.post(reverse(URL), {"section": "rooms", field: " Cabinet 2 ", other: "Salle radio"})
    rooms = dict(ConsultingRoom.objects.values_list("practitioner_id", "label"))
    assert rooms == {personas.practitioner.pk: "Cabinet 2", personas.other_practitioner.pk: "Salle radio"}
    client.post(reverse(URL), {"section": "rooms", field: "Cabinet 3", other: ""})
    rooms = dict(ConsultingRoom.objects.values_list("practitioner_id", "label"))
    assert rooms == {personas.practitioner.pk: "Cabinet 3"}
    events = AuditEvent.objects.filter(action="reception.settings_changed").order_by("pk")
    assert [event.data["rooms"] for event in events] == [
        {"added": 2, "changed": 0, "removed": 0}, {"added": 0, "changed": 1, "removed": 1}]


def test_rooms_of_another_structure_cannot_be_written(personas, site):
    with pytest.raises(ServiceError):
        save_consulting_rooms(personas.structure.pk, rooms={(site.pk, personas.other_structure_practitioner.pk): "X"},
                              acting_user=personas.coordinator)
    assert not ConsultingRoom.objects.exists()

