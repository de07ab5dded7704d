"""Patient search at scale: the search box and the anteriority search (``make bench``).

The population comes from ``bench.identities`` (synthetic French identities with realistic
spelling variants), loaded with bulk inserts; the scenarios go through the whole request path.
"""

import json
import random
import time

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from bench.identities import generate
from secretariat.core.models import CareTeam, Structure, User
from secretariat.core.roles import Role
from secretariat.patients.models import Patient
from secretariat.patients.queries import anteriority_candidates, patients_matching
from secretariat.patients.rules.keys import fold
from secretariat.patients.services import Identity, remember_names

BATCH = 5_000


def _words(text: str) -> str:
    return " ".join(word for word in text.replace("'", " ").split() if fold(word))


def build_patients(size: int) -> tuple[Structure, User, list[Patient]]:
    population = generate(size)
    with transaction.atomic():
        structure = Structure.objects.create(name="Hôpital de banc d'essai (patients)",
                                             kind=Structure.Kind.HOSPITAL)
        team = CareTeam.objects.create(structure=structure, name="Accueil central")
        coordinator = User.objects.create(username=f"coord-{structure.pk}", structure=structure,
                                          role=Role.COORDINATOR)
        team.members.add(coordinator)
    started = time.perf_counter()
    batch = []
    for identity in population.identities[:size]:
        first_names = identity.first_names
        patient = Patient(
            structure=structure, birth_name=identity.birth_name, birth_first_names=first_names,
            first_birth_first_name=first_names.split()[0], birth_date=identity.birth_date,
            sex=identity.sex if identity.sex in "FM" else "F",
            birthplace_code=identity.birthplace_code or "99350", used_name=identity.used_name,
            used_first_name=identity.used_first_name,
        )
        patient.refresh_search_keys()
        batch.append(patient)
        if len(batch) == BATCH:
            remember_names(Patient.objects.bulk_create(batch))
            batch = []
    remember_names(Patient.objects.bulk_create(batch))
    # Statistics as the nightly refresh_database_statistics task keeps them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patients_patient" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"  {size:,} patients loaded in {time.perf_counter() - started:.0f} s")
    sample = list(Patient.objects.filter(structure=structure).order_by("?")[:200])
    return structure, coordinator, sample


def patient_scenarios(size: int):
    structure, coordinator, sample = build_patients(size)
    rng = random.Random(7)
    client = Client()
    client.force_login(coordinator)
    patients = Patient.objects.filter(structure=structure)
    url = reverse("patients:list")

    def pick() -> Patient:
        return rng.choice(sample)

    def typo(name: str) -> str:
        index = rng.randrange(1, max(2, len(name) - 1))
        return name[:index] + name[index + 1:] if len(name) > 4 else name

    yield "search page: name and first name (coordinator)", lambda: client.get(
        url, {"q": (lambda p: f"{_words(p.birth_name)} {p.first_birth_first_name.lower()}")(pick())})
    yield "search page: name and a first name nobody has", lambda: client.get(
        url, {"q": f"{_words(pick().birth_name)} {rng.choice(['zoltan', 'ignatius', 'brunhilde'])}"})
    yield "search page: birth name alone", lambda: client.get(url, {"q": _words(pick().birth_name).lower()})
    yield "search page: name and birth date", lambda: client.get(
        url, {"q": (lambda p: f"{_words(p.birth_name)} {p.birth_date:%d/%m/%Y}")(pick())})
    yield "search page: birth date typed 1/2/80", lambda: client.get(
        url, {"q": (lambda p: f"{p.birth_date.day}/{p.birth_date.month}/{p.birth_date:%y}")(pick())})
    yield "query: name with a typo (one letter missing)", lambda: patients_matching(
        patients, typo(fold(pick().birth_name)))
    def fhir_match():
        patient = pick()
        resource = {"resourceType": "Patient", "gender": "female" if patient.sex == "F" else "male",
                    "birthDate": patient.birth_date.isoformat(),
                    "name": [{"use": "official", "family": patient.birth_name,
                              "given": patient.birth_first_names.split()}]}
        body = {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": resource}]}
        response = client.post("/fhir/Patient/$match", data=json.dumps(body),
                               content_type="application/fhir+json")
        assert response.status_code == 200, response.content[:300]

    yield "FHIR Patient/$match (coordinator)", fhir_match
    yield "FHIR Patient?family=&birthdate=", lambda: client.get(
        "/fhir/Patient", (lambda p: {"family": p.birth_name, "birthdate": p.birth_date.isoformat()})(pick()))
    yield "query: anteriority search before creating", lambda: anteriority_candidates(
        structure, (lambda p: Identity(
            birth_name=p.birth_name, birth_first_names=p.birth_first_names,
            first_birth_first_name=p.first_birth_first_name, birth_date=p.birth_date, sex=p.sex,
            birthplace_code=p.birthplace_code))(pick()))
