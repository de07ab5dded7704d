"""Refusals of the FHIR API, answered as OperationOutcome resources.

Every error the API sends is an OperationOutcome with one issue of severity "error" (and
sometimes "information" issues after it), the HTTP status telling the kind of failure
(http://hl7.org/fhir/R4/http.html, http://hl7.org/fhir/R4/valueset-issue-type.html).
``diagnostics`` carries the message for a person, in the caller's language; ``expression``
points at the element concerned when there is one.
"""

from http import HTTPStatus


class FhirError(Exception):
    """A refusal: raised anywhere below a view, turned into an OperationOutcome response."""

    def __init__(self, status: int, code: str, diagnostics: str, *, expression: str | None = None,
                 information: tuple[str, ...] = (), headers: dict[str, str] | None = None):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.expression = expression
        self.information = information
        self.headers = headers or {}

    def outcome(self) -> dict:
        issues = [issue(self.code, self.diagnostics, expression=self.expression)]
        issues += [issue(self.code, text, severity="information") for text in self.information]
        return operation_outcome(issues)


def invalid(diagnostics: str, *, expression: str | None = None) -> FhirError:
    """400: the request or the resource sent cannot be used as it is."""
    return FhirError(HTTPStatus.BAD_REQUEST, "invalid", diagnostics, expression=expression)


def issue(code: str, diagnostics: str, *, severity: str = "error", expression: str | None = None) -> dict:
    entry = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        entry["expression"] = [expression]
    return entry


def operation_outcome(issues: list[dict]) -> dict:
    return {"resourceType": "OperationOutcome", "issue": issues}
