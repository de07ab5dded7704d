"""The desk's demo: seeded on top of the agenda demo at 10:30, and on a day without appointments."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from secretariat.agenda.models import Appointment
from secretariat.core.models import Structure, User
from secretariat.reception.demo_desk import seed_desk
from secretariat.reception.models import Visit

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 24, 10, 30, tzinfo=PARIS)  # a Tuesday


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # The agenda demo alone: these tests seed the desk themselves, at the hours they choose.
    with (django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic(),
          pytest.MonkeyPatch.context() as patch):
        patch.setattr("secretariat.reception.demo.seed", lambda *args, **kwargs: {})
        call_command("seed_demo", stdout=StringIO())
        structure = Structure.objects.get(is_demo=True)
        users = {user.username: user for user in User.objects.filter(structure=structure)}
        yield structure, users
        transaction.set_rollback(True)


def test_demo_desk_looks_alive_at_half_past_ten(demo, db):
    structure, users = demo
    with time_machine.travel(NOW, tick=False):
        seed_desk(structure, users=users, now=NOW)

    visits = list(Visit.objects.filter(structure=structure).select_related("appointment"))
    waiting = [visit for visit in visits if visit.state == Visit.State.ARRIVED]
    assert len([visit for visit in waiting if not visit.is_walk_in]) >= 2
    assert [visit.is_walk_in for visit in visits].count(True) == 1
    assert any(visit.identity_document_requested for visit in visits)
    for visit in visits:
        if visit.appointment is not None:
            assert visit.appointment.status == Appointment.Status.ARRIVED or visit.state == Visit.State.DONE
    per_site = {(visit.site_id, visit.ticket) for visit in visits}
    assert len(per_site) == len(visits)


def test_demo_desk_on_a_day_without_appointments_adds_nothing(demo, db):
    structure, users = demo
    sunday = NOW + timedelta(days=5)
    with time_machine.travel(sunday, tick=False):
        seed_desk(structure, users=users, now=sunday)

    assert Visit.objects.filter(structure=structure, day=sunday.date()).count() == 0


def test_demo_desk_at_night_does_not_fail(demo, db):
    structure, users = demo
    night = NOW.replace(hour=23, minute=40)
    with time_machine.travel(night, tick=False):
        seed_desk(structure, users=users, now=night)

    assert Visit.objects.filter(structure=structure, state=Visit.State.ARRIVED, is_walk_in=False).count() == 0
