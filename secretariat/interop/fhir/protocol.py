"""HTTP side of the FHIR API: who is calling, what they sent, how answers are written.

- Authentication: ``Authorization: Bearer <token>`` (the JSON API's tokens, acting exactly as
  their user) or the session of a logged-in browser. Token requests are exempt from CSRF
  (nothing in them comes from a cookie); a session request that writes must carry the CSRF
  token, as Django REST Framework requires for its session authentication.
- Bodies: JSON only (``application/fhir+json`` or ``application/json``), 1 MB at most, parsed
  and validated with fhir.resources (R4B models, identical to R4 for the resources served).
- Answers: every resource is rebuilt as a fhir.resources model before being written, so what
  leaves the server is valid R4; every refusal is an OperationOutcome (``errors.FhirError``).
"""

import json
from collections.abc import Callable
from contextlib import suppress
from functools import wraps
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError
from rest_framework.authentication import CSRFCheck
from rest_framework.exceptions import AuthenticationFailed

from secretariat.core.api_auth import BearerTokenAuthentication
from secretariat.interop.fhir.errors import FhirError, invalid

FHIR_JSON = "application/fhir+json"
MAX_BODY_BYTES = 1024 * 1024
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Validation errors listed in a diagnostics text; the first ones are enough to correct a client.
_MAX_LISTED_ERRORS = 10


def fhir_endpoint(*methods: str, public: bool = False) -> Callable:
    """View decorator: authenticate, check the method, answer refusals as OperationOutcome.

    The view finds the acting user in ``request.user``. ``public`` endpoints (the
    CapabilityStatement, unknown paths) answer without credentials: they show no patient data.
    """

    def decorator(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                if not public:
                    request.user = _authenticated_user(request)
                if "json" not in request.GET.get("_format", "json"):
                    raise FhirError(HTTPStatus.NOT_ACCEPTABLE, "not-supported",
                                    _("This server answers in JSON only (_format=json)."))
                if request.method not in methods:
                    raise FhirError(
                        HTTPStatus.METHOD_NOT_ALLOWED, "not-supported",
                        _("The %(method)s method is not supported here.") % {"method": request.method},
                        headers={"Allow": ", ".join(methods)},
                    )
                return view(request, *args, **kwargs)
            except FhirError as error:
                return error_response(error)
            except Http404:
                return error_response(not_found())
            except PermissionDenied:
                return error_response(forbidden())

        return wrapped

    return decorator


def _authenticated_user(request: HttpRequest):
    try:
        found = BearerTokenAuthentication().authenticate(request)
    except AuthenticationFailed as error:
        raise _unauthorised(str(error.detail)) from None
    if found is not None:
        return found[0]
    user = request.user
    if not user.is_authenticated:
        raise _unauthorised(_("Authenticate with an API token: Authorization: Bearer <token>."))
    if request.method not in SAFE_METHODS:
        _check_csrf(request)
    return user


def _check_csrf(request: HttpRequest) -> None:
    """A browser session writes only with the CSRF token, like any form of the application."""
    check = CSRFCheck(lambda _request: None)
    check.process_request(request)
    if check.process_view(request, None, (), {}) is not None:
        raise FhirError(HTTPStatus.FORBIDDEN, "forbidden",
                        _("The CSRF token is missing or wrong: reload the page, or use an API token."))


def _unauthorised(diagnostics: str) -> FhirError:
    return FhirError(HTTPStatus.UNAUTHORIZED, "login", diagnostics,
                     headers={"WWW-Authenticate": BearerTokenAuthentication.keyword})


def not_found() -> FhirError:
    # The same answer for a record that does not exist and one outside the caller's scope.
    return FhirError(HTTPStatus.NOT_FOUND, "not-found", _("No such resource."))


def forbidden(diagnostics: str | None = None) -> FhirError:
    return FhirError(HTTPStatus.FORBIDDEN, "forbidden",
                     diagnostics or _("Your role does not allow this action."))


def require_capability(user, capability: str) -> None:
    if not user.has_capability(capability):
        raise forbidden()


# --- answers ---------------------------------------------------------------------------------


def fhir_response(resource: dict, *, status: int = HTTPStatus.OK,
                  headers: dict[str, str] | None = None) -> HttpResponse:
    """The resource, checked against the R4 model of its type, as application/fhir+json."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    response = HttpResponse(model.model_dump_json(), status=status,
                            content_type=f"{FHIR_JSON}; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: FhirError) -> HttpResponse:
    return fhir_response(error.outcome(), status=error.status, headers=error.headers)


def base_url(request: HttpRequest) -> str:
    """The service base URL as the caller reached it, ending with "/" ("https://host/fhir/")."""
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata")


def header_text(request: HttpRequest, name: str) -> str:
    """A header's text; UTF-8 bytes (sent by most clients for accented text) are decoded."""
    value = request.headers.get(name, "")
    with suppress(UnicodeError):
        value = value.encode("latin-1").decode("utf-8")
    return value.strip()


# --- bodies ----------------------------------------------------------------------------------


def read_resource(request: HttpRequest, resource_type: str):
    """The body as a validated fhir.resources model of ``resource_type`` (400 otherwise)."""
    data = _read_json(request)
    received = data.get("resourceType")
    if received != resource_type:
        raise invalid(_("Send a %(expected)s resource (resourceType “%(received)s” received).")
                      % {"expected": resource_type, "received": received or ""},
                      expression="resourceType")
    try:
        return get_fhir_model_class(resource_type).model_validate(data)
    except ValidationError as error:
        raise invalid(_("The %(type)s resource is not valid FHIR R4: %(errors)s")
                      % {"type": resource_type, "errors": _describe(error)}) from None
    except (KeyError, TypeError, ValueError) as error:
        # fhir.resources reports some problems (an unknown contained resource type…) this way.
        raise invalid(_("The %(type)s resource is not valid FHIR R4: %(errors)s")
                      % {"type": resource_type, "errors": error}) from None


def _read_json(request: HttpRequest) -> dict:
    content_type = request.content_type or ""
    if content_type and "json" not in content_type:
        raise FhirError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "not-supported",
                        _("Send the resource as JSON (Content-Type: application/fhir+json)."))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise _too_large()
    try:
        body = request.body
    except RequestDataTooBig:
        raise _too_large() from None
    if len(body) > MAX_BODY_BYTES:
        raise _too_large()
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise invalid(_("The body is not UTF-8 text.")) from None
    except json.JSONDecodeError as error:
        raise invalid(_("The body is not valid JSON: %(error)s (line %(line)d, column %(column)d).")
                      % {"error": error.msg, "line": error.lineno, "column": error.colno}) from None
    if not isinstance(data, dict):
        raise invalid(_("The body must be a JSON object holding one FHIR resource."))
    return data


def _too_large() -> FhirError:
    return FhirError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too-costly",
                     _("The body is larger than %(size)d MB.") % {"size": MAX_BODY_BYTES // (1024 * 1024)})


def _describe(error: ValidationError) -> str:
    found = error.errors()
    parts = [
        f"{'.'.join(str(part) for part in detail['loc']) or '(resource)'}: {detail['msg']}"
        for detail in found[:_MAX_LISTED_ERRORS]
    ]
    if len(found) > _MAX_LISTED_ERRORS:
        parts.append("…")
    return "; ".join(parts)
