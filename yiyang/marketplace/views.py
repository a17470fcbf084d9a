from django.contrib import messages
from django.core import exceptions as django_exceptions
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiyang.core.console import add_domain_errors, domain_errors_as_http
from yiyang.core.exceptions import DomainError, ValidationFailed
from yiyang.regions.models import Region

from . import menus
from .forms import WEEKDAYS, MenuLineForm, ServiceItemFilterForm, ServiceItemForm
from .models import ProviderOffer, ServiceItem
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


# --- Providers' menus ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def menu_lines(request):
    """A provider's staff see their menu and propose lines; an officer decides what waits."""
    user = request.user
    can_propose = user.has_capability("menus.propose") and user.organisation_id is not None
    can_approve = user.has_capability("menus.approve")
    if not user.has_capability("menus.view") or not (can_propose or can_approve):
        raise django_exceptions.PermissionDenied()
    form = None
    if can_propose:
        district = user.organisation.region_code[:6]
        areas = Region.objects.filter(code__startswith=district, level__lte=Region.Level.STREET)
        items = ServiceItem.objects.filter(is_active=True).order_by("category", "name")
        form = MenuLineForm(
            request.POST or None,
            items=items,
            areas=areas.order_by("level", "code"),
            initial={"opens_at": "08:00", "closes_at": "18:00", "weekdays": [1, 2, 3, 4, 5]},
        )
        if request.method == "POST" and form.is_valid():
            values = form.cleaned_data
            try:
                menus.menu_line_propose(
                    actor=user,
                    data=menus.MenuLineData(
                        item_id=values["item_id"],
                        price=values["price"],
                        area_codes=values["area_codes"],
                        opens_at=values["opens_at"],
                        closes_at=values["closes_at"],
                        weekdays=values["weekdays"],
                    ),
                )
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("The line is proposed; an officer will review it."))
                return redirect("marketplace:menus")
    elif request.method == "POST":
        raise django_exceptions.PermissionDenied()
    lines = (
        menus.visible_lines(user)
        .select_related("item", "provider")
        .order_by("status", "provider__name", "item__name", "-id")
    )
    waiting = list(lines.filter(status=ProviderOffer.Status.PROPOSED)) if can_approve else []
    shown = list(
        (lines.exclude(status=ProviderOffer.Status.PROPOSED) if can_approve else lines)[:200]
    )
    names = dict(WEEKDAYS)
    for line in waiting + shown:
        line.days_text = "、".join(str(names[d]) for d in line.weekdays if d in names)
    return render(
        request,
        "marketplace/menus.html",
        {
            "form": form,
            "waiting": waiting,
            "lines": shown,
            "can_approve": can_approve,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@domain_errors_as_http
def menu_line_decide(request, line_id: int):
    approve = request.POST.get("decision") == "approve"
    try:
        line = menus.menu_line_decide(
            actor=request.user, line_id=line_id, approve=approve, note=request.POST.get("note", "")
        )
    except ValidationFailed as exc:
        for message in exc.fields.values():
            messages.error(request, message)
        return redirect("marketplace:menus")
    messages.success(
        request,
        (
            _("Approved: %(item)s of %(provider)s.")
            if approve
            else _("Rejected: %(item)s of %(provider)s.")
        )
        % {"item": line.item.name, "provider": line.provider.name},
    )
    return redirect("marketplace:menus")


@require_POST
@domain_errors_as_http
def menu_line_withdraw(request, line_id: int):
    line = menus.menu_line_withdraw(actor=request.user, line_id=line_id)
    messages.success(request, _("Withdrawn: %(item)s.") % {"item": line.item.name})
    return redirect("marketplace:menus")
