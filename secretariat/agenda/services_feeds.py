"""Private iCalendar feeds of a practitioner's agenda: create, revoke, find by address, trace reads.

The address carries a random secret (256 bits). Only its SHA-256 is stored (in
``CalendarFeed.token``), as for API tokens: the address is shown once when created, and a
copy of the database does not give anyone the practitioners' calendars. A feed shows the
patients' names, so every fetch is audited and a feed can be revoked at any time.

Who manages feeds: a practitioner their own; a coordinator any practitioner of the structure.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.agenda.models import CalendarFeed
from secretariat.core import audit
from secretariat.core.access import practitioners_for, sees_whole_structure
from secretariat.core.models import Practitioner
from secretariat.core.roles import Capability, Role
from secretariat.core.services.errors import ServiceError


def hash_feed_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_practitioners_for(user):
    """Practitioners whose feeds ``user`` may manage."""
    if not user.is_authenticated or user.structure_id is None or not user.has_capability(Capability.VIEW_AGENDA):
        return Practitioner.objects.none()
    if sees_whole_structure(user):
        return practitioners_for(user)
    if user.role == Role.PRACTITIONER:
        return Practitioner.objects.filter(user=user, structure_id=user.structure_id)
    return Practitioner.objects.none()


@transaction.atomic(durable=True)
def create_feed(practitioner, *, acting_user) -> tuple[CalendarFeed, str]:
    """A new feed of ``practitioner``'s agenda and its secret (to show once, never stored)."""
    if not practitioner.is_active:
        raise ServiceError(_("This practitioner is no longer active: no calendar feed can be created."))
    raw = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(practitioner=practitioner, token=hash_feed_token(raw),
                                       created_by=acting_user)
    audit.record("agenda.calendar_feed_created", target=feed, structure_id=practitioner.structure_id,
                 acting_user=acting_user, data={"practitioner_id": practitioner.pk})
    return feed, raw


@transaction.atomic(durable=True)
def revoke_feed(feed, *, acting_user) -> CalendarFeed:
    """Kill the feed's address at once (calendars subscribed to it stop updating)."""
    feed = CalendarFeed.objects.select_for_update().select_related("practitioner").get(pk=feed.pk)
    if feed.revoked_at is not None:
        raise ServiceError(_("This calendar feed is already revoked."))
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit.record("agenda.calendar_feed_revoked", target=feed, structure_id=feed.practitioner.structure_id,
                 acting_user=acting_user, data={"practitioner_id": feed.practitioner_id})
    return feed


def live_feed(raw: str) -> CalendarFeed | None:
    """The feed of the address ``raw``, unless unknown, revoked, or of a practitioner who left."""
    if not raw or len(raw) > 100:
        return None
    return (CalendarFeed.objects.filter(token=hash_feed_token(raw), revoked_at__isnull=True,
                                        practitioner__is_active=True)
            .select_related("practitioner").first())


@transaction.atomic(durable=True)
def record_feed_fetch(feed, *, appointments: int) -> None:
    """One audit row per fetch: who subscribed is unknown, the practitioner and the count are not."""
    audit.record("agenda.calendar_feed_fetched", target=feed, structure_id=feed.practitioner.structure_id,
                 data={"practitioner_id": feed.practitioner_id, "appointments": appointments})
