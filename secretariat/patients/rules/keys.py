"""Comparison keys for names and NIR: folding, tokens, a French phonetic key, a checked NIR.

These keys are for *finding* possible duplicates (recherche d'antériorité, doublon detection,
french-rules.md §1.7), never for storing or transmitting a name: the stored name stays as written
on the identity document (§1.4). Pure functions, no Django.
"""

import re
import unicodedata
from functools import lru_cache

from secretariat.patients.rules.nir import nir_key

# Letters that NFD leaves whole (ligatures, stroked letters) but whose Latin reading is
# unambiguous; applied after uppercasing (Python's upper() already turns ß into SS).
_UNDECOMPOSABLE = str.maketrans({"Œ": "OE", "Æ": "AE", "ẞ": "SS", "Ø": "O", "Ł": "L", "Đ": "D",
                                 "Þ": "TH", "Ð": "D", "Ħ": "H", "ı": "I"})
_NOT_A_TO_Z = re.compile(r"[^A-Z]+")
# Separators inside a name: spaces, hyphens (ASCII and typographic), apostrophes (ASCII,
# typographic, modifier letter, backtick), dots of abbreviations.
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014'\u2019\u2018`\u02bc.]+")

# Particles of French, Iberian, Italian, Dutch, German and Arabic names. Kept as tokens (they
# belong to the name) but a match must not rest on them: "LE GALL" and "LE BRIS" share "LE".
PARTICLES = frozenset({
    "D", "DE", "DU", "DES", "LA", "LE", "LES", "L", "DA", "DAS", "DOS", "DI", "DEL", "DELLA",
    "DELA", "VAN", "VON", "DER", "DEN", "TER", "TEN", "EL", "AL", "Y", "E",
})


@lru_cache(maxsize=262_144)
def fold(text: str) -> str:
    """Uppercase A–Z only: diacritics stripped, ligatures spelled out, everything else dropped.

    "D'Almeida-Lefèvre" → "DALMEIDALEFEVRE". Idempotent. Cached: the same names come back
    thousands of times during a database scan.
    """
    upper = text.upper().translate(_UNDECOMPOSABLE)
    decomposed = unicodedata.normalize("NFD", upper)
    return _NOT_A_TO_Z.sub("", decomposed)


@lru_cache(maxsize=262_144)
def name_tokens(text: str) -> tuple[str, ...]:
    """Folded tokens split on spaces, hyphens and apostrophes, particles included.

    "Dumont-Laurent" → ("DUMONT", "LAURENT"); "D'ALMEIDA" → ("D", "ALMEIDA"): the elided
    particle stays a token of its own so that "D'ALMEIDA" and "DALMEIDA" fold to the same
    string while the tokens still show the particle.
    """
    tokens = (fold(part) for part in _SEPARATORS.split(text))
    return tuple(token for token in tokens if token)


def significant_tokens(text: str) -> tuple[str, ...]:
    """name_tokens without the particles (all tokens if the name is made of particles only)."""
    tokens = name_tokens(text)
    kept = tuple(token for token in tokens if token not in PARTICLES)
    return kept or tokens


# --- French phonetic key -------------------------------------------------------------------
#
# Uppercase letters are still spelling; lowercase letters are sound codes produced on the way:
#   x  the "ch" sound        a  nasal an/en        i  nasal in/ain/ein/un
#   o  nasal on              u  the "ou" sound     w  the "oi" sound     e  closed é/è sounds
_VOWELS = "AEIOUYaeiouw"
_NOT_VOWEL_NOR_NM = f"(?![{_VOWELS}NM])"

