"""What was read beside what the file says: the beneficiary that matches the patient, the rows
of the comparison screen, and the coverage values a reading would copy.

Pure functions over the reading and plain model instances (nothing is saved here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from secretariat.patients.models import AmcCoverage, AmoCoverage
from secretariat.patients.rules.keys import fold

from .base import Beneficiary, CardReading, Quality, Source

# Grand régime codes as the card carries them (2 digits), to the file's régimes. [P] From the
# SESAM-Vitale tables as commonly listed by billing software; verify against the GIE
# SESAM-Vitale "table des régimes" before relying on the rarer codes. A code not listed here is
# refused (typed by hand from the attestation), never guessed.
REGIME_OF_CODE = {
    "01": AmoCoverage.Regime.GENERAL,
    "03": AmoCoverage.Regime.GENERAL,  # former RSI (indépendants), merged into the général in 2020
    "02": AmoCoverage.Regime.AGRICULTURAL,
    "04": AmoCoverage.Regime.SNCF,
    "05": AmoCoverage.Regime.RATP,
    "06": AmoCoverage.Regime.SEAFARERS,
    "07": AmoCoverage.Regime.OTHER_SPECIAL,  # mines
    "08": AmoCoverage.Regime.MILITARY,
    "10": AmoCoverage.Regime.OTHER_SPECIAL,  # clercs et employés de notaires
    "90": AmoCoverage.Regime.OTHER_SPECIAL,  # cultes (CAVIMAC)
}


# --- Which beneficiary is the patient -------------------------------------------------------------


def match_score(beneficiary: Beneficiary, *, birth_date: date, first_names: str, birth_name: str,
                used_name: str = "", twin_rank: int | None = None) -> int:
    """How well a beneficiary matches the file: birth date first (as the RNIV searches), then
    the first name, the name, and the rank for twins. 0 when neither date nor first name match."""
    score = 0
    if beneficiary.birth_date.as_date() == birth_date:
        score += 4
    elif beneficiary.birth_date.matches(birth_date):
        score += 3  # lunar date: year (and month) agree
    card_first = fold(beneficiary.first_first_name)
    file_first_names = {fold(name) for name in first_names.split()}
    if card_first and card_first in file_first_names:
        score += 3 if card_first == fold(first_names.split()[0] if first_names.split() else "") else 2
    if score == 0:
        return 0
    if fold(beneficiary.birth_name) in {fold(birth_name), fold(used_name)} - {""}:
        score += 1
    if twin_rank is not None and beneficiary.rank == twin_rank:
        score += 1
    return score


def best_beneficiary(reading: CardReading, patient, *, twin_rank: int | None = None) -> int | None:
    """Index of the beneficiary to propose for ``patient``, or None when none is plausible
    (then the secretary chooses, or reads another card)."""
    scores = [match_score(beneficiary, birth_date=patient.birth_date, first_names=patient.birth_first_names,
                          birth_name=patient.birth_name, used_name=patient.used_name, twin_rank=twin_rank)
              for beneficiary in reading.beneficiaries]
    if not scores or max(scores) < 4:
        # A birth date alone (4) or a lunar date with the first name (5) is needed.
        return None
    best = max(scores)
    return scores.index(best) if scores.count(best) == 1 else None


def twin_rank_of(reading: CardReading, beneficiary: Beneficiary) -> int | None:
    """The rank only matters for twins: beneficiaries born the same day on one card."""
    born_same_day = [other for other in reading.beneficiaries if other.birth_date.raw == beneficiary.birth_date.raw]
    return beneficiary.rank if len(born_same_day) > 1 else None


# --- Values a reading copies --------------------------------------------------------------------


def amo_values(reading: CardReading, beneficiary: Beneficiary, *, today: date) -> dict:
    """The AmoCoverage fields the card gives ("regime" is None for a code we do not know)."""
    amo, holder = beneficiary.amo, reading.holder
    return {
        "regime": REGIME_OF_CODE.get(amo.regime_code),
        "caisse_code": amo.caisse_code,
        "centre_code": amo.centre_code,
        "patient_is_insured": beneficiary.quality == Quality.INSURED,
        "insured_last_name": holder.used_name or holder.birth_name,
        "insured_first_name": holder.first_names.split()[0] if holder.first_names.split() else "",
        "insured_nir": holder.full_nir,
        "twin_rank": twin_rank_of(reading, beneficiary),
        "rights_from": amo.rights_from,
        "rights_until": amo.rights_until,
        "has_ald": amo.has_ald,
        "ald_until": amo.ald_until,
        "maternity": amo.maternity,
        "has_c2s": amo.has_c2s,
        "c2s_until": amo.c2s_until,
        # People under the AME have no carte Vitale: a card read means no AME.
        "has_ame": False,
        "ame_until": None,
        "card_seen": AmoCoverage.Card.VITALE_APP if reading.source == Source.APP else AmoCoverage.Card.VITALE,
        "card_seen_on": today,
    }


def amc_values(beneficiary: Beneficiary) -> dict:
    amc = beneficiary.amc
    return {
        "organism_name": amc.organism_name,
        "amc_number": amc.organism_number,
        "member_number": amc.member_number,
        "tiers_payant": amc.tiers_payant,
        "valid_from": amc.valid_from,
        "valid_until": amc.valid_until,
    }


def amo_row_to_update(patient, reading: CardReading) -> AmoCoverage | None:
    """The file's AMO line under the card's insured NIR, else the most recent line."""
    rows = list(AmoCoverage.objects.filter(patient=patient))
    for row in rows:
        if row.insured_nir and row.insured_nir == reading.holder.full_nir:
            return row
    return rows[0] if rows else None


def amc_row_to_update(patient, beneficiary: Beneficiary) -> AmcCoverage | None:
    """The file's AMC line of the same organism, else the most recent line."""
    rows = list(AmcCoverage.objects.filter(patient=patient))
    if beneficiary.amc is not None:
        for row in rows:
            if row.amc_number and row.amc_number == beneficiary.amc.organism_number:
                return row
    return rows[0] if rows else None


