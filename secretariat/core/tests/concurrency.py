"""Several desks doing one thing at the same instant, each thread with its own connection."""

import threading

from django.db import connection
from django.utils import translation

from secretariat.core.services.errors import ServiceError


def run_at_once(work, arguments) -> tuple[list, list[str], list[str]]:
    """``work(argument)`` in one thread per argument, released together by a barrier.

    Returns what the calls returned, the refusals (``ServiceError`` messages, in English) and
    any other failure (which a test should find empty)."""
    barrier = threading.Barrier(len(arguments))
    lock = threading.Lock()
    done, refused, failures = [], [], []

    def desk(argument):
        try:
            with translation.override("en"):
                barrier.wait(timeout=30)
                result = work(argument)
            with lock:
                done.append(result)
        except ServiceError as refusal:
            with lock:
                refused.append(str(refusal))
        except Exception as error:  # noqa: BLE001 (any other outcome fails the test)
            with lock:
                failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return done, refused, failures
