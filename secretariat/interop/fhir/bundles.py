"""Searchset Bundles: the answers of a search and of $match."""

from secretariat.interop.fhir.mapping import patient_resource
from secretariat.patients.models import Patient
from secretariat.patients.queries import DuplicateCandidate

MATCH_GRADE_URL = "http://hl7.org/fhir/StructureDefinition/match-grade"


def patient_url(patient: Patient, *, base_url: str) -> str:
    return f"{base_url}Patient/{patient.pk}"


def search_bundle(patients: list[Patient], *, total: int, base_url: str, self_url: str) -> dict:
    return _searchset(
        [_entry(patient, base_url, {"mode": "match"}) for patient in patients],
        total=total, self_url=self_url,
    )


def match_bundle(candidates: list[DuplicateCandidate], *, base_url: str, self_url: str) -> dict:
    entries = [
        _entry(candidate.patient, base_url, {
            "extension": [{"url": MATCH_GRADE_URL, "valueCode": str(candidate.match.grade)}],
            "mode": "match",
            "score": candidate.match.score,
        })
        for candidate in candidates
    ]
    return _searchset(entries, total=len(entries), self_url=self_url)


def _entry(patient: Patient, base_url: str, search: dict) -> dict:
    return {
        "fullUrl": patient_url(patient, base_url=base_url),
        "resource": patient_resource(patient, base_url=base_url),
        "search": search,
    }


def _searchset(entries: list[dict], *, total: int, self_url: str) -> dict:
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": "self", "url": self_url}],
    }
    if entries:
        bundle["entry"] = entries
    return bundle
