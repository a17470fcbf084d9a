"""Reads for the administrators' pages, always through the caller's scope."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet

from yiyang.core.scoping import code_prefix_lookup, require, scoped, scoped_get
from yiyang.regions.models import Region

from .models import ApiKey, SecurityPolicy, User
from .rules import Policy, security_policy_for


@dataclass
class UserFilters:
    q: str = ""
    role: str = ""
    region_code: str = ""
    is_active: bool | None = None


def user_list(*, actor, filters: UserFilters | None = None) -> QuerySet[User]:
    """Accounts in the administrator's subtree, searched by user name, name or phone."""
    require(actor, "accounts.manage")
    f = filters or UserFilters()
    qs = scoped(User.objects.select_related("region", "organisation"), actor)
    if f.role:
        qs = qs.filter(role=f.role)
    if f.region_code:
        qs = qs.filter(**code_prefix_lookup("region_code", f.region_code))
    if f.is_active is not None:
        qs = qs.filter(is_active=f.is_active)
    q = f.q.strip()
    if q:
        qs = qs.filter(
            Q(username__icontains=q) | Q(display_name__contains=q) | Q(phone__startswith=q)
        )
    return qs.order_by("username")


def account_regions(*, actor, max_level: int = Region.Level.STREET) -> QuerySet[Region]:
    """Nodes an administrator may bind an account to, down to street level; communities are
    chosen beneath a street (a city has thousands of them)."""
    code = getattr(actor, "region_code", "") or ""
    if not code:
        return Region.objects.none()
    return Region.objects.filter(code__startswith=code, level__lte=max_level).order_by("code")


def account_communities(*, actor, parent_code: str) -> QuerySet[Region]:
    """Communities / villages beneath one node of the administrator's subtree."""
    code = getattr(actor, "region_code", "") or ""
    if not code or not parent_code or not parent_code.startswith(code):
        return Region.objects.none()
    return Region.objects.filter(
        code__startswith=parent_code, level=Region.Level.COMMUNITY
    ).order_by("code")


def account_organisations(*, actor, region_code: str = "") -> QuerySet:
    """Organisations an account may work for: inside the administrator's subtree and, when a
    region is chosen, inside that region's district (the rule of accounts.services)."""
    organisation = apps.get_model("institutions", "Organisation")
    qs = scoped(organisation.objects.select_related("region"), actor)
    if region_code:
        qs = qs.filter(region_code__startswith=region_code[:6])
    return qs.order_by("region_code", "name")


def api_key_list(*, actor) -> QuerySet[ApiKey]:
    require(actor, "api_keys.manage")
    return scoped(ApiKey.objects.select_related("region", "created_by"), actor).order_by(
        "-is_active", "-created_at"
    )


def api_key_get(*, actor, key_id: int) -> ApiKey:
    require(actor, "api_keys.manage")
    return scoped_get(ApiKey.objects.select_related("region"), actor, pk=key_id)


def security_policy_history(*, actor) -> QuerySet[SecurityPolicy]:
    require(actor, "security.manage")
    return SecurityPolicy.objects.select_related("created_by").order_by("-effective_from", "-id")


def security_policy_current(*, actor) -> Policy:
    require(actor, "security.manage")
    return security_policy_for()
