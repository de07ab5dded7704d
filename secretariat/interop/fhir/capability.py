"""GET /fhir/metadata: the CapabilityStatement of this server (what it does, nothing more)."""

from secretariat.interop.fhir.agenda_capability import agenda_resources
from secretariat.interop.fhir.search import DEFAULT_COUNT, MAX_COUNT

# Date of the statement's content: change it with the capabilities.
STATEMENT_DATE = "2026-11-25"
_SPEC = "http://hl7.org/fhir/SearchParameter"

SEARCH_PARAMETERS = (
    ("family", "string", f"{_SPEC}/individual-family",
     "Any name of the patient (birth, used, first names), tolerant to accents and typos."),
    ("given", "string", f"{_SPEC}/individual-given",
     "Any name of the patient (birth, used, first names), tolerant to accents and typos."),
    ("name", "string", f"{_SPEC}/Patient-name",
     "Any name of the patient (birth, used, first names), tolerant to accents and typos."),
    ("birthdate", "date", f"{_SPEC}/individual-birthdate",
     "YYYY-MM-DD, YYYY-MM or YYYY; equality only (no prefix, or eq)."),
    ("gender", "token", f"{_SPEC}/individual-gender", "female | male | other | unknown."),
    ("identifier", "token", f"{_SPEC}/Patient-identifier",
     "Local record number, or the INS of a qualified identity (urn:oid:1.2.250.1.213.1.4.x)."),
    ("telecom", "token", f"{_SPEC}/individual-telecom", "Phone number or e-mail address."),
    ("_count", "number", None, f"Page size: {DEFAULT_COUNT} by default, {MAX_COUNT} at most."),
)


def capability_statement(*, base_url: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": STATEMENT_DATE,
        "publisher": "Secretariat",
        "kind": "instance",
        "software": {"name": "Secretariat"},
        "implementation": {"description": "Secretariat FHIR R4 API: patients and agenda", "url": base_url},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": {
                "description": "Authorization: Bearer <token> (tokens issued by the coordinator, "
                               "acting exactly as their user), or the session of a logged-in user.",
            },
            "resource": [{
                "type": "Patient",
                "interaction": [{"code": code} for code in ("read", "create", "update", "search-type")],
                "versioning": "no-version",
                "readHistory": False,
                "updateCreate": False,
                "searchParam": [_search_parameter(*parameter) for parameter in SEARCH_PARAMETERS],
                "operation": [{
                    "name": "match",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-match",
                }],
            }, *agenda_resources()],
        }],
    }


def _search_parameter(name: str, kind: str, definition: str | None, documentation: str) -> dict:
    parameter = {"name": name, "type": kind, "documentation": documentation}
    if definition:
        parameter["definition"] = definition
    return parameter
