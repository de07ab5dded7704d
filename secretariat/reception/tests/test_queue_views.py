"""The waiting room, the practitioner's compact queue and the action endpoint."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from secretariat.core.audit import AuditEvent
from secretariat.core.tests.factories import PractitionerFactory, SiteFactory
from secretariat.reception.models import ConsultingRoom, Priority, Visit
from secretariat.reception.tests.queue_factories import make_visit, site_of

State = Visit.State
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def site(personas):
    return site_of(personas)


@pytest.fixture
def queue(personas, site):
    """Dr Cœur's queue: one in consultation, two waiting; one walk-in to direct."""
    now = timezone.now()
    ConsultingRoom.objects.create(site=site, practitioner=personas.practitioner, label="Cabinet 2")
    inside = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception,
                        start=now - timedelta(minutes=30), state=State.IN_CONSULTATION,
                        consultation_started_at=now - timedelta(minutes=10), called_at=now - timedelta(minutes=11))
    first = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception,
                       start=now - timedelta(minutes=5), arrived_at=now - timedelta(minutes=12))
    second = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception,
                        start=now + timedelta(minutes=15), arrived_at=now - timedelta(minutes=20))
    walk_in = make_visit(site=site, by=personas.reception, walk_in=True, priority=Priority.SAME_DAY)
    return inside, first, second, walk_in


def test_waiting_room_shows_each_practitioners_queue_in_calling_order(client, personas, site, queue):
    inside, first, second, walk_in = queue
    client.force_login(personas.secretary)
    response = client.get(reverse("reception:waiting_room"), {"site": site.pk})
    assert response.status_code == 200
    page = response.content.decode()
    # The earlier appointment comes first although the other patient arrived earlier.
    assert page.index(f'id="visit-{first.pk}"') < page.index(f'id="visit-{second.pk}"')
    assert f'id="visit-{inside.pk}"' in page
    assert f'id="walkin-{walk_in.pk}"' in page
    assert first.patient.display_name in page
    # Someone is in consultation: no "call the next one" for this practitioner until they are done.
    assert f'id="next-{personas.practitioner.pk}"' not in page
    board = response.context["board"]
    column = next(c for c in board.columns if c.practitioner == personas.practitioner)
    assert [row.visit.pk for row in column.rows] == [first.pk, second.pk]
    assert column.room == "Cabinet 2"
    assert column.delay_minutes == 20  # started 10 min ago for a 30-min-ago appointment
    # The practitioner is free in 10 minutes, but never before the time + the delay: 10:55 + 20 min.
    assert column.rows[0].estimated_wait == 15
    assert [row.visit.pk for row in board.walk_ins] == [walk_in.pk]


def test_the_htmx_refresh_is_the_board_only(client, personas, site, queue):
    client.force_login(personas.secretary)
    response = client.get(reverse("reception:waiting_room"), {"site": site.pk}, **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="board"')
    assert "<html" not in page


def test_refresh_costs_a_fixed_number_of_queries(client, personas, site, django_assert_max_num_queries):
    client.force_login(personas.secretary)
    url = reverse("reception:waiting_room")
    make_visit(site=site, practitioner=personas.practitioner, by=personas.reception)
    with django_assert_max_num_queries(20) as few:
        client.get(url, {"site": site.pk}, **HTMX)
    now = timezone.now()
    for index in range(25):
        make_visit(site=site, practitioner=personas.practitioner if index % 2 else None, walk_in=index % 2 == 0,
                   by=personas.reception, start=now + timedelta(minutes=20 * index))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"site": site.pk}, **HTMX)
    page = response.content.decode()
    assert page.count('id="visit-') + page.count('id="walkin-') == 26


def test_other_structure_site_is_404_and_accountant_403(client, personas, site):
    other_site = SiteFactory(structure=personas.other_structure)
    client.force_login(personas.secretary)
    assert client.get(reverse("reception:waiting_room"), {"site": other_site.pk}).status_code == 404
    client.force_login(personas.accountant)
    assert client.get(reverse("reception:waiting_room")).status_code == 403


def test_another_teams_secretary_does_not_see_the_patients(client, personas, site, queue):
    client.force_login(personas.other_team_secretary)
    page = client.get(reverse("reception:waiting_room"), {"site": site.pk}).content.decode()
    assert queue[1].patient.display_name not in page


