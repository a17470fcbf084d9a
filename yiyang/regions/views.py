"""Browsing the division tree from the actor's own region down."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from yiyang.core.console import domain_errors_as_http

from .selectors import region_browse


@require_GET
@domain_errors_as_http
def browse(request, code: str | None = None):
    view = region_browse(actor=request.user, code=code)
    return render(request, "regions/browse.html", {"v": view})
