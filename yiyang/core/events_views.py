"""The events page: deliveries of domain events that failed or are stuck, and a button to try
one again. Each view parses input, calls core.outbox, and renders."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import outbox
from .console import domain_errors_as_http, page_number
from .exceptions import DomainError, NotFound, PermissionDenied


@require_GET
@domain_errors_as_http
def events_list(request):
    rows = outbox.delivery_trouble_list(
        actor=request.user, page=page_number(request.GET.get("page"))
    )
    return render(
        request,
        "core/events_list.html",
        {
            "page": rows,
            "counts": outbox.delivery_counts(actor=request.user),
            "max_attempts": outbox.max_attempts(),
        },
    )


@require_POST
@domain_errors_as_http
def events_retry(request, delivery_id: int):
    try:
        delivery = outbox.delivery_retry(actor=request.user, delivery_id=delivery_id)
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Event #%(event)s goes to %(listener)s again.")
            % {"event": delivery.event_id, "listener": delivery.listener},
        )
    return redirect("events:list")
