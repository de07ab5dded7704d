"""Dates as people type them, and the search box's mix of names, dates, NIR and phone.

French usage is day first (01/02/1980 is 1 February 1980); only a four-digit year written
first (ISO, 1980-02-01) is read year first. Two-digit years are read so that the date is
never in the future: these are birth dates and dates already past.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from secretariat.patients.rules.nir import clean_nir

MAX_AGE_YEARS = 130
MAX_SEARCH_WORDS = 10

_SEPARATOR = r"(?:\s*[/.\-]\s*|\s+)"
_YEAR_FIRST = re.compile(rf"([0-9]{{4}}){_SEPARATOR}([0-9]{{1,2}}){_SEPARATOR}([0-9]{{1,2}})")
_DAY_FIRST = re.compile(
    rf"([0-9]{{1,2}}){_SEPARATOR}([0-9]{{1,2}}){_SEPARATOR}([0-9]{{4}}|[0-9]{{2}})")
_COMPACT = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4}|[0-9]{2})")

# Tokens that may be part of a date, a phone number or a NIR typed in groups ("2A" is Corsica).
_NUMERIC_TOKEN = re.compile(r"[0-9+(][0-9.\-/()]*|[0-9]*2[AB][0-9]*", re.IGNORECASE)
# The longest form is a NIR typed one character at a time.
_MAX_TOKENS_PER_TERM = 15
_NIR_SHAPE = re.compile(r"[1278][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?")
_FRENCH_PHONE = re.compile(r"0[1-9][0-9]{8}")


def parse_typed_date(text: str, *, today: date) -> date | None:
    """The date typed, or None if it is not a date or an impossible one (31/02, month 13)."""
    text = text.strip()
    if match := _YEAR_FIRST.fullmatch(text):
        year, month, day = (int(group) for group in match.groups())
        return _date(year, month, day)
    match = _DAY_FIRST.fullmatch(text) or _COMPACT.fullmatch(text)
    if match is None:
        return None
    day, month = int(match[1]), int(match[2])
    if len(match[3]) == 4:
        return _date(int(match[3]), month, day)
    return _two_digit_year(int(match[3]), month, day, today=today)


def birth_date_problem(value: date, *, today: date) -> str | None:
    """None for a plausible birth date, else what the user should check."""
    if value > today:
        return _("The birth date is in the future: check the day, the month and the year.")
    if value < _years_before(today, MAX_AGE_YEARS):
        return _("The birth date is more than %(years)d years ago: check the year.") % {
            "years": MAX_AGE_YEARS}
    return None


@dataclass(frozen=True)
class SearchTerms:
    words: tuple[str, ...]
    """Name words as typed (not normalised), at most MAX_SEARCH_WORDS."""
    birth_date: date | None
    nir: str | None
    """13 (body) or 15 characters, cleaned (no separators, 2A/2B uppercase)."""
    phone: str | None
    """French number as 10 digits ("0612345678")."""


def parse_search_text(text: str, *, today: date) -> SearchTerms:
    """Split what was typed in a search box into name words, a birth date, a NIR and a phone.

    Groups of digits are joined with their neighbours, longest first, so "1 85 05 78 006 084
    91" is one NIR and "06 12 34 56 78" one phone number. Only the first date, NIR and phone
    are kept as such; a second one stays among the words, so that nothing typed is ignored
    without a trace.
    """
    tokens = text.split()
    words: list[str] = []
    birth_date: date | None = None
    nir: str | None = None
    phone: str | None = None
    position = 0
    while position < len(tokens):
        term = _numeric_term(tokens, position, today=today)
        if term is None:
            words.append(tokens[position])
            position += 1
            continue
        if term.nir and nir is None:
            nir = term.nir
        elif term.phone and phone is None:
            phone = term.phone
        elif term.birth_date and birth_date is None:
            birth_date = term.birth_date
        else:
            words.extend(tokens[position:position + term.length])
        position += term.length
    return SearchTerms(words=tuple(words[:MAX_SEARCH_WORDS]), birth_date=birth_date, nir=nir,
                       phone=phone)


@dataclass(frozen=True)
class _Term:
    length: int
    """Number of tokens it spans."""
    nir: str | None = None
    phone: str | None = None
    birth_date: date | None = None


def _numeric_term(tokens: list[str], start: int, *, today: date) -> _Term | None:
    end = start
    while (end < len(tokens) and end - start < _MAX_TOKENS_PER_TERM
           and _NUMERIC_TOKEN.fullmatch(tokens[end])):
        end += 1
    for stop in range(end, start, -1):
        joined = " ".join(tokens[start:stop])
        length = stop - start
        nir = clean_nir(joined)
        if _NIR_SHAPE.fullmatch(nir):
            return _Term(length, nir=nir)
        phone = _french_phone(joined)
        if phone is not None:
            return _Term(length, phone=phone)
        typed_date = parse_typed_date(joined, today=today)
        if typed_date is not None:
            return _Term(length, birth_date=typed_date)
    return None


def _french_phone(text: str) -> str | None:
    compact = re.sub(r"[\s.\-]", "", text).replace("(0)", "")
    for prefix in ("+33", "0033"):
        if compact.startswith(prefix):
            rest = compact[len(prefix):]
            # "+33 06…" keeps its 0 by mistake often enough to accept it.
            compact = rest if rest.startswith("0") else "0" + rest
            break
    return compact if _FRENCH_PHONE.fullmatch(compact) else None


def _two_digit_year(short_year: int, month: int, day: int, *, today: date) -> date | None:
    century = today.year - today.year % 100
    for year in (century + short_year, century + short_year - 100):
        candidate = _date(year, month, day)
        if candidate is not None and candidate <= today:
            return candidate
    return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - years, day=28)
