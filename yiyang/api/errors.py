"""The API's refusals: ninja's own exceptions read as ours, then answered by `core.refusals`.

The codes are stable; clients branch on `code`, show `message` (translated) and mark the input
named by each key of `fields`. The classes document their codes; `yiyang error-codes` lists them
for docs/api.md and the OpenAPI description.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from yiyang.accounts.services import api_call_admit
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
from yiyang.core.http import client_ip
from yiyang.core.refusals import refusal_json, refusal_of


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


def throttled(view):
    """Count the call against its address's limit (the security policy's API calls a minute)
    before anything else runs: a caller over it gets 429 `too_many_requests`."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            api_call_admit(ip=client_ip(request))
        except DomainError as exc:
            return refusal_json(exc)
        return view(request, *args, **kwargs)

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped


def unknown_path(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Anything under /api/ that no endpoint matches."""
    return refusal_json(NotFound(_("No API endpoint at this address.")))


unknown_path.csrf_exempt = True
