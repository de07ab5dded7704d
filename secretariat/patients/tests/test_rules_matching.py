"""Grading of candidate duplicates (doublons), blocking keys and the pair scan."""

from dataclasses import replace
from datetime import date

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from secretariat.patients.rules.matching import (
    Grade,
    Identity,
    Match,
    blocking_keys,
    compare,
    find_duplicate_pairs,
)


def _nir(body: str) -> str:
    """Append the key (97 − N mod 97, 2A → 19, 2B → 18) to a 13-character synthetic body."""
    number = int(body[:5] + {"2A": "19", "2B": "18"}.get(body[5:7], body[5:7]) + body[7:])
    return f"{body}{97 - number % 97:02d}"


# A woman born in Paris on 7 March 1980; every case below is a change to her record.
BASE = Identity(id=1, birth_name="LEFÈVRE", first_names="Marie-Claire Anne", birth_date=date(1980, 3, 7),
                sex="F", used_name="DUPONT", birthplace_code="75056")
NIR = _nir("2800375056123")
OTHER_NIR = _nir("2800375056124")


def _english(a: Identity, b: Identity) -> Match:
    with translation.override("en"):
        return compare(a, b)


DUPLICATES = [
    pytest.param(replace(BASE, birth_name="LEFEVRR"), Grade.PROBABLE,
                 "names differ by one letter (typo)", id="birth-name-typo"),
    pytest.param(replace(BASE, first_names="Marie-Claure Anne"), Grade.PROBABLE,
                 "first names differ by one letter (typo)", id="first-name-typo"),
    pytest.param(replace(BASE, first_names="Marei-Claire Anne"), Grade.PROBABLE,
                 "first names differ by one letter (typo)", id="first-name-letters-swapped"),
    pytest.param(replace(BASE, birth_name="Lefevre"), Grade.CERTAIN,
                 "birth names differ only by accents or punctuation", id="accents"),
    pytest.param(replace(BASE, first_names="Marie Claire Anne"), Grade.CERTAIN,
                 "first names differ only by accents or punctuation", id="hyphen-as-space"),
    pytest.param(replace(BASE, birth_name="LEFEBVRE"), Grade.PROBABLE,
                 "names differ by one letter (typo)", id="phonetic-one-letter"),
    pytest.param(replace(BASE, birth_name="LEPHEVRE"), Grade.PROBABLE,
                 "names sound alike", id="phonetic-spelling"),
    pytest.param(replace(BASE, birth_name="MARIE-CLAIRE", first_names="Lefèvre"), Grade.PROBABLE,
                 "first and last names inverted", id="inverted"),
    pytest.param(replace(BASE, birth_name="DUPONT", used_name=""), Grade.PROBABLE,
                 "used name matches birth name", id="used-name-as-birth-name"),
    pytest.param(replace(BASE, first_names="Marie-Claire"), Grade.PROBABLE,
                 "second first name missing", id="second-first-name-missing"),
    pytest.param(replace(BASE, first_names="Marie Claire"), Grade.PROBABLE,
                 "second first name missing", id="second-first-name-missing-hyphen-as-space"),
    pytest.param(replace(BASE, birth_date=date(1980, 7, 3)), Grade.PROBABLE,
                 "day and month swapped", id="day-month-swapped"),
    pytest.param(replace(BASE, birth_date=date(1981, 3, 7)), Grade.PROBABLE,
                 "one digit of the birth year differs", id="year-units-digit"),
    pytest.param(replace(BASE, birth_date=date(1990, 3, 7)), Grade.PROBABLE,
                 "one digit of the birth year differs", id="year-tens-digit"),
    pytest.param(replace(BASE, birth_date=date(1908, 3, 7)), Grade.PROBABLE,
                 "two digits of the birth year swapped", id="year-digits-swapped"),
    pytest.param(replace(BASE, birth_date=date(1980, 3, 8)), Grade.PROBABLE,
                 "one digit of the birth day or month differs", id="day-digit"),
    pytest.param(replace(BASE, birth_name="LEFEVRR", birth_date=date(1981, 3, 7)), Grade.PROBABLE,
                 "one digit of the birth year differs", id="typo-and-year"),
    pytest.param(replace(BASE, birth_name="MARIE-CLAIRE", first_names="LEFEVRE", birth_date=date(1980, 7, 3)),
                 Grade.PROBABLE, "first and last names inverted", id="inverted-and-swapped"),
    pytest.param(replace(BASE, birth_name="DUPONT", used_name="", first_names="Marie-Claire",
                         birthplace_code=""), Grade.PROBABLE, "used name matches birth name",
                 id="used-name-missing-first-name-no-birthplace"),
    pytest.param(replace(BASE, birth_name="MARIE-CLAIRE", first_names="Lefèvre", birthplace_code="",
                         birth_date=date(1981, 3, 7)), Grade.POSSIBLE, "first and last names inverted",
                 id="inverted-year-no-birthplace"),
    pytest.param(replace(BASE, birthplace_code=""), Grade.PROBABLE, "same birth date",
                 id="birthplace-missing-is-not-certain"),
    pytest.param(replace(BASE, birthplace_code="75115"), Grade.PROBABLE,
                 "birthplaces in the same département", id="arrondissement-code"),
    pytest.param(replace(BASE, birthplace_code="69123"), Grade.POSSIBLE, "different birthplaces",
                 id="other-birthplace"),
    pytest.param(replace(BASE, sex="M"), Grade.POSSIBLE, "different sex", id="sex-typed-wrong"),
    pytest.param(replace(BASE, sex="I"), Grade.PROBABLE, "same first names", id="sex-undetermined"),
]


