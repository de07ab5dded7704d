"""Incident reports: reporting, follow-up, closing by a coordinator, visibility, monthly counts."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from secretariat.agenda.queries import structure_time_zone
from secretariat.core.models import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.factories import SiteFactory
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import services_incidents as services
from secretariat.reception.models import Incident
from secretariat.reception.queries_incidents import monthly_counts

Kind = Incident.Kind
Severity = Incident.Severity


@pytest.fixture
def site(personas):
    return SiteFactory(structure=personas.structure, name="Tilleuls centre")


def report(user, site, **overrides):
    values = {"site": site, "occurred_at": timezone.now() - timedelta(minutes=30), "place": "Salle d'attente",
              "kind": Kind.VERBAL_AGGRESSION, "severity": Severity.MODERATE,
              "people_involved": "Un accompagnant, Alice", "description": "Insultes après 40 min d'attente."}
    values.update(overrides)
    return services.report_incident(acting_user=user, **values)


def listed(client, **filters) -> list[int]:
    """Ids of the incidents linked from the list, in order."""
    html = client.get(reverse("reception:incidents"), filters).content.decode()
    return [int(pk) for pk in re.findall(r'href="/accueil/incidents/(\d+)/"', html)]


def test_report_records_everything_and_audits(personas, site):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    incident = report(personas.secretary, site, patient=patient, emergency_services_called=True)
    assert (incident.reported_by, incident.patient, incident.structure_id) == (
        personas.secretary, patient, personas.structure.pk)
    assert incident.emergency_services_called is True
    event = AuditEvent.objects.get(action="reception.incident_reported")
    assert event.patient_id == patient.pk
    assert event.target_id == str(incident.pk)


def test_report_refuses_a_future_time_another_site_or_a_patient_out_of_reach(personas, site):
    with pytest.raises(ServiceError):
        report(personas.secretary, site, occurred_at=timezone.now() + timedelta(hours=2))
    with pytest.raises(ServiceError):
        report(personas.secretary, SiteFactory(structure=personas.other_structure))
    with pytest.raises(ServiceError):
        report(personas.secretary, site,
               patient=PatientFactory(structure=personas.structure, care_teams=[personas.team_b]))
    assert not Incident.objects.exists()


def test_report_through_the_form(client, personas, site):
    client.force_login(personas.reception)
    page = client.get(reverse("reception:incident_new"))
    assert page.status_code == 200
    assert f'<option value="{site.pk}" selected>' in page.content.decode()  # the only site, chosen
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(reverse("reception:incident_new"), {
        "site": site.pk, "day": yesterday.strftime("%d/%m/%Y"), "at": "10h15", "place": "Accueil",
        "kind": Kind.FALL, "severity": Severity.MINOR, "people_involved": "Une patiente âgée",
        "description": "Glissade sur le sol mouillé, sans blessure.", "immediate_action": "Relevée, assise.",
    })
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reception:incident", args=[incident.pk])
    local = timezone.localtime(incident.occurred_at, structure_time_zone())
    assert (local.date(), local.hour, local.minute) == (yesterday, 10, 15)
    assert incident.reported_by == personas.reception


def test_follow_up_by_the_reporter_or_a_coordinator_only(client, personas, site):
    incident = report(personas.secretary, site)
    services.update_incident(incident, follow_up="Appel du patient, excuses.", acting_user=personas.secretary)
    services.update_incident(incident, follow_up="Entretien prévu.", acting_user=personas.coordinator)
    incident.refresh_from_db()
    lines = incident.follow_up.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("Appel du patient, excuses.")
    assert lines[1].endswith("Entretien prévu.")
    assert AuditEvent.objects.filter(action="reception.incident_updated").count() == 2
    with pytest.raises(ServiceError):
        services.update_incident(incident, follow_up="Moi aussi", acting_user=personas.reception)
    client.force_login(personas.reception)
    response = client.post(reverse("reception:incident_update", args=[incident.pk]), {"follow_up": "x"})
    assert response.status_code == 403
    incident.refresh_from_db()
    assert len(incident.follow_up.splitlines()) == 2


def test_secretary_cannot_close(client, personas, site):
    incident = report(personas.secretary, site)
    client.force_login(personas.secretary)
    response = client.post(reverse("reception:incident_close", args=[incident.pk]), {"closing_note": "Réglé"})
    assert response.status_code == 403
    with pytest.raises(ServiceError):
        services.close_incident(incident, closing_note="Réglé", acting_user=personas.secretary)
    incident.refresh_from_db()
    assert incident.closed_at is None


def test_coordinator_closes_with_a_note(client, personas, site):
    incident = report(personas.secretary, site)
    client.force_login(personas.coordinator)
    assert client.post(reverse("reception:incident_close", args=[incident.pk]),
                       {"closing_note": "  "}).status_code == 400
    incident.refresh_from_db()
    assert incident.closed_at is None
    response = client.post(reverse("reception:incident_close", args=[incident.pk]),
                           {"closing_note": "Affiche rappelant les règles posée en salle."})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.closed_by == personas.coordinator
    assert incident.closed_at is not None
    assert AuditEvent.objects.filter(action="reception.incident_closed", target_id=str(incident.pk)).exists()
    with pytest.raises(ServiceError):
        services.update_incident(incident, follow_up="Après coup", acting_user=personas.coordinator)
    with pytest.raises(ServiceError):
        services.close_incident(incident, closing_note="Encore", acting_user=personas.coordinator)


def test_other_structure_coordinator_gets_404(client, personas, site):
    incident = report(personas.secretary, site)
    client.force_login(personas.other_structure_coordinator)
    assert client.get(reverse("reception:incident", args=[incident.pk])).status_code == 404
    assert client.post(reverse("reception:incident_close", args=[incident.pk]),
                       {"closing_note": "x"}).status_code == 404
    assert listed(client) == []


def test_all_desk_staff_see_reports_the_patient_only_if_they_may(client, personas, site):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name="VOLTAIRE")
    incident = report(personas.secretary, site, patient=patient)
    client.force_login(personas.secretary)
    assert "VOLTAIRE" in client.get(reverse("reception:incident", args=[incident.pk])).content.decode()
    client.force_login(personas.other_team_secretary)  # team B: sees the report, not the patient
    detail = client.get(reverse("reception:incident", args=[incident.pk]))
    assert detail.status_code == 200
    assert "VOLTAIRE" not in detail.content.decode()
    listing = client.get(reverse("reception:incidents"))
    assert listed(client) == [incident.pk]
    assert "VOLTAIRE" not in listing.content.decode()
    client.force_login(personas.accountant)
    assert client.get(reverse("reception:incidents")).status_code == 403


def test_list_filters(client, personas, site):
    open_one = report(personas.secretary, site)
    closed = report(personas.secretary, site, occurred_at=timezone.now() - timedelta(days=40))
    services.close_incident(closed, closing_note="Fait", acting_user=personas.coordinator)
    client.force_login(personas.secretary)
    assert listed(client, status="open") == [open_one.pk]
    assert listed(client, status="closed") == [closed.pk]
    assert listed(client) == [open_one.pk, closed.pk]
    month = timezone.localtime(closed.occurred_at, structure_time_zone()).strftime("%Y-%m")
    assert listed(client, month=month) == [closed.pk]


def test_monthly_counts_per_kind_and_severity(personas, site):
    tz = structure_time_zone()
    today = date(2026, 11, 25)

    def at(day):
        return datetime(day.year, day.month, day.day, 10, tzinfo=tz)

    for when, kind, severity in [
        (date(2026, 11, 3), Kind.VERBAL_AGGRESSION, Severity.MODERATE),
        (date(2026, 11, 20), Kind.VERBAL_AGGRESSION, Severity.MINOR),
        (date(2026, 11, 1), Kind.FALL, Severity.SERIOUS),
        (date(2026, 9, 30), Kind.CONFLICT, Severity.MINOR),
        (date(2025, 11, 30), Kind.OTHER, Severity.MINOR),  # 12 months back: outside the table
    ]:
        Incident.objects.create(structure=personas.structure, site=site, occurred_at=at(when), place="Salle",
                                kind=kind, severity=severity, people_involved="x", description="x",
                                reported_by=personas.secretary)
    Incident.objects.create(structure=personas.other_structure, site=SiteFactory(structure=personas.other_structure),
                            occurred_at=at(date(2026, 11, 2)), place="x", kind=Kind.FALL, severity=1,
                            people_involved="x", description="x", reported_by=personas.other_structure_secretary)
    counts = monthly_counts(personas.structure.pk, today=today)
    assert len(counts) == 12
    assert counts[0].month == date(2026, 11, 1)
    assert counts[-1].month == date(2025, 12, 1)
    november = counts[0]
    assert november.total == 3
    assert november.by_severity == [1, 1, 1, 0]
    assert november.by_kind == {Kind.VERBAL_AGGRESSION: 2, Kind.FALL: 1}
    september = counts[2]
    assert (september.month, september.total, september.by_kind) == (date(2026, 9, 1), 1, {Kind.CONFLICT: 1})
    assert sum(month.total for month in counts) == 4
