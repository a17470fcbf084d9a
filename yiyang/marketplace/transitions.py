"""The life cycle of an order (DESIGN.md §2.4), as one table.

    created ─▶ accepted ─▶ assigned ─▶ on_the_way ─▶ in_service ─▶ completed ─▶ confirmed ─▶ rated
       │           │          │  ▲          │                           │
       └▶ refused  │          └──┘ (again)  └──▶ no_show                └▶ disputed ─▶ confirmed
    cancelled ◀────┴──────────┴─ (by the person, the call centre or the provider, before the
                                  caregiver sets off)

Who takes each step: the provider's staff (`orders.fulfil`) accept, refuse, assign and may
cancel with a reason; the caregiver assigned to the order (`orders.serve`) sets off, starts, completes or finds
nobody at home; the person, their family or the call centre (`orders.place`) cancel and
(`orders.confirm`) confirm or dispute; the person or family rate; an officer
(`orders.supervise`) settles a dispute. The services check each step here before they write;
the pages and the API offer what `ORDER.offered(actor, order)` returns.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.core.transitions import Machine, Step

from .models import Complaint, Order

S = Order.Status
FULFIL = "orders.fulfil"
BEFORE_SETTING_OFF = (S.CREATED, S.ACCEPTED, S.ASSIGNED)


def _not_own_caregiver(actor, order: Order) -> str | None:
    """A caregiver serves only the orders they are assigned to."""
    caregiver = getattr(order, "caregiver_id", None)
    if caregiver is not None and caregiver == getattr(actor, "pk", None):
        return None
    return _("Only the caregiver assigned to this order can do this.")


def _caregiver_step(name, label, source, target) -> Step:
    return Step(name, label, source, target, capability="orders.serve", unless=_not_own_caregiver)


ORDER = Machine(
    "marketplace.order",
    S,
    [
        Step("accept", gettext_lazy("Accept"), {S.CREATED}, S.ACCEPTED, capability=FULFIL),
        Step("refuse", gettext_lazy("Refuse"), {S.CREATED}, S.REFUSED, capability=FULFIL),
        Step(
            "assign",
            gettext_lazy("Assign a caregiver"),
            {S.ACCEPTED, S.ASSIGNED},
            S.ASSIGNED,
            capability=FULFIL,
        ),
        _caregiver_step("depart", gettext_lazy("Set off"), {S.ASSIGNED}, S.ON_THE_WAY),
        _caregiver_step(
            "start", gettext_lazy("Start the service"), {S.ASSIGNED, S.ON_THE_WAY}, S.IN_SERVICE
        ),
        _caregiver_step(
            "complete", gettext_lazy("Finish the service"), {S.IN_SERVICE}, S.COMPLETED
        ),
        _caregiver_step(
            "no_show", gettext_lazy("Nobody at home"), {S.ASSIGNED, S.ON_THE_WAY}, S.NO_SHOW
        ),
        Step(
            "confirm",
            gettext_lazy("Confirm the service"),
            {S.COMPLETED},
            S.CONFIRMED,
            capability="orders.confirm",
        ),
        Step(
            "dispute",
            gettext_lazy("Report a problem"),
            {S.COMPLETED},
            S.DISPUTED,
            capability="orders.confirm",
        ),
        Step("rate", gettext_lazy("Rate"), {S.CONFIRMED}, S.RATED, capability="orders.rate"),
        # The person, their family or the call centre; the provider's own cancellation is the
        # next step, with its reason.
        Step(
            "cancel",
            gettext_lazy("Cancel the order"),
            BEFORE_SETTING_OFF,
            S.CANCELLED,
            capability="orders.place",
        ),
        Step(
            "withdraw",
            gettext_lazy("Cancel: we cannot come"),
            BEFORE_SETTING_OFF,
            S.CANCELLED,
            capability=FULFIL,
        ),
        Step(
            "settle",
            gettext_lazy("Settle the dispute"),
            {S.DISPUTED},
            S.CONFIRMED,
            capability="orders.supervise",
        ),
        # The platform's: a completed order nobody confirmed or disputed within the policy's
        # days counts as confirmed.
        Step("auto_confirm", gettext_lazy("Confirmed by default"), {S.COMPLETED}, S.CONFIRMED),
    ],
)

# The status field each step stamps with its time.
STAMPS = {
    "accept": "decided_at",
    "refuse": "decided_at",
    "assign": "assigned_at",
    "depart": "departed_at",
    "start": "started_at",
    "complete": "completed_at",
    "confirm": "confirmed_at",
    "auto_confirm": "confirmed_at",
    "settle": "confirmed_at",
}
# Steps after which the order is over: nothing is left to do for anyone.
CLOSING = {"refuse", "cancel", "withdraw", "no_show", "rate"}


def _not_the_orders_provider(actor, complaint) -> str | None:
    if getattr(actor, "organisation_id", None) == getattr(complaint, "provider_id", None):
        return None
    return _("Only the provider of the order answers its complaint.")


C = Complaint.Status
COMPLAINT = Machine(
    "marketplace.complaint",
    C,
    [
        Step(
            "answer",
            gettext_lazy("Answer the complaint"),
            {C.OPEN, C.ANSWERED},
            C.ANSWERED,
            capability=FULFIL,
            unless=_not_the_orders_provider,
        ),
        Step(
            "settle",
            gettext_lazy("Settle the complaint"),
            {C.OPEN, C.ANSWERED},
            C.CLOSED,
            capability="orders.supervise",
        ),
    ],
)
