"""The waiting room's demo data: rooms, one screen for Site Centre, today's patients in every state."""

from datetime import timedelta

from django.utils import timezone

from secretariat.core.tests.factories import PractitionerFactory
from secretariat.reception.demo_queue import seed_queue
from secretariat.reception.models import ConsultingRoom, PublicScreen, Visit
from secretariat.reception.tests.queue_factories import make_visit, site_of


def test_seed_queue_gives_rooms_a_screen_and_some_calls(personas):
    site = site_of(personas)
    other = PractitionerFactory(structure=personas.structure)
    other.sites.add(site)
    now = timezone.now()
    mine = [make_visit(site=site, practitioner=personas.practitioner, by=personas.reception,
                       start=now + timedelta(minutes=30 * index)) for index in range(3)]
    theirs = make_visit(site=site, practitioner=other, by=personas.reception, start=now - timedelta(minutes=5))
    users = {"coordination": personas.coordinator, "accueil": personas.reception}

    seed_queue(personas.structure, users=users, now=now)
    seed_queue(personas.structure, users=users, now=now)  # a second run adds nothing

    assert ConsultingRoom.objects.filter(site=site).count() == 2
    assert PublicScreen.objects.filter(site=site, revoked_at=None).count() == 1
    states = {visit.pk: visit.state for visit in Visit.objects.all()}
    called = [pk for pk, state in states.items() if state == Visit.State.CALLED]
    inside = [pk for pk, state in states.items() if state == Visit.State.IN_CONSULTATION]
    assert len(called) == 1
    assert len(inside) == 1
    assert {called[0], inside[0]} <= {mine[0].pk, theirs.pk}
