"""Writing rules for the name traits: birth name, used name, birth first names, first name.

Source: RNIV; GIE SESAM-Vitale SEL-MP-043 "Guide d'intégration INSi" §2 and §3.4.1 and ANS
"Format DataMatrix INS" v2.2 §5, as summarised in french-rules.md §1.4 (100-character limit:
§1.3).

INSi and the INS DataMatrix accept only A–Z, space, apostrophe (') and hyphen (-). Diacritics
and ligatures have a defined transliteration; any other character is refused with a message
rather than dropped, because dropping it silently would change the identity.
"""

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_LENGTH = 100

_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ '-")

# Letters NFD leaves whole (ligatures, stroked letters) but whose Latin reading is unambiguous.
# Lowercase forms are uppercased before this table applies (Python already turns ß into SS).
_UNDECOMPOSABLE = {"Œ": "OE", "Æ": "AE", "ẞ": "SS", "Ø": "O", "Ł": "L", "Đ": "D"}

# Keyboards and word processors produce these in place of the ASCII apostrophe and hyphen.
_APOSTROPHES = frozenset("\u2019\u2018`\u02bc")
_HYPHENS = frozenset("\u2010\u2011")
# Dashes usually come from " - " auto-corrected by a word processor: the user must decide
# whether the document really has a hyphen there, so they are refused, not converted.
_DASHES = frozenset("\u2012\u2013\u2014\u2015\u2212")


class InvalidName(ValueError):
    """A name that cannot be written under the rules; .message is the translated text for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Kind:
    empty_message: str
    is_first_name: bool
    single: bool = False


def normalise_birth_name(text: str) -> str:
    return _normalise(text, _Kind(_("Type the birth name as written on the identity document."),
                                  is_first_name=False))


def normalise_used_name(text: str) -> str:
    return _normalise(text, _Kind(_("Type the used name."), is_first_name=False))


def normalise_first_names(text: str) -> str:
    """The list of birth first names, space separated (e.g. "SARAH-LOU ANNA")."""
    return _normalise(text, _Kind(
        _("Type the birth first names as written on the identity document, separated by spaces."),
        is_first_name=True))


def normalise_first_name(text: str) -> str:
    """One first name (first birth first name, used first name); "JEAN-PIERRE" is one name."""
    return _normalise(text, _Kind(_("Type the first name."), is_first_name=True, single=True))


def first_of(first_names: str) -> str:
    """First entry of a normalised list of first names ("" for an empty list)."""
    entries = first_names.split()
    return entries[0] if entries else ""


def _normalise(text: str, kind: _Kind) -> str:
    # NFC so that a decomposed "e + combining acute" is reported and converted as one "é".
    collapsed = " ".join(unicodedata.normalize("NFC", text).split())
    if not collapsed:
        raise InvalidName(kind.empty_message)
    name = _transliterate(collapsed)
    _check_structure(name, kind)
    return name


def _transliterate(text: str) -> str:
    converted: list[str] = []
    offending: list[str] = []
    for char in text:
        result = _transliterate_char(char)
        if set(result) <= _ALLOWED:
            converted.append(result)
        elif char not in offending:
            offending.append(char)
    if offending:
        shown = ", ".join(_show(char) for char in offending)
        if all(char in _DASHES for char in offending):
            raise InvalidName(
                _("Replace %(characters)s with a hyphen (-): a dash cannot be part of a name.")
                % {"characters": shown})
        raise InvalidName(ngettext(
            "%(characters)s cannot be part of a name: type the name as written on the identity "
            "document, with letters, spaces, hyphens and apostrophes only.",
            "%(characters)s cannot be part of a name: type the name as written on the identity "
            "document, with letters, spaces, hyphens and apostrophes only.",
            len(offending)) % {"characters": shown})
    return "".join(converted)


def _transliterate_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    if char in _HYPHENS:
        return "-"
    if char in _DASHES:
        return char
    bare = "".join(c for c in unicodedata.normalize("NFD", char)
                   if unicodedata.category(c) != "Mn").upper()
    return "".join(_UNDECOMPOSABLE.get(c, c) for c in bare)


def _show(char: str) -> str:
    # An invisible character (zero-width space, soft hyphen…) would print as empty quotes.
    if char.isprintable() and not char.isspace():
        return f"“{char}”"
    return f"U+{ord(char):04X}"


def _check_structure(name: str, kind: _Kind) -> None:
    # Spaces are already single and never at the edges (collapsed above). Because a space may
    # not touch a hyphen or an apostrophe, every entry of a first-name list starts and ends
    # like the whole string, so checking the string's edges checks each entry's edges.
    if not any("A" <= char <= "Z" for char in name):
        raise InvalidName(
            _("Type at least one letter: a name cannot be made only of apostrophes or hyphens."))
    if "''" in name:
        raise InvalidName(_("Remove the doubled apostrophe (''): type a single apostrophe."))
    if " '" in name or "' " in name:
        raise InvalidName(
            _("Remove the space next to the apostrophe: write D'ARC, not D' ARC or D 'ARC."))
    if " -" in name or "- " in name:
        raise InvalidName(
            _("Remove the space next to the hyphen (write DUPONT-MARTIN, not DUPONT - MARTIN), "
              "as on the identity document."))
    if name.startswith("-"):
        raise InvalidName(
            _("A name cannot start with a hyphen: remove it, or type the missing part of the "
              "name before it."))
    if kind.single and " " in name:
        raise InvalidName(
            _("Type one first name only (a composite first name takes a hyphen, as in "
              "JEAN-PIERRE): the other first names go in the list of birth first names."))
    if kind.is_first_name:
        _check_first_name_hyphens(name)
    else:
        _check_name_hyphens(name)
    if len(name) > MAX_LENGTH:
        raise InvalidName(
            _("Shorten the name to %(maximum)d characters: written in capitals without accents "
              "it has %(count)d.") % {"maximum": MAX_LENGTH, "count": len(name)})


def _check_name_hyphens(name: str) -> None:
    # "--" separates the two parts of a double family name on civil-status records (2005–2011).
    if "---" in name:
        raise InvalidName(
            _("Type at most two hyphens in a row: a double family name is written with “--” "
              "(for example DUPONT--MARTIN)."))
    if name.endswith("-"):
        raise InvalidName(
            _("A name cannot end with a hyphen: remove it, or type the missing part of the "
              "name after it."))


def _check_first_name_hyphens(name: str) -> None:
    if "--" in name:
        raise InvalidName(
            _("Type a single hyphen in a first name (for example JEAN-PIERRE): “--” is only "
              "used in family names."))
    if name.endswith(("-", "'")):
        raise InvalidName(
            _("A first name cannot end with a hyphen or an apostrophe: remove it, or type the "
              "rest of the first name."))
