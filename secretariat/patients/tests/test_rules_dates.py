from datetime import date, timedelta

import pytest
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from secretariat.patients.rules.dates import (
    SearchTerms,
    birth_date_problem,
    parse_search_text,
    parse_typed_date,
)

TODAY = date(2026, 3, 1)
FEBRUARY_1ST_1980 = date(1980, 2, 1)


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("01/02/1980", id="slashes"),
        pytest.param("1/2/80", id="short-slashes-two-digit-year"),
        pytest.param("01021980", id="eight-digits"),
        pytest.param("010280", id="six-digits"),
        pytest.param("1980-02-01", id="iso"),
        pytest.param("1980-2-1", id="iso-unpadded"),
        pytest.param("01.02.1980", id="dots"),
        pytest.param("01-02-1980", id="hyphens"),
        pytest.param("1 2 1980", id="spaces"),
        pytest.param("01 / 02 / 1980", id="spaced-slashes"),
        pytest.param("  01/02/1980 ", id="surrounding-spaces"),
        pytest.param("01/02 1980", id="mixed-separators"),
    ],
)
def test_typed_date_is_day_first(text):
    assert parse_typed_date(text, today=TODAY) == FEBRUARY_1ST_1980


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("01/02/26", date(2026, 2, 1), id="this-year-already-past"),
        pytest.param("01/03/26", date(2026, 3, 1), id="today"),
        pytest.param("02/03/26", date(1926, 3, 2), id="this-year-not-yet-past"),
        pytest.param("01/04/27", date(1927, 4, 1), id="next-year"),
        pytest.param("010100", date(2000, 1, 1), id="year-2000"),
        pytest.param("29/02/00", date(2000, 2, 29), id="leap-day-2000"),
        pytest.param("31/12/99", date(1999, 12, 31), id="year-99"),
    ],
)
def test_two_digit_year_is_never_in_the_future(text, expected):
    assert parse_typed_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("31/02/1980", id="31-february"),
        pytest.param("29/02/1981", id="29-february-not-leap"),
        pytest.param("29/02/25", id="29-february-two-digit-not-leap"),
        pytest.param("00/01/1980", id="day-0"),
        pytest.param("32/01/1980", id="day-32"),
        pytest.param("01/13/1980", id="month-13"),
        pytest.param("01/00/1980", id="month-0"),
        pytest.param("0000-01-01", id="year-0"),
        pytest.param("19800201", id="compact-year-first-is-not-read"),
        pytest.param("1/2/198", id="three-digit-year"),
        pytest.param("01/02", id="no-year"),
        pytest.param("1980", id="year-only"),
        pytest.param("0102198", id="seven-digits"),
        pytest.param("01021980x", id="trailing-letter"),
        pytest.param("dupont", id="word"),
        pytest.param("", id="empty"),
    ],
)
def test_impossible_or_unreadable_date(text):
    assert parse_typed_date(text, today=TODAY) is None


FOUR_DIGIT_FORMATS = ["%d/%m/%Y", "%d%m%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d %m %Y"]
TWO_DIGIT_FORMATS = ["%d/%m/%y", "%d%m%y", "%d.%m.%y", "%d-%m-%y"]


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)),
       st.sampled_from(FOUR_DIGIT_FORMATS))
def test_four_digit_year_round_trip(value, pattern):
    assert parse_typed_date(value.strftime(pattern), today=TODAY) == value


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_unpadded_day_and_month_round_trip(value):
    assert parse_typed_date(f"{value.day}/{value.month}/{value.year}", today=TODAY) == value


@given(st.dates(min_value=date(1926, 3, 2), max_value=TODAY), st.sampled_from(TWO_DIGIT_FORMATS))
def test_two_digit_year_round_trip_over_the_last_hundred_years(value, pattern):
    assert parse_typed_date(value.strftime(pattern), today=TODAY) == value


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)),
       st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_two_digit_year_is_never_after_today(value, today):
    parsed = parse_typed_date(value.strftime("%d/%m/%y"), today=today)
    assert parsed is None or parsed <= today


