"""GET /fhir/Patient?…: the search parameters understood, turned into the patients' own search.

family, given and name go to ``patients_matching`` (the search box's tolerant search: any
case, accents or not, sound-alikes, a typo) — each looks at every name of the patient (birth,
used and first names), so ``family=MARTIN`` also finds a MARTIN first name; the ranking puts
exact names first. The other parameters are exact filters:

- birthdate: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, with no prefix or ``eq``;
- gender: female | male | unknown | other (nobody is recorded as other);
- identifier: ``[system]|[value]``, ``[system]|`` or ``[value]``: the local record number
  (system ``mapping.local_system``) or the INS (``urn:oid:`` + its OID), the INS of qualified
  identities only, as it is shown only for them;
- telecom: a phone number in any usual form (``[phone|]0612345678``) or an e-mail address;
- _count: page size, 20 by default, 100 at most (0 gives the total only).

Anything else is refused (400), as FHIR's strict handling asks, unless the client sends
``Prefer: handling=lenient``. Comma-separated alternatives are not supported (400).
"""

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.interop.fhir.errors import invalid
from secretariat.interop.fhir.mapping import INS_IDENTIFIER_TYPES, SEXES, local_system
from secretariat.patients.models import Patient
from secretariat.patients.permissions import patients_for
from secretariat.patients.queries import CANDIDATE_LIMIT, patients_matching
from secretariat.patients.rules.dates import parse_search_text

NAME_PARAMETERS = ("family", "given", "name")
FILTER_PARAMETERS = ("birthdate", "gender", "identifier", "telecom")
RESULT_PARAMETERS = ("_count", "_format")
KNOWN_PARAMETERS = frozenset((*NAME_PARAMETERS, *FILTER_PARAMETERS, *RESULT_PARAMETERS))
DEFAULT_COUNT, MAX_COUNT = 20, 100

_BIRTH_DATE = re.compile(r"(?P<prefix>[a-z]{2})?(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?")
_NOBODY = Q(pk__in=[])
_QUALIFIED_INS = Q(identity_status=Patient.IdentityStatus.QUALIFIED) & ~Q(ins_matricule="")


@dataclass(frozen=True)
class SearchResult:
    patients: list[Patient]  # the page returned, best first
    total: int  # all matches (name searches rank at most CANDIDATE_LIMIT of them)


def search_patients(user, params, *, base_url: str, lenient: bool = False) -> SearchResult:
    """The patients ``user`` may see that match the query ``params`` (a QueryDict)."""
    unknown = sorted(set(params) - KNOWN_PARAMETERS)
    if unknown and not lenient:
        raise invalid(_("Unknown search parameters: %(unknown)s. Supported: %(known)s.") % {
            "unknown": ", ".join(unknown), "known": ", ".join(sorted(KNOWN_PARAMETERS))})
    for name in (*NAME_PARAMETERS, *FILTER_PARAMETERS):
        if any("," in value for value in params.getlist(name)):
            raise invalid(_("Alternatives separated by commas are not supported (parameter "
                            "%(name)s): send one search per value.") % {"name": name})
    count = _count(params.getlist("_count"))
    patients = patients_for(user)
    for value in params.getlist("birthdate"):
        patients = patients.filter(_birth_date(value))
    for value in params.getlist("gender"):
        patients = patients.filter(_gender(value))
    for value in params.getlist("identifier"):
        patients = patients.filter(_identifier(value, local=local_system(base_url)))
    for value in params.getlist("telecom"):
        patients = patients.filter(_telecom(value))

    words = " ".join(value for name in NAME_PARAMETERS for value in params.getlist(name)).strip()
    if words:
        found = [hit.patient for hit in patients_matching(patients, words, limit=CANDIDATE_LIMIT)]
        return SearchResult(found[:count], len(found))
    ordered = patients.order_by(*Patient._meta.ordering, "pk")
    return SearchResult(list(ordered[:count]) if count else [], patients.count())


def _count(values: list[str]) -> int:
    if not values:
        return DEFAULT_COUNT
    try:
        count = int(values[-1])
    except ValueError:
        count = -1
    if count < 0:
        raise invalid(_("_count must be a whole number, 0 or more."))
    return min(count, MAX_COUNT)


def _birth_date(value: str) -> Q:
    match = _BIRTH_DATE.fullmatch(value.strip())
    if match is None:
        raise invalid(_("Give birthdate as YYYY-MM-DD (or YYYY-MM, YYYY), e.g. 1962-07-14."))
    if match["prefix"] not in (None, "eq"):
        raise invalid(_("Only equality is supported for birthdate (no prefix, or eq)."))
    year, month, day = match["year"], match["month"], match["day"]
    if day:
        try:
            return Q(birth_date=date(int(year), int(month), int(day)))
        except ValueError:
            raise invalid(_("%(value)s is not an existing date.") % {"value": value}) from None
    if month:
        return Q(birth_date__year=int(year), birth_date__month=int(month))
    return Q(birth_date__year=int(year))


def _gender(value: str) -> Q:
    if value == "other":
        return _NOBODY  # a valid code, never recorded (identity traits know F, M and I)
    if value not in SEXES:
        raise invalid(_("gender is one of female, male, other, unknown."))
    return Q(sex=SEXES[value])


def _identifier(value: str, *, local: str) -> Q:
    if "|" not in value:
        return _local_number(value) | _ins(value)
    system, _bar, code = value.partition("|")
    if system == local:
        return _local_number(code) if code else Q()
    oid = system.removeprefix("urn:oid:")
    if system.startswith("urn:oid:") and oid in INS_IDENTIFIER_TYPES:
        return _ins(code, oid=oid)
    return _NOBODY  # no system (|value) or a system we do not issue


def _local_number(code: str) -> Q:
    return Q(pk=int(code)) if code.isdigit() and len(code) < 19 else _NOBODY


def _ins(code: str, *, oid: str | None = None) -> Q:
    condition = _QUALIFIED_INS & Q(ins_oid=oid) if oid else _QUALIFIED_INS
    return condition & Q(ins_matricule=code) if code else condition


def _telecom(value: str) -> Q:
    system, _bar, code = value.rpartition("|")
    code = code.strip()
    if system in ("", "phone"):
        phone = parse_search_text(code, today=timezone.localdate()).phone
        if phone:
            return Q(phone=phone)
    if system in ("", "email") and "@" in code:
        return Q(email__iexact=code)
    return _NOBODY
