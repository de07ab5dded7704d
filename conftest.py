"""Root fixtures: personas of two structures, fast hashing, immediate Huey."""

import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from secretariat.core.roles import Role
from secretariat.core.tests.factories import (
    CareTeamFactory,
    PractitionerFactory,
    StructureFactory,
    UserFactory,
)

PASSWORD = "correct horse battery"

# CI explores the same examples on every run: a property test fails there only if the code
# changed, never by the luck of a draw (locally, new examples keep being explored).
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI", "").lower() == "true":
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REQUIRE_2FA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def english(client):
    """The client has chosen English with the language switch: messages asserted as msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True, scope="session")
def _huey_immediate():
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = settings.HUEY.get("immediate", False)


@dataclass
class Personas:
    """Team A of structure 1 (cardiology), team B of the same structure, and structure 2."""

    structure: object
    practitioner: object
    other_practitioner: object
    team_a: object
    team_b: object
    secretary: object
    reception: object
    practitioner_user: object
    coordinator: object
    accountant: object
    other_team_secretary: object
    other_structure: object
    other_structure_practitioner: object
    other_structure_secretary: object
    other_structure_coordinator: object

    def all_staff(self):
        return [self.secretary, self.reception, self.practitioner_user, self.coordinator, self.accountant]


@pytest.fixture
def personas(db) -> Personas:
    structure = StructureFactory(name="Maison de santé des Tilleuls")
    practitioner_user = UserFactory(username="dr.cardio", role=Role.PRACTITIONER, structure=structure)
    practitioner = PractitionerFactory(structure=structure, last_name="Cœur", specialty="Cardiologie",
                                       user=practitioner_user)
    other_practitioner = PractitionerFactory(structure=structure, last_name="Os", specialty="Radiologie")
    secretary = UserFactory(username="alice", role=Role.SECRETARY, structure=structure)
    reception = UserFactory(username="rose", role=Role.RECEPTION, structure=structure)
    coordinator = UserFactory(username="carole", role=Role.COORDINATOR, structure=structure)
    accountant = UserFactory(username="albert", role=Role.ACCOUNTANT, structure=structure)
    other_team_secretary = UserFactory(username="bob", role=Role.SECRETARY, structure=structure)
    team_a = CareTeamFactory(structure=structure, name="Cardiologie",
                             members=[secretary, reception], practitioners=[practitioner])
    team_b = CareTeamFactory(structure=structure, name="Radiologie",
                             members=[other_team_secretary], practitioners=[other_practitioner])
    other_structure = StructureFactory(name="Centre de santé du Port")
    other_structure_practitioner = PractitionerFactory(structure=other_structure, last_name="Loin")
    other_structure_secretary = UserFactory(username="eve", role=Role.SECRETARY, structure=other_structure)
    other_structure_coordinator = UserFactory(username="oscar", role=Role.COORDINATOR,
                                              structure=other_structure)
    CareTeamFactory(structure=other_structure, name="Port", members=[other_structure_secretary],
                    practitioners=[other_structure_practitioner])
    return Personas(
        structure=structure, practitioner=practitioner, other_practitioner=other_practitioner,
        team_a=team_a, team_b=team_b, secretary=secretary, reception=reception,
        practitioner_user=practitioner_user, coordinator=coordinator, accountant=accountant,
        other_team_secretary=other_team_secretary, other_structure=other_structure,
        other_structure_practitioner=other_structure_practitioner,
        other_structure_secretary=other_structure_secretary,
        other_structure_coordinator=other_structure_coordinator,
    )
