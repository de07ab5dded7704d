"""The dry run of an import: every row read, then compared with the file and with the patients.

Nothing here writes. ``import_report`` is what the check screen shows; the confirmation runs
``read_file`` again, then ``compare_rows`` inside its transaction, so that what is
created is what the check showed, against the patients as they are at that moment.

Comparison with the existing patients follows ``patients.queries.anteriority_candidates``
(RNIV recherche d'antériorité) for every row at once: the same candidates (same birth date or
day and month swapped; or the sound of the birth or used name within a year), graded by the
same matcher (``rules.matching``). Asking ``anteriority_candidates`` row by row costs three
queries and a comparison per candidate for each row (150,000 queries for a file of 50,000
rows); reading the candidates of the whole file in a few queries and grading the pairs in one
``find_duplicate_pairs`` keeps the check within seconds. It finds what
``anteriority_candidates`` finds, without its caps (200 rows read, 10 candidates kept); the
tests check this row by row.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from secretariat.interop.imports import parsing
from secretariat.patients.models import Patient
from secretariat.patients.permissions import patients_for
from secretariat.patients.queries import as_identity
from secretariat.patients.rules import matching
from secretariat.patients.rules.keys import phonetic_key

TO_CREATE = "to_create"
REFUSED = "refused"
DUPLICATE = "duplicate"
STATUSES = (TO_CREATE, DUPLICATE, REFUSED)
# Values per IN (…) list: well under SQLite's limit on query parameters.
CHUNK = 500
_MATCH_FIELDS = ("pk", "birth_name", "birth_first_names", "birth_date", "sex", "used_name",
                 "used_first_name", "birthplace_code", "birth_name_sound", "used_name_sound")


@dataclass
class RowReport:
    row: parsing.ParsedRow
    same_as_rows: list[int] = field(default_factory=list)
    """Earlier rows of the file that may be the same person."""
    same_as_patients: list[int] = field(default_factory=list)
    """Existing patients (numbers) that may be the same person."""
    visible_patients: list[int] = field(default_factory=list)
    hidden_patients: int = 0
    """How many of same_as_patients the user may not open (another team's files)."""

    @property
    def number(self) -> int:
        return self.row.number

    @property
    def status(self) -> str:
        if self.row.errors:
            return REFUSED
        if self.same_as_rows or self.same_as_patients:
            return DUPLICATE
        return TO_CREATE


@dataclass
class Report:
    rows: list[RowReport]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.status] += 1
        counts["total"] = len(self.rows)
        return counts

    def to_create(self) -> list[RowReport]:
        return [row for row in self.rows if row.status == TO_CREATE]

    def fingerprint(self, *, data: bytes, mapping: Sequence[str], care_team_id: int) -> str:
        """What the user saw and confirms: the file, the choices and every row's outcome."""
        content = json.dumps({
            "file": hashlib.sha256(data).hexdigest(),
            "mapping": list(mapping),
            "care_team": care_team_id,
            "rows": [[row.number, row.status] for row in self.rows],
        })
        return hashlib.sha256(content.encode()).hexdigest()


def import_report(table: parsing.Table, mapping: Sequence[str], *, user, today: date | None = None) -> Report:
    """The dry run: what an import of ``table`` would create, refuse and flag, for ``user``."""
    report = read_file(table, mapping, today=today or timezone.localdate())
    compare_rows(report.rows, structure_id=user.structure_id)
    explain_for(report.rows, user=user)
    return report


def read_file(table: parsing.Table, mapping: Sequence[str], *, today: date) -> Report:
    """Every row read under the identity rules (no comparison yet)."""
    return Report([RowReport(row) for row in parsing.parse_rows(table, mapping, today=today)])


