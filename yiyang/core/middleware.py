"""Headers every answer carries, set in one place."""

from django.conf import settings
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .exceptions import BadRequest
from .refusals import API_PREFIX, refusal_response

# No inline script anywhere: every script is a file under /static/ (the templates keep data in
# `json_script` blocks and data- attributes). Styles may be inline: htmx adds its indicator
# style element, and a few templates set a width. ECharts draws on canvas; the assessor's
# phone pages register a service worker from our own origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _is_authenticated(request) -> bool:
    user = getattr(request, "user", None)
    # `actor` is set by the API's authentication for a key or a session (api.auth).
    return bool(user is not None and user.is_authenticated) or (
        getattr(request, "actor", None) is not None
    )


class SecurityHeadersMiddleware:
    """Every answer gets the Content-Security-Policy; every answer to a signed-in user or an
    API key (pages and API answers that may hold personal data) gets `Cache-Control: no-store`
    so that no browser, proxy or shared computer keeps a copy, unless the view set its own
    Cache-Control. Static files are left cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if (
            _is_authenticated(request)
            and not request.path.startswith(settings.STATIC_URL)
            # A view that set its own Cache-Control decided (the assessor's service worker is
            # the same text for everyone and must be revalidated, "no-cache").
            and not response.has_header("Cache-Control")
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response


class NulRefusedMiddleware:
    """A NUL character in a console page's query parameter, form field or JSON body is refused
    with 400 `bad_request`, naming the field, before any view reads it: no text column of
    PostgreSQL can hold it, so it could only fail later, inside a query. The API is left to its
    schemas, which refuse it field by field (422). File uploads may carry any byte."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = None if request.path.startswith(API_PREFIX) else self._nul_field(request)
        if field is not None:
            reason = _("Text may not contain the NUL character.")
            return refusal_response(request, BadRequest(reason, field=field))
        return self.get_response(request)

    @staticmethod
    def _nul_field(request) -> str | None:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return name.replace("\x00", "")
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        content_type = request.content_type or ""
        if content_type != "multipart/form-data":
            # Read (and keep) the raw body first: a view that reads `request.body` still can.
            body = request.body
            if content_type.endswith("json"):
                return "body" if b"\\u0000" in body.lower() or b"\x00" in body else None
        for name, values in request.POST.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return name.replace("\x00", "")
        return None
