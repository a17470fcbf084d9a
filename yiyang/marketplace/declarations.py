"""What the marketplace declares: the city's service catalogue, providers' menus, and orders:
who may place, fulfil, serve, confirm and supervise them, who sees which order and which person,
the order policy and the order life cycle."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiyang.accounts.roles import OFFICERS, SELF_ROLES, Role
from yiyang.api.routers import declare_router
from yiyang.core import events, policy, registry, scoping, transitions
from yiyang.core.registry import LandingCard, MenuEntry, Panel, capability
from yiyang.core.scoping import CAREGIVER, ORGANISATION, REGION, SELF
from yiyang.exchange import kinds as exchange_kinds
from yiyang.supervision.figures import FigureSet, declare_figures

from . import api, api_orders, callbacks, landing, ordering, spreadsheets
from .models import Order, OrderPolicy, ProviderOffer, ServiceCirclePolicy
from .transitions import COMPLAINT, ORDER

# Orders an actor may see: the region's for officers and the call centre, the provider's own for
# its staff, the person's own for them and their family; a caregiver sees the orders they are
# assigned to while those are open.
scoping.declare(
    "marketplace.order", region="region_code", organisation="provider_id", elder="elder_id"
)
scoping.declare("marketplace.subsidybalance", region="region_code", elder="elder_id")
scoping.declare(
    "marketplace.recurringorder", region="region_code", organisation="provider_id", elder="elder_id"
)
scoping.declare("marketplace.callbacktask", region="region_code")
scoping.declare(
    "marketplace.complaint", region="region_code", organisation="provider_id", elder="elder_id"
)
scoping.declare("marketplace.payment", via="order")
scoping.declare("marketplace.provideroffer", region="region_code", organisation="provider_id")
CURRENT = (
    Order.Status.ASSIGNED,
    Order.Status.ON_THE_WAY,
    Order.Status.IN_SERVICE,
    Order.Status.COMPLETED,
)


@scoping.rule("marketplace.order", CAREGIVER)
def _own_current_orders(actor) -> Q:
    return Q(caregiver_id=actor.pk, status__in=CURRENT)


# The people a provider has orders for, and a caregiver the people of their current orders (not
# every resident of a home: those come from the institutions app's own rule).
@scoping.rule("people.elder", ORGANISATION)
def _people_with_orders(actor) -> Q | None:
    org = getattr(actor, "organisation_id", None)
    if not org:
        return None
    return Q(pk__in=Order.objects.filter(provider_id=org).values("elder_id"))


@scoping.rule("people.elder", CAREGIVER)
def _people_of_current_orders(actor) -> Q:
    return Q(
        pk__in=Order.objects.filter(caregiver_id=actor.pk, status__in=CURRENT).values("elder_id")
    )


# An approved menu line is public: an older person or family chooses from every provider's.
@scoping.rule("marketplace.provideroffer", SELF)
def _approved_menus(actor) -> Q:
    return Q(status=ProviderOffer.Status.APPROVED)


scoping.rule("marketplace.provideroffer", CAREGIVER)(scoping.organisation_rule("provider_id"))

policy.declare_kind("order", OrderPolicy)
policy.declare_kind("service_circle", ServiceCirclePolicy)
# A press of the service button on a safety bell asks the call centre to call back.
events.subscribe(callbacks.EVENT_SERVICE_PRESS, callbacks.on_service_press)
transitions.declare(ORDER)
transitions.declare(COMPLAINT)

registry.declare_capabilities(
    capability(
        "service_items.view",
        _("Read the service catalogue"),
        roles=[Role.CAREGIVER, Role.PROVIDER, *OFFICERS],
        api=True,
    ),
    capability("service_items.edit", _("Keep the service catalogue"), roles=[Role.CIVIL_AFFAIRS]),
    capability(
        "orders.view",
        _("Read orders"),
        roles=[*SELF_ROLES, Role.PROVIDER, Role.CAREGIVER, Role.OPERATOR, *OFFICERS],
        api=True,
    ),
    capability(
        "orders.place",
        _("Order services for an older person"),
        # The civil-affairs officer too: for a person with nobody to order for them, and to
        # issue the API keys of the systems that order (a key holds only its maker's scopes).
        roles=[*SELF_ROLES, Role.OPERATOR, Role.CIVIL_AFFAIRS],
        api=True,
    ),
    capability(
        "orders.fulfil",
        _("Accept, refuse and assign orders of one's own organisation"),
        roles=[Role.PROVIDER],
    ),
    capability(
        "orders.serve",
        _("Set off for, start and finish the orders one is assigned to"),
        roles=[Role.CAREGIVER],
    ),
    capability(
        "orders.confirm",
        _("Confirm a service or report a problem with it"),
        roles=[*SELF_ROLES, Role.OPERATOR],
    ),
    capability("orders.rate", _("Rate a service"), roles=SELF_ROLES),
    capability(
        "orders.supervise", _("Settle disputed orders and complaints"), roles=[Role.CIVIL_AFFAIRS]
    ),
    capability(
        "orders.figures", _("Read the satisfaction with home-care services"), roles=OFFICERS
    ),
    capability(
        "menus.view",
        _("Read providers' menus and their approval"),
        roles=[Role.PROVIDER, Role.CIVIL_AFFAIRS],
    ),
    capability(
        "callbacks.handle",
        _("Call back people who pressed their safety bell's service button"),
        roles=[Role.OPERATOR],
    ),
    capability("menus.propose", _("Propose one's own menu lines"), roles=[Role.PROVIDER]),
    capability("menus.approve", _("Approve providers' menu lines"), roles=[Role.CIVIL_AFFAIRS]),
)

registry.declare_section("services", pgettext_lazy("menu section", "Services"), order=30)
registry.declare_menu(
    "services",
    [
        MenuEntry("orders:new", _("Order a service"), "orders.place", order=5),
        MenuEntry("orders:list", _("Orders"), "orders.view", order=8),
        MenuEntry("orders:callbacks", _("Call-backs"), "callbacks.handle", order=9),
        MenuEntry("orders:complaints", _("Complaints"), "orders.view", order=10),
        MenuEntry("marketplace:list", _("Service items"), "service_items.view"),
        MenuEntry("marketplace:menus", _("Service menus"), "menus.view", order=60),
        MenuEntry("orders:statement", _("Monthly statement"), "orders.fulfil", order=70),
    ],
)

registry.declare_cards(
    LandingCard("orders_provider", landing.provider_tiles, capability="orders.fulfil", order=30),
    LandingCard("orders_caregiver", landing.caregiver_tiles, capability="orders.serve", order=30),
    LandingCard(
        "orders_callbacks", landing.operator_tiles, capability="callbacks.handle", order=20
    ),
    LandingCard(
        "orders_supervision",
        landing.officer_tiles,
        capability="orders.supervise",
        scope_kinds=frozenset({REGION}),
        order=50,
    ),
    # The older person's and family's first buttons, under their own record's card.
    LandingCard(
        "orders_buttons",
        lambda actor: {"shown": True},
        capability="orders.place",
        scope_kinds=frozenset({SELF}),
        order=2,
        template="marketplace/orders/_landing_order.html",
        placement="head",
    ),
    LandingCard(
        "orders_mine",
        landing.family_tiles,
        capability="orders.rate",
        scope_kinds=frozenset({SELF}),
        order=20,
    ),
)

registry.declare_panel(
    "people.elder",
    Panel("orders", "marketplace/orders/_elder_panel.html", ordering.elder_panel, order=20),
)

# Its sheets: the Excel template, import and export (exchange.kinds).
exchange_kinds.declare_kind(spreadsheets.KIND)

# Its REST endpoints (marketplace/api.py), under /v1/service-items.
declare_figures(
    FigureSet(
        "satisfaction",
        _("Satisfaction with home-care services"),
        _("Per provider and district: orders rated, the share rated 4 or 5 stars, complaints."),
        capability="orders.figures",
        url_name="orders:satisfaction",
        order=20,
    )
)

declare_figures(
    FigureSet(
        "service_circle",
        _("The 15-minute service circle"),
        _(
            "Per community: the service stations and providers within the policy's minutes on "
            "foot, and the communities outside the circle, on a map."
        ),
        capability="orders.figures",
        url_name="orders:circle",
        order=30,
    )
)

declare_router("/v1/service-items", api.router, order=40)
declare_router("/v1/orders", api_orders.router, order=45)
