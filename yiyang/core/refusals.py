"""The one place a refusal becomes an HTTP answer.

A `DomainError` carries its status and its body `{"code", "message", "fields"}`; Django's own
refusals (Http404, its PermissionDenied, SuspiciousOperation) are read as ours first, so that a
code has the same status wherever it is given. The API's exception handlers and the phone
form's JSON endpoints answer through here.
"""

import logging

from django.core.exceptions import BadRequest as DjangoBadRequest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse, JsonResponse

from .exceptions import BadRequest, DomainError, NotFound, PermissionDenied

logger = logging.getLogger(__name__)


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
    return JsonResponse(
        refusal_body(exc, **overrides),
        status=exc.status,
        json_dumps_params={"ensure_ascii": False},
    )


def _log_if_fault(exc: DomainError) -> None:
    # A 5xx refusal is our fault (a broken definition file): the log must have its traceback.
    # One built only to answer for a fault Django has already logged was never raised.
    if exc.status >= 500 and exc.__traceback__ is not None:
        logger.error("%s: %s", exc.code, exc.message, exc_info=exc)
