"""Places of birth as INSEE COG codes, for the "lieu de naissance" trait strict (RNIV).

The code is the one of the INSEE Code officiel géographique (COG): for someone born in France,
the code of the commune at the date of birth (75056 Paris, 2A004 Ajaccio, 97120 Pointe-à-Pitre,
or an arrondissement municipal such as 75115); for someone born abroad, the country code "99"
+ 3 digits (99350 Morocco). 99100 (France in the country list) is never a birthplace: see
shared/domain/french-rules.md §1.3. Secretaries pick the place from ``search`` results; the
code is what is stored and checked with ``is_known``.

Data (loaded once per process, lazily):

- ``data/communes.json.gz``: communes, communes déléguées and associées, arrondissements
  municipaux and the communes' former codes, from the npm package
  ``@etalab/decoupage-administratif`` (INSEE COG), compacted by ``bin/setup`` with
  ``secretariat.patients.birthplaces_build``. Generated, not committed.
- ``data/countries.csv``: committed list of INSEE country and territory codes.
- ``data/countries-insee.csv``: optional, written by ``manage.py load_countries`` from the
  official INSEE file; its codes replace those of countries.csv.

A process reads the files once: after ``bin/setup`` or ``load_countries``, restart the
web server and the workers (``reload()`` does it for the current process).
"""

from __future__ import annotations

import csv
import gc
import gzip
import heapq
import json
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

# Module attribute rather than a setting: tests point it at a temporary directory.
DATA_DIR: Path = Path(__file__).resolve().parent / "data"
COMMUNES_FILE = "communes.json.gz"
COUNTRIES_FILE = "countries.csv"
OFFICIAL_COUNTRIES_FILE = "countries-insee.csv"
COMMUNES_FORMAT = 1

COMMUNE = "commune"
COUNTRY = "country"
FRANCE_COUNTRY_CODE = "99100"

COMMUNE_CODE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
COUNTRY_CODE_RE = re.compile(r"^99\d{3}$")
# A query that may be the start of a code: "69", "2A", "971", "6912".
CODE_PREFIX_RE = re.compile(r"^(?:\d{2,4}|2[AB]\d{0,2})$")
DEPARTMENT_RE = re.compile(r"^(?:\d{2,3}|2[AB])$")

# What secretaries type for the saints of ~4,000 commune names.
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}

# Ranking groups, after exact names (see search): current communes by population,
# then former communes, then countries.
_CURRENT_COMMUNE, _FORMER_COMMUNE, _FORMER_CODE, _COUNTRY, _FORMER_COUNTRY = range(5)


@dataclass(frozen=True, slots=True)
class Birthplace:
    code: str  # COG code, 5 characters
    name: str  # "Lyon", "Maroc"
    kind: str  # COMMUNE or COUNTRY
    department: str  # "69", "2A", "971" for communes; "" for countries
    postal_codes: tuple[str, ...]
    current: bool  # False for a former commune (déléguée/associée, former code) or country
    successor: str = ""  # for a former commune: the code of the commune it belongs to today

    @property
    def label(self) -> str:
        if self.kind == COUNTRY:
            if self.current:
                return _("%(name)s (country)") % {"name": self.name}
            return _("%(name)s (former country)") % {"name": self.name}
        if self.current:
            return f"{self.name} ({self.department})"
        return _("%(name)s (%(department)s, former commune code)") % {
            "name": self.name,
            "department": self.department,
        }


_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
_SEPARATORS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case, no accents, words separated by one space: "L'Haÿ-les-Roses" → "l hay les roses"."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("œ", "oe").replace("æ", "ae")
    # Punctuation ("’", "-", "(") separates words; it must go before the ASCII step drops it.
    text = _SEPARATORS.sub(" ", text)
    # NFKD splits "é" into "e" + accent; the ASCII encoding then drops the accent.
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_NOT_ALPHANUMERIC.sub(" ", text).split())


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()


# --- countries files -------------------------------------------------------------------------


