"""Data of the desk benchmark (``bench/reception.py``): one busy site of a health centre today.

N practitioners consult every 15 minutes from 08:00 to 19:00 on the site; patients who came
earlier are done, ``waiting`` people are in the waiting room (a few called or in consultation,
some walk-ins without a practitioner yet), the rest are still expected.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from secretariat.agenda.models import Appointment, AppointmentType
from secretariat.core.models import CareTeam, Practitioner, Site, Structure, User
from secretariat.core.roles import Role
from secretariat.patients.models import Patient
from secretariat.patients.services import remember_names
from secretariat.reception.models import Priority, Visit

STRUCTURE_NAME = "Centre de santé de banc d'essai (accueil)"
STEP = timedelta(minutes=15)
FIRST_NAMES = ["Marie", "Jean", "Nadia", "Louis", "Chloé", "Karim", "Emma", "Hugo", "Inès", "Paul"]
LAST_NAMES = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "PETIT", "DURAND", "LEROY", "MOREAU", "SIMON",
              "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX", "VINCENT", "FOURNIER"]


@dataclass
class DeskWorld:
    structure: Structure
    site: Site
    secretary: User
    reception: User
    practitioners: list[Practitioner]
    practitioner_users: list[User]
    expected: list[Appointment]  # still to come: the check-in scenario takes them in turn


def _rpps(index: int) -> str:
    body = f"11{index:08d}"
    return body + luhn.calc_check_digit(body)


@transaction.atomic
def build(*, practitioners: int, waiting: int, now: datetime, seed: int = 2026) -> DeskWorld:
    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    structure = Structure.objects.create(name=STRUCTURE_NAME, kind=Structure.Kind.HEALTH_CENTRE)
    site = Site.objects.create(structure=structure, name="Site principal", address="1 rue du Banc",
                               postal_code="69003", city="Lyon")
    users = [User.objects.create(username=f"bench-desk-dr{index}-{structure.pk}", structure=structure,
                                 role=Role.PRACTITIONER) for index in range(practitioners)]
    people = [Practitioner.objects.create(structure=structure, title="Dr", first_name=f"Praticien {index}",
                                          last_name=f"ACCUEIL-{index:03d}", rpps=_rpps(index),
                                          specialty="Médecine générale", user=users[index])
              for index in range(practitioners)]
    for practitioner in people:
        practitioner.sites.add(site)
    secretary = User.objects.create(username=f"bench-desk-secretary-{structure.pk}", structure=structure,
                                    role=Role.SECRETARY)
    reception = User.objects.create(username=f"bench-desk-reception-{structure.pk}", structure=structure,
                                    role=Role.RECEPTION)
    team = CareTeam.objects.create(structure=structure, name="Tout le centre")
    team.practitioners.set(people)
    team.members.set([secretary, reception, *users])
    kind = AppointmentType.objects.create(structure=structure, code="consultation", label="Consultation",
                                          duration_minutes=15)

    opening = timezone.make_aware(datetime.combine(today, time(8)), tz)
    closing = timezone.make_aware(datetime.combine(today, time(19)), tz)
    slots = []
    start = opening
    while start < closing:
        slots.append(start)
        start += STEP
    patients = Patient.objects.bulk_create([
        _patient(rng, structure, index) for index in range(practitioners * len(slots) + waiting)])
    remember_names(patients)
    for patient in patients:
        patient.care_teams.add(team)
    pool = iter(patients)
    appointments = Appointment.objects.bulk_create([
        Appointment(structure=structure, practitioner=practitioner, site=site, patient=next(pool),
                    appointment_type=kind, start=slot, end=slot + STEP, booked_by=secretary)
        for slot in slots for practitioner in people])

    # The waiting room: the most recent appointments already due, then walk-ins.
    due = sorted((a for a in appointments if a.start <= now), key=lambda a: a.start, reverse=True)
    in_room, done = due[:waiting - waiting // 10], due[waiting - waiting // 10:]
    visits, ticket = [], 0
    for appointment in sorted(done, key=lambda a: a.start):
        ticket += 1
        visits.append(_visit(structure, site, today, ticket, appointment.patient, appointment, secretary,
                             state=Visit.State.DONE, arrived_at=appointment.start - timedelta(minutes=5)))
    for appointment in sorted(in_room, key=lambda a: a.start):
        ticket += 1
        visits.append(_visit(structure, site, today, ticket, appointment.patient, appointment, secretary,
                             state=Visit.State.ARRIVED, arrived_at=min(now, appointment.start)))
    for _ in range(waiting // 10):
        ticket += 1
        visits.append(_visit(structure, site, today, ticket, next(pool), None, secretary, state=Visit.State.ARRIVED,
                             arrived_at=now - timedelta(minutes=rng.randrange(1, 60)),
                             priority=rng.choice([Priority.SAME_DAY, Priority.WITHIN_DAYS, Priority.ROUTINE])))
    Visit.objects.bulk_create(visits)
    Appointment.objects.filter(pk__in=[a.pk for a in done]).update(status=Appointment.Status.SEEN)
    Appointment.objects.filter(pk__in=[a.pk for a in in_room]).update(status=Appointment.Status.ARRIVED)
    expected = sorted((a for a in appointments if a.start > now), key=lambda a: a.start)
    return DeskWorld(structure, site, secretary, reception, people, users, expected)


def _patient(rng, structure, index: int) -> Patient:
    first = rng.choice(FIRST_NAMES)
    patient = Patient(structure=structure, birth_name=f"{rng.choice(LAST_NAMES)}-{_letters(index)}",
                      birth_first_names=first, first_birth_first_name=first,
                      birth_date=date(1940 + index % 80, 1 + index % 12, 1 + index % 28),
                      sex="F" if index % 2 else "M", birthplace_code="99350")
    patient.refresh_search_keys()
    return patient


def _letters(index: int) -> str:
    """A distinct suffix for each patient, in letters (names have no digits)."""
    letters = ""
    while True:
        index, rest = divmod(index, 26)
        letters = chr(ord("A") + rest) + letters
        if not index:
            return letters


def _visit(structure, site, day, ticket, patient, appointment, user, *, state, arrived_at, priority=None) -> Visit:
    return Visit(structure=structure, site=site, day=day, ticket=ticket, patient=patient, appointment=appointment,
                 practitioner=appointment.practitioner if appointment else None, is_walk_in=appointment is None,
                 priority=priority, state=state, arrived_at=arrived_at, checked_in_by=user)
