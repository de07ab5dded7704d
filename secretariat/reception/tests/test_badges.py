"""The tabs' badges count only what the user may open."""

from datetime import timedelta

from django.utils import timezone

from secretariat.core.tests.factories import SiteFactory
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import badges
from secretariat.reception.models import Incident, Transmission
from secretariat.reception.tests.test_calls_views import make_call


def test_callbacks_due_counts_the_teams_own_due_within_the_hour(personas):
    theirs = PatientFactory(structure=personas.structure, care_teams=[personas.team_b])
    soon = timezone.now() + timedelta(minutes=20)
    make_call(personas, outcome="callback", callback_due_at=soon)
    make_call(personas, outcome="callback", callback_due_at=timezone.now() - timedelta(minutes=5))
    make_call(personas, outcome="callback", callback_due_at=timezone.now() + timedelta(hours=3))
    make_call(personas, outcome="callback", callback_due_at=soon, patient=theirs,
              practitioner=personas.other_practitioner)
    make_call(personas, outcome="callback", callback_due_at=soon, callback_done_at=timezone.now(),
              callback_done_by=personas.secretary)

    assert badges.callbacks_due(personas.secretary) == 2  # team B's patient and the later one are not
    assert badges.callbacks_due(personas.coordinator) == 3

def test_unread_messages_leave_out_what_a_reception_agent_cannot_open(personas):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    common = {"structure": personas.structure, "sender": personas.practitioner_user,
              "recipient": personas.reception}
    Transmission.objects.create(subject="Clés du cabinet", **common)
    Transmission.objects.create(subject="Résultats", patient=patient, **common)

    assert badges.unread_messages(personas.reception) == 1

def test_open_incidents_of_the_structure(personas):
    common = {"site": SiteFactory(structure=personas.structure), "occurred_at": timezone.now(),
              "place": "Salle d'attente", "kind": "fall", "severity": 2, "people_involved": "Un patient",
              "description": "Chute", "reported_by": personas.secretary}
    Incident.objects.create(structure=personas.structure, **common)
    Incident.objects.create(structure=personas.structure, closed_at=timezone.now(), closed_by=personas.coordinator,
                            **common)

    assert badges.open_incidents(personas.reception) == 1
    assert badges.open_incidents(personas.other_structure_secretary) == 0
