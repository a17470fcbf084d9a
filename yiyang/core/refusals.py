"""The one place a refusal becomes an HTTP answer.

A `DomainError` carries its status and its body `{"code", "message", "fields"}`; Django's own
refusals (Http404, its PermissionDenied, SuspiciousOperation) are read as ours first, so that a
code has the same status wherever it is given. The API's exception handlers, the phone form's
JSON endpoints, the console's views (`core.console.domain_errors_as_http`) and the error pages
(`core.error_pages`) all answer through here: JSON under /api/ and for the phone's calls, a
page in the console's look everywhere else.
"""

import logging

from django.core.exceptions import BadRequest as DjangoBadRequest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .exceptions import BadRequest, CsrfFailed, DomainError, NotFound, PermissionDenied

logger = logging.getLogger(__name__)

# Everything under this prefix is the REST API, which answers JSON and never a page.
API_PREFIX = "/api/"

# The pages of the refusals people meet in the console; any other refusal shows its message.
PAGES = {
    BadRequest.code: "400.html",
    PermissionDenied.code: "403.html",
    CsrfFailed.code: "403_csrf.html",
    NotFound.code: "404.html",
}
OTHER_PAGE = "refusal.html"


def refusal_of(exc: BaseException) -> DomainError | None:
    """Ours as they are, Django's own refusals as ours; None for anything else (a bug)."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, Http404):
        return NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return PermissionDenied()
    if isinstance(exc, DjangoBadRequest | SuspiciousOperation):
        return BadRequest()
    return None


def refusal_body(exc: DomainError, **overrides) -> dict:
    """The body every refusal has. A caller may word `message` and `fields` for its readers (the
    phone translates the graders' problems) and add keys, never change the code."""
    if "code" in overrides:
        raise ValueError("the code of a refusal is its class's, not the caller's")
    return {**exc.as_dict(), **overrides}


def refusal_json(exc: DomainError, **overrides) -> HttpResponse:
    """The refusal as a JSON answer with its status."""
    _log_if_fault(exc)
    response = JsonResponse(
        refusal_body(exc, **overrides),
        status=exc.status,
        json_dumps_params={"ensure_ascii": False},
    )
    return _with_headers(response, exc)


def refusal_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """The refusal as a console page with its status: what happened, in plain words, and the way
    home. A 404 says nothing more than that the record is not there or not yours to see."""
    _log_if_fault(exc)
    context = {"refusal": exc, "detail": _detail(exc)}
    response = render(request, PAGES.get(exc.code, OTHER_PAGE), context, status=exc.status)
    return _with_headers(response, exc)


def _with_headers(response: HttpResponse, exc: DomainError) -> HttpResponse:
    # A refusal may carry headers of its own (Retry-After of a throttled request).
    for name, value in getattr(exc, "headers", {}).items():
        response[name] = value
    return response


def refusal_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """JSON under /api/, a page everywhere else."""
    if wants_json(request):
        return refusal_json(exc)
    return refusal_page(request, exc)


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _detail(exc: DomainError) -> str:
    """The refusal's own message when a service said more than its class does. Never for a 404:
    outsiders must not learn anything about a record they cannot see."""
    if isinstance(exc, NotFound):
        return ""
    message = str(exc.message)
    return "" if message == str(exc.default_message) else message


def _log_if_fault(exc: DomainError) -> None:
    # A 5xx refusal is our fault (a broken definition file): the log must have its traceback.
    # One built only to answer for a fault Django has already logged was never raised.
    if exc.status >= 500 and exc.__traceback__ is not None:
        logger.error("%s: %s", exc.code, exc.message, exc_info=exc)
