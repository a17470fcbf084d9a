"""Reads for the administrators' pages, always through the caller's scope."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiyang.core.console import HistoryEntry, change_history, url_for
from yiyang.core.divisions import district_of
from yiyang.core.exceptions import PermissionDenied
from yiyang.core.policy import policy_history
from yiyang.core.registry import Tile
from yiyang.core.scoping import Actor, code_prefix_lookup, require, scoped, scoped_get
from yiyang.regions.models import Region

from .models import AccountChange, ApiKey, SecurityPolicy, User
from .rules import Policy, security_policy_for
from .transitions import CHANGE


@dataclass
class UserFilters:
    q: str = ""
    role: str = ""
    region_code: str = ""
    is_active: bool | None = None


def user_list(*, actor: Actor, filters: UserFilters | None = None) -> QuerySet[User]:
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


def account_regions(*, actor: Actor, max_level: int = Region.Level.STREET) -> QuerySet[Region]:
    """Nodes an administrator may bind an account to, down to street level; communities are
    chosen beneath a street (a city has thousands of them)."""
    return scoped(Region.objects.filter(level__lte=max_level), actor).order_by("code")


def account_communities(*, actor: Actor, parent_code: str) -> QuerySet[Region]:
    """Communities / villages beneath one node of the administrator's subtree."""
    if not parent_code:
        return Region.objects.none()
    return (
        scoped(Region.objects.filter(level=Region.Level.COMMUNITY), actor)
        .filter(**code_prefix_lookup("code", parent_code))
        .order_by("code")
    )


def account_organisations(*, actor: Actor, region_code: str = "") -> QuerySet:
    """Organisations an account may work for: inside the administrator's subtree and, when a
    region is chosen, inside that region's district (the rule of accounts.services)."""
    organisation = apps.get_model("institutions", "Organisation")
    qs = scoped(organisation.objects.select_related("region"), actor)
    if region_code:
        qs = qs.filter(region_code__startswith=district_of(region_code))
    return qs.order_by("region_code", "name")


def api_key_list(*, actor: Actor) -> QuerySet[ApiKey]:
    require(actor, "api_keys.manage")
    return scoped(ApiKey.objects.select_related("region", "created_by"), actor).order_by(
        "-is_active", "-created_at"
    )


def api_key_get(*, actor: Actor, key_id: int) -> ApiKey:
    require(actor, "api_keys.manage")
    return scoped_get(ApiKey.objects.select_related("region"), actor, pk=key_id)


def security_policy_history(*, actor: Actor) -> QuerySet[SecurityPolicy]:
    require(actor, "security.manage")
    return policy_history(SecurityPolicy)


def security_policy_current(*, actor: Actor) -> Policy:
    require(actor, "security.manage")
    return security_policy_for()


# --- landing cards ---------------------------------------------------------------------------


def accounts_tiles(actor: Actor) -> list[Tile]:
    """The system administrator's landing: accounts in their region, locked ones first."""
    now = timezone.now()
    counts = scoped(User.objects.all(), actor).aggregate(
        total=Count("id"),
        disabled=Count("id", filter=Q(is_active=False)),
        locked=Count("id", filter=Q(locked_until__gt=now)),
    )
    keys = scoped(ApiKey.objects.filter(is_active=True), actor).count()
    users = url_for("accounts:users")
    return [
        Tile(
            "locked",
            _("Locked now"),
            counts["locked"],
            users,
            is_task=True,
            is_urgent=counts["locked"] > 0,
        ),
        Tile("user_create", _("Open a new account"), None, url_for("accounts:user_create"), True),
        Tile(
            "user_find",
            _("Find an account, reset a password, disable or unlock it"),
            None,
            users,
            True,
        ),
        Tile(
            "api_key_issue", _("Issue or revoke API keys"), None, url_for("accounts:api_keys"), True
        ),
        Tile("accounts", _("Accounts"), counts["total"], users),
        Tile(
            "disabled",
            _("Disabled"),
            counts["disabled"],
            url_for("accounts:users", status="disabled"),
        ),
        Tile("api_keys", _("Active API keys"), keys, url_for("accounts:api_keys")),
    ]


def security_tiles(actor: Actor) -> list[Tile]:
    """The security administrator's landing: the policy in force today."""
    policy = security_policy_for()
    url = url_for("accounts:security")
    waiting = account_changes_waiting(actor=actor)
    return [
        Tile("policy_file", _("File a new security policy"), None, url, is_task=True),
        Tile(
            "account_changes_waiting",
            _("Administrators' account changes awaiting you"),
            waiting,
            url_for("accounts:changes"),
            is_task=True,
            is_urgent=waiting > 0,
        ),
        Tile(
            "max_failed_logins", _("Failed sign-ins before lockout"), policy.max_failed_logins, url
        ),
        Tile("lockout_minutes", _("Lockout minutes"), policy.lockout_minutes, url),
        Tile(
            "password_max_age_days",
            _("Password maximum age (days)"),
            policy.password_max_age_days,
            url,
        ),
    ]


# --- changes to administrators' accounts -------------------------------------------------------


def _may_see_changes(actor: Actor) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    # Those who ask (accounts.manage) and those who approve (accounts.approve) both read them.
    if not (actor.has_capability("accounts.manage") or actor.has_capability("accounts.approve")):
        raise PermissionDenied()


def account_change_list(
    *, actor: Actor, status: str = "", target_id: int | None = None
) -> QuerySet[AccountChange]:
    """The changes to administrators' accounts in the caller's region, newest first."""
    _may_see_changes(actor)
    qs = scoped(AccountChange.objects.select_related("target", "requested_by", "decided_by"), actor)
    if status:
        qs = qs.filter(status=status)
    if target_id is not None:
        qs = qs.filter(target_id=target_id)
    return qs.order_by("-requested_at", "-id")


@dataclass
class ChangeDetail:
    change: AccountChange
    steps: list[str]
    history: list[HistoryEntry]


def account_change_detail(*, actor: Actor, change_id: int) -> ChangeDetail:
    _may_see_changes(actor)
    change = scoped_get(
        AccountChange.objects.select_related("target", "requested_by", "decided_by"),
        actor,
        pk=change_id,
    )
    return ChangeDetail(
        change=change,
        steps=[s.name for s in CHANGE.offered(actor, change)],
        history=change_history(change),
    )


def account_changes_waiting(*, actor: Actor) -> int:
    """How many changes wait for this approver (not counting those they asked for)."""
    return (
        account_change_list(actor=actor)
        .filter(status__in=[AccountChange.Status.PENDING, AccountChange.Status.BREAK_GLASS])
        .exclude(requested_by_id=actor.pk)
        .exclude(target_id=actor.pk)
        .count()
    )
