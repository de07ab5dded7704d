"""Background tasks of core, the failure hook, and ``enqueue_on_commit``.

Tasks take ids, re-read what they need and are idempotent: Huey may run one
twice after a worker crash.
"""

import logging
from functools import partial

from django.core.management import call_command
from django.db import connection, transaction
from huey import crontab
from huey.signals import SIGNAL_ERROR

from secretariat.core.models import TaskFailure

logger = logging.getLogger(__name__)

try:
    from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, signal
except ImportError:  # pragma: no cover - Huey is a hard dependency
    raise


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue a task only once the surrounding transaction has committed."""
    transaction.on_commit(partial(task, *args, **kwargs))


@signal(SIGNAL_ERROR)
def record_task_failure(signal_name, task, exc=None):
    TaskFailure.objects.create(
        task_name=task.name,
        task_id=str(task.id),
        arguments=repr(task.args)[:500],
        error=f"{type(exc).__name__}: {exc}"[:5000],
    )
    logger.warning("Task %s (%s) failed", task.name, task.id)


@db_task()
def send_password_reset_email(user_id: int, domain: str, use_https: bool) -> None:
    from secretariat.core.services.accounts import send_password_reset

    send_password_reset(user_id, domain=domain, use_https=use_https)


@db_periodic_task(crontab(hour="3", minute="17"))
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@db_periodic_task(crontab(hour="3", minute="41"))
def refresh_database_statistics() -> None:
    """Keep SQLite's query planner informed (PostgreSQL's autovacuum does this by itself).

    Without statistics SQLite takes "structure = ?" for a selective filter and scans the whole
    structure for a patient search instead of using the name-key indexes (measured in bench/).
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize=0x10002")


__all__ = ["HUEY", "enqueue_on_commit"]
