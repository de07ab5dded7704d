"""SIMULATION of a carte Vitale reader: no card, no reader, fictitious data only.

Reading a real card needs GIE SESAM-Vitale homologated hardware and software
(french-rules.md §6.3). This reader lets the comparison screen be built, shown and tested:
the secretary picks one of the demonstration cards below, and the card is made around the
patient whose file is open (``Subject``), so that the demo patients match. Every reading it
returns has the source SIMULATION, which the screen shows in a banner.

The cards:

- ``up_to_date``: the patient's card, rights open for a year, a mutuelle with tiers payant
  (a minor is an ayant droit on a parent's card);
- ``expired``: the same card with AMO rights and mutuelle ended weeks ago;
- ``family``: one insured parent and two children (the patient is the parent, or one of the
  children when a minor);
- ``spelling``: the patient's name spelt differently, only the first first name, and the
  rights moved to another caisse (people who moved): differences to look at, not to copy
  blindly (the card carries no postal address);
- ``lunar``: a person born abroad whose card gives day 00 (a "lunar" date), with an ALD;
- ``blocked``, ``unreadable``, ``absent``: the three refusals a real reader gives.

NIRs are computed from the traits like the INSi simulation does (sex, year, month, COG code
of the birthplace, an order number from a hash, key 97 − N mod 97 — french-rules.md §2.2):
valid by key, and fictitious.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.patients.rules.nir import nir_key

from .base import (
    AmcRights,
    AmoRights,
    Beneficiary,
    CardAbsent,
    CardBlocked,
    CardReader,
    CardReading,
    CardUnreadable,
    Insured,
    Quality,
    Source,
    VitaleBirthDate,
)

ADULT_AGE = 16  # from 16 a person may hold their own carte Vitale (french-rules.md §1.1)


@dataclass(frozen=True)
class Subject:
    """The traits of the file the simulated card is made for (never written anywhere)."""

    birth_name: str
    first_names: str
    birth_date: date
    sex: str  # F, M or I
    birthplace_code: str = "69123"
    used_name: str = ""

    @classmethod
    def of_patient(cls, patient) -> Subject:
        return cls(birth_name=patient.birth_name, first_names=patient.birth_first_names,
                   birth_date=patient.birth_date, sex=patient.sex, birthplace_code=patient.birthplace_code,
                   used_name=patient.used_name)


# A person of the INSi simulation's demonstration base: used when no file is open.
DEFAULT_SUBJECT = Subject("VALMORENT", "MARIE ELODIE", date(1984, 3, 12), "F", "69123")


@dataclass(frozen=True)
class SimulatedCard:
    key: str
    label: str
    description: str


CARDS = (
    SimulatedCard("up_to_date", _("Card up to date"),
                  _("The patient's card, rights open, a mutuelle with tiers payant.")),
    SimulatedCard("expired", _("Rights expired"),
                  _("The same card, AMO rights and mutuelle ended a few weeks ago.")),
    SimulatedCard("family", _("Family card"), _("An insured parent and two children.")),
    SimulatedCard("spelling", _("Different spelling, other caisse"),
                  _("Name spelt differently, one first name only, rights moved to another caisse.")),
    SimulatedCard("lunar", _("Born abroad, day unknown"),
                  _("A “lunar” birth date (day 00) and an ALD.")),
    SimulatedCard("blocked", _("Card on the opposition list"), _("The reader refuses the card.")),
    SimulatedCard("unreadable", _("Unreadable card"), _("The chip cannot be read.")),
    SimulatedCard("absent", _("No card inserted"), _("The reader is empty.")),
)
CARD_KEYS = frozenset(card.key for card in CARDS)

DEMO_CAISSE, DEMO_CENTRE = "691", "6901"  # CPAM du Rhône, a centre of it (demo)
MOVED_CAISSE, MOVED_CENTRE = "751", "7502"  # CPAM de Paris (demo)
MUTUELLE = ("Mutuelle des Tilleuls", "11223344")  # invented, as in patients.demo
OTHER_MUTUELLE = ("Mutuelle Santé Coteaux", "33445566")


class SimulatedReader(CardReader):
    """Returns the demonstration card ``card`` made around ``subject``."""

    source = Source.SIMULATION

    def __init__(self, card: str = "up_to_date", *, subject: Subject | None = None, today: date | None = None):
        self.card = card
        self.subject = subject or DEFAULT_SUBJECT
        self.today = today or timezone.localdate()

    def read(self) -> CardReading:
        if self.card == "blocked":
            raise CardBlocked
        if self.card == "unreadable":
            raise CardUnreadable
        if self.card not in CARD_KEYS or self.card == "absent":
            raise CardAbsent
        return getattr(self, f"_{self.card}")()

    # --- The cards ------------------------------------------------------------------------------

    def _up_to_date(self) -> CardReading:
        return self._card_of(self.subject, amo=self._open_rights(), amc=self._mutuelle())

    def _expired(self) -> CardReading:
        ended = self.today - timedelta(days=45)
        amo = replace(self._open_rights(), rights_from=ended - timedelta(days=365), rights_until=ended)
        amc = replace(self._mutuelle(), valid_from=date(ended.year, 1, 1), valid_until=ended)
        return self._card_of(self.subject, amo=amo, amc=amc)

    def _family(self) -> CardReading:
        amo = replace(self._open_rights(), has_c2s=True, c2s_from=self.today - timedelta(days=120),
                      c2s_until=self.today + timedelta(days=245))
        subject = self.subject
        if self._is_minor(subject):
            parent = self._parent_of(subject)
            sibling_birth = _shift_years(subject.birth_date, 3)
            if sibling_birth > self.today:
                sibling_birth = _shift_years(subject.birth_date, -3)
            children = [subject, Subject(subject.birth_name, "LEO NOE", sibling_birth, "M", "69123")]
        else:
            parent = subject
            name = subject.used_name or subject.birth_name
            children = [Subject(name, "JADE LOUISE", date(self.today.year - 9, 11, 23), "F", "69123"),
                        Subject(name, "LEO NOE", date(self.today.year - 6, 4, 9), "M", "69123")]
        holder = self._insured(parent)
        beneficiaries = [self._beneficiary(parent, Quality.INSURED, amo, None)]
        beneficiaries += [self._beneficiary(child, Quality.AYANT_DROIT, amo, None) for child in children]
        return CardReading(Source.SIMULATION, holder, tuple(beneficiaries))

    def _spelling(self) -> CardReading:
        subject = self.subject
        variant = replace(subject, birth_name=_spelling_variant(subject.birth_name),
                          first_names=subject.first_names.split()[0], used_name="")
        amo = replace(self._open_rights(), caisse_code=MOVED_CAISSE, centre_code=MOVED_CENTRE)
        organism, number = OTHER_MUTUELLE
        amc = replace(self._mutuelle(), organism_name=organism, organism_number=number, tiers_payant=False)
        return self._card_of(variant, amo=amo, amc=amc, nir_of=subject)

    def _lunar(self) -> CardReading:
        subject = self.subject
        raw = f"00{subject.birth_date.month:02d}{subject.birth_date.year:04d}"
        born_abroad = subject if subject.birthplace_code.startswith("99") else replace(subject, birthplace_code="99350")
        amo = replace(self._open_rights(), has_ald=True, ald_until=self.today + timedelta(days=700))
        return self._card_of(born_abroad, amo=amo, amc=None, raw_birth_date=raw)

    # --- Helpers --------------------------------------------------------------------------------

    def _card_of(self, person: Subject, *, amo: AmoRights, amc: AmcRights | None, nir_of: Subject | None = None,
                 raw_birth_date: str | None = None) -> CardReading:
        """A card whose holder is ``person``, or a parent's card when ``person`` is a minor."""
        if self._is_minor(person):
            parent = self._parent_of(person)
            parent_nir_of = self._parent_of(nir_of) if nir_of else None
            return CardReading(Source.SIMULATION, self._insured(parent, nir_of=parent_nir_of), (
                self._beneficiary(parent, Quality.INSURED, amo, amc, nir_of=parent_nir_of),
                self._beneficiary(person, Quality.AYANT_DROIT, amo, amc, nir_of=nir_of, raw_birth_date=raw_birth_date),
            ))
        return CardReading(Source.SIMULATION, self._insured(person, nir_of=nir_of), (
            self._beneficiary(person, Quality.INSURED, amo, amc, nir_of=nir_of, raw_birth_date=raw_birth_date),
        ))

    def _is_minor(self, subject: Subject) -> bool:
        born = subject.birth_date
        age = self.today.year - born.year - ((self.today.month, self.today.day) < (born.month, born.day))
        return age < ADULT_AGE

    def _parent_of(self, child: Subject) -> Subject:
        return Subject(child.birth_name, "CLAIRE ANNE", _shift_years(child.birth_date, -31), "F", "69123")

    def _insured(self, person: Subject, *, nir_of: Subject | None = None) -> Insured:
        nir = simulated_nir(nir_of or person)
        return Insured(nir=nir[:13], nir_key=nir[13:], birth_name=person.birth_name,
                       first_names=person.first_names, used_name=person.used_name)

    def _beneficiary(self, person: Subject, quality: Quality, amo: AmoRights, amc: AmcRights | None, *,
                     nir_of: Subject | None = None, raw_birth_date: str | None = None) -> Beneficiary:
        return Beneficiary(
            birth_name=person.birth_name, first_names=person.first_names, used_name=person.used_name,
            birth_date=VitaleBirthDate(raw_birth_date or f"{person.birth_date:%d%m%Y}"), rank=1,
            quality=quality, nir=simulated_nir(nir_of or person), amo=amo, amc=amc,
        )

    def _open_rights(self) -> AmoRights:
        return AmoRights(regime_code="01", caisse_code=DEMO_CAISSE, centre_code=DEMO_CENTRE,
                         rights_from=date(self.today.year, 1, 1), rights_until=self.today + timedelta(days=365))

    def _mutuelle(self) -> AmcRights:
        organism, number = MUTUELLE
        member = str(int(hashlib.sha256(self.subject.birth_name.encode()).hexdigest(), 16) % 10**8).zfill(8)
        return AmcRights(organism_name=organism, organism_number=number, member_number=member,
                         valid_from=date(self.today.year, 1, 1), valid_until=date(self.today.year, 12, 31),
                         tiers_payant=True)


def simulated_nir(person: Subject) -> str:
    """A NIR valid by key, made from the traits (the same traits give the same number)."""
    sex_digit = "2" if person.sex == "F" else "1"
    place = person.birthplace_code if len(person.birthplace_code) == 5 else "99999"
    digest = hashlib.sha256(f"{person.birth_name}|{person.first_names}|{person.birth_date}".encode()).hexdigest()
    order = f"{int(digest, 16) % 999 + 1:03d}"
    body = f"{sex_digit}{person.birth_date.year % 100:02d}{person.birth_date.month:02d}{place}{order}"
    return body + nir_key(body)


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _spelling_variant(name: str) -> str:
    """Another spelling a card may carry: hyphen as a space, a final D/T swapped, an extra E."""
    if "-" in name:
        return name.replace("-", " ", 1)
    if name.endswith("T"):
        return name[:-1] + "D"
    if name.endswith("D"):
        return name[:-1] + "T"
    return name + "E"
