"""The landing page every account arrives on: the work waiting for them today and their
figures, filled by the cards the apps declare (core.registry)."""

from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import registry
from .context_processors import TEXT_COOKIE


@require_GET
def home(request):
    target = registry.landing_url_name(
        request.user, user_agent=request.META.get("HTTP_USER_AGENT", "")
    )
    if target:
        return redirect(target)
    return render(request, "core/home.html", {"landing": registry.landing_for(request.user)})


@require_POST
def text_size(request):
    """Switch the large text on or off for this browser, then go back where the person was."""
    large = request.POST.get("size") == "large"
    target = request.POST.get("next") or "/"
    # Back to a path of this site only: never elsewhere, never a view name to reverse.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if large:
        response.set_cookie(
            TEXT_COOKIE, "large", max_age=3600 * 24 * 365 * 2, samesite="Lax", httponly=True
        )
    else:
        response.delete_cookie(TEXT_COOKIE, samesite="Lax")
    return response
