"""SIMULATION of the INS teleservice: no call to the Assurance Maladie, fictitious people only.

Calling the real INSi needs a CPS card or an establishment certificate and a contract
(french-rules.md §1.5); this adapter lets the identity screens be built, shown and tested
without them. Every identity it returns carries the DEMONSTRATION OID 1.2.250.1.213.1.4.11
(§1.2), so a production installation (SECRETARIAT_INSI_ALLOW_TEST_OIDS = False) refuses it
through `production_refuses`.

How it answers (traits are first folded like INSi: uppercase, no accents, §1.4):

1. Birth name INDISPONIBLE, or the adapter built with `unavailable=True`: InsiUnavailable
   (to exercise the outage path of the UI). Birth name INCONNU: always 01.
2. The records of the base (`NATIONAL_BASE` by default) match a request when birth name,
   birth date and sex are equal, the requested first names are the first ones of the
   record's list (word for word, so "CAMILLE" matches "CAMILLE ANNE") and the birthplace
   code, when given, is equal. One match: 00 with the record's full traits; several: 02;
   none: see 3.
3. The rule that lets the demonstration qualify any identity: when no record matches, the
   birth name is not one of the base's names (those are reserved for the scenarios) and all
   five traits are given (birthplace code included), the person is deemed known to the
   national base: 00, with the requested traits as INS traits. Otherwise 01.
   `from_identities` builds a closed base without this rule.

Matricules are computed from the traits: sex digit, year and month of birth, the birthplace
COG code (99999 if unknown), an order number derived from a hash of the traits, and the NIR
key 97 - (N mod 97) with 2A -> 19 and 2B -> 18 (§2.2). The same traits always give the same
matricule, whether found through a record or through the rule.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext

from secretariat.patients.rules.nir import nir_key

from .base import (
    OID_INS_NIR_DEMO,
    InsIdentity,
    InsiOutcome,
    InsiResponse,
    InsiTraits,
    InsiUnavailable,
    verification_response,
)

OUTAGE_BIRTH_NAME = "INDISPONIBLE"
UNKNOWN_BIRTH_NAME = "INCONNU"
_COG = re.compile(r"\d{5}|2[AB]\d{3}")


def _person(birth_name: str, first_names: str, sex: str, birth_date: str,
            birthplace_code: str) -> InsiTraits:
    return InsiTraits(birth_name, first_names, sex, date.fromisoformat(birth_date),
                      birthplace_code)


# Fictitious people, invented for this simulation (never real people); each shows a case.
NATIONAL_BASE: tuple[InsiTraits, ...] = (
    # Searching with "Élodie" answers 01: the first birth first name is MARIE.
    _person("VALMORENT", "MARIE ELODIE", "F", "1984-03-12", "69123"),
    # Accents and a hyphen in the birth name; born in Corse-du-Sud (2A in the NIR).
    _person("ETIENNE-BRISSAC", "NOEL FRANCOIS", "M", "1957-11-25", "2A004"),
    _person("D'ARVIEU", "THEO", "M", "2016-02-29", "75112"),
    # Born abroad (Morocco): COG country code.
    _person("BENSALEM", "YASMINE NOOR", "F", "1992-06-30", "99350"),
    # Born in Guadeloupe: 3-digit département in the NIR.
    _person("LAGRAVE", "CELESTIN JEAN", "M", "1978-02-14", "97120"),
    # Twins: "Camille" alone answers 02; adding the other first names answers 00.
    _person("ROUVIERE", "CAMILLE ANNE", "F", "2001-09-14", "33063"),
    _person("ROUVIERE", "CAMILLE LOUISE", "F", "2001-09-14", "33063"),
    # Homonyms told apart only by the birthplace code: without it 02, with it 00.
    _person("MARCHESSOU", "LUCAS", "M", "1975-05-05", "59350"),
    _person("MARCHESSOU", "LUCAS", "M", "1975-05-05", "13055"),
)


def simulated_matricule(traits: InsiTraits) -> str:
    """A deterministic, well-keyed demonstration matricule for normalised traits."""
    place = traits.birthplace_code if _COG.fullmatch(traits.birthplace_code) else "99999"
    seed = "|".join((traits.birth_name, traits.first_names, traits.sex,
                     traits.birth_date.isoformat(), place))
    order = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 999 + 1
    body = (("1" if traits.sex == "M" else "2") + f"{traits.birth_date:%y%m}"
            + place + f"{order:03d}")
    return body + nir_key(body)


def _matches(record: InsiTraits, request: InsiTraits) -> bool:
    requested_first_names = request.first_names.split()
    return (
        record.birth_name == request.birth_name
        and record.birth_date == request.birth_date
        and record.sex == request.sex
        and record.first_names.split()[:len(requested_first_names)] == requested_first_names
        and (not request.birthplace_code or request.birthplace_code == record.birthplace_code)
    )


class SimulatedInsi:
    """INSi simulation adapter (see the module docstring for the rule it follows)."""

    simulated = True

    def __init__(self, records: Iterable[InsiTraits] | None = None, *,
                 synthesise_complete: bool = True, unavailable: bool = False) -> None:
        records = NATIONAL_BASE if records is None else records
        # Normalised once, duplicates dropped: the same person given twice is one person.
        self.records: tuple[InsiTraits, ...] = tuple(
            dict.fromkeys(record.normalised() for record in records))
        self.synthesise_complete = synthesise_complete
        self.unavailable = unavailable

    @classmethod
    def from_identities(cls, identities: Iterable[InsiTraits], *,
                        include_builtin: bool = False) -> SimulatedInsi:
        """A closed base made of these traits (e.g. demonstration patients), without rule 3."""
        records = [*NATIONAL_BASE, *identities] if include_builtin else list(identities)
        return cls(records, synthesise_complete=False)

    @property
    def name(self) -> str:
        return gettext("INSi simulation (no call to the Assurance Maladie)")

    def identity_of(self, traits: InsiTraits) -> InsIdentity:
        normalised = traits.normalised()
        return InsIdentity(simulated_matricule(normalised), OID_INS_NIR_DEMO, normalised)

    def search_by_traits(self, traits: InsiTraits) -> InsiResponse:
        request = traits.normalised()
        if self.unavailable or request.birth_name == OUTAGE_BIRTH_NAME:
            raise InsiUnavailable(gettext(
                "Simulated outage: the INS teleservice does not answer. Keep the identity "
                "provisional and try again later."))
        if request.birth_name == UNKNOWN_BIRTH_NAME:
            return InsiResponse.of(InsiOutcome.NOT_FOUND, simulated=True)
        matches = [record for record in self.records if _matches(record, request)]
        if len(matches) == 1:
            return InsiResponse.of(InsiOutcome.FOUND, self.identity_of(matches[0]),
                                   simulated=True)
        if matches:
            return InsiResponse.of(InsiOutcome.SEVERAL, simulated=True)
        reserved = {record.birth_name for record in self.records}
        if (self.synthesise_complete and request.birthplace_code
                and request.birth_name not in reserved):
            return InsiResponse.of(InsiOutcome.FOUND, self.identity_of(request), simulated=True)
        return InsiResponse.of(InsiOutcome.NOT_FOUND, simulated=True)

    def verify(self, identity: InsIdentity) -> InsiResponse:
        """Search with the held traits and confirm only the same matricule and OID."""
        return verification_response(identity, self.search_by_traits(identity.traits))
