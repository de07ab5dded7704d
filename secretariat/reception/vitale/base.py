"""What a carte Vitale (or the app carte Vitale) says, and the reader interface.

Reading a carte Vitale or an apCV needs a reader and software homologated by the GIE
SESAM-Vitale (french-rules.md §6.1, §6.3): we cannot read real cards. A certified bridge would
implement ``CardReader``; until then the desk uses ``simulation.SimulatedReader``, which says so.

The data follow the structure of the card (french-rules.md §1.1): one holder (the insured
person, "ouvrant droit", with the NIR the rights are opened under) and the beneficiaries
covered by the card, each with their own AMO rights and, when present, AMC data. A child
"ayant droit" is billed under the holder's NIR; their own NIR (matricule INS) may be on the
card or not. Values are kept as read: no trait is normalised here.
"""

from __future__ import annotations

import abc
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext_lazy

from secretariat.core.services.errors import ServiceError


class Source(StrEnum):
    """Same values as ``VitaleReading.Source``."""

    CARD = "card"
    APP = "app"
    SIMULATION = "simulation"


class Quality(StrEnum):
    INSURED = "insured"  # assuré: the holder
    AYANT_DROIT = "ayant_droit"  # covered under the holder's NIR (child, spouse…)


# --- Errors: each says to the desk what to do -------------------------------------------------


class VitaleError(ServiceError):
    """A reading that did not happen; the message is shown to the secretary as is."""

    default_message = gettext_lazy("The carte Vitale could not be read.")

    def __init__(self, message: str | None = None):
        super().__init__(str(message or self.default_message))


class NoReaderConnected(VitaleError):
    default_message = gettext_lazy(
        "No carte Vitale reader is connected to this desk: check the coverage on the attestation "
        "de droits and type it in the file.")


class CardAbsent(VitaleError):
    default_message = gettext_lazy(
        "No card in the reader: insert the carte Vitale (chip first, facing up) or scan the app "
        "carte Vitale, then read again.")


class CardBlocked(VitaleError):
    default_message = gettext_lazy(
        "This carte Vitale is blocked or on the opposition list (lost, stolen or replaced): do not "
        "use it; ask for the attestation de droits and tell the patient to contact their caisse.")


class CardUnreadable(VitaleError):
    default_message = gettext_lazy(
        "The card could not be read: clean the chip, insert it again; if it still fails, use the "
        "attestation de droits.")


# --- Birth dates as the card holds them ---------------------------------------------------------


@dataclass(frozen=True)
class VitaleBirthDate:
    """A birth date as read, "DDMMYYYY".

    Some people born abroad have "lunar" dates on their card (and in the national bases): day
    00 or month 00 when the civil status gives no day or month, sometimes an impossible day
    (31/02). The raw text is kept; ``as_date`` is None for those, and ``matches`` compares only
    the parts that are known.
    """

    raw: str

    @property
    def day(self) -> int:
        return int(self.raw[0:2])

    @property
    def month(self) -> int:
        return int(self.raw[2:4])

    @property
    def year(self) -> int:
        return int(self.raw[4:8])

    def is_well_formed(self) -> bool:
        return len(self.raw) == 8 and self.raw.isascii() and self.raw.isdigit()

    def as_date(self) -> date | None:
        """The calendar date, or None for a lunar (or malformed) date."""
        if not self.is_well_formed():
            return None
        try:
            return date(self.year, self.month, self.day)
        except ValueError:
            return None

    @property
    def is_lunar(self) -> bool:
        return self.is_well_formed() and self.as_date() is None

    def matches(self, day: date) -> bool:
        """Same date, or for a lunar date the same year and the known month (if any)."""
        if not self.is_well_formed():
            return False
        exact = self.as_date()
        if exact is not None:
            return exact == day
        if self.year != day.year:
            return False
        return not 1 <= self.month <= 12 or self.month == day.month

    def display(self) -> str:
        """As the card says, DD/MM/YYYY (00 kept, so the secretary sees the date is lunar)."""
        if not self.is_well_formed():
            return self.raw
        return f"{self.raw[0:2]}/{self.raw[2:4]}/{self.raw[4:8]}"


