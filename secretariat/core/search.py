"""The global search box: each app registers a provider returning result groups.

A provider receives the user and the typed text and returns a ``SearchGroup`` (or
None); it scopes its own query to what the user may see. Patients, appointments
and mail plug in here as their apps arrive.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass
class SearchHit:
    title: str
    url: str
    detail: str = ""


@dataclass
class SearchGroup:
    label: str
    hits: list[SearchHit] = field(default_factory=list)


Provider = Callable[..., SearchGroup | None]
_PROVIDERS: list[tuple[int, Provider]] = []

MIN_QUERY_LENGTH = 2
MAX_HITS_PER_GROUP = 8


def register_provider(provider: Provider, *, order: int = 100) -> None:
    _PROVIDERS.append((order, provider))
    _PROVIDERS.sort(key=lambda item: item[0])


def search_everything(user, text: str) -> list[SearchGroup]:
    text = " ".join(text.split())[:100]
    if len(text) < MIN_QUERY_LENGTH:
        return []
    groups = (provider(user, text) for _order, provider in _PROVIDERS)
    return [group for group in groups if group and group.hits]


def practitioners_provider(user, text: str) -> SearchGroup | None:
    from secretariat.core.access import practitioners_for
    from secretariat.core.roles import Capability

    if not user.has_capability(Capability.VIEW_DIRECTORY):
        return None
    condition = Q()
    for word in text.split():
        condition &= (
            Q(last_name__icontains=word) | Q(first_name__icontains=word)
            | Q(specialty__icontains=word) | Q(rpps=word)
        )
    found = practitioners_for(user).filter(condition, is_active=True)[:MAX_HITS_PER_GROUP]
    return SearchGroup(
        label=str(_("Practitioners")),
        hits=[
            SearchHit(title=p.display_name, detail=p.specialty,
                      url=reverse("core:practitioner_detail", args=[p.pk]))
            for p in found
        ],
    )


register_provider(practitioners_provider, order=50)
