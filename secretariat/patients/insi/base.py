"""Interface and data of the INS teleservice (INSi) boundary.

The INS is a matricule (NIR or NIA), the OID of the authority that assigned it and the INS
traits returned by the national bases; INSi answers 00 (one identity), 01 (none) or 02
(several). Sources: shared/domain/french-rules.md §1.1 (INS), §1.2 (OIDs and the rule on
test/demonstration OIDs in production), §1.4 (characters INSi accepts), §1.5 (statuses and the
INSi response codes, from e-santé Bretagne "La gestion de l'INS").

Pure Python: no model, no database. Adapters (simulation, SOAP) implement `InsiClient`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.translation import gettext

OID_INS_NIR = "1.2.250.1.213.1.4.8"
OID_INS_NIA = "1.2.250.1.213.1.4.9"
OID_INS_NIR_TEST = "1.2.250.1.213.1.4.10"
OID_INS_NIR_DEMO = "1.2.250.1.213.1.4.11"

ALLOW_TEST_OIDS_SETTING = "SECRETARIAT_INSI_ALLOW_TEST_OIDS"


class OidKind(StrEnum):
    NIR = "nir"
    NIA = "nia"
    TEST = "test"
    DEMO = "demo"


_OID_KINDS = {
    OID_INS_NIR: OidKind.NIR,
    OID_INS_NIA: OidKind.NIA,
    OID_INS_NIR_TEST: OidKind.TEST,
    OID_INS_NIR_DEMO: OidKind.DEMO,
}


def oid_kind(oid: str) -> OidKind:
    """Kind of an INS OID; an unknown OID is refused, since it cannot be an INS at all."""
    try:
        return _OID_KINDS[oid.strip()]
    except KeyError:
        raise ValueError(f"Unknown INS OID: {oid!r}") from None


def production_refuses(oid: str) -> bool:
    """True when a test/demonstration INS must be refused here (french-rules.md §1.2).

    `SECRETARIAT_INSI_ALLOW_TEST_OIDS` is True by default (development, demonstration); a
    production installation sets it to False, and then an identity with OID .10 or .11 (such
    as every identity of the simulation) may not be taken over.
    """
    if getattr(settings, ALLOW_TEST_OIDS_SETTING, True):
        return False
    return oid_kind(oid) in (OidKind.TEST, OidKind.DEMO)


# Transliterations that NFKD decomposition does not give (french-rules.md §1.4); typographic
# apostrophes and non-breaking spaces come from copy-paste and mean the ASCII characters.
_TRANSLITERATIONS = str.maketrans({
    "Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'",
    "\u00a0": " ", "\u202f": " ", "\u2010": "-", "\u2011": "-",
})
_INSI_CHARACTERS = re.compile(r"[A-Z' -]")


def fold_insi_text(value: str) -> str:
    """Uppercase, accents removed, ligatures spelt out, spaces collapsed: INSi's writing.

    Characters with no equivalent (digits, "/", …) are kept so `InsiTraits.normalised`
    can refuse them: dropping them silently would change the identity (§1.4).
    """
    value = unicodedata.normalize("NFKD", value.translate(_TRANSLITERATIONS))
    value = "".join(char for char in value if not unicodedata.combining(char))
    return " ".join(value.upper().split())


class InsiInvalidTraits(Exception):
    """The traits cannot be sent to INSi as they are; `message` tells the secretary why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class InsiTraits:
    """Traits sent to INSi (taken from the local identity) or received (INS traits)."""

    birth_name: str
    first_names: str  # list of birth first names, space separated, first one first
    sex: str  # "F" or "M": INSi knows no other value (§1.3)
    birth_date: date
    birthplace_code: str = ""  # COG of the birth commune, or 99 + country code

    @property
    def first_first_name(self) -> str:
        return self.first_names.split(" ", 1)[0] if self.first_names else ""

    def normalised(self) -> InsiTraits:
        """The traits written as INSi expects them, or InsiInvalidTraits (§1.3, §1.4)."""
        birth_name = fold_insi_text(self.birth_name)
        first_names = fold_insi_text(self.first_names)
        for label, value in ((gettext("birth name"), birth_name),
                             (gettext("birth first names"), first_names)):
            if not value:
                raise InsiInvalidTraits(
                    gettext("The %(field)s is missing: the INS teleservice needs it.")
                    % {"field": label})
            refused = sorted({char for char in value if not _INSI_CHARACTERS.fullmatch(char)})
            if refused:
                raise InsiInvalidTraits(
                    gettext("The %(field)s contains characters that the INS teleservice does "
                            "not accept: %(characters)s. Correct it as written on the identity "
                            "document.")
                    % {"field": label, "characters": " ".join(refused)})
        if self.sex not in ("F", "M"):
            raise InsiInvalidTraits(gettext(
                "The INS teleservice only knows the sexes female and male: it cannot be "
                "called for this identity."))
        return replace(self, birth_name=birth_name, first_names=first_names,
                       birthplace_code=self.birthplace_code.strip().upper())


