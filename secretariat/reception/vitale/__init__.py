"""Carte Vitale / app carte Vitale boundary: pick the reader, then read.

    reader = get_reader(card="family", subject=Subject.of_patient(patient))
    reading = reader.read()          # CardReading, or a VitaleError with a French message

``settings.SECRETARIAT_VITALE_READER`` says which reader the desks use:

- ``"simulation"`` (default, demo and tests): ``simulation.SimulatedReader``, demonstration
  cards chosen by the secretary, labelled as simulated on every screen;
- ``"none"``: no reader; the screen says so and the coverage is typed from the attestation;
- a dotted path to a ``CardReader`` subclass (a bridge to homologated SESAM-Vitale software,
  french-rules.md §6.3), built without arguments.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

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
    NoReaderConnected,
    Quality,
    Source,
    VitaleBirthDate,
    VitaleError,
)
from .simulation import CARDS, SimulatedReader, Subject

READER_SETTING = "SECRETARIAT_VITALE_READER"
SIMULATION, NONE = "simulation", "none"

__all__ = [
    "CARDS",
    "NONE",
    "READER_SETTING",
    "SIMULATION",
    "AmcRights",
    "AmoRights",
    "Beneficiary",
    "CardAbsent",
    "CardBlocked",
    "CardReader",
    "CardReading",
    "CardUnreadable",
    "Insured",
    "NoReaderConnected",
    "Quality",
    "SimulatedReader",
    "Source",
    "Subject",
    "VitaleBirthDate",
    "VitaleError",
    "get_reader",
    "reader_kind",
]


def reader_kind() -> str:
    """"simulation", "none", or the dotted path of a certified reader."""
    return (getattr(settings, READER_SETTING, SIMULATION) or SIMULATION).strip()


def get_reader(*, card: str = "up_to_date", subject: Subject | None = None) -> CardReader:
    """The configured reader; ``card`` and ``subject`` only steer the simulation.

    Raises ``NoReaderConnected`` when the desk has no reader (setting "none").
    """
    kind = reader_kind()
    if kind == NONE:
        raise NoReaderConnected
    if kind == SIMULATION:
        return SimulatedReader(card, subject=subject)
    try:
        factory = import_string(kind)
    except ImportError as error:
        raise ImproperlyConfigured(f"{READER_SETTING} = {kind!r} cannot be imported") from error
    return factory()
