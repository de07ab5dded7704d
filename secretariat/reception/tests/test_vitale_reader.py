"""The reader boundary and its simulation: cards, families, expired rights, lunar dates, matching."""

from dataclasses import replace
from datetime import date

import pytest
from django.utils import translation

from secretariat.patients.rules.nir import nir_problem
from secretariat.reception.vitale import (
    CARDS,
    CardAbsent,
    CardBlocked,
    CardReading,
    CardUnreadable,
    NoReaderConnected,
    Quality,
    SimulatedReader,
    Source,
    Subject,
    VitaleBirthDate,
    get_reader,
)
from secretariat.reception.vitale.comparison import best_beneficiary, match_score, twin_rank_of

TODAY = date(2026, 11, 25)
ADULT = Subject("ROUSSEAU", "CAMILLE ANNE", date(1984, 3, 12), "F", "69123", used_name="MOREL")
CHILD = Subject("DIALLO", "AWA FATOU", date(2018, 7, 14), "F", "69123")


def _read(card, subject=ADULT):
    return SimulatedReader(card, subject=subject, today=TODAY).read()


class _Patient:
    """The traits ``best_beneficiary`` looks at, without a database."""

    def __init__(self, subject):
        self.birth_date, self.birth_first_names = subject.birth_date, subject.first_names
        self.birth_name, self.used_name = subject.birth_name, subject.used_name


def test_adult_card_is_the_patient_as_insured_with_valid_nirs():
    reading = _read("up_to_date")
    assert reading.source == Source.SIMULATION
    assert reading.is_simulated
    assert [(b.birth_name, b.quality) for b in reading.beneficiaries] == [("ROUSSEAU", Quality.INSURED)]
    assert nir_problem(reading.holder.full_nir) is None
    assert reading.holder.full_nir.startswith("28403")  # woman, 1984, March
    beneficiary = reading.beneficiaries[0]
    assert beneficiary.nir == reading.holder.full_nir
    assert beneficiary.amo.is_valid_on(TODAY)
    assert beneficiary.amc.tiers_payant is True


def test_child_is_ayant_droit_on_a_parents_card():
    reading = _read("up_to_date", CHILD)
    holder, child = reading.beneficiaries
    assert holder.quality == Quality.INSURED
    assert child.quality == Quality.AYANT_DROIT
    assert child.first_names == "AWA FATOU"
    assert reading.holder.full_nir != child.nir
    assert nir_problem(child.nir) is None
    assert nir_problem(reading.holder.full_nir) is None


def test_family_card_has_the_parent_and_two_children_with_c2s():
    reading = _read("family")
    assert [b.quality for b in reading.beneficiaries] == [Quality.INSURED, Quality.AYANT_DROIT, Quality.AYANT_DROIT]
    assert [b.first_names for b in reading.beneficiaries[1:]] == ["JADE LOUISE", "LEO NOE"]
    assert all(b.amo.has_c2s and b.amo.c2s_until > TODAY for b in reading.beneficiaries)
    assert best_beneficiary(reading, _Patient(ADULT)) == 0


def test_family_card_of_a_child_patient_proposes_the_child():
    reading = _read("family", CHILD)
    assert len(reading.beneficiaries) == 3
    assert best_beneficiary(reading, _Patient(CHILD)) == 1


def test_expired_card_has_rights_ended_before_today():
    beneficiary = _read("expired").beneficiaries[0]
    assert beneficiary.amo.rights_until == date(2026, 10, 11)
    assert not beneficiary.amo.is_valid_on(TODAY)
    assert beneficiary.amc.valid_until < TODAY


def test_spelling_card_differs_in_name_and_caisse_but_keeps_the_nir():
    usual, spelt = _read("up_to_date").beneficiaries[0], _read("spelling")
    assert spelt.beneficiaries[0].birth_name == "ROUSSEAUE"
    assert spelt.beneficiaries[0].first_names == "CAMILLE"
    assert spelt.beneficiaries[0].amo.caisse_code != usual.amo.caisse_code
    assert spelt.holder.full_nir == _read("up_to_date").holder.full_nir
    # Still the patient: same birth date and first name.
    assert best_beneficiary(spelt, _Patient(ADULT)) == 0


