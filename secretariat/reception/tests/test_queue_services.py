"""Waiting-room moves: call, recall, start, finish, left, back, assign, call next."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from secretariat.agenda.models import Appointment
from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.concurrency import run_at_once
from secretariat.core.tests.factories import PractitionerFactory
from secretariat.reception import services_queue as services
from secretariat.reception.models import ConsultingRoom, Priority, Visit
from secretariat.reception.tests.queue_factories import make_visit, site_of, today_at

State = Visit.State


@pytest.fixture
def site(personas):
    return site_of(personas)


@pytest.fixture
def room(personas, site):
    return ConsultingRoom.objects.create(site=site, practitioner=personas.practitioner, label="Cabinet 2")


def test_call_sets_the_call_and_the_room_and_is_audited(personas, site, room):
    visit = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception)
    called = services.call_visit(visit, acting_user=personas.secretary)
    assert (called.state, called.call_count, called.room, called.called_by) == (
        State.CALLED, 1, "Cabinet 2", personas.secretary)
    assert called.called_at is not None
    event = AuditEvent.objects.get(action="reception.patient_called")
    assert (event.patient_id, event.data["ticket"], event.data["recall"]) == (visit.patient_id, visit.ticket, False)


def test_recall_calls_again_and_counts(personas, site, room):
    visit = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception)
    services.call_visit(visit, acting_user=personas.secretary)
    again = services.recall_visit(visit, acting_user=personas.practitioner_user)
    assert (again.state, again.call_count, again.room) == (State.CALLED, 2, "Cabinet 2")
    assert AuditEvent.objects.filter(action="reception.patient_called").count() == 2


def test_a_chosen_room_wins_over_the_usual_one(personas, site, room):
    visit = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception)
    assert services.call_visit(visit, acting_user=personas.secretary, room="Salle 5").room == "Salle 5"


def test_finish_marks_the_appointment_seen(personas, site):
    visit = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception)
    services.call_visit(visit, acting_user=personas.secretary)
    services.start_consultation(visit, acting_user=personas.practitioner_user)
    done = services.finish_visit(visit, acting_user=personas.practitioner_user)
    assert done.state == State.DONE
    assert done.finished_at is not None
    assert Appointment.objects.get(pk=visit.appointment_id).status == Appointment.Status.SEEN
    moves = list(AuditEvent.objects.filter(action="reception.visit_moved").order_by("pk")
                 .values_list("data", flat=True))
    assert [(m["from"], m["to"]) for m in moves] == [("called", "in_consultation"), ("in_consultation", "done")]


def test_left_without_being_seen_marks_the_appointment_missed(personas, site):
    visit = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception)
    services.mark_left(visit, acting_user=personas.secretary)
    assert Visit.objects.get(pk=visit.pk).state == State.LEFT
    assert Appointment.objects.get(pk=visit.appointment_id).status == Appointment.Status.MISSED


def test_back_to_waiting_undoes_a_finish(personas, site):
    visit = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception)
    services.start_consultation(visit, acting_user=personas.secretary)
    services.finish_visit(visit, acting_user=personas.secretary)
    back = services.back_to_waiting(visit, acting_user=personas.secretary)
    assert (back.state, back.finished_at, back.consultation_started_at) == (State.ARRIVED, None, None)
    assert Appointment.objects.get(pk=visit.appointment_id).status == Appointment.Status.ARRIVED


@pytest.mark.parametrize(("_case", "state", "action"), [
    ("done cannot be called", State.DONE, services.call_visit),
    ("waiting cannot be recalled", State.ARRIVED, services.recall_visit),
    ("waiting cannot be finished", State.ARRIVED, services.finish_visit),
    ("left cannot start", State.LEFT, services.start_consultation),
    ("waiting is already waiting", State.ARRIVED, services.back_to_waiting),
])
def test_impossible_moves_are_refused_in_french_and_change_nothing(personas, site, _case, state, action):
    visit = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception, state=state)
    with translation.override("en"), pytest.raises(ServiceError) as refusal:
        action(visit, acting_user=personas.secretary)
    assert str(refusal.value).startswith(f"Ticket {visit.ticket:03d} ")
    assert Visit.objects.get(pk=visit.pk).state == state
    assert not AuditEvent.objects.filter(action__startswith="reception.").exists()


def test_refusal_message_says_what_the_visit_is(personas, site):
    visit = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception, state=State.DONE)
    with translation.override("en"), pytest.raises(ServiceError) as refusal:
        services.call_visit(visit, acting_user=personas.secretary)
    assert str(refusal.value) == f"Ticket {visit.ticket:03d} cannot be called: it is “Done”."


def test_yesterdays_visit_cannot_move(personas, site):
    visit = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception)
    Visit.objects.filter(pk=visit.pk).update(day=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ServiceError):
        services.call_visit(visit, acting_user=personas.secretary)
    assert Visit.objects.get(pk=visit.pk).state == State.ARRIVED


def test_assign_a_walk_in_then_it_can_be_called(personas, site):
    visit = make_visit(site=site, by=personas.reception, walk_in=True, priority=Priority.SAME_DAY)
    with pytest.raises(ServiceError):
        services.call_visit(visit, acting_user=personas.secretary)  # nobody to call it for yet
    services.assign_walk_in(visit, personas.practitioner, acting_user=personas.secretary)
    assert Visit.objects.get(pk=visit.pk).practitioner == personas.practitioner
    event = AuditEvent.objects.get(action="reception.visit_moved")
    assert event.data["practitioner"] == [None, personas.practitioner.pk]
    assert services.call_visit(visit, acting_user=personas.secretary).state == State.CALLED


def test_an_appointment_visit_cannot_be_given_to_another_practitioner(personas, site):
    visit = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception)
    with pytest.raises(ServiceError):
        services.assign_walk_in(visit, personas.other_practitioner, acting_user=personas.secretary)
    assert Visit.objects.get(pk=visit.pk).practitioner == personas.practitioner


def test_a_walk_in_cannot_go_to_another_structures_practitioner(personas, site):
    visit = make_visit(site=site, by=personas.reception, walk_in=True)
    with pytest.raises(ServiceError):
        services.assign_walk_in(visit, personas.other_structure_practitioner, acting_user=personas.secretary)
    assert Visit.objects.get(pk=visit.pk).practitioner_id is None


def test_call_next_follows_the_appointment_order_not_the_arrival(personas, site, room):
    now = timezone.now()
    later = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception,
                       start=now + timedelta(minutes=40), arrived_at=now - timedelta(minutes=30))
    earlier = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception,
                         start=now - timedelta(minutes=10), arrived_at=now - timedelta(minutes=1))
    called = services.call_next(personas.practitioner, site, personas.practitioner_user)
    assert called.pk == earlier.pk
    assert called.room == "Cabinet 2"
    assert Visit.objects.get(pk=later.pk).state == State.ARRIVED


def test_call_next_takes_an_unassigned_same_day_walk_in_before_an_appointment_not_yet_due(personas, site):
    now = timezone.now()
    make_visit(site=site, practitioner=personas.practitioner, by=personas.reception,
               start=now + timedelta(minutes=30))
    walk = make_visit(site=site, by=personas.reception, walk_in=True, priority=Priority.SAME_DAY)
    called = services.call_next(personas.practitioner, site, personas.secretary)
    assert (called.pk, called.practitioner_id) == (walk.pk, personas.practitioner.pk)


def test_call_next_is_refused_while_someone_is_called_and_finish_current_chains(personas, site):
    now = timezone.now()
    first = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception,
                       start=now - timedelta(minutes=20))
    second = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception,
                        start=now + timedelta(minutes=10))
    services.call_next(personas.practitioner, site, personas.practitioner_user)
    with pytest.raises(ServiceError):
        services.call_next(personas.practitioner, site, personas.practitioner_user)
    services.start_consultation(first, acting_user=personas.practitioner_user)
    with pytest.raises(ServiceError):
        services.call_next(personas.practitioner, site, personas.practitioner_user)
    called = services.call_next(personas.practitioner, site, personas.practitioner_user, finish_current=True)
    assert called.pk == second.pk
    assert Visit.objects.get(pk=first.pk).state == State.DONE
    assert Appointment.objects.get(pk=first.appointment_id).status == Appointment.Status.SEEN


def test_call_next_with_nobody_waiting(personas, site):
    with translation.override("en"), pytest.raises(ServiceError) as refusal:
        services.call_next(personas.practitioner, site, personas.secretary)
    assert str(refusal.value) == "Nobody is waiting for Dr Paul CŒUR."


def test_other_practitioners_patients_are_not_taken(personas, site):
    make_visit(site=site, practitioner=personas.other_practitioner, by=personas.reception, start=today_at(8))
    with pytest.raises(ServiceError):
        services.call_next(personas.practitioner, site, personas.secretary)


@pytest.mark.django_db(transaction=True)
def test_desks_and_practitioners_calling_next_at_once_never_call_the_same_person(personas):
    site = site_of(personas)
    second = PractitionerFactory(structure=personas.structure)
    walk_ins = [make_visit(site=site, by=personas.reception, walk_in=True, priority=Priority.SAME_DAY,
                           arrived_at=timezone.now() - timedelta(minutes=10 - index)) for index in range(4)]
    callers = [personas.practitioner, second] * 3
    def press(practitioner):
        visit = services.call_next(practitioner, site, personas.secretary)
        return visit.pk, practitioner.pk

    called, refused, failures = run_at_once(press, callers)

    assert failures == []
    assert len(called) == 2  # one call per practitioner, the other presses find it
    assert len({pk for pk, _who in called}) == 2
    assert {who for _pk, who in called} == {personas.practitioner.pk, second.pk}
    assert len(refused) == 4
    assert all("is already called" in text for text in refused)
    states = dict(Visit.objects.filter(pk__in=[v.pk for v in walk_ins]).values_list("pk", "state"))
    assert sorted(states.values()) == sorted([State.CALLED] * 2 + [State.ARRIVED] * 2)
    # The two called are the first arrived (same priority): the queue order held under contention.
    assert {pk for pk, _who in called} == {walk_ins[0].pk, walk_ins[1].pk}
    assert AuditEvent.objects.filter(action="reception.patient_called").count() == 2
