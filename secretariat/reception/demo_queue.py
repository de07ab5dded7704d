"""Demo data of the waiting room: consulting rooms, a waiting-room screen for "Site Centre", and,
when the desk's demo already brought today's patients in, a few of them called or in consultation.

Runs inside the demo's transaction, so it writes rows directly (the services are durable
transactions of their own); the states it sets are those the services would set. The screen's
secret is not printed nor kept: a coordinator gives the screen a new address from
"Waiting-room screens" to open it.
"""

import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from secretariat.core.models import Practitioner, Site
from secretariat.reception import rules
from secretariat.reception.models import ConsultingRoom, PublicScreen, Visit
from secretariat.reception.screens import hash_secret
from secretariat.reception.services_queue import as_waiting

ROOM_LABELS = ["Cabinet 1", "Cabinet 2", "Cabinet 3", "Salle de kinésithérapie", "Cabinet 5", "Cabinet 6"]


def seed_queue(structure, *, users: dict, now) -> None:
    sites = list(Site.objects.filter(structure=structure).order_by("name"))
    practitioners = list(Practitioner.objects.filter(structure=structure, is_active=True)
                         .prefetch_related("sites").order_by("last_name"))
    for site in sites:
        here = [person for person in practitioners if site in person.sites.all()]
        for index, person in enumerate(here):
            label = ROOM_LABELS[index] if index < len(ROOM_LABELS) else f"Cabinet {index + 1}"
            if person.specialty.lower().startswith("masseur"):
                label = "Salle de kinésithérapie"
            ConsultingRoom.objects.get_or_create(site=site, practitioner=person, defaults={"label": label})

    centre = next((site for site in sites if site.name == "Site Centre"), sites[0] if sites else None)
    if centre is None:
        return
    creator = users.get("coordination") or next(iter(users.values()))
    if not PublicScreen.objects.filter(site=centre, revoked_at__isnull=True).exists():
        PublicScreen.objects.create(structure=structure, site=centre, label="TV de la salle d'attente",
                                    secret_hash=hash_secret(secrets.token_urlsafe(32)), created_by=creator)
    _bring_some_in(centre, now=now, by=users.get("accueil") or creator)


def _bring_some_in(site, *, now, by) -> None:
    """The next patient of the first practitioner is called, that of the others is in consultation:
    the waiting room and the screen then show every state."""
    day = timezone.localdate(now)
    visits = list(Visit.objects.filter(site=site, day=day, state=Visit.State.ARRIVED)
                  .filter(~Q(practitioner=None)).select_related("appointment"))
    busy = set(Visit.objects.filter(site=site, day=day, state__in=[Visit.State.CALLED, Visit.State.IN_CONSULTATION])
               .values_list("practitioner_id", flat=True))
    by_practitioner: dict[int, list[Visit]] = {}
    for visit in visits:
        by_practitioner.setdefault(visit.practitioner_id, []).append(visit)
    rooms = dict(ConsultingRoom.objects.filter(site=site).values_list("practitioner_id", "label"))
    for rank, (practitioner_id, mine) in enumerate(sorted(by_practitioner.items())):
        order = [planned.item.key for planned in rules.plan_queue([as_waiting(v) for v in mine], now=now)]
        if not order or practitioner_id in busy:
            continue
        room = rooms.get(practitioner_id, "")
        if rank == 0:
            Visit.objects.filter(pk=order[0]).update(state=Visit.State.CALLED, called_at=now - timedelta(minutes=1),
                                                     called_by=by, call_count=1, room=room)
            continue
        started = now - timedelta(minutes=6 + 3 * rank)
        Visit.objects.filter(pk=order[0]).update(
            state=Visit.State.IN_CONSULTATION, called_at=started - timedelta(minutes=1), called_by=by,
            call_count=1, room=room, consultation_started_at=started)
