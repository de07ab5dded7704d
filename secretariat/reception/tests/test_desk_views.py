"""The desk's screens: who sees them, the list and its refresh, check-in panel, undo, walk-ins."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secretariat.agenda.models import Appointment
from secretariat.core.audit import AuditEvent
from secretariat.core.tests.factories import PractitionerFactory, SiteFactory
from secretariat.patients.models import Patient
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import services_desk
from secretariat.reception.models import Priority, ReceptionSettings, Visit
from secretariat.reception.queries_desk import SESSION_SITE_KEY
from secretariat.reception.tests import test_desk_services as service_tests
from secretariat.reception.tests.test_desk_services import (
    NOW,
    appointment_at,
    covered,
    triage_record,
    validated_patient,
)

# The same morning as the service tests (fixtures shared by assignment).
clock, desk = service_tests.clock, service_tests.desk

Status = Appointment.Status


def _rows_url(site) -> str:
    return f"{reverse('reception:desk_rows')}?site={site.pk}"


def _page_url(site) -> str:
    """The full page: same list, and its context is captured by the test client (a partial's is not)."""
    return f"{reverse('reception:desk')}?site={site.pk}"


@pytest.mark.parametrize("_case", ["reception", "secretary", "coordinator", "practitioner_user"])
def test_desk_staff_see_the_day_of_the_site(client, personas, desk, _case):
    client.force_login(getattr(personas, _case))

    response = client.get(reverse("reception:desk"), {"site": desk.site.pk})

    assert response.status_code == 200
    names = [row.patient.display_name for row in response.context["day"].rows]
    assert names == [desk.known.display_name, desk.provisional.display_name, desk.uncovered.display_name]


def test_accountant_gets_403(client, personas, desk):
    client.force_login(personas.accountant)

    assert client.get(reverse("reception:desk")).status_code == 403
    assert client.get(_rows_url(desk.site)).status_code == 403
    assert client.post(reverse("reception:check_in", args=[desk.known_appointment.pk])).status_code == 403
    assert Visit.objects.count() == 0


def test_other_team_secretary_does_not_see_team_a_appointments(client, personas, desk):
    client.force_login(personas.other_team_secretary)

    response = client.get(reverse("reception:desk"), {"site": desk.site.pk})

    assert response.context["day"].rows == []
    assert desk.known.display_name not in response.content.decode()


def test_check_in_of_another_structures_appointment_is_404_and_nothing_changes(client, personas, desk):
    foreign_site = SiteFactory(structure=personas.other_structure)
    foreign = appointment_at(personas.other_structure_practitioner, foreign_site,
                             PatientFactory(structure=personas.other_structure), NOW)
    client.force_login(personas.reception)

    response = client.post(reverse("reception:check_in", args=[foreign.pk]))

    foreign.refresh_from_db()
    assert response.status_code == 404
    assert (foreign.status, Visit.objects.count()) == (Status.BOOKED, 0)
    assert AuditEvent.objects.filter(action="reception.checked_in").exists() is False


def test_site_of_another_structure_is_ignored_and_the_chosen_site_is_remembered(client, personas, desk):
    foreign_site = SiteFactory(structure=personas.other_structure)
    annex = SiteFactory(structure=personas.structure, name="Annexe")
    client.force_login(personas.reception)

    client.get(reverse("reception:desk"), {"site": annex.pk})
    remembered = client.get(reverse("reception:desk"))
    refused = client.get(reverse("reception:desk"), {"site": foreign_site.pk})

    assert remembered.context["site"] == annex
    assert refused.context["site"] == annex
    assert client.session[SESSION_SITE_KEY] == annex.pk


def test_late_and_missing_rows_say_so_in_words(client, personas, desk, english):
    ReceptionSettings.objects.update_or_create(structure=personas.structure,
                                               defaults={"late_after_minutes": 10, "missing_after_minutes": 30})
    patient = validated_patient(personas.structure, personas.team_a)
    colleague = PractitionerFactory(structure=personas.structure)
    personas.team_a.practitioners.add(colleague)
    late = appointment_at(colleague, desk.site, patient, NOW - timedelta(minutes=15))
    missing = appointment_at(colleague, desk.site, patient, NOW - timedelta(minutes=45))
    client.force_login(personas.reception)

    response = client.get(_page_url(desk.site))

    timings = {row.appointment.pk: (row.timing, row.minutes_late) for row in response.context["day"].rows}
    assert timings[late.pk] == ("late", 15)
    assert timings[missing.pk] == ("missing", 45)
    assert timings[desk.known_appointment.pk] == ("expected", 0)
    content = response.content.decode()
    assert "Late (15 min)" in content
    assert "Missing (45 min)" in content


def test_still_expected_only_hides_arrived_patients(client, personas, desk):
    services_desk.check_in(desk.known_appointment, acting_user=personas.reception)
    client.force_login(personas.reception)

    every = client.get(_page_url(desk.site)).context["day"].rows
    expected = client.get(_page_url(desk.site) + "&expected=1").context["day"].rows

    assert [row.appointment.pk for row in every][0] == desk.known_appointment.pk
    assert desk.known_appointment.pk not in [row.appointment.pk for row in expected]
    assert len(expected) == 2


def test_arrived_row_shows_ticket_state_and_minutes_waited(client, personas, desk, english):
    services_desk.check_in(desk.known_appointment, acting_user=personas.reception)
    client.force_login(personas.reception)

    response = client.get(_page_url(desk.site))

    row = response.context["day"].rows[0]
    assert (row.visit.ticket_label, row.minutes_waited) == ("001", 0)
    content = response.content.decode()
    assert '<span class="visually-hidden">Ticket </span>001' in content
    assert "Waiting" in content


def test_check_in_of_a_validated_identity_is_one_action(client, personas, desk, english):
    client.force_login(personas.reception)

    response = client.post(reverse("reception:check_in", args=[desk.known_appointment.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Trigger"] == '{"desk-refresh": {}}'
    assert Visit.objects.get().ticket == 1
    assert "Ticket</span> 001" in response.content.decode()


def test_check_in_of_an_unvalidated_identity_asks_for_the_document_first(client, personas, desk, english):
    client.force_login(personas.reception)
    url = reverse("reception:check_in", args=[desk.provisional_appointment.pk])

    question = client.post(url, HTTP_HX_REQUEST="true")
    assert Visit.objects.count() == 0
    content = question.content.decode()
    assert "Identity not validated: ask for an identity document" in content
    assert reverse("patients:validate", args=[desk.provisional.pk]) in content
    assert "No AMO coverage recorded" in content  # what is missing in the coverage is shown too

    client.post(url, {"identity_document": "no"}, HTTP_HX_REQUEST="true")
    assert Visit.objects.get().identity_document_requested is True


def test_refused_check_in_shows_the_reason_in_the_panel(client, personas, desk, english):
    Appointment.objects.filter(pk=desk.known_appointment.pk).update(status=Status.CANCELLED)
    client.force_login(personas.reception)
    url = reverse("reception:check_in", args=[desk.known_appointment.pk])

    panel = client.post(url, HTTP_HX_REQUEST="true")
    page = client.post(url)

    assert panel.status_code == 200
    assert "This appointment was cancelled" in panel.content.decode()
    assert page.status_code == 409
    assert Visit.objects.count() == 0


def test_undo_check_in_view(client, personas, desk):
    visit = services_desk.check_in(desk.known_appointment, acting_user=personas.reception)
    client.force_login(personas.secretary)

    response = client.post(reverse("reception:undo_check_in", args=[visit.pk]))

    desk.known_appointment.refresh_from_db()
    assert response.status_code == 302
    assert (desk.known_appointment.status, Visit.objects.count()) == (Status.BOOKED, 0)


def test_undo_of_another_teams_visit_is_404(client, personas, desk):
    visit = services_desk.check_in(desk.known_appointment, acting_user=personas.reception)
    client.force_login(personas.other_team_secretary)

    assert client.post(reverse("reception:undo_check_in", args=[visit.pk])).status_code == 404
    assert Visit.objects.count() == 1


def test_walk_in_form_is_prefilled_from_the_triage_and_shows_the_emergency(client, personas, desk, english):
    triage = triage_record(personas.structure, personas.reception)
    client.force_login(personas.reception)

    response = client.get(reverse("reception:walk_in"), {"site": desk.site.pk, "triage": triage.pk})

    assert response.status_code == 200
    assert response.context["form"]["priority"].value() == Priority.EMERGENCY
    content = response.content.decode()
    assert "Emergency: call 15 (or 112) now" in content
    assert "does not make medical decisions" in content


def test_walk_in_triage_of_another_structure_is_404(client, personas, desk):
    foreign = triage_record(personas.other_structure, personas.other_structure_secretary)
    client.force_login(personas.reception)

    assert client.get(reverse("reception:walk_in"), {"triage": foreign.pk}).status_code == 404


def test_walk_in_registration_of_a_known_patient(client, personas, desk):
    client.force_login(personas.reception)

    response = client.post(f"{reverse('reception:walk_in')}?site={desk.site.pk}",
                           {"patient": desk.known.pk, "reason": "Certificat", "priority": Priority.ROUTINE,
                            "practitioner": personas.practitioner.pk})

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.is_walk_in, visit.patient, visit.priority, visit.site) == (True, desk.known, Priority.ROUTINE,
                                                                             desk.site)
    rows = client.get(_page_url(desk.site)).context["day"].walk_ins
    assert [row.visit.pk for row in rows] == [visit.pk]


def test_walk_in_with_a_new_identity(client, personas, desk):
    client.force_login(personas.reception)

    response = client.post(f"{reverse('reception:walk_in')}?site={desk.site.pk}", {
        "birth_name": "Nguyen", "birth_first_names": "Thi Lan", "birth_date": "04/05/1990", "sex": "F",
        "birthplace_code": "99243", "reason": "Douleur au genou", "identity_document": "no",
    })

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.patient.birth_name, visit.patient.identity_status) == ("NGUYEN", Patient.IdentityStatus.PROVISIONAL)
    assert visit.identity_document_requested is True


def test_walk_in_without_patient_or_identity_is_refused_clearly(client, personas, desk, english):
    client.force_login(personas.reception)

    response = client.post(f"{reverse('reception:walk_in')}?site={desk.site.pk}", {"reason": "?"})

    assert response.status_code == 200
    assert "Choose the patient in the list, or type the new identity below." in response.content.decode()
    assert Visit.objects.count() == 0


def _busy_day(personas, site, count):
    """``count`` more appointments (each with a practitioner of its own), half checked in, a walk-in."""
    patients = [covered(validated_patient(personas.structure, personas.team_a)) for _ in range(count)]
    appointments = []
    for index, patient in enumerate(patients):
        practitioner = PractitionerFactory(structure=personas.structure)
        personas.team_a.practitioners.add(practitioner)
        appointments.append(appointment_at(practitioner, site, patient, NOW - timedelta(minutes=50 - index)))
    for appointment in appointments[: count // 2]:
        services_desk.check_in(appointment, acting_user=personas.reception)
    services_desk.register_walk_in(site=site, acting_user=personas.reception, patient=patients[-1])


def test_desk_rows_run_a_fixed_number_of_queries_whatever_the_number_of_rows(
        client, personas, desk, django_assert_max_num_queries):
    client.force_login(personas.reception)
    _busy_day(personas, desk.site, 4)
    client.get(_rows_url(desk.site))  # the first one creates the desk settings row
    with CaptureQueriesContext(connection) as few:
        client.get(_rows_url(desk.site))
    _busy_day(personas, desk.site, 30)

    with django_assert_max_num_queries(15):
        response = client.get(_rows_url(desk.site))

    assert response.content.count(b"data-row ") == 3 + 4 + 30 + 2  # appointments and two walk-ins
    with CaptureQueriesContext(connection) as many:
        client.get(_rows_url(desk.site))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_refresh_answers_204_when_nothing_changed_and_the_list_when_something_did(client, personas, desk):
    client.force_login(personas.reception)
    version = client.get(_page_url(desk.site)).context["version"]

    unchanged = client.get(_rows_url(desk.site), HTTP_X_DESK_VERSION=version)
    services_desk.check_in(desk.known_appointment, acting_user=personas.reception)
    changed = client.get(_rows_url(desk.site), HTTP_X_DESK_VERSION=version)

    assert (unchanged.status_code, unchanged.content) == (204, b"")
    assert changed.status_code == 200
    assert f'data-desk-version="{version}"' not in changed.content.decode()
    assert '<span class="visually-hidden">Ticket </span>001' in changed.content.decode()


def test_a_big_desk_lists_the_hour_around_now_and_everyone_still_expected(client, personas, desk, monkeypatch):
    monkeypatch.setattr("secretariat.reception.queries_desk.WHOLE_DAY_UP_TO", 3)
    afternoon = appointment_at(personas.practitioner, desk.site, validated_patient(
        personas.structure, personas.team_a, birth_name="LOINTAIN"), NOW + timedelta(hours=5))
    early_and_late = appointment_at(personas.practitioner, desk.site, validated_patient(
        personas.structure, personas.team_a, birth_name="TARDIF"), NOW - timedelta(hours=2))
    client.force_login(personas.secretary)

    around_now = client.get(reverse("reception:desk"), {"site": desk.site.pk}).context["day"]
    whole_day = client.get(reverse("reception:desk"), {"site": desk.site.pk, "day": "all"}).context["day"]

    listed = {row.appointment.pk for row in around_now.rows}
    assert early_and_late.pk in listed
    assert desk.uncovered_appointment.pk in listed
    assert afternoon.pk not in listed
    assert (around_now.whole_day, around_now.outside_window) == (False, 1)
    assert afternoon.pk in {row.appointment.pk for row in whole_day.rows}
    assert whole_day.whole_day
