"""What the marketplace declares: reading and keeping the city's service catalogue."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiyang.accounts.roles import OFFICERS, Role
from yiyang.api.routers import declare_router
from yiyang.core import registry
from yiyang.core.registry import MenuEntry, capability
from yiyang.exchange import kinds as exchange_kinds

from . import api, spreadsheets

registry.declare_capabilities(
    capability(
        "service_items.view",
        _("Read the service catalogue"),
        roles=[Role.CAREGIVER, Role.PROVIDER, *OFFICERS],
        api=True,
    ),
    capability("service_items.edit", _("Keep the service catalogue"), roles=[Role.CIVIL_AFFAIRS]),
)

registry.declare_section("services", pgettext_lazy("menu section", "Services"), order=30)
registry.declare_menu(
    "services",
    [MenuEntry("marketplace:list", _("Service items"), "service_items.view")],
)

# Its sheets: the Excel template, import and export (exchange.kinds).
exchange_kinds.declare_kind(spreadsheets.KIND)

# Its REST endpoints (marketplace/api.py), under /v1/service-items.
declare_router("/v1/service-items", api.router, order=40)
