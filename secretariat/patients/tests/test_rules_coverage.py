"""Coverage problems shown at the desk: exact dates, boundaries of "within 30 days"."""

from datetime import date

import pytest
from django.utils import translation

from secretariat.patients.models import AmoCoverage
from secretariat.patients.rules.coverage import (
    AmcRights,
    AmoRights,
    coverage_problems,
    current_amc,
    current_amo,
)

ON = date(2026, 3, 15)
OPEN_AMO = AmoRights(rights_from=date(2025, 1, 1))
OPEN_AMC = AmcRights(valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def codes(amo, amc, on=ON):
    return [problem.code for problem in coverage_problems(amo, amc, on=on)]


def messages(amo, amc, on=ON):
    return [problem.message for problem in coverage_problems(amo, amc, on=on)]


def test_nothing_recorded_asks_for_both_cards():
    assert messages([], []) == [
        "No AMO coverage recorded: ask for the carte Vitale or the attestation de droits.",
        "No complementary coverage (AMC) recorded: ask for the mutuelle card.",
    ]


def test_open_rights_on_both_sides_give_no_problem():
    assert coverage_problems([OPEN_AMO], [OPEN_AMC], on=ON) == []


@pytest.mark.parametrize(
    ("_case", "until", "expected"),
    [
        ("ended the day before", date(2026, 3, 14), ["amo_expired"]),
        ("ends on the day itself: still open", date(2026, 3, 15), []),
        ("ends later", date(2026, 3, 16), []),
    ],
)
def test_amo_rights_end(_case, until, expected):
    assert codes([AmoRights(rights_from=date(2025, 1, 1), rights_until=until)], [OPEN_AMC]) == expected


def test_expired_amo_says_the_last_end_date():
    amo = [AmoRights(rights_from=date(2024, 1, 1), rights_until=date(2024, 12, 31)),
           AmoRights(rights_from=date(2025, 1, 1), rights_until=date(2025, 12, 31))]
    assert messages(amo, [OPEN_AMC]) == [
        "AMO rights expired on 31/12/2025: ask for an up-to-date attestation de droits."]


def test_rights_starting_later_are_not_open_yet():
    assert messages([AmoRights(rights_from=date(2026, 4, 1))], [OPEN_AMC]) == [
        "AMO rights only start on 01/04/2026."]


def test_an_old_and_a_current_coverage_are_fine_and_the_latest_started_is_current():
    old = AmoRights(rights_from=date(2020, 1, 1))
    new = AmoRights(rights_from=date(2026, 1, 1), has_ald=True)
    assert codes([old, new], [OPEN_AMC]) == []
    assert current_amo([old, new], on=ON) is new
    assert current_amo([old, new], on=date(2025, 6, 1)) is old


@pytest.mark.parametrize(
    ("_case", "right", "until", "expected"),
    [
        ("ALD ended yesterday", "ald", date(2026, 3, 14),
         ["ALD ended on 14/03/2026: ask whether it was renewed."]),
        ("ALD ends today", "ald", date(2026, 3, 15),
         ["ALD ends today (15/03/2026): remind the patient to renew it."]),
        ("ALD ends tomorrow", "ald", date(2026, 3, 16),
         ["ALD ends on 16/03/2026, in 1 day: remind the patient to renew it."]),
        ("ALD ends in exactly 30 days", "ald", date(2026, 4, 14),
         ["ALD ends on 14/04/2026, in 30 days: remind the patient to renew it."]),
        ("ALD ends in 31 days", "ald", date(2026, 4, 15), []),
        ("C2S ends in 10 days", "c2s", date(2026, 3, 25),
         ["C2S ends on 25/03/2026, in 10 days: remind the patient to renew it."]),
        ("AME ends in 30 days", "ame", date(2026, 4, 14),
         ["AME ends on 14/04/2026, in 30 days: remind the patient to renew it."]),
    ],
)
def test_dated_rights_ending(_case, right, until, expected):
    amo = AmoRights(rights_from=date(2025, 1, 1), **{f"has_{right}": True, f"{right}_until": until})
    assert messages([amo], [OPEN_AMC]) == expected


def test_a_right_without_end_date_or_not_held_is_not_reported():
    amo = AmoRights(rights_from=date(2025, 1, 1), has_ald=True, ald_until=None,
                    has_c2s=False, c2s_until=date(2026, 3, 20))
    assert codes([amo], [OPEN_AMC]) == []


def test_open_c2s_or_ame_needs_no_amc():
    assert codes([AmoRights(has_c2s=True, c2s_until=date(2026, 12, 31))], []) == []
    assert codes([AmoRights(has_ame=True)], []) == []


def test_once_c2s_ended_the_amc_is_missing_again():
    assert codes([AmoRights(has_c2s=True, c2s_until=date(2026, 3, 1))], []) == [
        "c2s_ended", "amc_missing"]


def test_ayant_droit_without_the_insured_persons_nir():
    amo = AmoRights(rights_from=date(2025, 1, 1), patient_is_insured=False, insured_nir="")
    assert messages([amo], [OPEN_AMC]) == [
        "The patient is an ayant droit but the insured person's NIR is missing."]
    with_nir = AmoRights(rights_from=date(2025, 1, 1), patient_is_insured=False,
                         insured_nir="185057800608491")
    assert codes([with_nir], [OPEN_AMC]) == []


@pytest.mark.parametrize(
    ("_case", "amc", "expected"),
    [
        ("expired", AmcRights(valid_from=date(2025, 1, 1), valid_until=date(2025, 12, 31)),
         ["The complementary coverage (AMC) expired on 31/12/2025: ask for the new card."]),
        ("not started", AmcRights(valid_from=date(2026, 4, 1)),
         ["The complementary coverage (AMC) only starts on 01/04/2026."]),
        ("open without dates", AmcRights(), []),
    ],
)
def test_amc_periods(_case, amc, expected):
    assert messages([OPEN_AMO], [amc]) == expected


def test_current_amc_is_the_latest_started():
    old, new = AmcRights(valid_from=date(2020, 1, 1)), AmcRights(valid_from=date(2026, 1, 1))
    assert current_amc([old, new], on=ON) is new


def test_model_rows_are_read_like_the_dataclasses():
    row = AmoCoverage(rights_from=date(2025, 1, 1), rights_until=date(2026, 3, 1), has_ald=True,
                      ald_until=date(2026, 4, 1))
    assert codes([row], [OPEN_AMC]) == ["amo_expired"]
    assert str(coverage_problems([row], [OPEN_AMC], on=ON)[0]) == (
        "AMO rights expired on 01/03/2026: ask for an up-to-date attestation de droits.")
