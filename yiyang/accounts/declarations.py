"""What the accounts app declares: administering accounts, keys and the security policy."""

from django.utils.translation import gettext_lazy as _

from yiyang.core import policy, registry, scoping, transitions
from yiyang.core.registry import LandingCard, MenuEntry, capability
from yiyang.core.scoping import REGION

from . import selectors
from .models import SecurityPolicy
from .roles import Role
from .transitions import CHANGE

scoping.declare("accounts.user", region="region_code", organisation="organisation_id")
scoping.declare("accounts.apikey", region="region_code")
scoping.declare("accounts.accountchange", region="region_code")

policy.declare_kind("security", SecurityPolicy, regional=False)

registry.declare_capabilities(
    capability("accounts.manage", _("Manage accounts"), roles=[Role.SYSTEM_ADMIN]),
    capability(
        "api_keys.manage",
        _("Issue and revoke API keys"),
        roles=[Role.SYSTEM_ADMIN, Role.CIVIL_AFFAIRS],
    ),
    capability("security.manage", _("Set the security policy"), roles=[Role.SECURITY_ADMIN]),
    # The second person for a change to an administrator's account (三员分立).
    capability(
        "accounts.approve",
        _("Approve changes to administrators' accounts"),
        roles=[Role.SECURITY_ADMIN],
    ),
)

transitions.declare(CHANGE)

registry.declare_menu(
    "administration",
    [
        MenuEntry("accounts:users", _("Accounts"), "accounts.manage", order=20),
        MenuEntry("accounts:api_keys", _("API keys"), "api_keys.manage", order=30),
        MenuEntry("accounts:security", _("Security policy"), "security.manage", order=40),
        MenuEntry(
            "accounts:changes", _("Administrators' account changes"), "accounts.approve", order=50
        ),
    ],
)

registry.declare_cards(
    LandingCard(
        "accounts",
        selectors.accounts_tiles,
        capability="accounts.manage",
        scope_kinds=frozenset({REGION}),
        order=10,
    ),
    LandingCard(
        "security",
        selectors.security_tiles,
        capability="security.manage",
        scope_kinds=frozenset({REGION}),
        order=10,
    ),
)
