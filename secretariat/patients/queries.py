"""Reads about patients beyond a plain filter: search and the anteriority search."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from secretariat.patients.models import AmoCoverage, NameKey, Patient
from secretariat.patients.rules import matching
from secretariat.patients.rules.dates import SearchTerms, parse_search_text
from secretariat.patients.rules.keys import fold, phonetic_key

# Rows read from the database before ranking; enough for any sensible search.
CANDIDATE_LIMIT = 200
NAME_KEYS = ("birth_name_key", "used_name_key")


GRADE_LABELS = {
    matching.Grade.CERTAIN: _("certain"),
    matching.Grade.PROBABLE: _("probable"),
    matching.Grade.POSSIBLE: _("possible"),
    matching.Grade.CERTAINLY_NOT: _("certainly not"),
}


@dataclass(frozen=True)
class DuplicateCandidate:
    patient: Patient
    match: matching.Match

    @property
    def grade_label(self) -> str:
        return str(GRADE_LABELS[self.match.grade])


@dataclass(frozen=True)
class Hit:
    patient: Patient
    score: float


def as_identity(patient) -> matching.Identity:
    """The traits the matcher compares, from a patient or from typed traits."""
    return matching.Identity(
        id=getattr(patient, "pk", None) or 0,
        birth_name=patient.birth_name,
        first_names=patient.birth_first_names,
        birth_date=patient.birth_date,
        sex=patient.sex,
        used_name=patient.used_name,
        used_first_name=patient.used_first_name,
        birthplace_code=patient.birthplace_code,
    )


def _prefix(field: str, key: str) -> Q:
    """``field`` starts with ``key``, in a form each database answers from its index.

    Keys hold A–Z only. SQLite compares them bytewise, so a range is an index range scan;
    PostgreSQL gets LIKE 'KEY%' through the varchar_pattern_ops index Django creates.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": key, f"{field}__lt": key + "["})
    return Q(**{f"{field}__startswith": key})


def _word_condition(word: str) -> Q:
    key, sound = fold(word), phonetic_key(word)
    if not key:
        # A word without letters (an impossible date such as 31/02/1980) matches nobody.
        return Q(pk__in=[])
    condition = Q()
    for field in (*NAME_KEYS, "first_name_key"):
        condition |= _prefix(field, key)
    if sound and len(key) >= 3:
        condition |= Q(birth_name_sound=sound) | Q(used_name_sound=sound) | Q(first_name_sound=sound)
    return condition


def _name_then_first_name(name: str, first_name: str) -> Q:
    name_key, first_name_key = fold(name), fold(first_name)
    if not (name_key and first_name_key):
        return Q(pk__in=[])
    return (_prefix("birth_name_key", name_key) | _prefix("used_name_key", name_key)) & _prefix(
        "first_name_key", first_name_key)


def _typo_corrections(patients: QuerySet[Patient], word: str) -> list[str]:
    """Known names one or two edits away from a word nothing matched ("DUPNOT" → "DUPONT").

    The structure's name vocabulary is small (one row per distinct name), so the names that
    share the typed word's first two letters are read from it, and the edit distance decides.
    """
    key = fold(word)
    structure_id = patients.order_by().values_list("structure_id", flat=True).first()
    if len(key) < 4 or structure_id is None:
        return []
    vocabulary = NameKey.objects.filter(_prefix("key", key[:2]), structure_id=structure_id)
    found = process.extract(key, list(vocabulary.values_list("key", flat=True)[:20_000]),
                            scorer=Levenshtein.distance, score_cutoff=2, limit=5)
    return [name for name, _distance, _index in found]


def _score(patient: Patient, terms: SearchTerms) -> float:
    """Rank hits: exact name keys first, then sound-alikes; a matching birth date on top."""
    names = [patient.birth_name_key, patient.used_name_key, *fold_words(patient.birth_first_names)]
    score = 0.0
    for word in terms.words:
        key = fold(word)
        best = max((1.0 if name == key else 0.9 if name.startswith(key) else 0.0) for name in names)
        if best == 0.0:
            best = max(Levenshtein.normalized_similarity(key, name) for name in names) * 0.8
        score += best
    if terms.birth_date and patient.birth_date == terms.birth_date:
        score += 1.0
    return score


def fold_words(text: str) -> list[str]:
    return [fold(word) for word in text.split()]


def patients_matching(patients: QuerySet[Patient], text: str, *, today: date | None = None,
                      limit: int = 50) -> list[Hit]:
    """Patients matching what was typed in a search box, best first.

    Names in any case, with or without accents, hyphens or apostrophes, sound-alike or one
    typo away; a date of birth in the usual typed forms; an INS number; a phone number.
    """
    terms = parse_search_text(text, today=today or timezone.localdate())
    if not (terms.words or terms.birth_date or terms.nir or terms.phone):
        return []
    condition = Q()
    if terms.birth_date:
        condition &= Q(birth_date=terms.birth_date)
    if terms.nir:
        # The patient's own INS, or the NIR under which they are insured (carte Vitale): the
        # number a secretary reads out is often the parent's for a child ayant droit.
        insured = AmoCoverage.objects.filter(_prefix("insured_nir", terms.nir[:13])).values_list(
            "patient_id", flat=True)[:CANDIDATE_LIMIT]
        condition &= Q(ins_matricule__startswith=terms.nir[:13]) | Q(pk__in=list(insured))
    if terms.phone:
        condition &= Q(phone=terms.phone)
    candidates = []
    if len(terms.words) == 2:
        # "dupont claire" or "claire dupont": name and first name together narrow at once,
        # through the (name key, first name key) indexes.
        candidates = list(patients.filter(condition, _name_then_first_name(*terms.words)
                                          | _name_then_first_name(*reversed(terms.words)))
                          .order_by()[:CANDIDATE_LIMIT])
    word_conditions = [_word_condition(word) for word in terms.words]
    if not candidates:
        # No ORDER BY: the database stops at the limit, and the ranking below orders the hits.
        candidates = list(patients.filter(condition, *word_conditions).order_by()[:CANDIDATE_LIMIT])
    if not candidates and terms.words:
        # Nothing matched as typed: allow one or two typos per name word, then ask again.
        for index, word in enumerate(terms.words):
            corrections = _typo_corrections(patients, word)
            for field in NAME_KEYS:
                word_conditions[index] |= Q(**{f"{field}__in": corrections})
        candidates = list(patients.filter(condition, *word_conditions).order_by()[:CANDIDATE_LIMIT])
    hits = sorted((Hit(patient, _score(patient, terms)) for patient in candidates),
                  key=lambda hit: (-hit.score, hit.patient.birth_name, hit.patient.pk))
    return hits[:limit]


def anteriority_candidates(structure, identity) -> list[DuplicateCandidate]:
    """Existing records that may be the same person, best first (RNIV recherche d'antériorité).

    Starts from the birth date (and its usual mistakes: day and month swapped), then the
    names' sounds, as the RNIV asks; the matcher grades each candidate.
    """
    born = identity.birth_date
    dates = {born}
    if born.day <= 12 and born.day != born.month:
        with suppress(ValueError):
            dates.add(born.replace(day=born.month, month=born.day))
    sounds = {phonetic_key(identity.birth_name), phonetic_key(identity.used_name)} - {""}
    near_years = Q(birth_date__gte=date(born.year - 1, 1, 1), birth_date__lte=date(born.year + 1, 12, 31))
    in_structure = Patient.objects.filter(structure=structure)
    # Three index-friendly lookups rather than one OR the planners would scan.
    rows = {patient.pk: patient for patient in in_structure.filter(birth_date__in=dates)[:CANDIDATE_LIMIT]}
    for field in ("birth_name_sound", "used_name_sound"):
        rows.update((patient.pk, patient) for patient in in_structure.filter(
            near_years, **{f"{field}__in": sounds})[:CANDIDATE_LIMIT])
    rows = rows.values()
    wanted = as_identity(identity)
    found = []
    for patient in rows:
        match = matching.compare(wanted, as_identity(patient))
        if match.grade != matching.Grade.CERTAINLY_NOT:
            found.append(DuplicateCandidate(patient, match))
    return sorted(found, key=lambda candidate: -candidate.match.score)[:10]
