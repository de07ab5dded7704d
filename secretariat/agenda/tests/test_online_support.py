"""Helpers shared by the online booking tests (no test here): pick a slot, fill the identity
page, read the code sent."""

import re
from datetime import UTC, timedelta

from django.urls import reverse
from django.utils import timezone

from secretariat.agenda.online.queries import offered_slots
from secretariat.messaging.models import OutboundMessage

IDENTITY = {
    "last_name": "Martin", "first_names": "Claire", "birth_date": "01/03/1980", "sex": "F",
    "email": "claire.martin@example.org", "phone": "", "consent": "on", "website": "",
}


def first_slots(practitioners, appointment_type, *, count: int = 1):
    now = timezone.now()
    return offered_slots(practitioners, appointment_type, between=(now, now + timedelta(days=30)), now=now,
                         limit=count)


def slot_params(slot, *, choice: str = "tous") -> dict:
    return {"praticien": slot.practitioner.pk, "site": slot.site.pk,
            "debut": slot.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ"), "choix": choice}


def identity_url(appointment_type) -> str:
    return reverse("agenda_public:online_identity", args=[appointment_type.structure_id, appointment_type.pk])


def post_identity(client, appointment_type, slot, *, address: str = "198.51.100.7", **changes):
    data = {**IDENTITY, **slot_params(slot), **changes}
    return client.post(identity_url(appointment_type), data, REMOTE_ADDR=address)


def sent_code(recipient: str | None = None) -> str:
    """The code in the last code message (sent to ``recipient``)."""
    messages = OutboundMessage.objects.filter(purpose="agenda.online_code")
    if recipient:
        messages = messages.filter(recipient=recipient)
    message = messages.order_by("-pk").first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def main_content(response) -> str:
    """The page's <main>, without the per-response CSRF token: what the person reads and sends."""
    html = response.content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
