"""Several desks of one site checking patients in at the same instant.

Each thread has its own database connection. On PostgreSQL the lock on the site's row makes the
desks take their ticket one after the other; on SQLite the IMMEDIATE transactions queue. Either
way the tickets are distinct and consecutive, and one appointment is checked in only once.
"""

from datetime import timedelta

import pytest
import time_machine

from secretariat.core.tests.concurrency import run_at_once
from secretariat.core.tests.factories import SiteFactory
from secretariat.reception import services_desk
from secretariat.reception.models import Visit
from secretariat.reception.tests.test_desk_services import NOW, appointment_at, validated_patient

DESKS = 8


@pytest.mark.django_db(transaction=True)
def test_desks_checking_in_at_the_same_instant_get_distinct_consecutive_tickets(personas):
    site = SiteFactory(structure=personas.structure)
    appointments = [
        appointment_at(personas.practitioner, site, validated_patient(personas.structure, personas.team_a),
                       NOW + timedelta(minutes=20 * index))
        for index in range(DESKS)
    ]

    with time_machine.travel(NOW, tick=True):
        done, refused, failures = run_at_once(
            lambda appointment: services_desk.check_in(appointment, acting_user=personas.reception).ticket,
            appointments)

    assert (failures, refused) == ([], [])
    assert sorted(done) == list(range(1, DESKS + 1))
    assert sorted(Visit.objects.values_list("ticket", flat=True)) == list(range(1, DESKS + 1))


@pytest.mark.django_db(transaction=True)
def test_one_appointment_checked_in_at_two_desks_at_once_gets_one_visit(personas):
    site = SiteFactory(structure=personas.structure)
    patient = validated_patient(personas.structure, personas.team_a)
    appointment = appointment_at(personas.practitioner, site, patient, NOW)

    with time_machine.travel(NOW, tick=True):
        done, refused, failures = run_at_once(
            lambda user: services_desk.check_in(appointment, acting_user=user).ticket,
            [personas.reception, personas.secretary, personas.reception, personas.secretary])

    assert (failures, done) == ([], [1])
    assert refused == [f"{patient.display_name} is already checked in (ticket 001)."] * 3
    assert Visit.objects.count() == 1
