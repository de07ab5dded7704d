"""Demo data of the welcome desk for ``manage.py seed_demo``: a desk in the middle of its day.

Each concern seeds its own part; the order matters (the triage protocol before the walk-ins it
triaged, arrivals before the waiting room calls them)."""

from datetime import datetime

from django.utils import timezone

from secretariat.reception.demo_calls import seed_calls
from secretariat.reception.demo_desk import seed_desk
from secretariat.reception.demo_queue import seed_queue
from secretariat.reception.demo_team import seed_team
from secretariat.reception.demo_vitale import seed_vitale
from secretariat.reception.models import Visit


def seed(structure, *, teams: dict, users: dict, now: datetime | None = None) -> dict[str, int]:
    if Visit.objects.filter(structure=structure).exists():
        return {}  # already there: seeding twice changes nothing
    now = now or timezone.now()
    for seed_part in (seed_calls, seed_desk, seed_queue, seed_vitale, seed_team):
        seed_part(structure, users=users, now=now)
    return {}