@pytest.mark.parametrize(("other", "grade", "reason"), DUPLICATES)
def test_duplicate_is_found_with_its_reason(other: Identity, grade: Grade, reason: str) -> None:
    match = _english(BASE, replace(other, id=2))
    assert match.grade == grade
    assert reason in match.reasons
    assert blocking_keys(BASE) & blocking_keys(other)


LOOKALIKES = [
    pytest.param(replace(BASE, first_names="Sophie Anne", used_name=""), "different first names",
                 id="twin-sister"),
    pytest.param(replace(BASE, first_names="Paul", sex="M", used_name=""), "different sex", id="twin-brother"),
    pytest.param(replace(BASE, first_names="Anne"), "another of the first names used",
                 id="twin-called-by-shared-first-name"),
    pytest.param(replace(BASE, first_names="Marie"), "compound first name partly entered",
                 id="twin-marie-and-marie-claire"),
    pytest.param(replace(BASE, birth_date=date(1952, 11, 20), used_name=""), "different birth dates",
                 id="mother-same-names"),
    pytest.param(replace(BASE, birth_date=date(1952, 3, 7), used_name=""),
                 "same birthday, different birth years", id="mother-same-names-same-birthday"),
    pytest.param(replace(BASE, birth_date=date(1975, 6, 1), birthplace_code="69123", used_name="MOREL"),
                 "different birth dates", id="namesake"),
    pytest.param(replace(BASE, first_names="Julie", birth_date=date(1983, 1, 9)), "different first names",
                 id="sister"),
    pytest.param(replace(BASE, first_names="Julie", birth_date=date(1980, 12, 9)), "different birth dates",
                 id="sister-born-the-same-year"),
    pytest.param(Identity(id=2, birth_name="DUPONT", first_names="Marc", birth_date=date(1978, 4, 2), sex="M",
                          birthplace_code="75056"), "used name matches birth name", id="husband"),
]


@pytest.mark.parametrize(("other", "reason"), LOOKALIKES)
def test_lookalike_is_not_a_candidate(other: Identity, reason: str) -> None:
    match = _english(BASE, replace(other, id=2))
    assert match.grade == Grade.CERTAINLY_NOT
    assert match.score < 0.5
    assert reason in match.reasons


def test_twins_with_first_names_one_letter_apart_and_different_sex() -> None:
    louis = Identity(id=1, birth_name="MOREL", first_names="Louis", birth_date=date(2001, 5, 6), sex="M",
                     birthplace_code="69123")
    match = _english(louis, replace(louis, id=2, first_names="Louise", sex="F"))
    assert match.grade == Grade.CERTAINLY_NOT
    assert match.reasons == ("same birth name", "first names differ by one letter (typo)", "same birth date",
                             "different sex", "same birthplace")


