"""The life cycle of a change to an administrator's account (三员分立), as one table.

    pending ─▶ approved        (a second person who may approve carries it out)
       ├────▶ refused
       └────▶ withdrawn        (by the one who asked)
    break_glass ─▶ reviewed    (carried out alone when nobody could approve; a second person
                                reviews it afterwards)

Nobody approves, refuses or reviews a change they asked for, or a change to their own account:
that is the point of asking a second person.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.core.transitions import Machine, Step

from .models import AccountChange

S = AccountChange.Status
APPROVE = "accounts.approve"


def _a_party(actor, change: AccountChange) -> str | None:
    if actor.pk == change.requested_by_id:
        return _("You asked for this change: a second person must decide on it.")
    if actor.pk == change.target_id:
        return _("This change is to your own account: another person must decide on it.")
    return None


def _not_the_requester(actor, change: AccountChange) -> str | None:
    if actor.pk != change.requested_by_id:
        return _("Only the person who asked for the change may withdraw it.")
    return None


CHANGE = Machine(
    "accounts.accountchange",
    S,
    [
        Step(
            "approve",
            gettext_lazy("Approve and carry out"),
            {S.PENDING},
            S.APPROVED,
            capability=APPROVE,
            unless=_a_party,
        ),
        Step(
            "refuse",
            gettext_lazy("Refuse the change"),
            {S.PENDING},
            S.REFUSED,
            capability=APPROVE,
            unless=_a_party,
        ),
        Step(
            "withdraw",
            gettext_lazy("Withdraw the request"),
            {S.PENDING},
            S.WITHDRAWN,
            capability="accounts.manage",
            unless=_not_the_requester,
        ),
        Step(
            "review",
            gettext_lazy("Mark as reviewed"),
            {S.BREAK_GLASS},
            S.REVIEWED,
            capability=APPROVE,
            unless=_a_party,
        ),
    ],
)
