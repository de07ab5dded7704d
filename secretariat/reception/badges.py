"""Counts shown as badges on the desk's tabs, for one user."""

from django.utils import timezone

from secretariat.reception.models import Incident, PhoneCall


def unread_messages(user) -> int:
    # Only what the user may open: an answer about a patient's care to a reception agent is not counted.
    from secretariat.reception.queries_transmissions import unread_for

    return unread_for(user).count()


def callbacks_due(user) -> int:
    """Callbacks of the team due within the hour or late, not yet done."""
    soon = timezone.now() + timezone.timedelta(hours=1)
    return PhoneCall.objects.filter(structure_id=user.structure_id, callback_done_at__isnull=True,
                                    callback_due_at__lte=soon).count()


def open_incidents(user) -> int:
    return Incident.objects.filter(structure_id=user.structure_id, closed_at__isnull=True).count()
