"""Pages of the organisation register: parse, call one selector or service, render."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yiyang.core.console import (
    add_domain_errors,
    domain_errors_as_http,
    page_number,
    wants_fragment,
)
from yiyang.core.exceptions import DomainError
from yiyang.core.scoping import require

from . import selectors, services
from .forms import OrganisationFilterForm, OrganisationForm

RESULTS_ID = "results"


@require_GET
@domain_errors_as_http
def organisation_list(request):
    form = OrganisationFilterForm(request.GET, actor=request.user)
    page = selectors.organisation_page(
        actor=request.user, filters=form.filters(), page=page_number(request.GET.get("page"))
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "query_string": params.urlencode(),
        "can_create": request.user.has_capability("orgs.edit"),
        "can_export": request.user.has_capability("exports.run"),
    }
    if wants_fragment(request, RESULTS_ID):
        return render(request, "institutions/_organisation_results.html", context)
    return render(request, "institutions/organisation_list.html", context)


@require_GET
@domain_errors_as_http
def organisation_detail(request, pk: int):
    detail = selectors.organisation_detail(actor=request.user, organisation_id=pk)
    return render(request, "institutions/organisation_detail.html", {"d": detail})


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def organisation_create(request):
    require(request.user, "orgs.edit")
    form = OrganisationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(actor=request.user, data=form.data_for_service())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": org.name})
            return redirect("institutions:detail", pk=org.pk)
    return render(request, "institutions/organisation_form.html", {"form": form, "org": None})


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def organisation_edit(request, pk: int):
    org = selectors.organisation_get_for_edit(actor=request.user, organisation_id=pk)
    form = OrganisationForm(request.POST or None, actor=request.user, organisation=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user,
                organisation_id=pk,
                data=form.data_for_service(),
                version=form.cleaned_data.get("version"),
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("institutions:detail", pk=pk)
    return render(request, "institutions/organisation_form.html", {"form": form, "org": org})