@pytest.mark.parametrize(
    ("value", "today", "expected"),
    [
        pytest.param(TODAY, TODAY, None, id="born-today"),
        pytest.param(date(1980, 2, 1), TODAY, None, id="adult"),
        pytest.param(date(1896, 3, 1), TODAY, None, id="exactly-130-years"),
        pytest.param(TODAY + timedelta(days=1), TODAY,
                     "The birth date is in the future: check the day, the month and the year.",
                     id="tomorrow"),
        pytest.param(date(1896, 2, 29), TODAY,
                     "The birth date is more than 130 years ago: check the year.",
                     id="130-years-and-a-day"),
        pytest.param(date(1894, 2, 28), date(2024, 2, 29), None, id="130-years-from-a-leap-day"),
        pytest.param(date(1894, 2, 27), date(2024, 2, 29),
                     "The birth date is more than 130 years ago: check the year.",
                     id="older-than-130-years-from-a-leap-day"),
    ],
)
def test_birth_date_problem(value, today, expected):
    assert birth_date_problem(value, today=today) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("dupont 12/03/1975",
                     SearchTerms(words=("dupont",), birth_date=date(1975, 3, 12), nir=None,
                                 phone=None), id="name-and-date"),
        pytest.param("Dupont Jean",
                     SearchTerms(words=("Dupont", "Jean"), birth_date=None, nir=None, phone=None),
                     id="words-as-typed"),
        pytest.param("N'Diaye  Awa, ",
                     SearchTerms(words=("N'Diaye", "Awa,"), birth_date=None, nir=None, phone=None),
                     id="punctuation-kept"),
        pytest.param("01021980",
                     SearchTerms(words=(), birth_date=FEBRUARY_1ST_1980, nir=None, phone=None),
                     id="eight-digits-are-a-date"),
        pytest.param("010280",
                     SearchTerms(words=(), birth_date=FEBRUARY_1ST_1980, nir=None, phone=None),
                     id="six-digits-are-a-date"),
        pytest.param("martin 1 2 1980",
                     SearchTerms(words=("martin",), birth_date=FEBRUARY_1ST_1980, nir=None,
                                 phone=None), id="date-with-spaces"),
        pytest.param("0612345678",
                     SearchTerms(words=(), birth_date=None, nir=None, phone="0612345678"),
                     id="ten-digits-are-a-phone"),
        pytest.param("185057800608491",
                     SearchTerms(words=(), birth_date=None, nir="185057800608491", phone=None),
                     id="nir-one-word"),
        pytest.param("1 85 05 78 006 084 91",
                     SearchTerms(words=(), birth_date=None, nir="185057800608491", phone=None),
                     id="nir-in-groups"),
        pytest.param("1850578006084",
                     SearchTerms(words=(), birth_date=None, nir="1850578006084", phone=None),
                     id="nir-without-key"),
        pytest.param("2 53 07 2a 073 004 43",
                     SearchTerms(words=(), birth_date=None, nir="253072A07300443", phone=None),
                     id="corsican-nir-in-groups"),
        pytest.param("dupont 1234",
                     SearchTerms(words=("dupont", "1234"), birth_date=None, nir=None, phone=None),
                     id="unrecognised-number-stays-a-word"),
        pytest.param("0012345678",
                     SearchTerms(words=("0012345678",), birth_date=None, nir=None, phone=None),
                     id="not-a-french-number"),
        pytest.param("dupont 12/03/1975 13/03/1975",
                     SearchTerms(words=("dupont", "13/03/1975"), birth_date=date(1975, 3, 12),
                                 nir=None, phone=None), id="second-date-stays-a-word"),
        pytest.param("12 03 1975 06 12 34 56 78",
                     SearchTerms(words=(), birth_date=date(1975, 3, 12), nir=None,
                                 phone="0612345678"), id="date-then-phone-in-groups"),
        pytest.param("n'diaye awa 1 85 05 78 006 084 91 06 12 34 56 78 12/03/85",
                     SearchTerms(words=("n'diaye", "awa"), birth_date=date(1985, 3, 12),
                                 nir="185057800608491", phone="0612345678"), id="everything"),
        pytest.param("a b c d e f g h i j k l",
                     SearchTerms(words=("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
                                 birth_date=None, nir=None, phone=None), id="ten-words-at-most"),
        pytest.param("", SearchTerms(words=(), birth_date=None, nir=None, phone=None), id="empty"),
    ],
)
def test_parse_search_text(text, expected):
    assert parse_search_text(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("06 12 34 56 78", id="pairs"),
        pytest.param("0612345678", id="compact"),
        pytest.param("+33 6 12 34 56 78", id="international"),
        pytest.param("+33612345678", id="international-compact"),
        pytest.param("+33 (0)6 12 34 56 78", id="international-with-bracketed-zero"),
        pytest.param("+33 06 12 34 56 78", id="international-with-zero"),
        pytest.param("0033 6 12 34 56 78", id="double-zero-prefix"),
        pytest.param("06.12.34.56.78", id="dots"),
        pytest.param("06-12-34-56-78", id="hyphens"),
    ],
)
def test_phone_forms(text):
    assert parse_search_text(text, today=TODAY).phone == "0612345678"


@given(st.integers(min_value=1, max_value=9), st.integers(min_value=0, max_value=99_999_999))
def test_any_french_phone_in_pairs_is_found(prefix, number):
    digits = f"0{prefix}{number:08d}"
    spaced = " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    terms = parse_search_text(f"martin {spaced}", today=TODAY)
    assert terms == SearchTerms(words=("martin",), birth_date=None, nir=None, phone=digits)
