"""Data generators and timed scenarios, one function per app."""

import random
import uuid
from datetime import timedelta

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from stdnum import luhn

from secretariat.core import audit
from secretariat.core.models import AuditEvent, CareTeam, Practitioner, Structure, User
from secretariat.core.roles import Role

SPECIALTIES = ["Médecine générale", "Cardiologie", "Radiologie", "Pédiatrie", "Dermatologie",
               "Kinésithérapie", "Gynécologie", "Ophtalmologie"]
ACTIONS = ["core.user_logged_in", "core.user_changed", "core.care_team_changed", "core.api_token_issued"]


def _rpps(n: int) -> str:
    body = f"2{n:09d}"
    return body + luhn.calc_check_digit(body)


@transaction.atomic
def build_core_world(*, audit_events: int, practitioners: int = 200, staff: int = 300):
    rng = random.Random(2026)
    structure = Structure.objects.create(name="Centre hospitalier de banc d'essai", kind=Structure.Kind.HOSPITAL)
    doctors = Practitioner.objects.bulk_create([
        Practitioner(structure=structure, title="Dr", last_name=f"Nom{n}", first_name=f"Prénom{n}",
                     rpps=_rpps(n), specialty=rng.choice(SPECIALTIES))
        for n in range(practitioners)
    ])
    users = User.objects.bulk_create([
        User(username=f"agent{n}", structure=structure,
             role=Role.COORDINATOR if n == 0 else Role.SECRETARY, first_name="Agent", last_name=f"{n}")
        for n in range(staff)
    ])
    teams = CareTeam.objects.bulk_create([
        CareTeam(structure=structure, name=f"Équipe {n}") for n in range(practitioners // 4)
    ])
    for index, team in enumerate(teams):
        team.practitioners.set(doctors[index * 4:(index + 1) * 4])
        team.members.set(users[1 + index * 5: 1 + (index + 1) * 5])
    now = timezone.now()
    batch = []
    for n in range(audit_events):
        actor = users[rng.randrange(len(users))]
        batch.append(AuditEvent(
            action=rng.choice(ACTIONS), acting_user_id=actor.pk, actor_label=actor.username,
            target_label=f"objet {n}", patient_id=rng.randrange(1, 100_000), structure_id=structure.pk,
            occurred_at=now - timedelta(minutes=n), request_id=uuid.uuid4(), ip_address="10.0.0.1",
        ))
        if len(batch) == 10_000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    return structure, users[0], users[1]


def core_scenarios(*, audit_events: int):
    structure, coordinator, secretary = build_core_world(audit_events=audit_events)
    coordinator_client, secretary_client = Client(), Client()
    coordinator_client.force_login(coordinator)
    secretary_client.force_login(secretary)
    some_patient = AuditEvent.objects.order_by("id").values_list("patient_id", flat=True).first()

    def get(client, url, params=None):
        def run():
            response = client.get(url, params or {})
            assert response.status_code == 200, response.status_code
        return run

    def write_audit_row():
        with transaction.atomic():
            audit.record("core.user_changed", target=secretary, acting_user=coordinator, data={"changes": {}})

    scenarios = [
        ("home page (secretary)", get(secretary_client, reverse("core:home"))),
        ("global search, practitioner name (secretary)", get(secretary_client, reverse("core:search"), {"q": "nom1"})),
        ("practitioner directory, 200 practitioners (coordinator)",
         get(coordinator_client, reverse("core:practitioner_list"))),
        ("audit.record() one row in its own transaction", write_audit_row),
    ]
    audit_url = reverse("core:audit_search")
    scenarios += [
        ("audit search, first page, no filter (coordinator)", get(coordinator_client, audit_url)),
        ("audit search by user (coordinator)", get(coordinator_client, audit_url, {"username": "agent7"})),
        ("audit search by patient (coordinator)",
         get(coordinator_client, audit_url, {"patient_id": str(some_patient)})),
    ]
    return scenarios
