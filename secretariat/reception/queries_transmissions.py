"""Reads of the messages between colleagues, and who may read which.

The rule, in one place (``transmissions_for``): a user sees the messages they sent and the
messages addressed to them, never anyone else's, and only within their structure. A message
about a patient is part of that patient's care: to read one addressed to you, your role needs
``READ_MEDICAL_MESSAGES`` (a reception agent may still send one about a patient they can
access, and see their own text, but not the replies). Outsiders get 404, never 403.
"""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from secretariat.core.models import User
from secretariat.core.roles import Capability, Role, capabilities_of
from secretariat.core.shell_notices import Notice
from secretariat.patients.permissions import patients_for
from secretariat.reception.models import Transmission

Priority = Transmission.Priority
URGENT_NOTICES = 3  # urgent unread messages named in the bar across the application


def may_read_medical(user) -> bool:
    return user.has_capability(Capability.READ_MEDICAL_MESSAGES)


def transmissions_for(user) -> QuerySet[Transmission]:
    """Every message ``user`` may open."""
    if not user.is_authenticated or user.structure_id is None or not user.has_capability(Capability.VIEW_DESK):
        return Transmission.objects.none()
    received = Q(recipient=user)
    if not may_read_medical(user):
        received &= Q(patient__isnull=True)
    return Transmission.objects.filter(structure_id=user.structure_id).filter(Q(sender=user) | received)


def access_transmission(user, pk) -> Transmission:
    try:
        return transmissions_for(user).select_related("sender", "recipient", "patient").get(pk=pk)
    except (Transmission.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def received_by(user) -> QuerySet[Transmission]:
    """The inbox: unread first (urgent, then important, then the rest), then newest first."""
    rank = Case(
        When(read_at__isnull=True, priority=Priority.URGENT, then=Value(0)),
        When(read_at__isnull=True, priority=Priority.HIGH, then=Value(1)),
        When(read_at__isnull=True, then=Value(2)),
        default=Value(3), output_field=IntegerField(),
    )
    return (transmissions_for(user).filter(recipient=user).select_related("sender", "patient")
            .annotate(rank=rank).order_by("rank", "-sent_at", "-pk"))


def sent_by(user) -> QuerySet[Transmission]:
    return (transmissions_for(user).filter(sender=user).select_related("recipient", "patient")
            .order_by("-sent_at", "-pk"))


def unread_for(user) -> QuerySet[Transmission]:
    return transmissions_for(user).filter(recipient=user, read_at__isnull=True)


def urgent_unread_for(user) -> list[Transmission]:
    """The urgent messages waiting for ``user``, newest first: one query."""
    return list(unread_for(user).filter(priority=Priority.URGENT).select_related("sender")
                .order_by("-sent_at", "-pk")[:URGENT_NOTICES + 1])


def thread_of(message: Transmission, user) -> list[Transmission]:
    """The conversation of ``message`` as ``user`` may read it, oldest first."""
    root_id = message.thread_root_id or message.pk
    return list(transmissions_for(user).filter(Q(pk=root_id) | Q(thread_root_id=root_id))
                .select_related("sender", "recipient").order_by("sent_at", "pk"))


def recipients_for(user) -> QuerySet[User]:
    """Colleagues one may write to: active staff of the structure who use the desk, not oneself;
    practitioners first."""
    roles = [role for role in Role.values if Capability.VIEW_DESK in capabilities_of(role)]
    practitioner_first = Case(When(role=Role.PRACTITIONER, then=Value(0)), default=Value(1),
                              output_field=IntegerField())
    return (User.objects.filter(structure_id=user.structure_id, is_active=True, role__in=roles)
            .exclude(pk=user.pk).annotate(practitioner_first=practitioner_first)
            .order_by("practitioner_first", "last_name", "first_name", "username"))


def can_receive_about(recipient, patient) -> bool:
    """A message about ``patient`` may go to ``recipient`` only if they may read medical
    messages and open that patient's file."""
    return (recipient.has_capability(Capability.READ_MEDICAL_MESSAGES)
            and patients_for(recipient).filter(pk=patient.pk).exists())



def urgent_notices(request) -> list[Notice]:
    """Shell notices (``core.shell_notices``): the urgent messages waiting for the user, in red on
    every page until opened. One indexed query per page (recipient, unread): with several web
    processes a cache would show a new urgent message late, and the page counts would vary."""
    user = request.user
    if not user.has_capability(Capability.VIEW_DESK):
        return []
    urgent = urgent_unread_for(user)
    if not urgent:
        return []
    notices = [
        Notice(level="urgent", url=reverse("reception:transmission", args=[message.pk]), link_text=_("Open the message"),
               text=_("Urgent message from %(sender)s: %(subject)s")
               % {"sender": message.sender.get_full_name() or message.sender.username, "subject": message.subject})
        for message in urgent[:URGENT_NOTICES]
    ]
    if len(urgent) > URGENT_NOTICES:
        notices.append(Notice(level="urgent", url=reverse("reception:inbox"), link_text=_("See the messages"),
                              text=_("More urgent messages are waiting.")))
    return notices
