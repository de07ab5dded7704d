"""Reads about patients beyond a plain filter."""

from datetime import date, datetime

from django.db.models import Q, QuerySet

from secretariat.patients.models import Patient

NAME_FIELDS = ("birth_name", "used_name", "birth_first_names", "used_first_name")


def parse_birth_date(word: str) -> date | None:
    """A date typed as DD/MM/YYYY, or None."""
    try:
        return datetime.strptime(word, "%d/%m/%Y").date()  # noqa: DTZ007 (a calendar date)
    except ValueError:
        return None


def _word_condition(word: str) -> Q:
    birth_date = parse_birth_date(word)
    if birth_date is not None:
        return Q(birth_date=birth_date)
    # SQLite folds the case of ASCII letters only, so "lefèvre" would miss "LEFÈVRE":
    # the upper- and title-cased spellings cover names written as on identity documents.
    # Accent-insensitive and phonetic keys come with the full identity search.
    condition = Q()
    for spelling in {word, word.upper(), word.title()}:
        for field in NAME_FIELDS:
            condition |= Q(**{f"{field}__icontains": spelling})
    return condition


def patients_matching(patients: QuerySet[Patient], text: str) -> QuerySet[Patient]:
    """Patients whose names contain every typed word (a DD/MM/YYYY word is the birth date)."""
    words = text.split()
    if not words:
        return patients.none()
    condition = Q()
    for word in words[:10]:
        condition &= _word_condition(word)
    return patients.filter(condition)