@dataclass(frozen=True)
class InsIdentity:
    """One identity returned by INSi (response 00): matricule INS, OID and INS traits."""

    matricule: str  # 15 characters: NIR or NIA with its key
    oid: str
    traits: InsiTraits

    def __post_init__(self) -> None:
        oid_kind(self.oid)  # refuses an unknown OID
        if len(self.matricule) != 15:
            raise ValueError(f"An INS matricule has 15 characters, not {len(self.matricule)}")

    @property
    def kind(self) -> OidKind:
        return oid_kind(self.oid)

    @property
    def is_nia(self) -> bool:
        return self.kind is OidKind.NIA

    @property
    def is_test_or_demo(self) -> bool:
        return self.kind in (OidKind.TEST, OidKind.DEMO)


class InsiOutcome(StrEnum):
    FOUND = "00"
    NOT_FOUND = "01"
    SEVERAL = "02"


def advice_for(outcome: InsiOutcome) -> str:
    """What the secretary does next, per the e-santé Bretagne memo (§1.5)."""
    if outcome == InsiOutcome.FOUND:
        return gettext(
            "One identity found. Compare the INS traits with the identity document before "
            "taking them over: the identity then becomes retrieved, or qualified if a "
            "high-trust identity document has already been checked.")
    if outcome == InsiOutcome.NOT_FOUND:
        return gettext(
            "No identity found. Check the birth name, birth date and sex, then search again "
            "with another birth first name or with all of them. Without an answer, the "
            "identity stays provisional.")
    return gettext(
        "Several identities found. Search again adding all the birth first names of the "
        "identity document, then the birthplace code if it was not given.")


def verification_mismatch_advice() -> str:
    return gettext(
        "The INS teleservice does not confirm this INS for these traits. Do not use this "
        "INS: check the identity with the patient and the identity document, then search "
        "again.")


@dataclass(frozen=True)
class InsiResponse:
    outcome: InsiOutcome
    identity: InsIdentity | None  # set only when FOUND
    advice: str  # translated: what to do next
    simulated: bool

    def __post_init__(self) -> None:
        if (self.outcome == InsiOutcome.FOUND) != (self.identity is not None):
            raise ValueError("An INSi response carries an identity exactly when it is FOUND")

    @classmethod
    def of(cls, outcome: InsiOutcome, identity: InsIdentity | None = None, *,
           simulated: bool) -> InsiResponse:
        return cls(outcome, identity, advice_for(outcome), simulated)


def verification_response(held: InsIdentity, searched: InsiResponse) -> InsiResponse:
    """Turn a search made with the held traits into a verification answer.

    FOUND only if INSi returns the same matricule and OID (its traits may have been updated
    by the national bases, so they are returned); a different INS or no identity is answered
    NOT_FOUND with the advice not to use the held INS; SEVERAL is passed through.
    """
    found = searched.identity
    if found is not None and (found.matricule, found.oid) == (held.matricule, held.oid):
        return searched
    if searched.outcome is InsiOutcome.SEVERAL:
        return searched
    return InsiResponse(InsiOutcome.NOT_FOUND, None, verification_mismatch_advice(),
                        searched.simulated)


class InsiUnavailable(Exception):
    """INSi could not answer (not configured, card missing, network, malformed answer)."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or gettext(
            "The INS teleservice cannot be reached at the moment. Keep the identity "
            "provisional and try again later.")
        super().__init__(self.message)


@runtime_checkable
class InsiClient(Protocol):
    name: str  # shown in the UI
    simulated: bool  # the UI must say plainly when the simulation answers

    def search_by_traits(self, traits: InsiTraits) -> InsiResponse: ...

    def verify(self, identity: InsIdentity) -> InsiResponse: ...
