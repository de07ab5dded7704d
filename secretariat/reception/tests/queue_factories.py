"""Visits for the waiting-room tests, made directly (the desk's check-in is tested on its own)."""

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from secretariat.agenda.tests.factories import AppointmentFactory, AppointmentTypeFactory
from secretariat.core.tests.factories import SiteFactory
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception.models import Visit

_tickets = itertools.count(1)


def today_at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time())
                               + timedelta(hours=hour, minutes=minute))


def make_visit(*, site, practitioner=None, by, arrived_at=None, start=None, minutes: int = 20, walk_in=False,
               priority=None, patient=None, state=Visit.State.ARRIVED, ticket=None, appointment_pk=None, **extra) -> Visit:
    """A visit today at ``site``: with an appointment at ``start`` unless ``walk_in``."""
    structure = site.structure
    patient = patient or PatientFactory(structure=structure)
    appointment = None
    if not walk_in:
        kind = AppointmentTypeFactory(structure=structure, duration_minutes=minutes)
        start = start or today_at(9)
        more = {"pk": appointment_pk} if appointment_pk else {}
        appointment = AppointmentFactory(**more, practitioner=practitioner, site=site, patient=patient,
                                         appointment_type=kind, start=start,
                                         end=start + timedelta(minutes=minutes), status="arrived")
    return Visit.objects.create(
        structure=structure, site=site, day=timezone.localdate(), ticket=ticket or next(_tickets),
        patient=patient, appointment=appointment, practitioner=practitioner, is_walk_in=walk_in,
        priority=priority, state=state, arrived_at=arrived_at or timezone.now() - timedelta(minutes=5),
        checked_in_by=by, **extra,
    )


def site_of(personas):
    site = SiteFactory(structure=personas.structure, name="Site Centre")
    personas.practitioner.sites.add(site)
    return site
