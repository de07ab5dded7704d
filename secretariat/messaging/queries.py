"""Reads of messages to patients, scoped like the patient files they concern."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from secretariat.messaging.models import OutboundMessage
from secretariat.patients.permissions import patients_for


def messages_for(user) -> QuerySet[OutboundMessage]:
    """Messages of the user's structure; those about a patient only if the user may open the
    patient's file (a recipient's address is patient data)."""
    if not user.is_authenticated or user.structure_id is None:
        return OutboundMessage.objects.none()
    return OutboundMessage.objects.filter(structure_id=user.structure_id).filter(
        Q(patient__isnull=True) | Q(patient__in=patients_for(user).values("pk"))
    )


def access_message(user, pk: int) -> OutboundMessage:
    try:
        return messages_for(user).get(pk=pk)
    except OutboundMessage.DoesNotExist:
        raise Http404 from None


def _unhandled_failure() -> Q:
    return Q(status=OutboundMessage.Status.FAILED, acknowledged_at__isnull=True)


def messages_to_review(user, *, status: str = "", channel: str = "") -> QuerySet[OutboundMessage]:
    """Failures not dealt with first, then messages waiting, then the rest; newest first in each."""
    messages = messages_for(user)
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    rank = Case(
        When(_unhandled_failure(), then=Value(0)),
        When(status=OutboundMessage.Status.QUEUED, then=Value(1)),
        default=Value(2), output_field=IntegerField(),
    )
    return (messages.annotate(review_rank=rank).select_related("patient", "acknowledged_by")
            .order_by("review_rank", "-created_at", "-pk"))


def failed_messages_count(structure_id: int, *, user=None) -> int:
    """Failures nobody has dealt with yet: the badge of the secretariat. With ``user``, counted
    within what that user may see (as on the list)."""
    messages = messages_for(user) if user is not None else OutboundMessage.objects.filter(
        structure_id=structure_id)
    return messages.filter(_unhandled_failure(), structure_id=structure_id).count()