def compare_rows(rows: Iterable[RowReport], *, structure_id: int) -> None:
    """Flag the readable rows that may be the same person as an earlier row or a patient.

    Earlier rows of the file are compared as if they were patients already; patients are
    those ``anteriority_candidates`` would look at for the row (same birth date or day and
    month swapped; the sound of the birth or used name within a year) and the pair is graded
    by the same matcher, at least "possible". ``matching.find_duplicate_pairs`` grades every
    pair at once, each identity prepared once, instead of 50,000 separate comparisons.
    """
    rows = [row for row in rows if row.status != REFUSED]
    for row in rows:
        row.same_as_rows, row.same_as_patients = [], []
    if not rows:
        return
    wanted = {row.number: row.row.identity for row in rows}
    existing, selected = _anteriority_candidates(wanted, structure_id=structure_id)
    by_number = {row.number: row for row in rows}
    # File rows first, in order, with negative ids: each pair comes once, the earlier row first.
    people = [dataclasses.replace(as_identity(identity), id=-number) for number, identity in wanted.items()]
    scores: dict[int, dict[int, float]] = defaultdict(dict)
    for first, second, match in matching.find_duplicate_pairs([*people, *existing]):
        if first.id < 0 and second.id < 0:
            by_number[-second.id].same_as_rows.append(-first.id)
        elif first.id < 0 < second.id and second.id in selected.get(-first.id, ()):
            scores[-first.id][second.id] = match.score
    for number, found in scores.items():
        by_number[number].same_as_patients = sorted(found, key=lambda pk: (-found[pk], pk))


def _anteriority_candidates(wanted: dict, *, structure_id: int) -> tuple[list[matching.Identity], dict[int, set[int]]]:
    """The structure's patients anteriority_candidates would read for each row, in a few queries.

    Returns them as identities for the matcher, and for each row number the patients read
    for that row.
    """
    dates, sounds = set(), set()
    for identity in wanted.values():
        dates.update(_dates(identity.birth_date))
        sounds.update(_sounds(identity))
    in_structure = Patient.objects.filter(structure_id=structure_id).order_by().values_list(*_MATCH_FIELDS)
    found: dict[int, tuple] = {}
    for chunk in _chunks(sorted(dates)):
        found.update((values[0], values) for values in in_structure.filter(birth_date__in=chunk))
    years = [identity.birth_date.year for identity in wanted.values()]
    near_years = {"birth_date__gte": date(max(min(years) - 1, 1), 1, 1),
                  "birth_date__lte": date(min(max(years) + 1, 9999), 12, 31)}
    for sound_field in ("birth_name_sound", "used_name_sound"):
        for chunk in _chunks(sorted(sounds)):
            found.update((values[0], values) for values in in_structure.filter(
                **near_years, **{f"{sound_field}__in": chunk}))
    by_date: dict[date, list[int]] = defaultdict(list)
    by_sound: dict[tuple[str, int], list[int]] = defaultdict(list)
    existing = []
    for pk, birth_name, first_names, birth_date, sex, used_name, used_first_name, place, *keys in found.values():
        existing.append(matching.Identity(
            id=pk, birth_name=birth_name, first_names=first_names, birth_date=birth_date, sex=sex,
            used_name=used_name, used_first_name=used_first_name, birthplace_code=place))
        by_date[birth_date].append(pk)
        for key in set(keys) - {""}:
            by_sound[(key, birth_date.year)].append(pk)
    selected: dict[int, set[int]] = {}
    for number, identity in wanted.items():
        born = identity.birth_date
        candidates = {pk for day in _dates(born) for pk in by_date.get(day, ())}
        for sound in _sounds(identity):
            for year in (born.year - 1, born.year, born.year + 1):
                candidates.update(by_sound.get((sound, year), ()))
        if candidates:
            selected[number] = candidates
    return existing, selected


def _dates(born: date) -> set[date]:
    """The birth date and its usual mistake, day and month swapped (as anteriority_candidates)."""
    dates = {born}
    if born.day <= 12 and born.day != born.month:
        with suppress(ValueError):
            dates.add(born.replace(day=born.month, month=born.day))
    return dates


def _sounds(identity) -> set[str]:
    return {phonetic_key(identity.birth_name), phonetic_key(identity.used_name)} - {""}


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def explain_for(rows: Iterable[RowReport], *, user) -> None:
    """Split each row's possible duplicates into files ``user`` may open and the others."""
    rows = [row for row in rows if row.same_as_patients]
    numbers = sorted({pk for row in rows for pk in row.same_as_patients})
    visible: set[int] = set()
    for chunk in _chunks(numbers):
        visible.update(patients_for(user).filter(pk__in=chunk).values_list("pk", flat=True))
    for row in rows:
        row.visible_patients = [pk for pk in row.same_as_patients if pk in visible]
        row.hidden_patients = len(row.same_as_patients) - len(row.visible_patients)
