from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .services import session_password_expired

# Paths anyone may open: the sign-in page, language and text-size switching, static files and the API
# (which authenticates every call itself and answers 401 rather than redirecting).
PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/i18n/",
    "/text-size/",
    "/static/",
    "/api/",
    "/favicon.ico",
)
# Paths a signed-in user whose password has expired may still open: the page to change it,
# signing out, and what those pages need.
EXPIRED_PASSWORD_PREFIXES = (
    "/accounts/password/",
    "/accounts/logout/",
    "/i18n/",
    "/text-size/",
    "/static/",
    "/api/",
    "/favicon.ico",
)


def _send_to(request, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class LoginRequiredMiddleware:
    """Every page needs a signed-in user, and a user whose password is older than the
    security policy allows is sent to change it before anything else.

    The password's deadline was noted in the session at sign-in (accounts.services), so this
    check costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            if not request.path.startswith(PUBLIC_PREFIXES):
                login_url = reverse(settings.LOGIN_URL)
                # A page comes back after signing in; an htmx call wanted only a fragment,
                # so it starts again from the home page.
                if not getattr(request, "htmx", False):
                    login_url += "?" + urlencode({"next": request.get_full_path()})
                return _send_to(request, login_url)
        elif not request.path.startswith(EXPIRED_PASSWORD_PREFIXES) and session_password_expired(
            session=request.session
        ):
            return _send_to(request, reverse("accounts:password"))
        return self.get_response(request)
