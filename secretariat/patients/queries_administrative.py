"""Reads of the administrative file: the summary shown on the patient file and at the desk.

The patient comes from ``patients_for``/``access_patient`` (already scoped). Everything is read
with one query per kind of row (at most six, whatever the patient), or from prefetches already
made with ``SUMMARY_PREFETCHES``.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.patients.models import (
    Address,
    AdministrativeFile,
    AmcCoverage,
    AmoCoverage,
    ContactPerson,
    Patient,
)
from secretariat.patients.rules.coverage import (
    CoverageProblem,
    coverage_problems,
    current_amc,
    current_amo,
)

ADULT_AGE = 18

# For a list of patients: patients_for(user).prefetch_related(*SUMMARY_PREFETCHES).
SUMMARY_PREFETCHES = ("administrative_file__medecin_traitant", "addresses", "contact_people",
                      "amo_coverages", "amc_coverages")


@dataclass
class AdministrativeSummary:
    file: AdministrativeFile | None
    addresses: list[Address]
    people: list[ContactPerson]
    amo: list[AmoCoverage]
    amc: list[AmcCoverage]
    current_amo: AmoCoverage | None
    current_amc: AmcCoverage | None
    problems: list[CoverageProblem]
    on: date
    warnings: list[str] = field(default_factory=list)
    is_minor: bool = False

    @property
    def amo_rows(self) -> list[tuple[AmoCoverage, str]]:
        """Each AMO coverage with its state on the day: "current", "upcoming" or "ended"."""
        return [(row, _state(row.rights_from, row.rights_until, self.on)) for row in self.amo]

    @property
    def amc_rows(self) -> list[tuple[AmcCoverage, str]]:
        return [(row, _state(row.valid_from, row.valid_until, self.on)) for row in self.amc]

    @property
    def home_address(self) -> Address | None:
        return next((address for address in self.addresses if address.kind == Address.Kind.HOME), None)

    @property
    def trusted_person(self) -> ContactPerson | None:
        return next((person for person in self.people
                     if person.role == ContactPerson.Role.TRUSTED_PERSON), None)

    @property
    def legal_representatives(self) -> list[ContactPerson]:
        return [person for person in self.people if person.is_legal_representative]

    @property
    def emergency_contacts(self) -> list[ContactPerson]:
        return [person for person in self.people if person.role == ContactPerson.Role.EMERGENCY]


def administrative_summary(patient: Patient, *, on: date | None = None) -> AdministrativeSummary:
    """Everything the file and the desk show about the administrative side, on ``on`` (today)."""
    on = on or timezone.localdate()
    prefetch_related_objects([patient], *SUMMARY_PREFETCHES)
    file = patient.administrative_file if _has_file(patient) else None
    addresses = list(patient.addresses.all())
    people = list(patient.contact_people.all())
    amo, amc = list(patient.amo_coverages.all()), list(patient.amc_coverages.all())
    is_minor = patient.age_on(on) < ADULT_AGE
    summary = AdministrativeSummary(
        file=file, addresses=addresses, people=people, amo=amo, amc=amc,
        current_amo=current_amo(amo, on=on), current_amc=current_amc(amc, on=on),
        problems=coverage_problems(amo, amc, on=on), on=on, is_minor=is_minor,
    )
    summary.warnings = _file_warnings(summary)
    return summary


def patient_coverage_problems(patient: Patient, *, on: date | None = None) -> list[CoverageProblem]:
    """The coverage problems of one patient on ``on`` (today): for the desk at check-in."""
    on = on or timezone.localdate()
    prefetch_related_objects([patient], "amo_coverages", "amc_coverages")
    return coverage_problems(patient.amo_coverages.all(), patient.amc_coverages.all(), on=on)


def _state(start: date | None, end: date | None, day: date) -> str:
    if start is not None and day < start:
        return "upcoming"
    if end is not None and end < day:
        return "ended"
    return "current"


def _has_file(patient: Patient) -> bool:
    try:
        patient.administrative_file  # noqa: B018 (reads the prefetch cache)
    except AdministrativeFile.DoesNotExist:
        return False
    return True


def _file_warnings(summary: AdministrativeSummary) -> list[str]:
    """Gaps that are not about coverage: who may act for the patient, duplicated rows."""
    warnings = []
    representatives = summary.legal_representatives
    if summary.is_minor and not representatives:
        warnings.append(_("Minor patient: record the parents or the legal representative."))
    file = summary.file
    if file is not None and file.legal_protection and not representatives:
        warnings.append(_("%(measure)s recorded: add the person who represents or assists the "
                          "patient.") % {"measure": file.get_legal_protection_display()})
    if sum(address.kind == Address.Kind.HOME for address in summary.addresses) > 1:
        warnings.append(_("Several home addresses (records merged): keep one."))
    if sum(person.role == ContactPerson.Role.TRUSTED_PERSON for person in summary.people) > 1:
        warnings.append(_("Several personnes de confiance (records merged): there is one at a time, "
                          "keep the one the patient designated last."))
    return warnings
