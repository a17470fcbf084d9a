"""What the people app declares: reading and keeping the elder registry."""

from django.utils.translation import gettext_lazy as _

from yiyang.accounts.roles import OFFICERS, SELF_ROLES, Role
from yiyang.api.routers import declare_router
from yiyang.core import registry, scoping
from yiyang.core.registry import LandingCard, MenuEntry, Panel, capability
from yiyang.core.scoping import CAREGIVER, ORGANISATION, REGION, SELF
from yiyang.exchange import completeness
from yiyang.exchange import kinds as exchange_kinds

from . import api, selectors, spreadsheets

# Care homes and day-care centres see their residents, their caregivers too; other apps add
# relationships (the assessor's cases, later the provider's orders and the caregiver's visits).
scoping.declare(
    "people.elder",
    region="region_code",
    organisation="institution_id",
    caregiver_organisation="institution_id",
    elder="id",
)
scoping.declare("people.healthprofile", via="elder")
scoping.declare("people.guardian", via="elder")
scoping.declare("people.fact", via="elder")

registry.declare_capabilities(
    capability(
        "elders.view",
        _("Read older people"),
        roles=[
            *SELF_ROLES,
            Role.CAREGIVER,
            Role.PROVIDER,
            Role.OPERATOR,
            Role.ASSESSOR,
            Role.DOCTOR,
            *OFFICERS,
        ],
        api=True,
    ),
    capability("elders.edit", _("File and change older people"), roles=OFFICERS, api=True),
    # Never an API scope: a machine does not reveal ID numbers or read health data.
    capability("elders.reveal_id", _("Reveal full ID numbers"), roles=OFFICERS),
    capability(
        "elders.health",
        _("Read health data"),
        roles=[*SELF_ROLES, Role.OPERATOR, Role.DOCTOR, *OFFICERS],
    ),
)

registry.declare_menu(
    "registry",
    [MenuEntry("people:list", _("Older people"), "elders.view", order=10)],
)

registry.declare_cards(
    LandingCard(
        "registry",
        selectors.registry_figures,
        capability="elders.view",
        scope_kinds=frozenset({REGION}),
        order=20,
        template="people/_landing_registry.html",
    ),
    LandingCard(
        "care",
        selectors.care_tiles,
        capability="elders.view",
        scope_kinds=frozenset({ORGANISATION, CAREGIVER}),
        order=20,
    ),
    LandingCard(
        "my_people",
        selectors.my_people,
        capability="elders.view",
        scope_kinds=frozenset({SELF}),
        order=1,
        template="people/_landing_my_people.html",
        placement="head",
    ),
)

# The record page's table of what held when, after the other apps' panels.
registry.declare_panel(
    "people.elder", Panel("facts", "people/_facts_panel.html", selectors.facts_panel, order=90)
)

# Its sheets: the Excel template, import and export (exchange.kinds), and its data-completeness table.
exchange_kinds.declare_kind(spreadsheets.KIND)
completeness.declare_table(spreadsheets.COMPLETENESS)

# Its REST endpoints (people/api.py), under /v1/elders.
declare_router("/v1/elders", api.router, order=30)
