from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths anyone may open: the sign-in page, language switching, static files and the API
# (which authenticates every call itself and answers 401 rather than redirecting).
PUBLIC_PREFIXES = ("/accounts/login/", "/i18n/", "/static/", "/api/", "/favicon.ico")


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            login_url = reverse(settings.LOGIN_URL)
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = login_url
                return response
            return redirect(f"{login_url}?next={request.get_full_path()}")
        return self.get_response(request)
