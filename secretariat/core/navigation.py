"""Areas of the application shell. Only built areas appear; each needs a capability."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from secretariat.core.roles import Capability


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    url_name: str
    capability: str
    shortcut: str

    @property
    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


# In the order of the secretary's day. An area whose URL does not exist yet is hidden.
AREAS = [
    Area("desk", _("Welcome desk"), "reception:desk", Capability.VIEW_DESK, "a"),
    Area("agenda", _("Agenda"), "agenda:day", Capability.VIEW_AGENDA, "g"),
    Area("patients", _("Patients"), "patients:list", Capability.VIEW_PATIENTS, "p"),
    Area("mail", _("Mail"), "mail:registry", Capability.VIEW_MAIL, "c"),
    Area("billing", _("Billing"), "billing:home", Capability.VIEW_BILLING, "f"),
    Area("stock", _("Stock"), "stock:home", Capability.VIEW_STOCK, "s"),
    Area("team", _("Team"), "team:home", Capability.VIEW_TEAM, "e"),
    Area("stats", _("Statistics"), "stats:home", Capability.VIEW_STATS, "t"),
    Area("admin", _("Administration"), "core:admin_home", Capability.MANAGE_USERS, "d"),
]


def areas_for(user) -> list[Area]:
    return [area for area in AREAS if user.has_capability(area.capability) and area.url]
