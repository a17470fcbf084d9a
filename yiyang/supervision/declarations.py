"""What supervision declares: the audit trail's search, and the officers' figures pages."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiyang.accounts.roles import OFFICERS, Role
from yiyang.core import registry
from yiyang.core.registry import LandingCard, MenuEntry, capability
from yiyang.core.scoping import REGION

from . import selectors

registry.declare_capabilities(
    capability("audit.view", _("Read the audit trail"), roles=[Role.AUDIT_ADMIN]),
    capability("supervision.view", _("Read the supervision figures"), roles=OFFICERS),
)

registry.declare_section("supervision", pgettext_lazy("menu section", "Supervision"), order=50)
registry.declare_menu(
    "supervision",
    [MenuEntry("supervision:index", _("All figures"), "supervision.view", order=1)],
)

registry.declare_menu(
    "administration",
    [MenuEntry("supervision:audit", _("Audit trail"), "audit.view", order=70)],
)

registry.declare_cards(
    LandingCard(
        "audit",
        selectors.audit_tiles,
        capability="audit.view",
        scope_kinds=frozenset({REGION}),
        order=10,
    ),
)