def test_lunar_birth_date_is_kept_raw_and_matched_on_year_and_month():
    beneficiary = _read("lunar").beneficiaries[0]
    assert beneficiary.birth_date.raw == "00031984"
    assert beneficiary.birth_date.is_lunar
    assert beneficiary.birth_date.as_date() is None
    assert beneficiary.birth_date.display() == "00/03/1984"
    assert beneficiary.birth_date.matches(date(1984, 3, 12))
    assert not beneficiary.birth_date.matches(date(1984, 4, 12))
    assert beneficiary.amo.has_ald
    assert best_beneficiary(_read("lunar"), _Patient(ADULT)) == 0


@pytest.mark.parametrize(("_case", "raw", "day", "expected"), [
    ("exact", "12031984", date(1984, 3, 12), True),
    ("other day", "12031984", date(1984, 3, 13), False),
    ("day and month unknown", "00001984", date(1984, 9, 1), True),
    ("impossible day keeps the month", "31021984", date(1984, 2, 3), True),
    ("impossible day, other month", "31021984", date(1984, 3, 3), False),
    ("malformed", "1203198", date(1984, 3, 12), False),
])
def test_birth_date_matching(_case, raw, day, expected):
    assert VitaleBirthDate(raw).matches(day) is expected


def test_no_plausible_beneficiary_proposes_nobody():
    stranger = Subject("ROUSSEAU", "PAUL", date(1950, 1, 1), "M")
    assert best_beneficiary(_read("family"), _Patient(stranger)) is None


def test_match_score_prefers_date_then_first_name():
    beneficiary = _read("up_to_date").beneficiaries[0]
    full = match_score(beneficiary, birth_date=ADULT.birth_date, first_names="CAMILLE ANNE", birth_name="ROUSSEAU")
    no_name = match_score(beneficiary, birth_date=ADULT.birth_date, first_names="PAUL", birth_name="DUPONT")
    assert full == 8
    assert no_name == 4


def test_twins_rank_counts_only_between_same_day_births():
    reading = _read("family")
    twin = replace(reading.beneficiaries[2], birth_date=reading.beneficiaries[1].birth_date, rank=2)
    twins = CardReading(reading.source, reading.holder, (*reading.beneficiaries[:2], twin))
    assert twin_rank_of(twins, twin) == 2
    assert twin_rank_of(reading, reading.beneficiaries[2]) is None


@pytest.mark.parametrize(("card", "error", "start"), [
    ("blocked", CardBlocked, "This carte Vitale is blocked or on the opposition list"),
    ("unreadable", CardUnreadable, "The card could not be read"),
    ("absent", CardAbsent, "No card in the reader"),
    ("no-such-card", CardAbsent, "No card in the reader"),
])
def test_refusals_raise_with_a_message_for_the_desk(card, error, start):
    with translation.override("en"), pytest.raises(error) as raised:
        _read(card)
    assert str(raised.value).startswith(start)


def test_every_card_key_is_offered_once():
    assert len({card.key for card in CARDS}) == len(CARDS) == 8


def test_reading_survives_the_session_round_trip():
    for card in ("up_to_date", "family", "lunar", "expired"):
        reading = _read(card, CHILD)
        assert CardReading.from_dict(reading.to_dict()) == reading


def test_setting_none_means_no_reader(settings):
    settings.SECRETARIAT_VITALE_READER = "none"
    with pytest.raises(NoReaderConnected):
        get_reader()


def test_setting_simulation_gives_the_simulated_reader(settings):
    settings.SECRETARIAT_VITALE_READER = "simulation"
    assert isinstance(get_reader(card="family", subject=ADULT), SimulatedReader)
