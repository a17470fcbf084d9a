from django.contrib import messages
from django.core import exceptions as django_exceptions
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yiyang.core.console import add_domain_errors, domain_errors_as_http
from yiyang.core.exceptions import DomainError

from .forms import ServiceItemFilterForm, ServiceItemForm
from .selectors import ServiceItemFilters, service_item_get, service_item_list
from .services import service_item_create, service_item_update


@require_GET
@domain_errors_as_http
def item_list(request):
    filters = ServiceItemFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    items = service_item_list(
        actor=request.user,
        filters=ServiceItemFilters(q=values.get("q", ""), category=values.get("category", "")),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "marketplace/list.html",
        {
            "filters": filters,
            "page_obj": Paginator(items, 50).get_page(request.GET.get("page")),
            "query_string": query.urlencode(),
            "can_edit": request.user.has_capability("service_items.edit"),
            "can_export": request.user.has_capability("exports.run"),
        },
    )


def _require_editor(request) -> None:
    # The service checks again; this only spares a non-editor an empty form.
    if not request.user.has_capability("service_items.edit"):
        raise django_exceptions.PermissionDenied()


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def item_create(request):
    _require_editor(request)
    form = ServiceItemForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            item = service_item_create(actor=request.user, data=form.data_object())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Service item %(code)s saved.") % {"code": item.code})
            return redirect("marketplace:list")
    return render(request, "marketplace/form.html", {"form": form, "item": None})


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def item_edit(request, item_id: int):
    item = service_item_get(actor=request.user, item_id=item_id)
    _require_editor(request)
    if request.method == "POST":
        form = ServiceItemForm(request.POST)
    else:
        form = ServiceItemForm.for_item(item)
    if request.method == "POST" and form.is_valid():
        try:
            saved = service_item_update(
                actor=request.user, item_id=item.pk, data=form.data_object()
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Service item %(code)s saved.") % {"code": saved.code})
            return redirect("marketplace:list")
    return render(request, "marketplace/form.html", {"form": form, "item": item})
