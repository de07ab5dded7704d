"""POST /fhir/Patient/$match (http://hl7.org/fhir/R4/patient-operation-match.html).

The patients' own recherche d'antériorité answers: ``anteriority_candidates`` finds the
records that may be the same person and ``rules.matching.compare`` grades each one with the
FHIR match grades (certain, probable, possible; certainly-not is never returned). Only the
records the caller may open are returned.

Input parameters: ``resource`` (a Patient: birth name, first names and birth date required;
gender, used names and birthplace used when given), ``count`` (at most that many results)
and ``onlyCertainMatches`` (only the "certain" ones).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from secretariat.interop.fhir.errors import invalid
from secretariat.interop.fhir.mapping import identity_to_match
from secretariat.patients.permissions import patients_for
from secretariat.patients.queries import DuplicateCandidate, anteriority_candidates
from secretariat.patients.rules.matching import Grade
from secretariat.patients.services import Identity


@dataclass(frozen=True)
class MatchRequest:
    identity: Identity
    count: int | None
    only_certain: bool


def match_request(parameters) -> MatchRequest:
    """What a validated Parameters resource asks for (400 when a parameter is missing or wrong)."""
    by_name: dict[str, list] = {}
    for parameter in parameters.parameter or []:
        by_name.setdefault(parameter.name, []).append(parameter)
    unknown = sorted(set(by_name) - {"resource", "count", "onlyCertainMatches"})
    if unknown:
        raise invalid(_("Unknown $match parameters: %(names)s.") % {"names": ", ".join(unknown)})
    resources = by_name.get("resource", [])
    if len(resources) != 1 or resources[0].resource is None \
            or resources[0].resource.get_resource_type() != "Patient":
        raise invalid(_("Give one parameter “resource” holding the Patient to match."),
                      expression="Parameters.parameter")
    count = None
    if "count" in by_name:
        count = by_name["count"][0].valueInteger
        if count is None or count < 1:
            raise invalid(_("The parameter “count” must be a whole number, 1 or more (valueInteger)."))
    only_certain = False
    if "onlyCertainMatches" in by_name:
        only_certain = by_name["onlyCertainMatches"][0].valueBoolean
        if only_certain is None:
            raise invalid(_("The parameter “onlyCertainMatches” must be a valueBoolean."))
    return MatchRequest(identity=identity_to_match(resources[0].resource), count=count,
                        only_certain=only_certain)


def patient_matches(user, request: MatchRequest) -> list[DuplicateCandidate]:
    """Graded candidates ``user`` may open, best score first."""
    if user.structure_id is None:
        return []
    candidates = anteriority_candidates(user.structure, request.identity)
    visible = set(patients_for(user).filter(
        pk__in=[candidate.patient.pk for candidate in candidates]).values_list("pk", flat=True))
    found = [candidate for candidate in candidates if candidate.patient.pk in visible
             and (candidate.match.grade == Grade.CERTAIN or not request.only_certain)]
    found.sort(key=lambda candidate: -candidate.match.score)
    return found[:request.count] if request.count else found
