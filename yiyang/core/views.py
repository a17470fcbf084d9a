"""The landing page every account arrives on: the work waiting for them today and their
figures, filled by the cards the apps declare (core.registry)."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import registry


@require_GET
def home(request):
    target = registry.landing_url_name(
        request.user, user_agent=request.META.get("HTTP_USER_AGENT", "")
    )
    if target:
        return redirect(target)
    return render(request, "core/home.html", {"landing": registry.landing_for(request.user)})
