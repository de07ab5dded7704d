"""What is wrong with a patient's coverage on a given day: pure functions over plain values.

The reception desk shows these at check-in. Sources (shared/domain/french-rules.md): §5.3 (ALD,
C2S and AME are dated rights; C2S is itself the complementary cover and AME covers everything,
so neither needs an AMC), §5.5 (tiers payant needs rights open on the day of care), §1.1 (an
ayant droit is billed under the NIR of the insured person who opens the rights).

The functions take any objects with the attributes of ``AmoRights`` and ``AmcRights`` (model
rows or these dataclasses) and touch no database.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

ENDING_SOON_DAYS = 30


@dataclass(frozen=True)
class AmoRights:
    rights_from: date | None = None
    rights_until: date | None = None
    patient_is_insured: bool = True
    insured_nir: str = ""
    has_ald: bool = False
    ald_until: date | None = None
    has_c2s: bool = False
    c2s_until: date | None = None
    has_ame: bool = False
    ame_until: date | None = None


@dataclass(frozen=True)
class AmcRights:
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class CoverageProblem:
    code: str
    """Stable code for the screens: amo_missing, amo_expired, ald_ending…"""
    message: str
    """Short, translated, says what to ask for."""

    def __str__(self) -> str:
        return self.message


def covers(start: date | None, end: date | None, day: date) -> bool:
    """Whether the period [start, end] (either end open when None) contains ``day``."""
    return (start is None or start <= day) and (end is None or day <= end)


def current_amo(amo: Iterable, *, on: date):
    """The AMO coverage open on ``on`` (the latest started if several), or None."""
    open_rows = [row for row in amo if covers(row.rights_from, row.rights_until, on)]
    return max(open_rows, key=lambda row: row.rights_from or date.min, default=None)


def current_amc(amc: Iterable, *, on: date):
    open_rows = [row for row in amc if covers(row.valid_from, row.valid_until, on)]
    return max(open_rows, key=lambda row: row.valid_from or date.min, default=None)


def coverage_problems(amo: Iterable, amc: Iterable, *, on: date) -> list[CoverageProblem]:
    """The problems to solve at the desk on ``on``, AMO first, then exonerations, then AMC."""
    amo, amc = list(amo), list(amc)
    problems: list[CoverageProblem] = []
    amo_now = current_amo(amo, on=on)
    if not amo:
        problems.append(CoverageProblem("amo_missing", _(
            "No AMO coverage recorded: ask for the carte Vitale or the attestation de droits.")))
    elif amo_now is None:
        problems.append(_outside_period(
            [(row.rights_from, row.rights_until) for row in amo], on=on,
            expired=("amo_expired", _("AMO rights expired on %(date)s: ask for an up-to-date "
                                      "attestation de droits.")),
            not_started=("amo_not_started", _("AMO rights only start on %(date)s.")),
        ))
    if amo_now is not None:
        if not amo_now.patient_is_insured and not amo_now.insured_nir:
            problems.append(CoverageProblem("insured_nir_missing", _(
                "The patient is an ayant droit but the insured person's NIR is missing.")))
        problems.extend(_dated_right_problems(amo_now, on=on))
    if not _needs_no_amc(amo_now, on=on) and current_amc(amc, on=on) is None:
        if not amc:
            problems.append(CoverageProblem("amc_missing", _(
                "No complementary coverage (AMC) recorded: ask for the mutuelle card.")))
        else:
            problems.append(_outside_period(
                [(row.valid_from, row.valid_until) for row in amc], on=on,
                expired=("amc_expired", _("The complementary coverage (AMC) expired on %(date)s: "
                                          "ask for the new card.")),
                not_started=("amc_not_started", _("The complementary coverage (AMC) only starts "
                                                  "on %(date)s.")),
            ))
    return problems


def _outside_period(periods: list[tuple[date | None, date | None]], *, on: date,
                    expired: tuple[str, str], not_started: tuple[str, str]) -> CoverageProblem:
    """No period covers ``on``: say when the next one starts, else when the last one ended."""
    starts = [start for start, _end in periods if start is not None and start > on]
    if starts:
        code, message = not_started
        return CoverageProblem(code, message % {"date": _day(min(starts))})
    code, message = expired
    ended = max(end for _start, end in periods if end is not None and end < on)
    return CoverageProblem(code, message % {"date": _day(ended)})


def _dated_right_problems(amo, *, on: date) -> list[CoverageProblem]:
    rights = (
        ("ald", amo.has_ald, amo.ald_until, _("ALD")),
        ("c2s", amo.has_c2s, amo.c2s_until, _("C2S")),
        ("ame", amo.has_ame, amo.ame_until, _("AME")),
    )
    problems = []
    for code, held, until, label in rights:
        if not held or until is None:
            continue
        if until < on:
            problems.append(CoverageProblem(f"{code}_ended", _(
                "%(right)s ended on %(date)s: ask whether it was renewed.") % {
                    "right": label, "date": _day(until)}))
        elif until == on:
            problems.append(CoverageProblem(f"{code}_ending", _(
                "%(right)s ends today (%(date)s): remind the patient to renew it.") % {
                    "right": label, "date": _day(until)}))
        elif until <= on + timedelta(days=ENDING_SOON_DAYS):
            days = (until - on).days
            problems.append(CoverageProblem(f"{code}_ending", ngettext(
                "%(right)s ends on %(date)s, in %(days)d day: remind the patient to renew it.",
                "%(right)s ends on %(date)s, in %(days)d days: remind the patient to renew it.",
                days) % {"right": label, "date": _day(until), "days": days}))
    return problems


def _needs_no_amc(amo, *, on: date) -> bool:
    """C2S is the complementary cover itself and AME covers everything (no AMC then)."""
    if amo is None:
        return False
    return ((amo.has_c2s and (amo.c2s_until is None or on <= amo.c2s_until))
            or (amo.has_ame and (amo.ame_until is None or on <= amo.ame_until)))


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"
