"""The agenda's part of the CapabilityStatement: Practitioner, Schedule, Slot, Appointment."""

from secretariat.interop.fhir.agenda_search import DEFAULT_COUNT, MAX_COUNT, MAX_SLOT_WINDOW

_SPEC = "http://hl7.org/fhir/SearchParameter"
_PAGING = (
    ("_count", "number", None, f"Page size: {DEFAULT_COUNT} by default, {MAX_COUNT} at most."),
    ("_offset", "number", None, "Index of the first result of the page (the next link carries it)."),
)
_DATES = ("YYYY-MM-DD (a day, Europe/Paris) or a time with its offset; prefixes eq, ge, gt, lt, le. "
          "A time without an offset is refused.")

RESOURCES = (
    ("Practitioner", ("read", "search-type"), (
        ("_id", "token", f"{_SPEC}/Resource-id", "The practitioner's record number."),
        ("identifier", "token", f"{_SPEC}/Practitioner-identifier",
         "RPPS number, system https://rpps.esante.gouv.fr (FR Core slice rpps)."),
        ("name", "string", f"{_SPEC}/Practitioner-name", "Words of the last or first name."),
        ("family", "string", f"{_SPEC}/individual-family", "Words of the last name."),
        ("given", "string", f"{_SPEC}/individual-given", "Words of the first name."),
        ("active", "token", f"{_SPEC}/Practitioner-active", "true | false."),
    )),
    ("Schedule", ("read", "search-type"), (
        ("_id", "token", f"{_SPEC}/Resource-id", "<practitioner>-<site>."),
        ("actor", "reference", f"{_SPEC}/Schedule-actor", "Practitioner/<id>: the practitioner's schedules."),
        ("active", "token", f"{_SPEC}/Schedule-active", "true | false (only active schedules exist)."),
    )),
    ("Slot", ("read", "search-type"), (
        ("schedule", "reference", f"{_SPEC}/Slot-schedule", "Required: Schedule/<id>."),
        ("start", "date", f"{_SPEC}/Slot-start",
         f"{_DATES} At most {MAX_SLOT_WINDOW.days} days at once; from now by default."),
        ("status", "token", f"{_SPEC}/Slot-status", "Only free slots are served."),
        ("service-type", "token", f"{_SPEC}/Slot-service-type",
         "An appointment type code (see the Schedule's serviceType)."),
    )),
    ("Appointment", ("read", "create", "update", "patch", "search-type"), (
        ("_id", "token", f"{_SPEC}/Resource-id", "The appointment's number."),
        ("patient", "reference", f"{_SPEC}/Appointment-patient", "Patient/<id>."),
        ("practitioner", "reference", f"{_SPEC}/Appointment-practitioner", "Practitioner/<id>."),
        ("date", "date", f"{_SPEC}/Appointment-date", _DATES),
        ("status", "token", f"{_SPEC}/Appointment-status",
         "booked | arrived | fulfilled | noshow | cancelled (several separated by commas)."),
        ("service-type", "token", f"{_SPEC}/Appointment-service-type", "An appointment type code."),
    )),
)

APPOINTMENT_DOCUMENTATION = (
    "Create: slot[0] = Slot/<id> from a Slot search (or start + Practitioner participant + serviceType), "
    "and a Patient participant; 409 when the slot was just taken, 422 when the practitioner's directives "
    "refuse it (one issue each; X-Secretariat-Override-Reason lets an allowed role book anyway). "
    "Update (PUT, or PATCH with JSON Patch): only the status changes; cancelled needs "
    "cancelationReason.text."
)


def agenda_resources() -> list[dict]:
    found = []
    for kind, interactions, parameters in RESOURCES:
        resource = {
            "type": kind,
            "interaction": [{"code": code} for code in interactions],
            "versioning": "no-version",
            "readHistory": False,
            "updateCreate": False,
            "searchParam": [_parameter(*parameter) for parameter in (*parameters, *_PAGING)],
        }
        if kind == "Appointment":
            resource["documentation"] = APPOINTMENT_DOCUMENTATION
        found.append(resource)
    return found


def _parameter(name: str, kind: str, definition: str | None, documentation: str) -> dict:
    parameter = {"name": name, "type": kind, "documentation": documentation}
    if definition:
        parameter["definition"] = definition
    return parameter
