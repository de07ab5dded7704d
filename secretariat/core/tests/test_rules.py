import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from secretariat.core import rules


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("AP-HP legal entity", "750712184", True),
        ("CHU Bordeaux", "330781196", True),
        ("last digit changed", "750712185", False),
        ("too short", "75071218", False),
        ("letters", "75071218A", False),
        ("Corsica shape only", "2A0000012", True),
    ],
)
def test_finess(_case, value, expected):
    assert rules.is_valid_finess(value) is expected


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("synthetic valid", "10001234565", True),
        ("wrong key", "10001234566", False),
        ("ten digits", "1000123456", False),
        ("not digits", "1000123456X", False),
    ],
)
def test_rpps(_case, value, expected):
    assert rules.is_valid_rpps(value) is expected


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("valid", "73282932000074", True),
        ("wrong key", "73282932000075", False),
        ("La Poste establishment", "35600000049837", True),
        ("too short", "7328293200007", False),
    ],
)
def test_siret(_case, value, expected):
    assert rules.is_valid_siret(value) is expected


@given(st.integers(min_value=0, max_value=10**10 - 1))
def test_any_rpps_body_with_its_luhn_key_is_valid_and_other_keys_are_not(number):
    body = f"{number:010d}"
    key = luhn.calc_check_digit(body)
    assert rules.is_valid_rpps(body + key)
    wrong = str((int(key) + 1) % 10)
    assert rules.is_valid_rpps(body + wrong) is False