_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # Mute or merged consonant groups.
        (r"^H", ""),
        (r"PH", "F"),
        (r"([TRGK])H", r"\1"),
        (r"CH(?=[RL])", "K"),           # Christophe, Chloé: Greek "ch" is hard
        (r"S?CH|SH", "x"),
        (r"X$", ""),                    # Devaux, Giraux: final x is silent
        (r"X", "KS"),
        (r"C(?=[EIY])", "S"),
        (r"QU?|C", "K"),
        (r"GE(?=[AOU])", "J"),          # Georges, Geoffroy
        (r"G(?=[EIY])", "J"),
        (r"GU(?=[AEIOY])", "G"),        # Guillaume, Guy: the u only hardens the g
        (r"GN", "NI"),                  # Agnès, Montagne: the palatal n sounds like n + i
        (r"BV", "V"),                   # Lefebvre: the b is not pronounced
        (r"W", "V"),
        (r"Y", "I"),
        (r"Z", "S"),
        (r"H", ""),                     # any h left is mute (c-h and p-h are already gone)
        # Vowel groups.
        (r"AULT$", "O"),                # Thibault, Perrault
        (r"EAU|AU", "O"),
        (r"OEU|EU", "E"),
        (r"OU", "u"),
        (r"OI", "w"),
        (r"(?<=[AEOUu])ILL", "I"),      # Maillard, Feuillet: "ill" after a vowel is a y sound
        (r"(?:ER|ET|EZ)$", "e"),        # Roger, Moulinet, Chez: final closed e
        # Nasal vowels: a vowel + n/m not followed by a vowel or another n/m; before AI→e so
        # that Martain keeps its nasal.
        (rf"(?:AI|EI|IE|I|U)[NM]{_NOT_VOWEL_NOR_NM}", "i"),
        (rf"[AE][NM]{_NOT_VOWEL_NOR_NM}", "a"),
        (rf"O[NM]{_NOT_VOWEL_NOR_NM}", "o"),
        (r"AI|EI", "e"),
        (r"(.)\1+", r"\1"),             # doubled letters sound single (after the nasal test)
        # Silent endings: plural-like s, final t/d, then a p/g/k after a nasal (champ, long, blanc).
        (r"(?:[TD]+S?|S)$", ""),
        (r"(?<=[aio])[PGK]$", ""),
        (r"(?<=.)E$", ""),              # mute final e, keeping a one-letter word
        (r"(?<=.)S$", ""),              # Georges: s then e
        (r"(.)\1+", r"\1"),             # doubled letters sound single
    )
)


@lru_cache(maxsize=262_144)
def phonetic_key(text: str) -> str:
    """A French phonetic key for names, untruncated, readable.

    Adapted from Frédéric Brouard's SOUNDEX2 and PHONEX ("L'art des Soundex",
    sqlpro.developpez.com/cours/soundex): same families of rules (PH→F, QU/C/K→K, GU/GE,
    mute H, EAU/AU→O, AI/EI→E, nasal vowels coded apart, silent final letters, doubled letters),
    but vowels are kept instead of being collapsed and the key is not cut to 4 characters,
    because the key is used to block a scan of a whole population and must not lump MARTIN
    with MARTINEZ. Words of several parts are folded together first ("LE GALL" = "LEGALL").

    LEFEBVRE = LEFEVRE = LEFÈVRE, MARTIN = MARTAIN, THOMAS = TOMAS, PHILIPPE = FILIPE,
    DUPONT = DUPOND; MARTIN ≠ MARTINEZ, DUPONT ≠ DURAND.
    """
    key = fold(text)
    for pattern, replacement in _RULES:
        key = pattern.sub(replacement, key)
    return key


_NIR_SHAPE = re.compile(r"[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{8}")


def comparable_nir(text: str) -> str:
    """The NIR without spaces if its key is right, else "": a wrong NIR proves nothing.

    The key comes from ``rules.nir.nir_key``; no message or consistency warning is built, since
    a scan checks a million NIRs.
    """
    nir = "".join(text.split()).upper()
    if not _NIR_SHAPE.fullmatch(nir):
        return ""
    return nir if nir_key(nir[:13]) == nir[13:] else ""
