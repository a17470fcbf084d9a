"""The API's refusals: ninja's own exceptions read as ours, then answered by `core.refusals`.

The codes are stable; clients branch on `code`, show `message` (translated) and mark the input
named by each key of `fields`. docs/api.md lists them for third parties.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from yiyang.core.exceptions import (
    BadRequest,
    DomainError,
    MalformedJson,
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    SchemaInvalid,
    Unauthenticated,
    ValidationFailed,
)
from yiyang.core.refusals import refusal_json, refusal_of

# Every code the API answers with, and when. Kept here so that docs/api.md, the OpenAPI
# description and the tests read one list.
ERROR_CODES = {
    "unauthenticated": (401, "No session and no valid X-API-Key."),
    "forbidden": (403, "The key's scopes or the account's role lack the endpoint's capability."),
    "csrf_failed": (403, "A session request that changes data came without the CSRF token."),
    "not_found": (404, "No such row, or a row outside the caller's region: the two look alike."),
    "method_not_allowed": (405, "The path exists but not with this HTTP method."),
    "invalid": (
        422,
        "The input does not fit the schema (422) or breaks a registry rule (400); "
        "`fields` names each bad field and the reason.",
    ),
    "malformed_json": (400, "The request body is not JSON."),
    "bad_cursor": (400, "The cursor was not issued by this list (edited or from another list)."),
    "conflict": (409, "The organisation changed since you read it (version mismatch)."),
    "elder_not_editable": (409, "The elder has moved out or died; the record is closed."),
    "bad_transition": (409, "An assessment step taken out of order (the case is at another step)."),
    "policy_missing": (409, "No assessment policy is in force for that standard, region and day."),
    "open_case_exists": (409, "The person already has an open assessment case."),
    "reapply_barred": (409, "A 'no disability' conclusion bars a new application for a period."),
    "pool_too_small": (409, "Too few eligible assessors in the organisation's pool."),
    "already_submitted": (409, "An assessor's answers were submitted and cannot change."),
    "unknown_instrument": (404, "No assessment standard with that id."),
    "missing_item": (400, "Grading: an item of the standard was not answered (`fields`)."),
    "unknown_item": (400, "Grading: an item id the standard does not have."),
    "bad_score": (400, "Grading: a score that is not one of the item's option scores."),
    "bad_type": (400, "Grading: a value of the wrong type."),
    "unknown_field": (400, "Grading: a top-level field the standard does not take."),
    "bad_diagnosis": (400, "Grading: a diagnosis that is not an ICD-10 code."),
    "unknown_risk_event": (400, "Grading: a risk-event type the standard does not list."),
    "bad_risk_event": (400, "Grading: a risk-event count outside the form's options."),
    "bad_request": (400, "Any other refusal of the request as sent."),
}


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class BadCursor(ValidationFailed):
    """The cursor was not issued by this list (edited, or taken from another list)."""

    code = "bad_cursor"


# Where pydantic says an input came from; the client only needs the field's own path.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def field_path(loc) -> str:
    """("body", "payload", "guardians", 0, "phone") -> "guardians.0.phone"."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        # A JSON body arrives as one parameter; its name is ours, not the client's.
        if source == "body" and parts:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or "body"


def api_refusal(exc: Exception) -> DomainError:
    """Any refusal an endpoint can meet, as one of ours."""
    if isinstance(exc, NinjaValidationError):
        fields: dict[str, str] = {}
        for err in exc.errors:
            fields.setdefault(field_path(err.get("loc", ())), err.get("msg", "invalid"))
        return SchemaInvalid(fields=fields)
    if isinstance(exc, AuthenticationError):
        return Unauthenticated()
    if isinstance(exc, HttpError):
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            return MalformedJson()  # ninja wraps the JSON parser's error in a 400
        by_status = {
            401: Unauthenticated,
            403: PermissionDenied,
            404: NotFound,
            405: MethodNotAllowed,
        }
        return by_status.get(exc.status_code, BadRequest)()
    return refusal_of(exc) or BadRequest()


def install(api) -> None:
    """One handler for every refusal; anything else is a bug and goes on to Django's 500."""

    def answer(request, exc):
        return refusal_json(api_refusal(exc))

    for kind in (DomainError, NinjaValidationError, HttpError, Http404, DjangoPermissionDenied):
        api.add_exception_handler(kind, answer)


def json_refusals(view):
    """Wrap a URL pattern's view so that Django's bare 405 answer carries our body too."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            refusal = refusal_json(MethodNotAllowed(_("Use one of: %s.") % allowed))
            refusal["Allow"] = allowed
            return refusal
        return response

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped


def unknown_path(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Anything under /api/ that no endpoint matches."""
    return refusal_json(NotFound(_("No API endpoint at this address.")))


unknown_path.csrf_exempt = True
