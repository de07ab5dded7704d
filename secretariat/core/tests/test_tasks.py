"""Background work: tasks run after commit, failures are kept for coordinators, Redis works."""

import os
import uuid

import pytest
from django.db import transaction
from huey import RedisHuey
from huey.contrib.djhuey import HUEY, task
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from secretariat.core.models import TaskFailure
from secretariat.core.tasks import enqueue_on_commit

REDIS_URL = os.environ.get("HUEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ran: list[int] = []


@task()
def remember(value: int) -> None:
    ran.append(value)


@task()
def always_fails(record_id: int) -> None:
    raise RuntimeError(f"record {record_id} unreachable")


def test_enqueue_on_commit_waits_for_the_commit(db, django_capture_on_commit_callbacks):
    ran.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_on_commit(remember, 7)
        assert ran == []
    assert len(callbacks) == 1
    assert ran == [7]


def test_nothing_is_enqueued_when_the_transaction_rolls_back(transactional_db):
    ran.clear()
    class Refused(Exception):
        pass

    def service_that_fails():
        with transaction.atomic():
            enqueue_on_commit(remember, 8)
            raise Refused

    with pytest.raises(Refused):
        service_that_fails()
    assert ran == []


def test_a_failing_task_is_kept_for_coordinators(db):
    result = always_fails(42)
    with pytest.raises(Exception, match="unreachable"):
        result.get()
    failure = TaskFailure.objects.get()
    assert failure.task_name.endswith("always_fails")
    assert failure.arguments == "(42,)"
    assert failure.error == "RuntimeError: record 42 unreachable"


def add_numbers(a: int, b: int) -> int:
    return a + b


def test_huey_uses_redis_when_configured():
    """Against the machine's Redis: a task queued by one Huey is run by a consumer of another."""
    try:
        Redis.from_url(REDIS_URL).ping()
    except RedisConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is expected in CI at {REDIS_URL} and is unreachable")
        pytest.skip("Redis unreachable on this machine")
    name = f"secretariat-test-{uuid.uuid4().hex[:8]}"
    producer = RedisHuey(name, url=REDIS_URL)
    consumer_side = RedisHuey(name, url=REDIS_URL)

    queue_add = producer.task()(add_numbers)
    consumer_side.task()(add_numbers)
    try:
        pending = queue_add(2, 3)
        assert producer.pending_count() == 1
        queued = consumer_side.dequeue()
        assert consumer_side.execute(queued) == 5
        assert pending.get() == 5
    finally:
        producer.flush()


def test_settings_pick_redis_when_the_url_is_set(monkeypatch):
    import importlib

    import secretariat.settings as project_settings

    monkeypatch.setenv("HUEY_REDIS_URL", REDIS_URL)
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.HUEY["huey_class"] == "huey.PriorityRedisHuey"
        assert reloaded.HUEY["url"] == REDIS_URL
    finally:
        monkeypatch.delenv("HUEY_REDIS_URL")
        importlib.reload(project_settings)
    assert HUEY is not None