@pytest.mark.parametrize(("short", "typed", "grade"), [
    pytest.param("VU", "CU", Grade.PROBABLE, id="two-letters"),
    pytest.param("VO", "VLO", Grade.PROBABLE, id="letter-added"),
    pytest.param("DIOP", "CIOP", Grade.PROBABLE, id="four-letters"),
])
def test_short_family_name_typo_rests_on_the_other_traits(short: str, typed: str, grade: Grade) -> None:
    person = Identity(id=1, birth_name=short, first_names="Yan Laura", birth_date=date(2007, 9, 18),
                      sex="F", birthplace_code="79377")
    match = _english(person, replace(person, id=2, birth_name=typed))
    assert match.grade == grade
    assert "names differ by one letter (typo)" in match.reasons
    assert blocking_keys(person) & blocking_keys(replace(person, birth_name=typed))


def test_short_family_name_typo_and_another_error_stay_possible() -> None:
    person = Identity(id=1, birth_name="LY", first_names="Mai", birth_date=date(1975, 11, 25), sex="F",
                      birthplace_code="94223")
    match = _english(person, replace(person, id=2, birth_name="KY", birth_date=date(1974, 11, 25)))
    assert match.grade == Grade.POSSIBLE


def test_identical_traits_are_certain() -> None:
    match = _english(BASE, replace(BASE, id=2))
    assert match == Match(score=0.99, grade=Grade.CERTAIN, reasons=(
        "same birth name", "same first names", "same birth date", "same birthplace"))


def test_same_nir_with_matching_traits_is_certain() -> None:
    match = _english(replace(BASE, nir=NIR), replace(BASE, id=2, birth_name="LEFEVRR", nir=NIR))
    assert match.grade == Grade.CERTAIN
    assert match.reasons[0] == "same NIR"


def test_same_nir_and_names_with_another_birth_date_is_probable() -> None:
    match = _english(replace(BASE, nir=NIR), replace(BASE, id=2, nir=NIR, birth_date=date(1980, 5, 17)))
    assert match.grade == Grade.PROBABLE
    assert match.reasons == ("same NIR", "same birth name", "same first names", "different birth dates",
                             "same birthplace")


def test_same_nir_on_another_person_must_be_looked_at() -> None:
    other = Identity(id=2, birth_name="MOREL", first_names="Julie", birth_date=date(1985, 3, 9), sex="F", nir=NIR)
    match = _english(replace(BASE, nir=NIR), other)
    assert (match.grade, match.score) == (Grade.POSSIBLE, 0.5)
    assert match.reasons[0] == "same NIR"


def test_an_invalid_nir_is_ignored() -> None:
    wrong_key = NIR[:-2] + f"{(int(NIR[-2:]) % 97) + 1:02d}"
    match = _english(replace(BASE, nir=wrong_key), replace(BASE, id=2, nir=wrong_key))
    assert "same NIR" not in match.reasons


def test_different_valid_nirs_keep_identical_traits_possible() -> None:
    match = _english(replace(BASE, nir=NIR), replace(BASE, id=2, nir=OTHER_NIR))
    assert match.grade == Grade.POSSIBLE
    assert match.reasons[0] == "different NIRs"


def test_grades_are_fhir_match_grade_codes() -> None:
    assert [grade.value for grade in Grade] == ["certain", "probable", "possible", "certainly-not"]


def test_reasons_are_translated_at_call_time() -> None:
    with translation.override("en"):
        english = compare(BASE, replace(BASE, id=2, birth_date=date(1980, 7, 3)))
    assert "day and month swapped" in english.reasons


# --- properties ----------------------------------------------------------------------------

_NAMES = st.sampled_from(["MARTIN", "MARTAIN", "LEFÈVRE", "LEFEBVRE", "D'ALMEIDA", "DALMEIDA", "NGUYEN",
                          "LE GALL", "DUPONT", "DUPOND", "DUMONT-LAURENT", "DUMONT", "LI", ""])
_FIRSTS = st.sampled_from(["Marie", "Marie Claire", "Marie-Claire", "Claire", "Jean-Pierre", "Jean Pierre",
                           "Jean", "Léa", "Léo", "Lza", "Louis", "Louise", "MARTIN", ""])
