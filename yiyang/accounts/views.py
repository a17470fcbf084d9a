"""Signing in and out, one's own password, and the system and security administrators' pages.
Each view parses input, calls one service or selector, and renders."""

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiyang.core import registry
from yiyang.core.console import add_domain_errors, domain_errors_as_http, page_number, peek_page
from yiyang.core.exceptions import DomainError, NotFound
from yiyang.core.scoping import require
from yiyang.core.validation import parse_id

from . import selectors, services
from .forms import (
    AccountChangeDecisionForm,
    AccountChangeForm,
    ApiKeyCreateForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SecurityPolicyForm,
    UserCreateForm,
    UserFilterForm,
)
from .models import AccountChange
from .transitions import CHANGE

# --- signing in ------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        target = request.GET.get("next") or "/"
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "/"
        return redirect(target)
    return render(request, "accounts/login.html", {"form": form})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@never_cache
@sensitive_post_parameters("old_password", "new_password", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change(request):
    expired = services.session_password_expired(session=request.session)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_change_password(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            update_session_auth_hash(request, user)
            services.session_note_password_deadline(user=user, session=request.session)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(request, "accounts/password.html", {"form": form, "expired": expired})


# --- accounts (system administrator) ---------------------------------------------------------


def _query_string(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@domain_errors_as_http
def user_list(request):
    require(request.user, "accounts.manage")
    form = UserFilterForm(
        request.GET or None, regions=selectors.account_regions(actor=request.user)
    )
    filters = selectors.UserFilters()
    if form.is_valid():
        status = form.cleaned_data["status"]
        filters = selectors.UserFilters(
            q=form.cleaned_data["q"],
            role=form.cleaned_data["role"],
            region_code=form.cleaned_data["region"],
            is_active={"active": True, "disabled": False}.get(status),
        )
    page = peek_page(
        selectors.user_list(actor=request.user, filters=filters),
        page=page_number(request.GET.get("page")),
        per_page=50,
    )
    return render(
        request,
        "accounts/user_list.html",
        {"form": form, "page_obj": page, "query_string": _query_string(request)},
    )


def _user_create_form(request, data=None):
    actor = request.user
    region_code = ""
    if data is not None:
        # The form posts a region's primary key; the community and organisation choices
        # follow the chosen region.
        region_id = parse_id(data.get("region"))
        chosen = None
        if region_id is not None:
            chosen = selectors.account_regions(actor=actor).filter(pk=region_id).first()
        region_code = chosen.code if chosen else ""
    return UserCreateForm(
        data,
        regions=selectors.account_regions(actor=actor),
        communities=selectors.account_communities(actor=actor, parent_code=region_code),
        organisations=selectors.account_organisations(actor=actor, region_code=region_code),
    )


@never_cache
@sensitive_post_parameters("password", "elder_id_number")
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def user_create(request):
    require(request.user, "accounts.manage")
    form = _user_create_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
                role=data["role"],
                region=form.placement,
                phone=data["phone"],
                organisation=data["organisation"],
                elder_id_number=data["elder_id_number"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc, aliases={"elder": "elder_id_number"})
        else:
            messages.success(request, _("The account %(name)s was created.") % {"name": user})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@require_GET
@domain_errors_as_http
def user_placement(request):
    """htmx: the community and organisation choices that follow the chosen region."""
    require(request.user, "accounts.manage")
    form = _user_create_form(request, request.GET)
    return render(request, "accounts/_user_placement.html", {"form": form})


def _user_detail(request, account, *, status=200, **forms):
    context = {
        "account": account,
        "reset_form": PasswordResetForm(),
        "needs_second_person": services.is_administrator(account),
        "change_form": AccountChangeForm(prefix="ask"),
        "break_glass_form": AccountChangeForm(prefix="emergency"),
    }
    if context["needs_second_person"]:
        context["changes"] = selectors.account_change_list(
            actor=request.user, target_id=account.pk
        )[:20]
    context.update(forms)
    return render(request, "accounts/user_detail.html", context, status=status)


@require_GET
@domain_errors_as_http
def user_detail(request, pk: int):
    account = services.user_get(actor=request.user, user_id=pk)
    return _user_detail(request, account)


@require_POST
@domain_errors_as_http
def user_set_active(request, pk: int):
    is_active = request.POST.get("is_active") == "1"
    try:
        account = services.user_set_active(actor=request.user, user_id=pk, is_active=is_active)
    except NotFound:
        raise
    except DomainError as exc:
        # e.g. disabling one's own account: say why on the page rather than answer 403.
        messages.error(request, str(exc.message))
    else:
        if account.is_active:
            messages.success(request, _("The account is enabled."))
        else:
            messages.success(request, _("The account is disabled."))
    return redirect("accounts:user_detail", pk=pk)


@require_POST
@domain_errors_as_http
def user_unlock(request, pk: int):
    services.user_unlock(actor=request.user, user_id=pk)
    messages.success(request, _("The account is unlocked."))
    return redirect("accounts:user_detail", pk=pk)


@never_cache
@sensitive_post_parameters("password")
@require_POST
@domain_errors_as_http
def user_reset_password(request, pk: int):
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.user_reset_password(
                actor=request.user, user_id=pk, password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The password has been reset."))
            return redirect("accounts:user_detail", pk=pk)
    account = services.user_get(actor=request.user, user_id=pk)
    return _user_detail(request, account, status=400, reset_form=form)


# --- changes to administrators' accounts (三员分立) -------------------------------------------


@require_POST
@domain_errors_as_http
def user_change_request(request, pk: int):
    """Ask for a change to an administrator's account; a second person carries it out."""
    form = AccountChangeForm(request.POST, prefix="ask")
    if form.is_valid():
        try:
            change = services.account_change_request(
                actor=request.user,
                user_id=pk,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The change is asked for; a second person approves it."))
            return redirect("accounts:change_detail", pk=change.pk)
    account = services.user_get(actor=request.user, user_id=pk)
    return _user_detail(request, account, status=400, change_form=form)


@never_cache
@require_POST
@domain_errors_as_http
def user_change_break_glass(request, pk: int):
    """The emergency procedure: the change is made at once, written down, and reviewed later.
    A temporary password is shown in this answer only."""
    form = AccountChangeForm(request.POST, prefix="emergency")
    if form.is_valid():
        try:
            change, password = services.account_change_break_glass(
                actor=request.user,
                user_id=pk,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            return _change_page(request, change.pk, password=password)
    account = services.user_get(actor=request.user, user_id=pk)
    return _user_detail(request, account, status=400, break_glass_form=form)


@require_GET
@domain_errors_as_http
def account_changes(request):
    status = request.GET.get("status") or ""
    if status not in AccountChange.Status.values:
        status = ""
    page = peek_page(
        selectors.account_change_list(actor=request.user, status=status),
        page=page_number(request.GET.get("page")),
        per_page=50,
    )
    return render(
        request,
        "accounts/changes.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": AccountChange.Status.choices,
            "query_string": _query_string(request),
        },
    )


def _change_page(request, change_id: int, *, password=None, form=None, status=200):
    detail = selectors.account_change_detail(actor=request.user, change_id=change_id)
    return render(
        request,
        "accounts/change_detail.html",
        {
            "d": detail,
            "form": form or AccountChangeDecisionForm(),
            "password": password,
            "steps": [(s.name, s.label) for s in CHANGE.steps if s.name in detail.steps],
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def account_change_detail(request, pk: int):
    """A change and its history; POST takes one of the steps the table offers. An approved
    password reset shows the temporary password in this answer only."""
    if request.method == "GET":
        return _change_page(request, pk)
    form = AccountChangeDecisionForm(request.POST)
    if form.is_valid():
        try:
            _change, password = services.account_change_decide(
                actor=request.user,
                change_id=pk,
                step=str(request.POST.get("step") or ""),
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            if password:
                return _change_page(request, pk, password=password)
            messages.success(request, _("The change is recorded."))
            return redirect("accounts:change_detail", pk=pk)
    return _change_page(request, pk, form=form, status=400)


# --- API keys --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def api_keys(request):
    """The keys in the caller's region and the form for a new one. The full token is shown
    once, in the answer to the POST that made it, and never stored."""
    require(request.user, "api_keys.manage")
    regions = selectors.account_regions(actor=request.user)
    form = ApiKeyCreateForm(request.POST or None, regions=regions)
    # Offer only the scopes the caller holds: nobody gives a machine more than they may do.
    form.fields["scopes"].choices = [
        (name, label) for name, label in registry.api_scopes() if request.user.has_capability(name)
    ]
    created = token = None
    if request.method == "POST" and form.is_valid():
        try:
            created, token = services.api_key_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                region=form.cleaned_data["region"],
                expires_at=form.expires_at,
            )
        except DomainError as exc:
            add_domain_errors(form, exc, aliases={"expires_at": "expires_on"})
        else:
            form = ApiKeyCreateForm(regions=regions)
            form.fields["scopes"].choices = [
                (name, label)
                for name, label in registry.api_scopes()
                if request.user.has_capability(name)
            ]
    keys = selectors.api_key_list(actor=request.user)
    page = peek_page(keys, page=page_number(request.GET.get("page")), per_page=50)
    response = render(
        request,
        "accounts/api_keys.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": "",
            "created": created,
            "token": token,
            "scope_labels": dict(registry.api_scopes()),
        },
        status=400 if request.method == "POST" and created is None else 200,
    )
    return response


@require_POST
@domain_errors_as_http
def api_key_revoke(request, pk: int):
    key = services.api_key_revoke(actor=request.user, key_id=pk)
    messages.success(request, _("The key %(name)s is revoked.") % {"name": key.name})
    return redirect(reverse("accounts:api_keys"))


# --- security policy (security administrator) ------------------------------------------------


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def security(request):
    require(request.user, "security.manage")
    form = SecurityPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.security_policy_file(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The new security policy has been filed."))
            return redirect("accounts:security")
    return render(
        request,
        "accounts/security.html",
        {
            "form": form,
            "current": selectors.security_policy_current(actor=request.user),
            "history": selectors.security_policy_history(actor=request.user)[:100],
        },
        status=400 if request.method == "POST" else 200,
    )
