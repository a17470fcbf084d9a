"""What the institutions app declares: reading and keeping the organisation register."""

from django.utils.translation import gettext_lazy as _

from yiyang.accounts.roles import OFFICERS, Role
from yiyang.api.routers import declare_router
from yiyang.core import registry, scoping
from yiyang.core.registry import LandingCard, MenuEntry, capability
from yiyang.core.scoping import CAREGIVER, ORGANISATION, REGION
from yiyang.exchange import completeness
from yiyang.exchange import kinds as exchange_kinds

from . import api, selectors, spreadsheets

# Provider staff and caregivers see their own organisation; the assessment app adds, for
# assessors, the organisation whose pool they are in.
scoping.declare(
    "institutions.organisation",
    region="region_code",
    organisation="id",
    caregiver_organisation="id",
)

registry.declare_capabilities(
    capability(
        "orgs.view",
        _("Read organisations"),
        roles=[
            Role.CAREGIVER,
            Role.PROVIDER,
            Role.OPERATOR,
            Role.ASSESSOR,
            Role.DOCTOR,
            *OFFICERS,
        ],
        api=True,
    ),
    capability("orgs.edit", _("File and change organisations"), roles=OFFICERS, api=True),
)

registry.declare_menu(
    "registry",
    [MenuEntry("institutions:list", _("Organisations"), "orgs.view", order=20)],
)

registry.declare_cards(
    LandingCard(
        "organisations",
        selectors.organisation_tiles,
        capability="orgs.view",
        scope_kinds=frozenset({REGION}),
        order=30,
    ),
    LandingCard(
        "own_organisation",
        selectors.own_organisation,
        capability="orgs.view",
        scope_kinds=frozenset({ORGANISATION, CAREGIVER}),
        order=1,
        template="institutions/_landing_organisation.html",
        placement="head",
    ),
)

# Its sheets: the Excel template, import and export (exchange.kinds), and its data-completeness table.
exchange_kinds.declare_kind(spreadsheets.KIND)
completeness.declare_table(spreadsheets.COMPLETENESS)

# Its REST endpoints (institutions/api.py), under /v1/organisations.
declare_router("/v1/organisations", api.router, order=20)
