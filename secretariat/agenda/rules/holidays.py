"""French public holidays (jours fériés) of a département, for the agenda.

Sources, each rule also cited where it is written below:

- National days: Code du travail art. L3133-1, the eleven "fêtes légales": 1 January, Easter
  Monday, 1 May, 8 May, Ascension, Whit Monday, 14 July, Assumption (15 August), All Saints'
  Day (1 November), 11 November, Christmas Day. They apply in every département, Corsica
  (2A, 2B) and overseas included.
- Alsace-Moselle (Moselle 57, Bas-Rhin 67, Haut-Rhin 68): Code du travail art. L3134-13, local
  law inherited from the ordinance of 16 August 1892: 26 December, and Good Friday "in the
  communes having a Protestant temple or a mixed church".
- Overseas: the commemoration of the abolition of slavery, a holiday by loi n° 83-550 of
  30 June 1983, on the date that décret n° 83-1003 of 23 November 1983 (as amended by décret
  n° 2012-553 of 23 April 2012) sets for each territory; the Code du travail lists the same
  dates as holidays in art. L3422-2 (added by loi n° 2016-1088 of 8 August 2016).
- Easter: the anonymous Gregorian algorithm (Meeus/Jones/Butcher), sent by an anonymous
  correspondent to Nature (20 April 1876), then in S. Butcher, "The Ecclesiastical Calendar"
  (1877), H. Spencer Jones, "General Astronomy" (1922), and J. Meeus, "Astronomical
  Algorithms" (1991), chapter "Date of Easter". Valid for every Gregorian year.

The rules are the current law applied to any year: this is not a history of past rules (for
instance 8 May was not a holiday from 1960 to 1981, and the abolition days date from 1983).

Customs and collective agreements may add days off (e.g. 21 July, Victor Schœlcher day, in
Guadeloupe and Martinique; Good Friday in the Antilles; the Muslim feasts that the Code du
travail leaves to custom and agreements in Mayotte): they are not public holidays by law and
are not listed here.

Two holidays may fall on the same day (Ascension was 1 May in 2008): `public_holidays` lists
both; `holidays_between` keeps one per day, the first in the order of the texts (national
days in the order of L3133-1, then the local day).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType

from django.utils.translation import gettext_lazy as _

NATIONAL = "national"
ALSACE_MOSELLE = "alsace-moselle"

# Metropolitan départements: 01–95 without 20 (Corsica has been 2A and 2B since 1976).
METROPOLITAN_DEPARTMENTS = frozenset(
    [f"{number:02d}" for number in range(1, 96) if number != 20] + ["2A", "2B"]
)

# Code du travail L3134-13 (local law of Alsace-Moselle).
ALSACE_MOSELLE_DEPARTMENTS = frozenset({"57", "67", "68"})

# Commemoration of the abolition of slavery: territory code → (month, day).
# Loi n° 83-550 of 30 June 1983; dates of décret n° 83-1003 of 23 November 1983 art. 1 as
# amended by décret n° 2012-553 of 23 April 2012; same dates in Code du travail L3422-2.
# Change a date here: the tests name each territory.
ABOLITION_OF_SLAVERY: Mapping[str, tuple[int, int]] = MappingProxyType({
    "971": (5, 27),   # Guadeloupe
    "972": (5, 22),   # Martinique
    "973": (6, 10),   # Guyane
    "974": (12, 20),  # La Réunion
    # Mayotte: 27 April is in décret 83-1003, was in the former Code du travail applicable à
    # Mayotte (art. L222-1, 1991–2017), and is in L3422-2 since the Code du travail applies
    # there (1 January 2018). Not a day that started in 2019.
    "976": (4, 27),
    # Saint-Barthélemy (a collectivité, not a département; COG code 977): 9 October, the
    # abolition of 1847 under Swedish rule. Décret n° 2012-553 and L3422-2 (5°) agree.
    "977": (10, 9),
    # Saint-Martin (978) is left out on purpose, its date being uncertain: décret n° 2012-553
    # and L3422-2 (3°) say 27 May, as in Guadeloupe; the collectivité voted 28 May in 2015,
    # writing 28 May into the texts in 2016 failed on a clerical error, and the préfecture
    # has announced 28 May as the holiday since 2018 (interministerial circulars of 2018 and
    # 3 May 2019). Press reports, not the texts in force, for the last two points.
    # Add "978": (5, 27) or (5, 28) once the text in force is checked.
})

# Territories where the Code du travail applies with the national days only.
# Saint-Pierre-et-Miquelon (975): the Code du travail applies, no local holiday by law.
NATIONAL_ONLY_TERRITORIES = frozenset({"975"})

# Not covered, each with the reason given in the error.
_NOT_COVERED = {
    "20": "Corsica is 2A (Corse-du-Sud) or 2B (Haute-Corse)",
    "978": "Saint-Martin: its date of the abolition of slavery is not settled here "
           "(27 or 28 May), see ABOLITION_OF_SLAVERY",
    **dict.fromkeys(
        ["984", "986", "987", "988", "989"],
        "the Code du travail does not apply there (own labour law)",
    ),
}

DEPARTMENTS = (METROPOLITAN_DEPARTMENTS | NATIONAL_ONLY_TERRITORIES
               | frozenset(ABOLITION_OF_SLAVERY))

# Easter is computed for Gregorian years that `datetime.date` can hold.
MIN_YEAR, MAX_YEAR = 1583, 9999

NEW_YEARS_DAY = _("New Year's Day")
EASTER_MONDAY = _("Easter Monday")
LABOUR_DAY = _("Labour Day")
VICTORY_IN_EUROPE_DAY = _("Victory in Europe Day")
ASCENSION_DAY = _("Ascension Day")
WHIT_MONDAY = _("Whit Monday")
BASTILLE_DAY = _("Bastille Day")
ASSUMPTION_DAY = _("Assumption Day")
ALL_SAINTS_DAY = _("All Saints' Day")
ARMISTICE_DAY = _("Armistice Day")
CHRISTMAS_DAY = _("Christmas Day")
GOOD_FRIDAY = _("Good Friday")
ST_STEPHENS_DAY = _("St Stephen's Day")
ABOLITION_OF_SLAVERY_DAY = _("Commemoration of the abolition of slavery")


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str  # lazy translation (gettext_lazy) of an English msgid: str() it when displayed
    scope: str  # NATIONAL, ALSACE_MOSELLE, or the overseas territory code ("971"…)


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday: the anonymous algorithm (Meeus/Jones/Butcher), see above."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"Easter is computed for Gregorian years {MIN_YEAR}–{MAX_YEAR}, "
                         f"not {year}")
    a = year % 19                        # place in the 19-year Metonic cycle
    b, c = divmod(year, 100)             # century, year in the century
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3                 # lunar correction
    h = (19 * a + b - d - g + 15) % 30   # epact: days from 21 March to the paschal full moon
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7   # days from the full moon to Sunday
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def public_holidays(year: int, *, department: str) -> list[Holiday]:
    """The public holidays of `year` in `department` ("69", "2A", "971"…), sorted by day.

    ValueError for an unknown or uncovered code, or a year outside MIN_YEAR–MAX_YEAR.
    """
    department = _checked_department(department)
    easter = easter_sunday(year)
    # Code du travail L3133-1, in its order.
    holidays = [
        Holiday(date(year, 1, 1), NEW_YEARS_DAY, NATIONAL),
        Holiday(easter + timedelta(days=1), EASTER_MONDAY, NATIONAL),
        Holiday(date(year, 5, 1), LABOUR_DAY, NATIONAL),
        Holiday(date(year, 5, 8), VICTORY_IN_EUROPE_DAY, NATIONAL),
        Holiday(easter + timedelta(days=39), ASCENSION_DAY, NATIONAL),
        # Whit Monday stays a public holiday even where it is worked as the "journée de
        # solidarité" (Code du travail L3133-7 and following; loi n° 2008-351 of 16 April 2008
        # ended its being that day by default).
        Holiday(easter + timedelta(days=50), WHIT_MONDAY, NATIONAL),
        Holiday(date(year, 7, 14), BASTILLE_DAY, NATIONAL),
        Holiday(date(year, 8, 15), ASSUMPTION_DAY, NATIONAL),
        Holiday(date(year, 11, 1), ALL_SAINTS_DAY, NATIONAL),
        Holiday(date(year, 11, 11), ARMISTICE_DAY, NATIONAL),
        Holiday(date(year, 12, 25), CHRISTMAS_DAY, NATIONAL),
    ]
    if department in ALSACE_MOSELLE_DEPARTMENTS:
        # Code du travail L3134-13. Good Friday is a holiday by law only in the communes
        # having a Protestant temple or a mixed church; in practice it is observed across
        # the three départements (and in Moselle the prefect rules shop opening on Good
        # Friday for the whole département, L3134-14), so it is applied to all of 57, 67 and
        # 68 here, whatever the commune.
        holidays += [
            Holiday(easter - timedelta(days=2), GOOD_FRIDAY, ALSACE_MOSELLE),
            Holiday(date(year, 12, 26), ST_STEPHENS_DAY, ALSACE_MOSELLE),
        ]
    if department in ABOLITION_OF_SLAVERY:
        month, day = ABOLITION_OF_SLAVERY[department]
        holidays.append(Holiday(date(year, month, day), ABOLITION_OF_SLAVERY_DAY, department))
    # A stable sort: two holidays on one day keep the order of the texts.
    return sorted(holidays, key=lambda holiday: holiday.day)


def is_public_holiday(day: date, *, department: str) -> bool:
    """Whether `day` is a public holiday in `department` (a Sunday holiday still is one)."""
    _check_date(day)
    return any(holiday.day == day
               for holiday in public_holidays(day.year, department=department))


def holidays_between(start: date, end: date, *, department: str) -> dict[date, Holiday]:
    """The public holidays from `start` to `end`, both included, by day in date order.

    One holiday per day: when two fall on the same day, the first in the order of the texts.
    ValueError if `end` is before `start`.
    """
    _check_date(start)
    _check_date(end)
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    found: dict[date, Holiday] = {}
    for year in range(start.year, end.year + 1):
        for holiday in public_holidays(year, department=department):
            if start <= holiday.day <= end:
                found.setdefault(holiday.day, holiday)
    return found


def _checked_department(department: str) -> str:
    if not isinstance(department, str):
        raise TypeError(f"the département is a code as text ('69', '2A', '971'), "
                        f"not {department!r}")
    if department in DEPARTMENTS:
        return department
    if department in _NOT_COVERED:
        raise ValueError(f"département {department!r} is not covered: "
                         f"{_NOT_COVERED[department]}")
    raise ValueError(f"unknown département code {department!r}: expected a code of the Code "
                     f"officiel géographique such as '69', '2A' or '971', as written there "
                     f"(two digits, capital A/B for Corsica, three digits overseas)")


def _check_date(day: date) -> None:
    # A datetime is a date but never equals one: it would silently match no holiday.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a date, not {day!r}")
