"""Names, age and status of a patient identity."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from secretariat.patients.models import Patient
from secretariat.patients.tests.factories import PatientFactory


def make(**fields):
    defaults = {"birth_name": "LEFEVRE", "first_birth_first_name": "ELOISE",
                "birth_first_names": "ELOISE MARIE", "birth_date": datetime.date(1962, 7, 14),
                "sex": "F", "birthplace_code": "69123"}
    return Patient(**{**defaults, **fields})


def test_str_names_the_birth_identity():
    assert str(make(used_name="Roux")) == "LEFEVRE ELOISE (né(e) le 14/07/1962)"


def test_display_name_prefers_the_used_names():
    assert make().display_name == "LEFEVRE Eloise"
    assert make(used_name="ROUX", used_first_name="LISE").display_name == "ROUX Lise"


@pytest.mark.parametrize(
    ("_case", "day", "age"),
    [
        ("day before birthday", datetime.date(2026, 7, 13), 63),
        ("on birthday", datetime.date(2026, 7, 14), 64),
        ("after birthday", datetime.date(2026, 12, 31), 64),
    ],
)
def test_age_in_whole_years(_case, day, age):
    assert make().age_on(day) == age


def test_born_on_29_february_turns_a_year_older_on_1_march():
    patient = make(birth_date=datetime.date(2000, 2, 29))
    assert patient.age_on(datetime.date(2026, 2, 28)) == 25
    assert patient.age_on(datetime.date(2026, 3, 1)) == 26


def test_new_identity_is_provisional(personas):
    assert PatientFactory(structure=personas.structure).identity_status == Patient.IdentityStatus.PROVISIONAL


@pytest.mark.parametrize("code", ["69123", "99350", "2A004", "2B033"])
def test_birthplace_code_accepts_communes_and_countries(personas, code):
    patient = make(structure=personas.structure, birthplace_code=code)
    patient.full_clean()
    assert patient.birthplace_code == code


@pytest.mark.parametrize("code", ["6912", "Lyon", "2C004", "691234"])
def test_birthplace_code_refuses_anything_else(personas, code):
    with pytest.raises(ValidationError) as error:
        make(structure=personas.structure, birthplace_code=code).full_clean()
    assert "birthplace_code" in error.value.message_dict
