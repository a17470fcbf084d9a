"""What the regions app declares: who keeps the division tree, and how regions are scoped."""

from django.utils.translation import gettext_lazy as _

from yiyang.core import registry, scoping
from yiyang.core.registry import MenuEntry, capability

# A region-bound account reaches its own region and everything beneath it (reading the whole
# tree as reference data does not go through scoping).
scoping.declare("regions.region", region="code")

registry.declare_capabilities(
    capability("regions.manage", _("Keep the division tree"), roles=("system_admin",)),
)
registry.declare_menu(
    "administration",
    [MenuEntry("regions:browse", _("Regions"), "regions.manage", order=10)],
)
