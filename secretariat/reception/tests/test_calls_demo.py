"""The demo seed of the phone log runs inside a transaction, like seed_demo."""

from django.db import transaction
from django.utils import timezone

from secretariat.core.roles import Role
from secretariat.core.tests.factories import UserFactory
from secretariat.reception.demo_calls import seed_calls
from secretariat.reception.models import PhoneCall, TriageProtocol


def test_seed_calls(personas):
    now = timezone.now()
    users = {"secretaire": personas.secretary, "secretaire2": personas.other_team_secretary,
             "accueil": personas.reception, "dr.bernard": personas.practitioner_user,
             "coordination": UserFactory(structure=personas.structure, role=Role.COORDINATOR)}
    with transaction.atomic():
        seed_calls(personas.structure, users=users, now=now)
    calls = PhoneCall.objects.filter(structure=personas.structure)
    assert calls.count() == 12
    assert TriageProtocol.objects.filter(structure=personas.structure).count() == 1
    pending = calls.filter(callback_due_at__isnull=False, callback_done_at__isnull=True)
    assert pending.count() == 3
    assert pending.filter(callback_due_at__lt=now).count() == 1
    emergency = calls.get(outcome=PhoneCall.Outcome.EMERGENCY)
    assert emergency.triage.priority == 1
    assert "15" in emergency.note
