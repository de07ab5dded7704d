"""The agenda's secondary navigation, with the count of messages that failed to reach patients."""

from django import template

from secretariat.core.roles import Capability
from secretariat.messaging.queries import failed_messages_count

register = template.Library()


@register.inclusion_tag("agenda/_subnav.html", takes_context=True)
def agenda_subnav(context, current: str = ""):
    user = context["request"].user
    return {
        "current": current,
        "can_book": user.has_capability(Capability.BOOK_APPOINTMENTS),
        "failed_messages": failed_messages_count(user.structure_id, user=user) if user.structure_id else 0,
    }
