"""Django's error handlers (`handler400/403/404/500` in yiyang/urls.py) and its CSRF failure view.

They answer through `core.refusals` like every other refusal: JSON under /api/, the console's
page elsewhere. The 500 page is rendered without the request's context processors, so that it
shows even when the database is what failed.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import TemplateDoesNotExist, loader
from django.views.decorators.csrf import requires_csrf_token

from .exceptions import BadRequest, CsrfFailed, NotFound, PermissionDenied, ServerError
from .refusals import refusal_json, refusal_response, wants_json


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # A SuspiciousOperation's message is for the log, which Django has written.
    return refusal_response(request, BadRequest())


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Django's own message (from a decorator or a third-party view) is not worded for officers.
    return refusal_response(request, PermissionDenied())


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Django's message names the path patterns it tried; never shown.
    return refusal_response(request, NotFound())


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A console form sent without its token: most often a page left open past the session's
    end, or opened before signing in again (403_csrf.html says so)."""
    return refusal_response(request, CsrfFailed())


def server_error(request: HttpRequest) -> HttpResponse:
    """Django has logged the exception already. No context processors, no database."""
    if wants_json(request):
        return refusal_json(ServerError())
    try:
        template = loader.get_template("500.html")
    except TemplateDoesNotExist:
        return HttpResponseServerError(str(ServerError.default_message), content_type="text/plain")
    return HttpResponseServerError(template.render({}))
