"""What the exchange app declares: imports, exports and the data-completeness page."""

from django.utils.translation import gettext_lazy as _

from yiyang.accounts.roles import OFFICERS, Role
from yiyang.core import registry, scoping
from yiyang.core.registry import MenuEntry, capability

scoping.declare("exchange.importjob", region="region_code")

registry.declare_capabilities(
    capability("imports.run", _("Run imports"), roles=OFFICERS, api=True),
    capability("exports.run", _("Export lists"), roles=[Role.PROVIDER, *OFFICERS]),
    capability("completeness.view", _("Read data completeness"), roles=OFFICERS),
)

registry.declare_menu(
    "data",
    [
        MenuEntry("exchange:imports", _("Import / export"), "imports.run", order=10),
        MenuEntry("exchange:completeness", _("Data completeness"), "completeness.view", order=20),
    ],
)