_IDENTITIES = st.builds(
    Identity, id=st.integers(1, 10**6), birth_name=_NAMES, first_names=_FIRSTS,
    birth_date=st.dates(date(1900, 1, 1), date(2025, 12, 31)), sex=st.sampled_from("FMI"),
    used_name=_NAMES, used_first_name=_FIRSTS, birthplace_code=st.sampled_from(["", "75056", "75115", "99350"]),
    nir=st.sampled_from(["", NIR, OTHER_NIR, "123"]),
)


@given(_IDENTITIES, _IDENTITIES)
@settings(max_examples=300)
def test_compare_is_symmetric_and_bounded(a: Identity, b: Identity) -> None:
    match = compare(a, b)
    assert compare(b, a) == match
    assert 0.0 <= match.score <= 1.0
    assert match.reasons


@given(_IDENTITIES)
def test_an_identity_with_full_traits_is_certain_against_itself(a: Identity) -> None:
    if a.birth_name and a.first_names and a.sex != "I" and a.birthplace_code:
        assert compare(a, replace(a, id=a.id + 1)).grade == Grade.CERTAIN


@given(st.lists(_IDENTITIES, max_size=12, unique_by=lambda identity: identity.id))
@settings(max_examples=100)
def test_scan_finds_exactly_the_pairs_that_share_a_key_and_reach_the_grade(people: list[Identity]) -> None:
    found = {(a.id, b.id): match for a, b, match in find_duplicate_pairs(people)}
    expected = {}
    for i, a in enumerate(people):
        for b in people[i + 1:]:
            match = compare(a, b)
            if blocking_keys(a) & blocking_keys(b) and match.grade != Grade.CERTAINLY_NOT:
                expected[a.id, b.id] = match
    assert found == expected


# --- blocking and scan ---------------------------------------------------------------------

def test_blocking_keys_put_a_swapped_date_and_a_year_typo_beside_the_original() -> None:
    keys = blocking_keys(BASE)
    assert keys & blocking_keys(replace(BASE, birth_date=date(1980, 7, 3), birth_name="LEFEVRR"))
    assert keys & blocking_keys(replace(BASE, birth_date=date(1990, 3, 7), first_names="Marei-Claire"))
    assert keys & blocking_keys(replace(BASE, birth_date=date(1990, 3, 7), birth_name="MARIE-CLAIRE",
                                        first_names="LEFEVRE"))
    assert not keys & blocking_keys(replace(BASE, birth_date=date(1952, 11, 20)))


def test_blocking_keys_include_a_valid_nir() -> None:
    assert blocking_keys(replace(BASE, nir=NIR)) & blocking_keys(
        replace(BASE, birth_name="MOREL", first_names="Julie", birth_date=date(1990, 1, 1), nir=NIR))


POPULATION = [
    BASE,
    replace(BASE, id=2, birth_name="LEFEVRR"),  # typo: probable
    replace(BASE, id=3, first_names="Sophie Anne", used_name=""),  # twin
    replace(BASE, id=4, birth_date=date(1952, 11, 20), used_name=""),  # mother
    replace(BASE, id=5, sex="M"),  # sex typed wrong: possible
    Identity(id=6, birth_name="MOREL", first_names="Julie", birth_date=date(1990, 1, 1), sex="F"),
]


def test_scan_reports_each_pair_once_in_input_order() -> None:
    with translation.override("en"):
        pairs = [(a.id, b.id, match.grade) for a, b, match in find_duplicate_pairs(POPULATION)]
    assert pairs == [(1, 2, Grade.PROBABLE), (1, 5, Grade.POSSIBLE), (2, 5, Grade.POSSIBLE)]


def test_scan_threshold_grade() -> None:
    pairs = [(a.id, b.id) for a, b, _match in find_duplicate_pairs(POPULATION, threshold_grade=Grade.PROBABLE)]
    assert pairs == [(1, 2)]


def test_scan_accepts_any_iterable_and_nothing() -> None:
    assert list(find_duplicate_pairs(iter([]))) == []
    assert len(list(find_duplicate_pairs(iter(POPULATION)))) == 3
