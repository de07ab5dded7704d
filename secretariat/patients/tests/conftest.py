import pytest

from secretariat.patients.tests.factories import PatientFactory


@pytest.fixture
def team_a_patient(personas):
    """A patient followed by team A (cardiology) of the personas' structure."""
    return PatientFactory(structure=personas.structure, birth_name="N'DIAYE", first_birth_first_name="Awa",
                          birth_first_names="Awa Fatou", care_teams=[personas.team_a])


@pytest.fixture
def other_structure_patient(personas):
    return PatientFactory(structure=personas.other_structure, birth_name="N'DIAYE",
                          first_birth_first_name="Moussa", sex="M",
                          care_teams=[personas.other_structure.care_teams.get()])
