"""Waiting-room screens (a TV, a tablet): create, revoke, find by their secret address.

The address carries a random secret (``secrets.token_urlsafe(32)``, 256 bits) and nothing else:
no structure, site or patient. Only its SHA-256 is stored (``PublicScreen.secret_hash``), as for
the agenda's calendar feeds: the address is shown once, when created; a copy of the database does
not open any screen; a revoked screen answers 404 at once. Managed by a coordinator
(MANAGE_ORGANISATION).
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.services.errors import ServiceError
from secretariat.reception.models import PublicScreen


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def screen_for_secret(raw: str) -> PublicScreen | None:
    """The live screen whose address carries ``raw``, or None (unknown or revoked)."""
    if not raw or len(raw) > 200:
        return None
    return (PublicScreen.objects.filter(secret_hash=hash_secret(raw), revoked_at__isnull=True)
            .select_related("site").first())


@transaction.atomic(durable=True)
def create_screen(site, *, label: str, acting_user) -> tuple[PublicScreen, str]:
    """A new screen for ``site`` and its secret (to show once: it is not stored)."""
    label = (label or "").strip()
    if not label:
        raise ServiceError(_("Give the screen a name, e.g. “TV of the ground-floor waiting room”."))
    if site.structure_id != acting_user.structure_id:
        raise ServiceError(_("This site is not one of your structure's."))
    raw = secrets.token_urlsafe(32)
    screen = PublicScreen.objects.create(structure_id=site.structure_id, site=site, label=label[:100],
                                         secret_hash=hash_secret(raw), created_by=acting_user)
    audit.record("reception.screen_created", target=screen, structure_id=site.structure_id,
                 acting_user=acting_user, data={"site_id": site.pk})
    return screen, raw


@transaction.atomic(durable=True)
def regenerate_secret(screen, *, acting_user) -> tuple[PublicScreen, str]:
    """A new address for the screen (the old one stops at once), e.g. when it was lost."""
    screen = PublicScreen.objects.select_for_update().get(pk=screen.pk)
    if screen.revoked_at is not None:
        raise ServiceError(_("This screen is revoked: create a new one."))
    raw = secrets.token_urlsafe(32)
    screen.secret_hash = hash_secret(raw)
    screen.save(update_fields=["secret_hash"])
    audit.record("reception.screen_created", target=screen, structure_id=screen.structure_id,
                 acting_user=acting_user, data={"site_id": screen.site_id, "new_address": True})
    return screen, raw


@transaction.atomic(durable=True)
def revoke_screen(screen, *, acting_user) -> PublicScreen:
    """Stop the screen's address at once (the TV shows that it was switched off)."""
    screen = PublicScreen.objects.select_for_update().get(pk=screen.pk)
    if screen.revoked_at is not None:
        raise ServiceError(_("This screen is already revoked."))
    screen.revoked_at = timezone.now()
    screen.save(update_fields=["revoked_at"])
    audit.record("reception.screen_revoked", target=screen, structure_id=screen.structure_id,
                 acting_user=acting_user, data={"site_id": screen.site_id})
    return screen
