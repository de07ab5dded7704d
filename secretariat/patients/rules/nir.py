"""NIR and NIA: shape, key, and consistency with the identity traits.

Structure as summarised in french-rules.md §2.1; key from decree 82-103 art. 4
(key = 97 − N mod 97, with 2A → 19 and 2B → 18), french-rules.md §2.2. A NIA is "constitué
comme un NIR" (circulaire DSS/SD4C 2012-213), so the same checks apply to it.

Never derive a birth date from a NIR: the century is ambiguous and the month may be a
pseudo-month. The NIR is only compared with the traits typed from the identity document.
"""

import re
from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

NIR_LENGTH = 15
BODY_LENGTH = 13

# [0-9] rather than \d: \d also matches non-ASCII digits, which have no meaning in a NIR.
_BODY = re.compile(r"[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{6}")
_PLACE_CODE = re.compile(r"[0-9]{5}|2[AB][0-9]{3}")
_CORSICA_DIGITS = {"2A": "19", "2B": "18"}
_SEPARATORS = str.maketrans("", "", ".-")

# 1 man, 2 woman; 7 and 8 are reported for temporary numbers (french-rules.md §2.1).
_FIRST_DIGITS = frozenset("1278")
_SEX_OF_FIRST_DIGIT = {"1": "M", "2": "F"}

# Born in Algeria (91–94), Morocco (95) or Tunisia (96) before independence: the NIR holds a
# département code where the birthplace is now coded as a foreign country.
_FORMER_NORTH_AFRICA = frozenset({"91", "92", "93", "94", "95", "96"})
# Seine (75) and Seine-et-Oise (78) were split into 91–95 in 1968.
_SPLIT_IN_1968 = ({"75", "78"}, {"91", "92", "93", "94", "95"})


def clean_nir(text: str) -> str:
    """Remove spaces, dots and hyphens, uppercase ("2a" → "2A")."""
    return "".join(text.split()).translate(_SEPARATORS).upper()


def nir_key(body: str) -> str:
    """The 2-digit key ("01".."97") of a 13-character body; ValueError if the body is malformed."""
    if not _BODY.fullmatch(body):
        raise ValueError(f"not a 13-character NIR body: {body!r}")
    department = body[5:7]
    number = int(body[:5] + _CORSICA_DIGITS.get(department, department) + body[7:])
    return f"{97 - number % 97:02d}"


def nir_problem(text: str) -> str | None:
    """None for a well-formed NIR/NIA with the right key, else what the user should fix."""
    nir = clean_nir(text)
    if not nir:
        return _("Type the NIR: 15 characters, as on the carte Vitale.")
    foreign = _distinct(char for char in nir if not _is_ascii_alnum(char))
    if foreign:
        return ngettext(
            "Remove %(characters)s: a NIR is made of digits only, with 2A or 2B for people born "
            "in Corsica.",
            "Remove %(characters)s: a NIR is made of digits only, with 2A or 2B for people born "
            "in Corsica.",
            len(foreign)) % {"characters": _quoted(foreign)}
    letters = _distinct(char for char in nir if char.isalpha() and char not in "AB")
    if letters:
        return ngettext(
            "%(characters)s cannot be part of a NIR: it is made of digits only, with 2A or 2B "
            "for people born in Corsica.",
            "%(characters)s cannot be part of a NIR: it is made of digits only, with 2A or 2B "
            "for people born in Corsica.",
            len(letters)) % {"characters": _quoted(letters)}
    if len(nir) == BODY_LENGTH:
        return _("Add the key: you typed 13 characters and a NIR has 15, the last two being the "
                 "key printed at the end of the number.")
    if len(nir) != NIR_LENGTH:
        return ngettext(
            "You typed %(count)d character and a NIR has 15: check the number on the carte Vitale.",
            "You typed %(count)d characters and a NIR has 15: check the number on the carte "
            "Vitale.",
            len(nir)) % {"count": len(nir)}
    if not _BODY.fullmatch(nir[:BODY_LENGTH]) or not nir[BODY_LENGTH:].isdigit():
        return _("Check the letters: only Corsica is written with a letter, as 2A or 2B in 6th and "
                 "7th position.")
    if nir[0] not in _FIRST_DIGITS:
        return _("Check the first digit: it is 1 for a man or 2 for a woman (7 or 8 for a "
                 "temporary number), not %(digit)s.") % {"digit": nir[0]}
    if nir_key(nir[:BODY_LENGTH]) != nir[BODY_LENGTH:]:
        return _("The key %(key)s does not match: check the 15 characters on the carte Vitale.") % {
            "key": nir[BODY_LENGTH:]}
    return None


