"""The desk's secondary navigation. A tab appears once its screen exists and the user may use it;
badges count what waits for the user (unread messages, callbacks due, open incidents)."""

from dataclasses import dataclass

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from secretariat.core.roles import Capability
from secretariat.reception import badges

register = template.Library()


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url_name: str
    capability: str
    badge: str = ""  # name of a function of ``badges``


TABS = [
    Tab("desk", _("Today at the desk"), "reception:desk", Capability.VIEW_DESK),
    Tab("waiting_room", _("Waiting room"), "reception:waiting_room", Capability.VIEW_DESK),
    Tab("my_queue", _("My queue"), "reception:my_queue", Capability.VIEW_DESK),
    Tab("phone", _("Phone log"), "reception:phone_log", Capability.VIEW_DESK, "callbacks_due"),
    Tab("transmissions", _("Messages to colleagues"), "reception:inbox", Capability.VIEW_DESK, "unread_messages"),
    Tab("triage", _("Triage protocols"), "reception:protocols", Capability.VIEW_DESK),
    Tab("incidents", _("Incidents"), "reception:incidents", Capability.VIEW_DESK, "open_incidents"),
    Tab("survey", _("Patient feedback"), "reception:survey_results", Capability.VIEW_DESK),
    Tab("settings", _("Desk settings"), "reception:settings", Capability.MANAGE_ORGANISATION),
]


@register.inclusion_tag("reception/_subnav.html", takes_context=True)
def reception_subnav(context, current: str = ""):
    user = context["request"].user
    tabs = []
    for tab in TABS:
        if not user.has_capability(tab.capability):
            continue
        if tab.key == "my_queue" and not hasattr(user, "practitioner"):
            continue  # only a practitioner has a queue of their own
        try:
            url = reverse(tab.url_name)
        except NoReverseMatch:
            continue
        count = getattr(badges, tab.badge)(user) if tab.badge else 0
        tabs.append({"key": tab.key, "label": tab.label, "url": url, "count": count})
    return {"current": current, "tabs": tabs}