# --- Rows of the screen -------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    in_file: str
    on_card: str
    differs: bool
    note: str = ""


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def spaced_nir(nir: str) -> str:
    """2 84 03 69 123 294 73: the grouping printed on the card, easier to compare by eye."""
    if len(nir) != 15:
        return nir or "—"
    return " ".join((nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]))


def _row(label, in_file, on_card, *, same=None, note="") -> Row:
    differs = not same if same is not None else _text(in_file) != _text(on_card)
    return Row(str(label), _text(in_file), _text(on_card), differs, str(note))


def identity_rows(patient, beneficiary: Beneficiary) -> list[Row]:
    """Identity traits, compared letter for letter (accents and case aside): shown, never copied."""
    card_date = beneficiary.birth_date
    date_note = gettext_lazy("Lunar date: the day or month is unknown on the card.") if card_date.is_lunar else ""
    return [
        _row(gettext_lazy("Birth name"), patient.birth_name, beneficiary.birth_name,
             same=fold(patient.birth_name) == fold(beneficiary.birth_name)),
        _row(gettext_lazy("Used name"), patient.used_name, beneficiary.used_name,
             same=fold(patient.used_name) == fold(beneficiary.used_name)),
        _row(gettext_lazy("Birth first names"), patient.birth_first_names, beneficiary.first_names,
             same=fold(patient.birth_first_names) == fold(beneficiary.first_names)),
        Row(str(gettext_lazy("Birth date")), _text(patient.birth_date), card_date.display(),
            not card_date.matches(patient.birth_date) or card_date.is_lunar, str(date_note)),
    ]


def amo_rows(row: AmoCoverage | None, values: dict) -> list[Row]:
    def current(name):
        return getattr(row, name) if row is not None else None

    regime_label = dict(AmoCoverage.Regime.choices)
    return [
        _row(gettext_lazy("Régime"), regime_label.get(current("regime")), regime_label.get(values["regime"])),
        _row(gettext_lazy("Caisse code"), current("caisse_code"), values["caisse_code"]),
        _row(gettext_lazy("Centre code"), current("centre_code"), values["centre_code"]),
        _row(gettext_lazy("Insured person's NIR"), spaced_nir(current("insured_nir") or ""),
             spaced_nir(values["insured_nir"])),
        _row(gettext_lazy("Ayant droit"), None if row is None else not row.patient_is_insured,
             not values["patient_is_insured"]),
        _row(gettext_lazy("Rights from"), current("rights_from"), values["rights_from"]),
        _row(gettext_lazy("Rights until"), current("rights_until"), values["rights_until"]),
        _row(gettext_lazy("ALD"), current("has_ald"), values["has_ald"]),
        _row(gettext_lazy("ALD until"), current("ald_until"), values["ald_until"]),
        _row(gettext_lazy("C2S"), current("has_c2s"), values["has_c2s"]),
        _row(gettext_lazy("C2S until"), current("c2s_until"), values["c2s_until"]),
    ]


def amc_rows(row: AmcCoverage | None, values: dict) -> list[Row]:
    def current(name):
        return getattr(row, name) if row is not None else None

    return [
        _row(gettext_lazy("Organism"), current("organism_name"), values["organism_name"],
             same=fold(current("organism_name") or "") == fold(values["organism_name"])),
        _row(gettext_lazy("AMC number"), current("amc_number"), values["amc_number"]),
        _row(gettext_lazy("Member number"), current("member_number"), values["member_number"]),
        _row(gettext_lazy("Valid from"), current("valid_from"), values["valid_from"]),
        _row(gettext_lazy("Valid until"), current("valid_until"), values["valid_until"]),
        _row(gettext_lazy("Tiers payant"), current("tiers_payant"), values["tiers_payant"]),
    ]
