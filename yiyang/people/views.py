"""Pages of the elder registry. Each view parses input, calls one selector or service, and renders;
scoping and every rule live in people.selectors and people.services."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiyang.core.console import (
    add_domain_errors,
    domain_errors_as_http,
    page_number,
    wants_fragment,
)
from yiyang.core.exceptions import DomainError
from yiyang.core.http import client_ip
from yiyang.core.scoping import require
from yiyang.core.timeutils import local_today

from . import selectors, services
from .forms import ElderFilterForm, ElderForm, GuardianForm, HealthForm, RevealForm, StatusForm

RESULTS_ID = "results"


@require_GET
@domain_errors_as_http
def elder_list(request):
    form = ElderFilterForm(request.GET, actor=request.user)
    page = selectors.elder_page(
        actor=request.user, filters=form.filters(), page=page_number(request.GET.get("page"))
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "query_string": params.urlencode(),
        "can_create": request.user.has_capability("elders.edit"),
        "can_export": request.user.has_capability("exports.run"),
    }
    if wants_fragment(request, RESULTS_ID):
        return render(request, "people/_elder_results.html", context)
    return render(request, "people/elder_list.html", context)


@require_GET
@domain_errors_as_http
def elder_detail(request, pk: int):
    detail = selectors.elder_detail(actor=request.user, elder_id=pk)
    return render(
        request,
        "people/elder_detail.html",
        {
            "d": detail,
            "reveal_form": RevealForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def elder_create(request):
    require(request.user, "elders.edit")
    form = ElderForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            elder = services.elder_create(actor=request.user, data=form.data_for_service())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is on record.") % {"name": elder.name})
            return redirect("people:detail", pk=elder.pk)
    return render(request, "people/elder_form.html", {"form": form, "elder": None})


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def elder_edit(request, pk: int):
    elder = selectors.elder_get_for_edit(actor=request.user, elder_id=pk)
    form = ElderForm(request.POST or None, actor=request.user, elder=elder)
    if request.method == "POST" and form.is_valid():
        try:
            services.elder_update(
                actor=request.user,
                elder_id=pk,
                data=form.data_for_service(),
                version=form.cleaned_data.get("version"),
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("people:detail", pk=pk)
    return render(request, "people/elder_form.html", {"form": form, "elder": elder})


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def elder_status(request, pk: int):
    elder = selectors.elder_get_for_edit(actor=request.user, elder_id=pk)
    form = StatusForm(
        request.POST or None,
        initial={
            "status": "moved_out" if elder.status == "active" else "active",
            "status_date": local_today(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.elder_change_status(
                actor=request.user,
                elder_id=pk,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["status_date"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The status is changed."))
            return redirect("people:detail", pk=pk)
    return render(request, "people/elder_status.html", {"form": form, "elder": elder})


@never_cache
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def elder_reveal(request, pk: int):
    """The full ID number, once, for a stated reason; the read is logged by the service."""
    fragment = wants_fragment(request, "reveal-box")
    template = "people/_reveal.html" if fragment else "people/elder_reveal.html"
    if request.method == "GET":
        elder = selectors.elder_get(actor=request.user, elder_id=pk)
        require(request.user, "elders.reveal_id")
        return render(request, template, {"elder": elder, "form": RevealForm()})
    form = RevealForm(request.POST)
    number = None
    if form.is_valid():
        try:
            number = services.elder_reveal_id_number(
                actor=request.user,
                elder_id=pk,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
    elder = selectors.elder_get(actor=request.user, elder_id=pk)
    return render(request, template, {"elder": elder, "form": form, "number": number})


@never_cache
@require_GET
@domain_errors_as_http
def elder_health(request, pk: int):
    """Health data is its own logged read, never part of the record page."""
    profile = services.health_profile_read(
        actor=request.user,
        elder_id=pk,
        reason=_("viewed on the record page"),
        ip=client_ip(request),
    )
    context = {
        "elder": profile.elder,
        "profile": profile,
        "can_edit": request.user.has_capability("elders.edit"),
    }
    if wants_fragment(request, "health-box"):
        return render(request, "people/_health.html", context)
    return render(request, "people/elder_health.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def elder_health_edit(request, pk: int):
    elder = selectors.elder_get_for_edit(actor=request.user, elder_id=pk)
    if request.method == "GET":
        profile = services.health_profile_read(
            actor=request.user, elder_id=pk, reason=_("opened for editing"), ip=client_ip(request)
        )
        form = HealthForm(
            initial={k: getattr(profile, k) for k in HealthForm.base_fields},
        )
    else:
        form = HealthForm(request.POST)
        if form.is_valid():
            try:
                services.health_profile_update(
                    actor=request.user, elder_id=pk, data=form.cleaned_data
                )
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("The health profile is saved."))
                return redirect("people:detail", pk=pk)
    return render(request, "people/health_form.html", {"form": form, "elder": elder})


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def guardian_add(request, pk: int):
    elder = selectors.elder_get_for_edit(actor=request.user, elder_id=pk)
    form = GuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.guardian_add(actor=request.user, elder_id=pk, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The contact is added."))
            return redirect("people:detail", pk=pk)
    return render(request, "people/guardian_form.html", {"form": form, "elder": elder})


@require_POST
@domain_errors_as_http
def guardian_remove(request, pk: int, guardian_pk: int):
    services.guardian_remove(actor=request.user, elder_id=pk, guardian_id=guardian_pk)
    messages.success(request, _("The contact is removed."))
    if getattr(request, "htmx", None):
        # The confirmation came through htmx: reload the whole record page.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("people:detail", kwargs={"pk": pk})
        return response
    return redirect("people:detail", pk=pk)
