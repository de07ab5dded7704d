"""Candidate duplicates (doublons) between patient identities: pure comparison and blocking.

french-rules.md §1.7: a doublon is one person with two records; the application never merges on
its own, it proposes candidates to the identitovigilance role. compare() grades a pair with the
FHIR match-grade values (certain, probable, possible, certainly-not) and says why.

Three pillars of the traits stricts carry the match: family name, first names, birth date. Each
is graded exact, near (a known entry error: typo, accents, names inverted, used name typed as
birth name, missing second first name, day and month swapped, one digit of the year…), weak or
different, and weighs its evidence in bits. Every pillar must be at least near for a pair to be
worth a look: a twin differs by first names, a parent or a namesake by birth date, and no sum
of agreeing traits may outweigh that. Sex, birthplace and NIR confirm or contradict.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from itertools import accumulate, pairwise

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rapidfuzz.distance import OSA, JaroWinkler

from secretariat.patients.rules.keys import (
    comparable_nir,
    fold,
    name_tokens,
    phonetic_key,
    significant_tokens,
)


@dataclass(frozen=True)
class Identity:
    id: int
    birth_name: str
    first_names: str  # the list of birth first names, space separated
    birth_date: date
    sex: str  # "F", "M" or "I"
    used_name: str = ""
    used_first_name: str = ""
    birthplace_code: str = ""  # COG code, may be empty
    nir: str = ""  # may be empty


class Grade(StrEnum):
    """FHIR match-grade (http://hl7.org/fhir/match-grade)."""

    CERTAIN = "certain"
    PROBABLE = "probable"
    POSSIBLE = "possible"
    CERTAINLY_NOT = "certainly-not"


@dataclass(frozen=True)
class Match:
    score: float  # 0..1
    grade: Grade
    reasons: tuple[str, ...]  # translated, most telling first


class _Level(IntEnum):
    DIFFERENT = 0
    WEAK = 1
    NEAR = 2
    EXACT = 3


_RANK = {Grade.CERTAINLY_NOT: 0, Grade.POSSIBLE: 1, Grade.PROBABLE: 2, Grade.CERTAIN: 3}
_MIN_TYPO_LENGTH = 4  # one letter out of three is not a typo any more: LEA / LEO

# Evidence is counted in bits, log2(m / u) in the Fellegi–Sunter way: m is the share of true
# duplicates showing an outcome, u the share of pairs of different people showing it. The
# figures are rough estimates from name and date frequencies (a birth date is shared by one
# pair in ~30,000, a common name by one in ~300…), not fitted to labelled data.
_BITS_SEX_SAME, _BITS_SEX_DIFFERENT = 1.0, -5.6
# A country of birth is shared by many, and more so by people whose names share an origin.
_BITS_PLACE_SAME_COMMUNE, _BITS_PLACE_SAME_COUNTRY, _BITS_PLACE_DIFFERENT = 7.0, 2.0, -4.3
# Two valid NIRs that both fit their record's sex, year and month are two people's own
# numbers; a NIR that does not fit may be the insured parent's, typed by mistake.
_BITS_NIR_SAME, _BITS_NIR_DIFFERENT, _BITS_NIR_DIFFERENT_BOTH_FIT = 20.0, -5.6, -12.0
# Fellegi–Sunter assumes the traits independent; relatives break that (twins share name, date
# and birthplace at once). What tells them apart is a pillar that does not match, so such a
# pillar costs far more than its own m / u, and so do a different sex with different first
# names (the first names agree with the sex: two people).
_BITS_PILLAR_PENALTY = {_Level.EXACT: 0.0, _Level.NEAR: 0.0, _Level.WEAK: -16.0,
                        _Level.DIFFERENT: -20.0}
_BITS_OTHER_SEX_OTHER_NAME = -20.0
_POSSIBLE_BITS, _PROBABLE_BITS = 15.0, 22.0
# Every trait agreeing: 8 + 7 + 14.5 + 1 + 7 bits; a matching NIR adds 20.
_SCORE_ANCHORS = ((_POSSIBLE_BITS, 0.5), (_PROBABLE_BITS, 0.9), (37.5, 0.99), (57.5, 1.0))

_SCORE_BANDS = {Grade.CERTAINLY_NOT: (0.0, 0.4999), Grade.POSSIBLE: (0.5, 0.8999),
                Grade.PROBABLE: (0.9, 0.9899), Grade.CERTAIN: (0.99, 1.0)}

_Outcome = tuple[float, _Level, str]  # bits, level, untranslated reason


@dataclass(frozen=True, slots=True)
class _Traits:
    """What the comparison needs, computed once per identity."""

    birth: str
    birth_raw: str
    birth_tokens: tuple[str, ...]
    birth_phonetic: str
    used: str
    first_all: str
    first_raw: str
    first_list: tuple[str, ...]  # each first name folded, compound first names kept whole
    first_tokens: tuple[str, ...]  # compound first names split as well
    first_bounds: frozenset[int]  # token counts at which a first name of the list ends
    first_rest: str  # the first names after the first one, folded together
    first: str
    first_phonetic: str
    used_first: str
    birth_date: date
    sex: str
    place: str
    nir: str  # cleaned and valid, or ""


def _prepare(identity: Identity) -> _Traits:
    parts = identity.first_names.split()
    first_list = tuple(f for f in (fold(part) for part in parts) if f)
    first = first_list[0] if first_list else ""
    return _Traits(
        birth=fold(identity.birth_name),
        birth_raw=" ".join(identity.birth_name.upper().split()),
        birth_tokens=significant_tokens(identity.birth_name),
        birth_phonetic=phonetic_key(identity.birth_name),
        used=fold(identity.used_name),
        first_all="".join(first_list),
        first_raw=" ".join(identity.first_names.upper().split()),
        first_list=first_list,
        first_tokens=name_tokens(identity.first_names),
        first_bounds=frozenset(accumulate(len(name_tokens(part)) for part in parts)),
        first_rest="".join(first_list[1:]),
        first=first,
        first_phonetic=phonetic_key(first),
        used_first=fold(identity.used_first_name),
        birth_date=identity.birth_date,
        sex=identity.sex,
        place=identity.birthplace_code.strip().upper(),
        nir=comparable_nir(identity.nir),
    )


def _one_typo(a: str, b: str, shortest: int = _MIN_TYPO_LENGTH) -> bool:
    """One substitution, insertion, deletion or swap of neighbours, in a long enough word."""
    return min(len(a), len(b)) >= shortest and OSA.distance(a, b, score_cutoff=1) == 1


def _family_name(a: _Traits, b: _Traits) -> _Outcome:
    near = _Level.NEAR
    if a.birth == b.birth:
        if a.birth_raw != b.birth_raw:
            return 8.0, _Level.EXACT, gettext_noop("birth names differ only by accents or punctuation")
        return 8.0, _Level.EXACT, gettext_noop("same birth name")
    if (a.used and a.used == b.birth) or (b.used and b.used == a.birth):
        return 6.0, near, gettext_noop("used name matches birth name")
    if a.birth_tokens == b.birth_tokens:
        return 6.0, near, gettext_noop("birth names differ only by a particle")
    if _one_typo(a.birth, b.birth):
        return 5.0, near, gettext_noop("names differ by one letter (typo)")
    if _one_typo(a.birth, b.birth, shortest=2):
        # VO / VU, LE / LY: in a short name one letter more or less makes another real name,
        # so the other traits must carry the match.
        bits = 3.0 if min(len(a.birth), len(b.birth)) >= 3 else 0.0
        return bits, near, gettext_noop("names differ by one letter (typo)")
    if a.birth_phonetic and a.birth_phonetic == b.birth_phonetic:
        return 5.0, near, gettext_noop("names sound alike")
    short, long_ = sorted((set(a.birth_tokens), set(b.birth_tokens)), key=len)
    if short < long_ and all(len(token) >= 3 for token in short):
        return 5.0, near, gettext_noop("compound birth name partly entered")
    if a.used and a.used == b.used:
        return 3.0, near, gettext_noop("same used name, different birth names")
    if JaroWinkler.similarity(a.birth, b.birth) >= 0.9:
        return 0.0, _Level.WEAK, gettext_noop("birth names are similar")
    return -6.5, _Level.DIFFERENT, gettext_noop("different birth names")


def _first_names(a: _Traits, b: _Traits) -> _Outcome:
    near = _Level.NEAR
    if a.first_all == b.first_all:
        if a.first_raw != b.first_raw:
            return 7.0, _Level.EXACT, gettext_noop("first names differ only by accents or punctuation")
        return 7.0, _Level.EXACT, gettext_noop("same first names")
    shorter, longer = sorted((a, b), key=lambda traits: len(traits.first_tokens))
    count = len(shorter.first_tokens)
    # Jean and Jean-Paul are two first names of the civil status; Jean and Jean Paul are one
    # first name with the second one missing: the cut must fall between two first names.
    prefix = count > 0 and longer.first_tokens[:count] == shorter.first_tokens
    if prefix and count in longer.first_bounds:
        return 4.0, near, gettext_noop("second first name missing")
    # A typo on the first first name counts when the other first names agree: a typo plus a
    # missing first name is two differences, as between twins Marine and Marie Christine.
    rest_agree = a.first_rest == b.first_rest
    # On the whole list too, so that a hyphen typed as a space elsewhere does not hide a typo.
    if (rest_agree and _one_typo(a.first, b.first)) or _one_typo(a.first_all, b.first_all, 5):
        return 5.0, near, gettext_noop("first names differ by one letter (typo)")
    if rest_agree and _one_typo(a.first, b.first, shortest=3):
        # LEA / LZA: a short first name with a typo is near many others (LEO, LIA, EVA…).
        return 2.0, near, gettext_noop("first names differ by one letter (typo)")
    if rest_agree and a.first_phonetic and a.first_phonetic == b.first_phonetic:
        return 5.0, near, gettext_noop("first names sound alike")
    # The first name used day to day typed as the only first names of the other record.
    if _used_first_name_typed(a, b) or _used_first_name_typed(b, a):
        return 2.0, near, gettext_noop("used first name matches")
    # Being called by one's second first name happens, but "Pierre" is the second first name
    # of so many that it says little on its own.
    if (a.first and a.first in b.first_list[1:]) or (b.first and b.first in a.first_list[1:]):
        return 0.0, _Level.WEAK, gettext_noop("another of the first names used")
    if a.first == b.first:
        return 0.0, _Level.WEAK, gettext_noop("same first first name, other first names differ")
    if prefix:
        return 0.0, _Level.WEAK, gettext_noop("compound first name partly entered")
    if JaroWinkler.similarity(a.first, b.first) >= 0.9:
        return 0.0, _Level.WEAK, gettext_noop("first names are similar")
    return -5.5, _Level.DIFFERENT, gettext_noop("different first names")


def _used_first_name_typed(a: _Traits, b: _Traits) -> bool:
    """b holds a's used first name, and nothing but first names of a."""
    return (bool(a.used_first) and b.first == a.used_first
            and set(b.first_list) <= {*a.first_list, a.used_first})


def _digits_apart(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


def _birth_dates(a: date, b: date) -> _Outcome:
    near = _Level.NEAR
    if a == b:
        return 14.5, _Level.EXACT, gettext_noop("same birth date")
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return 10.0, near, gettext_noop("day and month swapped")
    if a.month == b.month and a.day == b.day:
        year_a, year_b = f"{a.year:04d}", f"{b.year:04d}"
        if _digits_apart(year_a, year_b) == 1:
            return 6.0, near, gettext_noop("one digit of the birth year differs")
        if sorted(year_a) == sorted(year_b) and _digits_apart(year_a, year_b) == 2:
            return 5.5, near, gettext_noop("two digits of the birth year swapped")
        return 0.0, _Level.WEAK, gettext_noop("same birthday, different birth years")
    month_day_a, month_day_b = f"{a.month:02d}{a.day:02d}", f"{b.month:02d}{b.day:02d}"
    if a.year == b.year and _digits_apart(month_day_a, month_day_b) == 1:
        return 5.5, near, gettext_noop("one digit of the birth day or month differs")
    if abs((a - b).days) <= 31:
        return 0.0, _Level.WEAK, gettext_noop("birth dates less than a month apart")
    return -6.0, _Level.DIFFERENT, gettext_noop("different birth dates")


def _department(place: str) -> str:
    return place[:3] if place.startswith("97") else place[:2]


def _nir_fits(traits: _Traits) -> bool:
    """The NIR's sex, year and month agree with the record (a pseudo-month agrees with any)."""
    nir, born = traits.nir, traits.birth_date
    sex_fits = {"1": "M", "2": "F"}.get(nir[0]) in (traits.sex, None) or traits.sex == "I"
    month = int(nir[3:5])
    return sex_fits and int(nir[1:3]) == born.year % 100 and (month > 12 or month == born.month)


def _inverted(a: _Traits, b: _Traits) -> bool:
    """Family name typed as first name and the other way round (one typo allowed on each)."""
    def close(x: str, y: str) -> bool:
        return bool(x) and (x == y or _one_typo(x, y))

    def crossed(x: _Traits, y: _Traits) -> bool:
        return close(x.birth, y.first) or close(x.birth, y.first_all)
    return crossed(a, b) and crossed(b, a)


def _evaluate(a: _Traits, b: _Traits, *,
              floor: Grade = Grade.CERTAINLY_NOT) -> tuple[float, Grade, tuple[str, ...]]:
    """Score, grade and untranslated reasons. Above the certainly-not floor, returns early once
    the pair cannot reach the floor (a scan needs nothing about the pairs it drops)."""
    same_nir = bool(a.nir) and a.nir == b.nir
    date_bits, date_level, date_reason = _birth_dates(a.birth_date, b.birth_date)
    if floor != Grade.CERTAINLY_NOT and not same_nir and date_level < _Level.NEAR:
        return 0.0, Grade.CERTAINLY_NOT, ()  # at most 8 + 7 + 1 + 7 - 16 bits: below possible
    name_bits, name_level, name_reason = _family_name(a, b)
    first_bits, first_level, first_reason = _first_names(a, b)
    reasons = [name_reason, first_reason, date_reason]
    if min(name_level, first_level) < _Level.NEAR and _inverted(a, b):
        name_bits, name_level = first_bits, first_level = 5.0, _Level.NEAR
        reasons[:2] = [gettext_noop("first and last names inverted")]
    bits = name_bits + first_bits + date_bits
    bits += sum(_BITS_PILLAR_PENALTY[level] for level in (name_level, first_level, date_level))

    sex_differs = a.sex != b.sex and "I" not in (a.sex, b.sex)
    contradiction = sex_differs  # a trait that speaks against: never more than possible
    if sex_differs:
        bits += _BITS_SEX_DIFFERENT
        reasons.append(gettext_noop("different sex"))
        if first_level != _Level.EXACT:
            bits += _BITS_OTHER_SEX_OTHER_NAME
    elif a.sex == b.sex:
        bits += _BITS_SEX_SAME
    if a.place and b.place:
        if a.place == b.place:
            abroad = a.place.startswith("99")
            bits += _BITS_PLACE_SAME_COUNTRY if abroad else _BITS_PLACE_SAME_COMMUNE
            reasons.append(gettext_noop("same birthplace"))
        elif _department(a.place) == _department(b.place) != "99":
            # Maternity commune or residence, arrondissement or city code: says little either way.
            reasons.append(gettext_noop("birthplaces in the same département"))
        else:
            bits += _BITS_PLACE_DIFFERENT
            reasons.append(gettext_noop("different birthplaces"))
            contradiction = True
    nir_differs = bool(a.nir) and bool(b.nir) and a.nir != b.nir
    if nir_differs:
        contradiction = True
        both_fit = _nir_fits(a) and _nir_fits(b)
        bits += _BITS_NIR_DIFFERENT_BOTH_FIT if both_fit else _BITS_NIR_DIFFERENT
        reasons.insert(0, gettext_noop("different NIRs"))
    if same_nir:
        bits += _BITS_NIR_SAME
        reasons.insert(0, gettext_noop("same NIR"))

    names_near = min(name_level, first_level) >= _Level.NEAR
    strict_identical = (a.birth == b.birth and first_level == date_level == _Level.EXACT
                        and a.sex == b.sex != "I" and a.place != "" and a.place == b.place)
    if (strict_identical and not nir_differs) or (
            same_nir and names_near and date_level >= _Level.NEAR and not sex_differs):
        grade = Grade.CERTAIN
    elif (bits >= _PROBABLE_BITS and not contradiction) or (
            same_nir and names_near and not sex_differs):
        grade = Grade.PROBABLE  # same NIR and names: the birth date was typed from elsewhere
    elif bits >= _POSSIBLE_BITS or same_nir:
        grade = Grade.POSSIBLE  # the same NIR on two different people is an error to look at
    else:
        grade = Grade.CERTAINLY_NOT
    # The score follows the evidence, kept within its grade's band so that sorting candidates
    # by score never puts a capped or NIR-raised grade out of place.
    low, high = _SCORE_BANDS[grade]
    return round(min(max(_score(bits), low), high), 4), grade, tuple(reasons)


def _score(bits: float) -> float:
    """0.5 at the possible threshold, 0.9 at the probable one, 0.99 for all traits agreeing;
    linear in the evidence between those points so that probable pairs still sort apart."""
    if bits < _POSSIBLE_BITS:
        return 0.5 * 2.0 ** ((bits - _POSSIBLE_BITS) / 4.0)
    for (x0, y0), (x1, y1) in pairwise(_SCORE_ANCHORS):
        if bits < x1:
            return y0 + (y1 - y0) * (bits - x0) / (x1 - x0)
    return 1.0


def compare(a: Identity, b: Identity) -> Match:
    """Grade how likely a and b are the same person. Symmetric in a and b."""
    score, grade, reasons = _evaluate(_prepare(a), _prepare(b))
    return Match(score=score, grade=grade, reasons=tuple(_(reason) for reason in reasons))


def _keys(traits: _Traits) -> set[str]:
    day, month, year = traits.birth_date.day, traits.birth_date.month, traits.birth_date.year
    # Day and month in a fixed order, so a swapped entry lands in the same block.
    low, high = sorted((day, month))
    names = {name for name in (traits.birth, traits.used, traits.first, traits.used_first) if name}
    sounds = {name: phonetic_key(name) or name for name in names}
    keys = {f"D{year}{low:02d}{high:02d}{name[0]}" for name in names}
    for name in (traits.birth, traits.used):
        if name:  # family names are diverse enough to block on their sound alone
            keys.add(f"Y{low:02d}{high:02d}{sounds[name]}")
    for name, sound in sounds.items():
        keys.add(f"M{year}{month:02d}{sound}")  # the day is wrong
        keys.add(f"J{year}{day:02d}{sound}")  # the month is wrong
        # The year is wrong: the sound of one name with the first or the last letter of another,
        # whatever their roles, so names typed in each other's field still meet and a typo
        # spares one of the two letters; the letter keeps blocks of common first names small.
        for other in names - {name}:
            keys.add(f"Y{low:02d}{high:02d}{sound}<{other[0]}")
            keys.add(f"Y{low:02d}{high:02d}{sound}>{other[-1]}")
    if traits.nir:
        keys.add(f"N{traits.nir}")
    return keys


def blocking_keys(identity: Identity) -> set[str]:
    """Keys such that a true duplicate shares at least one of them with the original.

    Birth date (day and month in either order) with the initial of any name, so any error on
    the names that spares one initial is found; then the sound (phonetic key) of each name with
    two of the three parts of the date, so one wrong part of the date plus an error on another
    name is still found; then the NIR. A scan only compares identities that share a key.
    """
    return _keys(_prepare(identity))


def find_duplicate_pairs(
    identities: Iterable[Identity], *, threshold_grade: Grade = Grade.POSSIBLE,
) -> Iterator[tuple[Identity, Identity, Match]]:
    """Every pair graded threshold_grade or above, each pair once, in input order.

    Blocking then comparison: memory grows with the number of keys (about fourteen per
    identity), time with the number of pairs sharing a key.
    """
    people = list(identities)
    traits = [_prepare(identity) for identity in people]
    blocks: dict[str, list[int]] = defaultdict(list)
    keys_of: list[tuple[str, ...]] = []
    for index, item in enumerate(traits):
        keys = tuple(_keys(item))
        keys_of.append(keys)
        for key in keys:
            blocks[key].append(index)
    floor_rank = _RANK[threshold_grade]
    for index, keys in enumerate(keys_of):
        candidates: set[int] = set()
        for key in keys:
            block = blocks[key]
            if len(block) > 1:
                candidates.update(block)
        left = traits[index]
        for other in sorted(candidates):
            if other <= index:
                continue
            score, grade, reasons = _evaluate(left, traits[other], floor=threshold_grade)
            if _RANK[grade] >= floor_rank:
                match = Match(score=score, grade=grade, reasons=tuple(_(r) for r in reasons))
                yield people[index], people[other], match
