"""The person's share of an order: payments the provider records against it, each with a
receipt, and the provider's monthly statement of its orders by payer."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.models import account_of
from yiyang.core import audit
from yiyang.core.exceptions import PermissionDenied, ValidationFailed
from yiyang.core.money import to_money
from yiyang.core.pdf import render_pdf
from yiyang.core.scoping import Actor, require
from yiyang.core.timeutils import LOCAL_TZ, local_today

from .models import Order, Payment
from .ordering import order_get, visible_orders

S = Order.Status
# Orders whose service was given: the person owes their share.
SERVED = (S.COMPLETED, S.CONFIRMED, S.RATED, S.DISPUTED)
REFERENCE = re.compile(r"[A-Za-z0-9_-]{4,64}")

audit.register_notes({"payment recorded": gettext_lazy("Payment recorded")})


def paid_of(order: Order) -> Decimal:
    total = order.payments.aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def can_record(actor: Actor, order: Order, paid: Decimal) -> bool:
    """Whether the page offers `actor` to record a payment: payment_record's own checks."""
    return (
        actor.has_capability("orders.fulfil")
        and order.provider_id == getattr(actor, "organisation_id", None)
        and order.status in SERVED
        and paid < order.self_amount
    )


def payment_record(
    *, actor: Actor, order_id: int, amount, method: str, reference: str = ""
) -> Payment:
    """The provider records what the person paid of their share of a served order."""
    require(actor, "orders.fulfil")
    errors: dict[str, str] = {}
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        value = None
    if (
        value is None
        or not value.is_finite()
        or value <= 0
        or value != value.quantize(Decimal("0.01"))
    ):
        errors["amount"] = _("Enter an amount in yuan above 0, with at most two decimal places.")
    if method not in Payment.Method.values:
        errors["method"] = _("Choose how it was paid.")
    reference = (reference or "").strip()
    if method in (Payment.Method.BANK, Payment.Method.MOBILE) and not REFERENCE.fullmatch(
        reference
    ):
        errors["reference"] = _("Enter the transfer's reference (4 to 64 letters or digits).")
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        order = order_get(actor=actor, order_id=order_id)
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.provider_id != getattr(actor, "organisation_id", None):
            raise PermissionDenied()
        if order.status not in SERVED:
            raise ValidationFailed(
                fields={"amount": _("Payments are recorded once the service is given.")}
            )
        owed = order.self_amount - paid_of(order)
        if to_money(value) > owed:
            raise ValidationFailed(
                fields={"amount": _("At most %(owed)s yuan is still owed.") % {"owed": owed}}
            )
        now = timezone.now()
        payment = Payment.objects.create(
            order=order,
            amount=to_money(value),
            method=method,
            reference=reference,
            paid_at=now,
            recorded_by=account_of(actor),
            receipt_number=f"T{now:%f}{order.pk}"[:24],
        )
        payment.receipt_number = f"SJ{now.astimezone(LOCAL_TZ):%Y%m%d}{payment.pk:08d}"
        payment.save(update_fields=["receipt_number"])
        audit.record_change(
            actor=actor,
            entity=order,
            action="update",
            note="payment recorded",
            changes={"payment": [None, f"{payment.amount} {payment.get_method_display()}"]},
        )
    return payment


def receipt_pdf(*, actor: Actor, payment_id: int) -> tuple[Payment, bytes]:
    """The receipt of one payment: who paid what for which service, and who else paid."""
    require(actor, "orders.view")
    payment = Payment.objects.select_related("order__item", "order__provider", "order__elder").get(
        pk=payment_id, order__in=visible_orders(actor)
    )
    order = payment.order
    context = {
        "payment": payment,
        "order": order,
        "issuer": order.provider.name,
        "paid": paid_of(order),
        "issued_on": local_today(),
    }
    return payment, render_pdf("marketplace/pdf/receipt.html", context)


@dataclass
class StatementLine:
    order: Order
    paid: Decimal


@dataclass
class Statement:
    month: dt.date
    lines: list[StatementLine]
    total: Decimal
    subsidy: Decimal
    ltci: Decimal
    self_pay: Decimal
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.self_pay - self.paid


def provider_statement(*, actor: Actor, month: dt.date) -> Statement:
    """A provider's served orders of one month (by visit day) and what each payer owes for
    them: the subsidy and LTCI shares to claim, the person's share and what of it is paid."""
    require(actor, "orders.fulfil")
    start = dt.datetime.combine(month.replace(day=1), dt.time(), tzinfo=LOCAL_TZ)
    end = dt.datetime.combine(
        (start.date() + dt.timedelta(days=32)).replace(day=1), dt.time(), tzinfo=LOCAL_TZ
    )
    orders = (
        visible_orders(actor)
        .filter(status__in=SERVED, window_start__gte=start, window_start__lt=end)
        .select_related("elder", "item")
        .annotate(paid_sum=Sum("payments__amount"))
        .order_by("window_start", "id")
    )
    lines = [StatementLine(o, o.paid_sum or Decimal("0.00")) for o in orders]
    zero = Decimal("0.00")
    return Statement(
        month=start.date(),
        lines=lines,
        total=sum((line.order.total for line in lines), zero),
        subsidy=sum((line.order.subsidy_amount for line in lines), zero),
        ltci=sum((line.order.ltci_amount for line in lines), zero),
        self_pay=sum((line.order.self_amount for line in lines), zero),
        paid=sum((line.paid for line in lines), zero),
    )
