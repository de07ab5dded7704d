"""Writes about background tasks seen by coordinators."""

from django.db import transaction
from django.utils import timezone

from secretariat.core import audit
from secretariat.core.models import TaskFailure, User


@transaction.atomic(durable=True)
def acknowledge_task_failure(failure: TaskFailure, *, acting_user: User) -> TaskFailure:
    """Mark a failed task as seen so it leaves the top of the list; acknowledging twice is a no-op."""
    failure = TaskFailure.objects.select_for_update().get(pk=failure.pk)
    if failure.acknowledged_at is not None:
        return failure
    failure.acknowledged_at = timezone.now()
    failure.save(update_fields=["acknowledged_at"])
    audit.record(
        "core.task_failure_acknowledged", target=failure,
        data={"task": failure.task_name}, acting_user=acting_user,
    )
    return failure
