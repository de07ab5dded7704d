"""Validation of French identifiers of professionals and structures.

Sources: shared domain notes §8. SIRET and SIREN come from python-stdnum (which
carries the La Poste exception). RPPS and FINESS have no library rule: both end
with a Luhn key. FINESS Luhn was checked against published numbers (AP-HP
750712184, CHU Bordeaux 330781196); the RPPS Luhn key is the common practice of
practice software but no official specification was found, so it is kept here
in one place where it can be relaxed.
"""

from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret


def compact_digits(value: str) -> str:
    return "".join(value.split())


def is_valid_siret(value: str) -> bool:
    try:
        stdnum_siret.validate(value)
    except StdnumError:
        return False
    return True


def is_valid_rpps(value: str) -> bool:
    """RPPS: 11 digits, the last one a Luhn key."""
    return len(value) == 11 and value.isdigit() and luhn.is_valid(value)


def is_valid_finess(value: str) -> bool:
    """FINESS: 9 characters, département (2A/2B for Corsica) + 6 digits + Luhn key.

    For Corsica the substitution rule is unconfirmed, so 2A/2B numbers are only
    checked for their shape.
    """
    if len(value) != 9:
        return False
    if value[:2].upper() in {"2A", "2B"}:
        return value[2:].isdigit()
    return value.isdigit() and luhn.is_valid(value)