# --- What was read ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmoRights:
    """Assurance maladie obligatoire of one beneficiary, as the card holds them."""

    regime_code: str  # 2 digits ("01" régime général…)
    caisse_code: str  # 3 digits
    centre_code: str  # 4 digits
    rights_from: date | None = None
    rights_until: date | None = None
    has_ald: bool = False  # exonération du ticket modérateur for an ALD
    ald_until: date | None = None
    maternity: bool = False
    has_c2s: bool = False
    c2s_from: date | None = None
    c2s_until: date | None = None

    def is_valid_on(self, day: date) -> bool:
        return ((self.rights_from is None or self.rights_from <= day)
                and (self.rights_until is None or day <= self.rights_until))


@dataclass(frozen=True)
class AmcRights:
    """Complementary cover written on the card (not every card carries one)."""

    organism_name: str
    organism_number: str  # the AMC number used for tiers payant
    member_number: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    tiers_payant: bool = False


@dataclass(frozen=True)
class Insured:
    """The holder of the card: the insured person whose NIR opens the rights."""

    nir: str  # 13 characters, as read
    nir_key: str  # 2 digits, as read
    birth_name: str
    first_names: str
    used_name: str = ""

    @property
    def full_nir(self) -> str:
        return self.nir + self.nir_key


@dataclass(frozen=True)
class Beneficiary:
    """One person covered by the card (the holder is one of them, quality INSURED)."""

    birth_name: str
    first_names: str
    birth_date: VitaleBirthDate
    rank: int  # rang de naissance: 1, or 2, 3… for twins on the same card
    quality: Quality
    amo: AmoRights
    used_name: str = ""
    nir: str = ""  # the beneficiary's own NIR with key, when the card carries it
    amc: AmcRights | None = None

    @property
    def first_first_name(self) -> str:
        return self.first_names.split()[0] if self.first_names.split() else ""


@dataclass(frozen=True)
class CardReading:
    source: Source
    holder: Insured
    beneficiaries: tuple[Beneficiary, ...] = field(default_factory=tuple)

    @property
    def is_simulated(self) -> bool:
        return self.source == Source.SIMULATION

    def to_dict(self) -> dict:
        """JSON-friendly (dates as ISO text): kept in the session and in the trace."""
        return _plain(asdict(self))

    @classmethod
    def from_dict(cls, data: dict) -> CardReading:
        return cls(
            source=Source(data["source"]),
            holder=Insured(**data["holder"]),
            beneficiaries=tuple(beneficiary_from_dict(item) for item in data["beneficiaries"]),
        )


def beneficiary_to_dict(beneficiary: Beneficiary) -> dict:
    return _plain(asdict(beneficiary))


def beneficiary_from_dict(data: dict) -> Beneficiary:
    amc = data.get("amc")
    return Beneficiary(
        birth_name=data["birth_name"], first_names=data["first_names"], used_name=data.get("used_name", ""),
        birth_date=VitaleBirthDate(data["birth_date"]["raw"]), rank=int(data["rank"]),
        quality=Quality(data["quality"]), nir=data.get("nir", ""),
        amo=AmoRights(**_dates(data["amo"], ("rights_from", "rights_until", "ald_until", "c2s_from", "c2s_until"))),
        amc=AmcRights(**_dates(amc, ("valid_from", "valid_until"))) if amc else None,
    )


def _dates(data: dict, names: tuple[str, ...]) -> dict:
    return {key: (date.fromisoformat(value) if key in names and value else value) for key, value in data.items()}


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


# --- The reader ---------------------------------------------------------------------------------


class CardReader(abc.ABC):
    """One reading of the card (or app) presented at the desk.

    ``read`` returns what the card holds or raises a ``VitaleError`` (no reader, no card,
    blocked card, unreadable card). A reader never writes anything: the desk compares, then
    ``services_vitale`` copies what the secretary chose.
    """

    source: Source

    @abc.abstractmethod
    def read(self) -> CardReading:
        """What the card (or the app) holds now."""
