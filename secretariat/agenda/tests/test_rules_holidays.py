from dataclasses import FrozenInstanceError
from datetime import date, datetime, timedelta

import pytest
from django.utils.functional import Promise
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from secretariat.agenda.rules.holidays import (
    ABOLITION_OF_SLAVERY,
    ALSACE_MOSELLE,
    DEPARTMENTS,
    MAX_YEAR,
    MIN_YEAR,
    NATIONAL,
    Holiday,
    easter_sunday,
    holidays_between,
    is_public_holiday,
    public_holidays,
)

YEARS = st.integers(min_value=MIN_YEAR, max_value=MAX_YEAR)


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


def as_rows(holidays):
    return [(holiday.day, str(holiday.name), holiday.scope) for holiday in holidays]


def oudin_easter(year):
    """An independent oracle: Oudin's algorithm (1940), as in dateutil's EASTER_WESTERN."""
    g = year % 19
    c = year // 100
    h = (c - c // 4 - (8 * c + 13) // 25 + 19 * g + 15) % 30
    i = h - (h // 28) * (1 - (h // 28) * (29 // (h + 1)) * ((21 - g) // 11))
    j = (year + year // 4 + i + 2 - c + c // 4) % 7
    p = i - j
    return date(year, 3 + (p + 26) // 30, 1 + (p + 27 + (p + 6) // 40) % 31)


# --- Easter -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "expected",
    [
        pytest.param(date(2024, 3, 31), id="2024"),
        pytest.param(date(2025, 4, 20), id="2025"),
        pytest.param(date(2026, 4, 5), id="2026"),
        pytest.param(date(2027, 3, 28), id="2027"),
        pytest.param(date(2038, 4, 25), id="2038-latest-possible"),
        pytest.param(date(2000, 4, 23), id="2000"),
        pytest.param(date(1961, 4, 2), id="1961"),
        pytest.param(date(2008, 3, 23), id="2008"),
        pytest.param(date(2019, 4, 21), id="2019"),
        pytest.param(date(1943, 4, 25), id="1943-latest-possible"),
        pytest.param(date(1818, 3, 22), id="1818-earliest-possible"),
        pytest.param(date(2285, 3, 22), id="2285-earliest-possible"),
        pytest.param(date(1583, 4, 10), id="1583-first-gregorian-year"),
    ],
)
def test_easter_of_known_years(expected):
    assert easter_sunday(expected.year) == expected


@given(YEARS)
def test_easter_is_a_sunday_between_22_march_and_25_april(year):
    easter = easter_sunday(year)
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)
    assert easter.isoweekday() == 7


@given(YEARS)
def test_easter_agrees_with_oudins_algorithm(year):
    assert easter_sunday(year) == oudin_easter(year)


@pytest.mark.parametrize("year", [1582, 0, -1, 10000])
def test_easter_outside_the_gregorian_years_is_refused(year):
    with pytest.raises(ValueError, match="Gregorian years 1583–9999"):
        easter_sunday(year)


@given(YEARS)
def test_movable_days_follow_easter(year):
    easter = easter_sunday(year)
    days = {str(holiday.name): holiday.day for holiday in public_holidays(year, department="57")}
    assert days["Good Friday"] == easter - timedelta(days=2)
    assert days["Easter Monday"] == easter + timedelta(days=1)
    assert days["Ascension Day"] == easter + timedelta(days=39)
    assert days["Ascension Day"].isoweekday() == 4
    assert days["Whit Monday"] == easter + timedelta(days=50)
    assert days["Whit Monday"].isoweekday() == 1


# --- Lists of a year ----------------------------------------------------------------------

LYON_2026 = [
    (date(2026, 1, 1), "New Year's Day", NATIONAL),
    (date(2026, 4, 6), "Easter Monday", NATIONAL),
    (date(2026, 5, 1), "Labour Day", NATIONAL),
    (date(2026, 5, 8), "Victory in Europe Day", NATIONAL),
    (date(2026, 5, 14), "Ascension Day", NATIONAL),
    (date(2026, 5, 25), "Whit Monday", NATIONAL),
    (date(2026, 7, 14), "Bastille Day", NATIONAL),
    (date(2026, 8, 15), "Assumption Day", NATIONAL),
    (date(2026, 11, 1), "All Saints' Day", NATIONAL),
    (date(2026, 11, 11), "Armistice Day", NATIONAL),
    (date(2026, 12, 25), "Christmas Day", NATIONAL),
]


def test_the_eleven_days_of_2026_in_lyon():
    assert as_rows(public_holidays(2026, department="69")) == LYON_2026


def test_names_are_lazy_translations():
    holiday = public_holidays(2026, department="69")[0]
    assert isinstance(holiday.name, Promise)


@pytest.mark.parametrize("department", ["2A", "2B", "01", "75", "95", "975"])
def test_corsica_and_other_territories_have_the_national_days_only(department):
    assert as_rows(public_holidays(2026, department=department)) == LYON_2026


@pytest.mark.parametrize("department", ["57", "67", "68"])
def test_alsace_moselle_adds_good_friday_and_26_december(department):
    expected = sorted(
        [*LYON_2026,
         (date(2026, 4, 3), "Good Friday", ALSACE_MOSELLE),
         (date(2026, 12, 26), "St Stephen's Day", ALSACE_MOSELLE)],
        key=lambda row: row[0],
    )
    assert as_rows(public_holidays(2026, department=department)) == expected


@pytest.mark.parametrize(
    ("department", "day"),
    [
        pytest.param("971", date(2026, 5, 27), id="guadeloupe"),
        pytest.param("972", date(2026, 5, 22), id="martinique"),
        pytest.param("973", date(2026, 6, 10), id="guyane"),
        pytest.param("974", date(2026, 12, 20), id="la-reunion"),
        pytest.param("976", date(2026, 4, 27), id="mayotte"),
        pytest.param("977", date(2026, 10, 9), id="saint-barthelemy"),
    ],
)
def test_overseas_adds_the_abolition_of_slavery(department, day):
    holidays = public_holidays(2026, department=department)
    expected = sorted(
        [*LYON_2026, (day, "Commemoration of the abolition of slavery", department)],
        key=lambda row: row[0],
    )
    assert as_rows(holidays) == expected


def test_the_overseas_table_is_the_tested_one():
    assert set(ABOLITION_OF_SLAVERY) == {"971", "972", "973", "974", "976", "977"}


def test_two_holidays_on_one_day_are_both_listed():
    # 2008: Easter on 23 March, so Ascension on 1 May.
    holidays = public_holidays(2008, department="69")
    assert len(holidays) == 11
    assert as_rows(holidays)[2:4] == [
        (date(2008, 5, 1), "Labour Day", NATIONAL),
        (date(2008, 5, 1), "Ascension Day", NATIONAL),
    ]


@given(YEARS, st.sampled_from(sorted(DEPARTMENTS)))
def test_every_list_is_sorted_within_its_year(year, department):
    holidays = public_holidays(year, department=department)
    days = [holiday.day for holiday in holidays]
    assert days == sorted(days)
    assert {day.year for day in days} == {year}
    extra = 2 if department in {"57", "67", "68"} else int(department in ABOLITION_OF_SLAVERY)
    assert len(holidays) == 11 + extra


def test_a_holiday_is_frozen():
    holiday = public_holidays(2026, department="69")[0]
    with pytest.raises(FrozenInstanceError):
        holiday.day = date(2026, 1, 2)


# --- One day, a period --------------------------------------------------------------------

def test_a_holiday_on_a_sunday_is_still_a_holiday():
    assert date(2026, 11, 1).isoweekday() == 7
    assert is_public_holiday(date(2026, 11, 1), department="69")


@pytest.mark.parametrize(
    ("day", "department", "expected"),
    [
        pytest.param(date(2026, 5, 25), "69", True, id="whit-monday"),
        pytest.param(date(2026, 5, 26), "69", False, id="ordinary-tuesday"),
        pytest.param(date(2026, 4, 3), "69", False, id="good-friday-in-lyon"),
        pytest.param(date(2026, 4, 3), "57", True, id="good-friday-in-moselle"),
        pytest.param(date(2026, 12, 26), "2A", False, id="26-december-in-corsica"),
        pytest.param(date(2026, 12, 26), "68", True, id="26-december-in-haut-rhin"),
        pytest.param(date(2026, 5, 27), "971", True, id="27-may-in-guadeloupe"),
        pytest.param(date(2026, 5, 27), "972", False, id="27-may-in-martinique"),
    ],
)
def test_is_public_holiday(day, department, expected):
    assert is_public_holiday(day, department=department) is expected


def test_holidays_across_a_year_boundary_in_moselle():
    found = holidays_between(date(2026, 12, 20), date(2027, 1, 10), department="57")
    assert [(day, str(holiday.name)) for day, holiday in found.items()] == [
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "St Stephen's Day"),
        (date(2027, 1, 1), "New Year's Day"),
    ]
    assert all(day == holiday.day for day, holiday in found.items())


def test_holidays_between_includes_both_ends():
    found = holidays_between(date(2026, 12, 20), date(2027, 1, 1), department="974")
    assert list(found) == [date(2026, 12, 20), date(2026, 12, 25), date(2027, 1, 1)]


def test_holidays_between_a_single_day():
    assert holidays_between(date(2026, 7, 14), date(2026, 7, 14), department="69") == {
        date(2026, 7, 14): Holiday(date(2026, 7, 14), "Bastille Day", NATIONAL),
    }
    assert holidays_between(date(2026, 7, 15), date(2026, 7, 15), department="69") == {}


def test_holidays_between_keeps_the_first_of_two_on_one_day():
    found = holidays_between(date(2008, 5, 1), date(2008, 5, 31), department="69")
    assert str(found[date(2008, 5, 1)].name) == "Labour Day"
    assert list(found) == [date(2008, 5, 1), date(2008, 5, 8), date(2008, 5, 12)]


def test_holidays_between_over_several_years():
    found = holidays_between(date(2025, 1, 1), date(2027, 12, 31), department="69")
    assert len(found) == 33
    assert list(found) == sorted(found)


def test_a_reversed_period_is_refused():
    with pytest.raises(ValueError, match="ends"):
        holidays_between(date(2027, 1, 1), date(2026, 12, 31), department="69")


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: is_public_holiday(datetime(2026, 1, 1), department="69"),
                     id="is-public-holiday"),
        pytest.param(lambda: holidays_between(datetime(2026, 1, 1), date(2026, 1, 2),
                                              department="69"), id="between-start"),
        pytest.param(lambda: holidays_between(date(2026, 1, 1), "2026-01-02",
                                              department="69"), id="between-end-text"),
    ],
)
def test_a_datetime_or_text_is_not_a_date(call):
    with pytest.raises(TypeError, match="expected a date"):
        call()