def nir_inconsistencies(nir: str, *, sex: str, birth_date: date, birthplace_code: str) -> list[str]:
    """Warnings (not errors) where a valid NIR disagrees with the patient's traits.

    Pass the patient's own NIR (matricule INS), never the NIR of the insured person who opens
    the rights: a child's traits have nothing to do with a parent's number. A NIR that
    nir_problem refuses gives no warning here (nir_problem already says what is wrong), and an
    empty or unknown birthplace code is not compared.
    """
    nir = clean_nir(nir)
    if nir_problem(nir) is not None:
        return []
    warnings = []
    # Temporary numbers (7, 8) do not carry the sex; "I" has no NIR digit.
    expected_sex = _SEX_OF_FIRST_DIGIT.get(nir[0])
    if expected_sex and sex in ("M", "F") and sex != expected_sex:
        if expected_sex == "M":
            warnings.append(_("The NIR is a man's (it starts with 1) but the sex is female: check "
                              "the sex, and that this NIR is the patient's own."))
        else:
            warnings.append(_("The NIR is a woman's (it starts with 2) but the sex is male: check "
                              "the sex, and that this NIR is the patient's own."))
    if nir[1:3] != f"{birth_date.year % 100:02d}":
        warnings.append(
            _("The NIR gives a birth year ending in %(nir_year)s but the birth date is in "
              "%(year)d: check the birth date and the NIR.")
            % {"nir_year": nir[1:3], "year": birth_date.year})
    # Pseudo-months (20, 30–42, 50–99) stand for an unknown month: nothing to compare.
    month = nir[3:5]
    if "01" <= month <= "12" and int(month) != birth_date.month:
        warnings.append(
            _("The NIR gives %(nir_month)s as the month of birth but the birth date is in month "
              "%(month)s: check the birth date and the NIR.")
            % {"nir_month": month, "month": f"{birth_date.month:02d}"})
    place_warning = _place_warning(nir[5:10], birthplace_code.strip().upper(), birth_date)
    if place_warning:
        warnings.append(place_warning)
    return warnings


def _place_warning(nir_place: str, code: str, birth_date: date) -> str | None:
    if not _PLACE_CODE.fullmatch(code) or nir_place == code:
        return None
    nir_department, department = _department(nir_place), _department(code)
    if nir_department in _FORMER_NORTH_AFRICA and department == "99":
        return None
    if (birth_date.year < 1968 and nir_department in _SPLIT_IN_1968[0]
            and department in _SPLIT_IN_1968[1]):
        return None
    if {nir_department, department} in ({"20", "2A"}, {"20", "2B"}):
        # Corsica was one département (20) until 1976; commune numbers were kept.
        if nir_place[2:] == code[2:]:
            return None
        nir_department = department
    values = {"nir_place": nir_place, "code": code, "nir_department": nir_department,
              "department": department}
    if nir_department == "99" and department == "99":
        return _("The NIR gives the country of birth %(nir_place)s but the birthplace code is "
                 "%(code)s: check the country of birth and the NIR.") % values
    if nir_department == "99":
        return _("The NIR gives a birth abroad (country code %(nir_place)s) but the birthplace "
                 "code %(code)s is in France: check the birthplace and the NIR.") % values
    if department == "99":
        return _("The NIR gives a birth in France (place code %(nir_place)s) but the birthplace "
                 "code %(code)s is a foreign country: check the birthplace and the NIR.") % values
    if nir_department != department:
        return _("The NIR gives a birth in département %(nir_department)s but the birthplace code "
                 "%(code)s is in département %(department)s: check the birthplace and the NIR."
                 ) % values
    return _("The NIR gives the commune code %(nir_place)s but the birthplace code is %(code)s: "
             "check the birthplace (the commune code at the date of birth) and the NIR.") % values


def _department(place: str) -> str:
    # Overseas départements and collectivities (97x, 98x) have a 3-digit code.
    return place[:3] if place[:2] in ("97", "98") else place[:2]


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _distinct(chars: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for char in chars:
        if char not in seen:
            seen.append(char)
    return seen


def _quoted(chars: list[str]) -> str:
    return ", ".join(f"“{char}”" if char.isprintable() else f"U+{ord(char):04X}" for char in chars)