def read_countries(path: Path) -> list[tuple[str, str, bool]]:
    """(code, name, former) rows of a countries file; comment lines start with "#".

    Raises ValueError naming the line, so a broken file fails loudly instead of silently
    dropping places of birth.
    """
    rows: list[tuple[str, str, bool]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        # One CSV record per line (no multi-line fields), so errors can name the line.
        lines = [
            (number, next(csv.reader([line])))
            for number, line in enumerate(handle, start=1)
            if line.strip() and not line.startswith("#")
        ]
    if not lines or [column.strip() for column in lines[0][1][:2]] != ["code", "name_fr"]:
        raise ValueError(f"{path.name}: the header must be code,name_fr[,former]")
    for number, row in lines[1:]:
        code = normalise_code(row[0])
        name = row[1].strip() if len(row) > 1 else ""
        former = len(row) > 2 and row[2].strip() in {"1", "true", "True"}
        if not COUNTRY_CODE_RE.match(code) or not name:
            raise ValueError(f"{path.name}, line {number}: expected a 99xxx code and a name")
        if code != FRANCE_COUNTRY_CODE:
            rows.append((code, name, former))
    return rows


def write_countries(path: Path, rows: Iterable[tuple[str, str, bool]], *, comments: Iterable[str]) -> None:
    """Write a countries file in the format read by ``read_countries``."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        for comment in comments:
            handle.write(f"# {comment}\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name_fr", "former"])
        for code, name, former in rows:
            writer.writerow([code, name, "1" if former else ""])


def _country_rows(data_dir: Path) -> list[tuple[str, str, bool]]:
    rows = read_countries(data_dir / COUNTRIES_FILE)
    official_path = data_dir / OFFICIAL_COUNTRIES_FILE
    if official_path.exists():
        official = read_countries(official_path)
        official_codes = {code for code, _name, _former in official}
        rows = [row for row in rows if row[0] not in official_codes] + official
    return rows


# --- index -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Index:
    places: tuple[Birthplace, ...]  # best first: a position is a rank
    words: tuple[tuple[str, ...], ...]  # folded words of each name; () if not searchable by name
    by_code: dict[str, int]  # preferred place of each code (current before former)
    all_by_code: dict[str, tuple[int, ...]]
    by_postal_code: dict[str, tuple[int, ...]]
    by_name: dict[str, tuple[int, ...]]  # folded name → places, for exact names
    by_compact_name: dict[str, tuple[int, ...]]  # "lhaylesroses" → places
    word_keys: tuple[str, ...]  # sorted words, with word_ids: prefix ranges by bisect
    word_ids: tuple[int, ...]
    compact_keys: tuple[str, ...]  # sorted names without spaces, with compact_ids
    compact_ids: tuple[int, ...]
    code_keys: tuple[str, ...]  # sorted codes, for a code being typed
    source: str


def _read_communes(data_dir: Path) -> tuple[str, list[list]]:
    path = data_dir / COMMUNES_FILE
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise ImproperlyConfigured(f"{path} is missing: run bin/setup to build it from npm.") from None
    if document.get("format") != COMMUNES_FORMAT:
        raise ImproperlyConfigured(f"{path} has an unknown format: run bin/setup again.")
    return document["source"], document["rows"]


def _build_index(data_dir: Path) -> _Index:
    source, rows = _read_communes(data_dir)
    # (group, -population, folded name, place): sorted once, so that ranking is an int.
    keyed: list[tuple[int, int, str, Birthplace]] = []
    known: set[str] = set()
    former_codes: list[tuple[str, list]] = []
    for code, name, department, kind, population, postal_codes, parent, old_codes in rows:
        current = kind in {"commune-actuelle", "arrondissement-municipal"}
        place = Birthplace(
            code=code,
            name=name,
            kind=COMMUNE,
            department=department,
            postal_codes=tuple(postal_codes),
            current=current,
            successor="" if current else parent,
        )
        group = _CURRENT_COMMUNE if current else _FORMER_COMMUNE
        keyed.append((group, -population if current else 0, fold(name), place))
        known.add(code)
        former_codes.extend((old_code, [name, department, code]) for old_code in old_codes)
    for old_code, (name, department, successor) in former_codes:
        # A code that has its own entry (commune déléguée/associée) keeps its own name; the
        # others (code changes, old absorptions) are only known by the commune they joined.
        if old_code not in known:
            place = Birthplace(old_code, name, COMMUNE, department, (), False, successor)
            keyed.append((_FORMER_CODE, 0, "", place))
            known.add(old_code)
    seen_countries: set[tuple[str, str]] = set()
    for code, name, former in _country_rows(data_dir):
        if (code, name) in seen_countries:
            continue
        seen_countries.add((code, name))
        place = Birthplace(code, name, COUNTRY, "", (), not former)
        keyed.append((_FORMER_COUNTRY if former else _COUNTRY, 0, fold(name), place))
    keyed.sort(key=lambda item: (item[0], item[1], item[2], item[3].code))

    places = tuple(item[3] for item in keyed)
    folded = [item[2] for item in keyed]
    words = tuple(tuple(dict.fromkeys(name.split())) for name in folded)
    by_code: dict[str, int] = {}
    groups: dict[str, dict[str, list[int]]] = {"code": {}, "postal": {}, "name": {}, "compact": {}}
    word_pairs: list[tuple[str, int]] = []
    compact_pairs: list[tuple[str, int]] = []
    for position, place in enumerate(places):
        by_code.setdefault(place.code, position)  # first = best ranked = current if any
        groups["code"].setdefault(place.code, []).append(position)
        for postal_code in place.postal_codes:
            groups["postal"].setdefault(postal_code, []).append(position)
        if folded[position]:
            compact = folded[position].replace(" ", "")
            groups["name"].setdefault(folded[position], []).append(position)
            groups["compact"].setdefault(compact, []).append(position)
            word_pairs.extend((word, position) for word in words[position])
            compact_pairs.append((compact, position))
    word_pairs.sort()
    compact_pairs.sort()
    frozen = {key: {name: tuple(ids) for name, ids in group.items()} for key, group in groups.items()}
    return _Index(
        places=places,
        words=words,
        by_code=by_code,
        all_by_code=frozen["code"],
        by_postal_code=frozen["postal"],
        by_name=frozen["name"],
        by_compact_name=frozen["compact"],
        word_keys=tuple(word for word, _position in word_pairs),
        word_ids=tuple(position for _word, position in word_pairs),
        compact_keys=tuple(key for key, _position in compact_pairs),
        compact_ids=tuple(position for _key, position in compact_pairs),
        code_keys=tuple(sorted(by_code)),
        source=source,
    )


@cache
def _index() -> _Index:
    # The build makes some 400,000 small objects, none in a reference cycle: without the
    # cyclic collector scanning the growing heap again and again it takes half the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_index(DATA_DIR)
    finally:
        if collecting:
            gc.enable()


def reload() -> None:
    """Forget the loaded data (after load_countries, or in tests that move DATA_DIR)."""
    _index.cache_clear()


def source() -> str:
    """Where the commune data comes from, e.g. "@etalab/decoupage-administratif 6.0.0 (…)"."""
    return _index().source


def counts() -> dict[str, int]:
    """Number of distinct codes per kind, for the set-up report and the tests."""
    index = _index()
    result = {COMMUNE: 0, COUNTRY: 0}
    for position in index.by_code.values():
        result[index.places[position].kind] += 1
    return result


# --- public API ------------------------------------------------------------------------------


def lookup(code: str) -> Birthplace | None:
    """The place of a COG code; a current commune rather than a former one sharing its code."""
    index = _index()
    position = index.by_code.get(normalise_code(code))
    return None if position is None else index.places[position]


def is_known(code: str) -> bool:
    return normalise_code(code) in _index().by_code


def search(text: str, *, limit: int = 15) -> list[Birthplace]:
    """Places matching what a secretary typed, best first.

    Understands a name or its first letters, word by word, without accents, case, hyphens or
    apostrophes ("st etienne", "saint-étienne", "l'hay", "lhay"), a department beside the name
    ("lyon 69"), a postal code ("69001"), a COG code or its beginning ("2A004", "69").
    Exact names (and codes, postal codes) come first, then current communes by population,
    then former communes, then countries.
    """
    index = _index()
    tokens = fold(text or "").split()
    if not tokens or limit <= 0:
        return []
    exact: set[int] = set()
    others: list[Iterable[int]] = []  # each in rank order

    if len(tokens) == 1:
        token = tokens[0].upper()
        if COMMUNE_CODE_RE.match(token):
            exact.update(index.all_by_code.get(token, ()))
            exact.update(index.by_postal_code.get(token, ()))
        elif CODE_PREFIX_RE.match(token):
            start = bisect_left(index.code_keys, token)
            end = bisect_left(index.code_keys, token + "\uffff")
            others.append(sorted(index.by_code[code] for code in index.code_keys[start:end]))

    # Numbers and codes beside a name narrow it down ("lyon 69", "ajaccio 2a004").
    filters = [token for token in tokens if token.isdigit() or COMMUNE_CODE_RE.match(token.upper())]
    name_tokens = [token for token in tokens if token not in filters]
    department_tokens = [token for token in name_tokens if DEPARTMENT_RE.match(token.upper())]
    if department_tokens and len(department_tokens) < len(name_tokens):
        # "ajaccio 2a": 2a is the department, not the start of a word.
        name_tokens = [token for token in name_tokens if token not in department_tokens]
        filters += department_tokens
    if name_tokens:
        exact.update(_exact_names(index, name_tokens, filters))
        others.append(_names_in_rank_order(index, name_tokens, filters, limit))

    # Positions are ranks: exact matches by rank, then the others merged by rank.
    chosen = sorted(exact)[:limit]
    seen = set(chosen)
    for position in heapq.merge(*others):
        if len(chosen) >= limit:
            break
        if position not in seen:
            seen.add(position)
            chosen.append(position)
    return [index.places[position] for position in chosen]


def _exact_names(index: _Index, name_tokens: list[str], filters: list[str]) -> set[int]:
    expanded = [ABBREVIATIONS.get(token, token) for token in name_tokens]
    found: set[int] = set()
    for words in (name_tokens, expanded):
        found.update(index.by_name.get(" ".join(words), ()))
        found.update(index.by_compact_name.get("".join(words), ()))
    return {position for position in found if _passes(index, position, filters)}


def _names_in_rank_order(index: _Index, name_tokens: list[str], filters: list[str], limit: int):
    """Places whose words start with every typed word, lazily, best ranked first.

    Candidates come from the typed word that matches the fewest words (two bisections
    each); sorting them is done in C, and the Python checks stop as soon as enough places
    are found.
    """
    ranges = {token: _word_ranges(index, token) for token in name_tokens}
    driver = min(name_tokens, key=lambda token: sum(end - start for start, end in ranges[token]))
    candidates = {position for start, end in ranges[driver] for position in index.word_ids[start:end]}
    others = [token for token in name_tokens if token != driver]
    if len(name_tokens) == 1 and len(candidates) < limit:
        # Nothing much word by word: maybe the name typed without its spaces or apostrophes.
        candidates.update(_prefix_range(index.compact_keys, index.compact_ids, driver))
        others = []
    for position in sorted(candidates):
        words = index.words[position]
        if all(_token_matches(token, words) for token in others) and _passes(index, position, filters):
            yield position


def _word_ranges(index: _Index, token: str) -> list[tuple[int, int]]:
    """Slices of word_ids for the words starting with token (and "saint" for "st")."""
    keys = index.word_keys
    ranges = [(bisect_left(keys, token), bisect_left(keys, token + "\uffff"))]
    if token in ABBREVIATIONS:
        word = ABBREVIATIONS[token]
        ranges.append((bisect_left(keys, word), bisect_right(keys, word)))
    return ranges


def _prefix_range(keys: tuple[str, ...], ids: tuple[int, ...], prefix: str) -> tuple[int, ...]:
    start = bisect_left(keys, prefix)
    end = bisect_left(keys, prefix + "\uffff")
    return ids[start:end]


def _token_matches(token: str, words: tuple[str, ...]) -> bool:
    full = ABBREVIATIONS.get(token)
    return any(word.startswith(token) or word == full for word in words)


def _passes(index: _Index, position: int, filters: list[str]) -> bool:
    """A number or "2a" beside a name: department, postal code, code, or a word ("15e")."""
    if not filters:
        return True
    place, words = index.places[position], index.words[position]
    return all(
        place.department == token.upper()
        or place.code == token.upper()
        or token in place.postal_codes
        or any(word.startswith(token) for word in words)
        for token in filters
    )
