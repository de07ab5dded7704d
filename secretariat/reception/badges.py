"""Counts shown as badges on the desk's tabs, for one user: only what that user may open."""

from datetime import timedelta

from django.utils import timezone

from secretariat.reception.models import Incident
from secretariat.reception.queries_calls import pending_callbacks
from secretariat.reception.queries_transmissions import unread_for


def unread_messages(user) -> int:
    # An answer about a patient's care sent to a reception agent is not counted: they cannot open it.
    return unread_for(user).count()


def callbacks_due(user) -> int:
    """Callbacks the user's team owes, due within the hour or late."""
    return pending_callbacks(user).filter(callback_due_at__lte=timezone.now() + timedelta(hours=1)).count()


def open_incidents(user) -> int:
    return Incident.objects.filter(structure_id=user.structure_id, closed_at__isnull=True).count()
