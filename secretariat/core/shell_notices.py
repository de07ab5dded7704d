"""Notices shown at the top of every page of the application (the shell), for the user.

Apps register a function at start-up (``register_notice(fn)`` in their ``AppConfig.ready``);
``fn(request)`` returns a list of ``Notice``. The shell's context processor collects them
lazily: only pages that render the shell (``base.html``) pay for them, and each function
should cost at most one cheap query. Core never imports the apps that register here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import cached_property


@dataclass(frozen=True)
class Notice:
    level: str  # "info" | "warning" | "urgent"
    text: str
    url: str = ""
    link_text: str = ""  # the words of the link to ``url`` (required with a url)


_PROVIDERS: list[Callable] = []


def register_notice(fn: Callable) -> Callable:
    """Add ``fn(request) -> list[Notice]`` to the shell (idempotent: ``ready()`` may run twice)."""
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)
    return fn


def notices_for(request) -> list[Notice]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    notices = []
    for provider in _PROVIDERS:
        notices.extend(provider(request))
    return notices


class LazyNotices:
    """What the template iterates; computed on first use, once per request."""

    def __init__(self, request):
        self._request = request

    @cached_property
    def items(self) -> list[Notice]:
        return notices_for(self._request)

    def __iter__(self):
        return iter(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)
