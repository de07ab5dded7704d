"""Coordinators manage sites, hours, services and practitioners; every change is traced."""

from datetime import time

import pytest
from django.urls import reverse

from secretariat.core.models import AuditEvent, OpeningHours, Practitioner, Site
from secretariat.core.services import organisation
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.factories import SiteFactory

SITE_FORM = {"name": "Site Centre", "address": "12 rue des Tilleuls", "postal_code": "69100",
             "city": "Villeurbanne", "phone": "04 78 00 00 00", "finess": ""}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coordinator", 200), ("secretary", 403), ("reception", 403), ("practitioner_user", 403), ("accountant", 403)],
)
def test_organisation_screen_by_role(client, personas, persona, status):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("core:organisation")).status_code == status


def test_coordinator_creates_a_site_then_is_asked_for_its_hours(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:site_create"), SITE_FORM)
    site = Site.objects.get(name="Site Centre")
    assert site.structure == personas.structure
    assert response.url == reverse("core:site_hours", args=[site.pk])
    event = AuditEvent.objects.get(action="core.site_created")
    assert event.acting_user == personas.coordinator
    assert event.data["changes"]["city"] == [None, "Villeurbanne"]


def test_invalid_finess_is_refused_with_a_message_and_nothing_is_written(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:site_create"), {**SITE_FORM, "finess": "750712185"})
    assert response.status_code == 200
    assert "FINESS" in response.content.decode()
    assert Site.objects.filter(name="Site Centre").exists() is False
    assert AuditEvent.objects.filter(action="core.site_created").exists() is False


def test_bad_postal_code_says_what_to_fix(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:site_create"), {**SITE_FORM, "postal_code": "6910"})
    assert response.status_code == 200
    assert Site.objects.count() == 0


def test_coordinator_of_another_structure_gets_404_and_nothing_changes(client, personas):
    site = SiteFactory(structure=personas.structure, name="Site Centre")
    client.force_login(personas.other_structure_coordinator)
    response = client.post(reverse("core:site_edit", args=[site.pk]), {**SITE_FORM, "city": "Lyon"})
    assert response.status_code == 404
    site.refresh_from_db()
    assert site.city == "Villeurbanne"
    assert AuditEvent.objects.filter(action="core.site_changed").exists() is False


def test_opening_hours_are_replaced_and_traced(client, personas):
    site = SiteFactory(structure=personas.structure)
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:site_hours", args=[site.pk]), {
        "day0_morning_opens": "08:00", "day0_morning_closes": "12:30",
        "day0_afternoon_opens": "13:30", "day0_afternoon_closes": "19:00",
        "day5_morning_opens": "08:30", "day5_morning_closes": "12:00",
    })
    assert response.status_code == 302
    assert list(site.opening_hours.values_list("weekday", "opens_at", "closes_at")) == [
        (0, time(8, 0), time(12, 30)), (0, time(13, 30), time(19, 0)), (5, time(8, 30), time(12, 0)),
    ]
    assert AuditEvent.objects.filter(action="core.opening_hours_changed").count() == 1


def test_half_filled_period_is_refused(client, personas):
    site = SiteFactory(structure=personas.structure)
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:site_hours", args=[site.pk]), {"day1_morning_opens": "08:00"})
    assert response.status_code == 200
    assert OpeningHours.objects.count() == 0


def test_overlapping_or_reversed_periods_are_refused(personas):
    site = SiteFactory(structure=personas.structure)
    with pytest.raises(ServiceError):
        organisation.set_opening_hours(site, periods=[(0, time(8), time(12)), (0, time(11), time(14))],
                                       acting_user=personas.coordinator)
    with pytest.raises(ServiceError):
        organisation.set_opening_hours(site, periods=[(2, time(14), time(9))], acting_user=personas.coordinator)
    assert OpeningHours.objects.count() == 0


def test_practitioner_with_an_invalid_rpps_is_refused(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:practitioner_create"), {
        "title": "Dr", "first_name": "Anne", "last_name": "Vidal", "rpps": "10001234566",
        "specialty": "Pédiatrie", "convention_sector": "1", "mssante_address": "", "is_active": "on",
    })
    assert response.status_code == 200
    assert "RPPS" in response.content.decode()
    assert Practitioner.objects.filter(last_name="Vidal").exists() is False


def test_practitioner_created_with_sites_and_a_spaced_rpps(client, personas):
    site = SiteFactory(structure=personas.structure)
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:practitioner_create"), {
        "title": "Dr", "first_name": "Anne", "last_name": "Vidal", "rpps": "100 012 345 65",
        "specialty": "Pédiatrie", "convention_sector": "2_optam",
        "mssante_address": "anne.vidal@medecin.mssante.fr", "is_active": "on", "sites": [site.pk],
    })
    assert response.status_code == 302
    practitioner = Practitioner.objects.get(last_name="Vidal")
    assert practitioner.rpps == "10001234565"
    assert list(practitioner.sites.all()) == [site]
    assert AuditEvent.objects.filter(action="core.practitioner_created", target_id=str(practitioner.pk)).count() == 1


def test_mssante_address_must_be_on_an_mssante_domain(client, personas):
    client.force_login(personas.coordinator)
    client.post(reverse("core:practitioner_edit", args=[personas.practitioner.pk]), {
        "title": "Dr", "first_name": "Paul", "last_name": "Cœur", "rpps": personas.practitioner.rpps,
        "specialty": "Cardiologie", "convention_sector": "1", "mssante_address": "paul@gmail.com",
        "is_active": "on",
    })
    personas.practitioner.refresh_from_db()
    assert personas.practitioner.mssante_address == ""


def test_service_cannot_link_a_site_of_another_structure(personas):
    foreign_site = SiteFactory(structure=personas.other_structure)
    from secretariat.core.models import Service

    with pytest.raises(ServiceError):
        organisation.save_service(Service(), values={"name": "Pédiatrie", "site": foreign_site},
                                  acting_user=personas.coordinator)
    assert Service.objects.filter(name="Pédiatrie").exists() is False


def test_unchanged_save_writes_no_audit_row(personas):
    site = SiteFactory(structure=personas.structure)
    organisation.save_site(site, values={"city": site.city}, acting_user=personas.coordinator)
    assert AuditEvent.objects.filter(action="core.site_changed").exists() is False


def test_weekly_hours_group_consecutive_days_with_the_same_periods(db, settings):
    settings.LANGUAGE_CODE = "en"
    site = SiteFactory()
    for weekday in range(5):
        OpeningHours.objects.create(site=site, weekday=weekday, opens_at=time(8), closes_at=time(12, 30))
        OpeningHours.objects.create(site=site, weekday=weekday, opens_at=time(13, 30), closes_at=time(19))
    OpeningHours.objects.create(site=site, weekday=5, opens_at=time(8, 30), closes_at=time(12))

    assert site.weekly_hours() == [
        ("Monday – Friday", "08:00–12:30, 13:30–19:00"),
        ("Saturday", "08:30–12:00"),
    ]