def test_call_from_the_waiting_room_with_htmx(client, personas, site, queue):
    first = queue[1]
    Visit.objects.filter(pk=queue[0].pk).update(state=State.DONE)
    client.force_login(personas.secretary)
    before = client.get(reverse("reception:waiting_room"), {"site": site.pk}).content.decode()
    assert f'id="next-{personas.practitioner.pk}"' in before
    response = client.post(reverse("reception:visit_action"),
                           {"action": "call", "visit": first.pk, "site": site.pk}, **HTMX)
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["toast"]["level"] == "success"
    called = Visit.objects.get(pk=first.pk)
    assert (called.state, called.room, called.called_by) == (State.CALLED, "Cabinet 2", personas.secretary)
    assert response.content.decode().lstrip().startswith('<div id="board"')


def test_refused_action_shows_an_error_toast_and_changes_nothing(client, personas, site, queue, english):
    second = queue[2]
    client.force_login(personas.secretary)
    response = client.post(reverse("reception:visit_action"),
                           {"action": "finish", "visit": second.pk, "site": site.pk}, **HTMX)
    toast = json.loads(response["HX-Trigger"])["toast"]
    assert toast["level"] == "error"
    assert toast["text"].startswith(f"Ticket {second.ticket:03d} cannot be marked done")
    assert Visit.objects.get(pk=second.pk).state == State.ARRIVED


def test_action_without_javascript_redirects_back(client, personas, site, queue):
    client.force_login(personas.secretary)
    response = client.post(reverse("reception:visit_action"),
                           {"action": "finish", "visit": queue[0].pk, "site": site.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reception:waiting_room')}?site={site.pk}"
    assert Visit.objects.get(pk=queue[0].pk).state == State.DONE


def test_assign_a_walk_in_from_the_waiting_room(client, personas, site, queue):
    walk_in = queue[3]
    client.force_login(personas.secretary)
    client.post(reverse("reception:visit_action"), {"action": "assign", "visit": walk_in.pk, "site": site.pk,
                                                    "practitioner": personas.practitioner.pk}, **HTMX)
    assert Visit.objects.get(pk=walk_in.pk).practitioner == personas.practitioner


def test_outsider_gets_404_and_nothing_changes(client, personas, site, queue):
    client.force_login(personas.other_structure_secretary)
    response = client.post(reverse("reception:visit_action"),
                           {"action": "left", "visit": queue[1].pk, "site": site.pk}, **HTMX)
    assert response.status_code == 404
    assert Visit.objects.get(pk=queue[1].pk).state == State.ARRIVED
    assert not AuditEvent.objects.filter(action="reception.visit_moved").exists()


def test_my_queue_calls_the_next_patient_in_one_click(client, personas, site, queue):
    inside, first, second, _walk_in = queue
    client.force_login(personas.practitioner_user)
    page = client.get(reverse("reception:my_queue"), {"site": site.pk})
    assert page.status_code == 200
    # Someone is in consultation: the big button finishes them and calls the next.
    assert 'name="finish_current" value="1"' in page.content.decode()
    assert page.context["next_visit"].pk == first.pk
    response = client.post(reverse("reception:visit_action"), {
        "action": "call_next", "practitioner": personas.practitioner.pk, "site": site.pk, "view": "mine",
        "finish_current": "1"}, **HTMX)
    assert response.content.decode().lstrip().startswith('<div id="panel"')
    assert Visit.objects.get(pk=inside.pk).state == State.DONE
    assert Visit.objects.get(pk=first.pk).state == State.CALLED


def test_my_queue_needs_a_practitioner_account(client, personas, site):
    client.force_login(personas.secretary)
    assert client.get(reverse("reception:my_queue")).status_code == 403


def test_call_next_for_a_practitioner_outside_the_users_teams_is_404(client, personas, site):
    stranger = PractitionerFactory(structure=personas.other_structure)
    client.force_login(personas.secretary)
    response = client.post(reverse("reception:visit_action"),
                           {"action": "call_next", "practitioner": stranger.pk, "site": site.pk}, **HTMX)
    assert response.status_code == 404


def test_names_and_reasons_are_escaped_in_the_rows(client, personas, site):
    from secretariat.patients.tests.factories import PatientFactory

    hostile = PatientFactory(structure=personas.structure, birth_name='<img src=x onerror="alert(1)">',
                             first_birth_first_name="EVE")
    make_visit(site=site, practitioner=personas.practitioner, by=personas.reception, patient=hostile)
    make_visit(site=site, by=personas.reception, walk_in=True, reason="<script>alert(2)</script>")
    client.force_login(personas.secretary)
    page = client.get(reverse("reception:waiting_room"), {"site": site.pk}, **HTMX).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "<script>alert(2)" not in page