# --- Département codes --------------------------------------------------------------------

@pytest.mark.parametrize(
    "department",
    ["00", "99", "96", "2C", "", "1", "069", "69 ", "2a", "970", "979", "985", "FR"],
)
def test_an_unknown_department_is_refused(department):
    with pytest.raises(ValueError, match="unknown département code"):
        public_holidays(2026, department=department)


@pytest.mark.parametrize(
    ("department", "reason"),
    [
        pytest.param("20", "Corsica is 2A", id="corsica-before-1976"),
        pytest.param("978", "Saint-Martin", id="saint-martin"),
        pytest.param("987", "Code du travail does not apply", id="polynesie"),
        pytest.param("988", "Code du travail does not apply", id="nouvelle-caledonie"),
    ],
)
def test_an_uncovered_territory_is_refused_with_the_reason(department, reason):
    with pytest.raises(ValueError, match=reason):
        public_holidays(2026, department=department)


def test_every_function_checks_the_department():
    with pytest.raises(ValueError, match="'99'"):
        is_public_holiday(date(2026, 1, 1), department="99")
    with pytest.raises(ValueError, match="'00'"):
        holidays_between(date(2026, 1, 1), date(2026, 1, 2), department="00")


def test_a_department_number_is_refused():
    with pytest.raises(TypeError, match="code as text"):
        public_holidays(2026, department=69)


def test_the_known_codes():
    assert len(DEPARTMENTS) == 96 + 1 + 6   # metropolitan, Saint-Pierre-et-Miquelon, overseas
