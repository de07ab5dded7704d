"""The capability map, as a matrix: each role, each capability, exactly."""

import pytest

from secretariat.core.roles import CAPABILITIES, Capability, Role, capabilities_of

C = Capability
EXPECTED = {
    Role.SECRETARY: {C.VIEW_DESK, C.VIEW_DIRECTORY, C.VIEW_PATIENTS, C.EDIT_PATIENTS, C.VIEW_AGENDA,
                     C.BOOK_APPOINTMENTS, C.READ_MEDICAL_MESSAGES, C.VIEW_MAIL, C.VIEW_BILLING, C.VIEW_TEAM},
    Role.RECEPTION: {C.VIEW_DESK, C.VIEW_DIRECTORY, C.VIEW_PATIENTS, C.EDIT_PATIENTS, C.VIEW_AGENDA,
                     C.BOOK_APPOINTMENTS},
    Role.PRACTITIONER: {C.VIEW_DESK, C.VIEW_DIRECTORY, C.VIEW_PATIENTS, C.VIEW_AGENDA, C.BOOK_APPOINTMENTS,
                        C.OVERRIDE_DIRECTIVES, C.EDIT_DIRECTIVES, C.EDIT_TRIAGE_PROTOCOLS, C.READ_MEDICAL_MESSAGES,
                        C.VIEW_MAIL, C.VIEW_TEAM, C.VIEW_STATS},
    Role.COORDINATOR: set(Capability) - {C.MANAGE_CASH_BOOK, C.EDIT_TRIAGE_PROTOCOLS},
    Role.ACCOUNTANT: {C.VIEW_DIRECTORY, C.VIEW_BILLING, C.MANAGE_CASH_BOOK, C.VIEW_STOCK, C.VIEW_STATS},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("capability", list(Capability))
def test_capability_matrix(role, capability):
    assert (capability in capabilities_of(role)) is (capability in EXPECTED[role])


def test_every_role_is_in_the_map_and_unknown_roles_get_nothing():
    assert set(CAPABILITIES) == set(Role)
    assert capabilities_of("") == frozenset()
    assert capabilities_of("janitor") == frozenset()


def test_disabled_user_has_no_capability(personas):
    personas.coordinator.is_active = False
    assert personas.coordinator.capabilities == frozenset()
    assert personas.coordinator.has_capability(Capability.MANAGE_USERS) is False
