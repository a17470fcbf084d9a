"""Complaints about orders, and how satisfied people are with each provider and district.

Satisfaction is the share of rated orders given 4 or 5 stars (seed 002 reports 99.65 % over
530,000 orders); a complaint is due the order policy's `complaint_days` after it is filed."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.models import account_of
from yiyang.core import audit
from yiyang.core.divisions import district_of
from yiyang.core.exceptions import ValidationFailed
from yiyang.core.scoping import Actor, require, scoped, scoped_get
from yiyang.core.timeutils import LOCAL_TZ, local_today

from .models import Complaint, Order
from .ordering import order_get, order_policy
from .transitions import COMPLAINT

S = Order.Status
# A complaint can be filed once someone was sent (or should have been).
COMPLAINABLE = (
    S.ASSIGNED, S.ON_THE_WAY, S.IN_SERVICE, S.COMPLETED, S.CONFIRMED, S.RATED, S.DISPUTED,
    S.NO_SHOW, S.CANCELLED,
)  # fmt: skip
SATISFIED_FROM = 4  # stars

audit.register_notes(
    {
        "complaint filed": gettext_lazy("Complaint filed"),
        "complaint answer": gettext_lazy("Complaint answered by the provider"),
        "complaint settle": gettext_lazy("Complaint settled"),
    }
)


def visible_complaints(actor: Actor):
    require(actor, "orders.view")
    return scoped(Complaint.objects.all(), actor)


def can_complain(actor: Actor, order: Order) -> bool:
    return actor.has_capability("orders.confirm") and order.status in COMPLAINABLE


def complaint_file(*, actor: Actor, order_id: int, category: str, text: str) -> Complaint:
    require(actor, "orders.confirm")
    order = order_get(actor=actor, order_id=order_id)
    errors: dict[str, str] = {}
    if category not in Complaint.Category.values:
        errors["category"] = _("Choose what it is about.")
    text = (text or "").strip()
    if not text or len(text) > 500:
        errors["text"] = _("Say what happened (at most 500 characters).")
    if order.status not in COMPLAINABLE:
        errors["order"] = _("A complaint can be made once a caregiver was sent.")
    if errors:
        raise ValidationFailed(fields=errors)
    rules = order_policy(order.region_code, local_today())
    with transaction.atomic():
        complaint = Complaint.objects.create(
            order=order,
            elder_id=order.elder_id,
            region_code=order.region_code,
            provider_id=order.provider_id,
            category=category,
            text=text,
            filed_by=account_of(actor),
            due_on=local_today() + dt.timedelta(days=rules.complaint_days),
        )
        audit.record_change(
            actor=actor,
            entity=complaint,
            action="create",
            note="complaint filed",
            changes={"category": [None, category], "order": [None, order.number]},
        )
    return complaint


def complaint_step(actor: Actor, complaint_id: int, step: str, **values) -> Complaint:
    """`answer` (the order's provider): text; `settle` (civil affairs): outcome and note."""
    with transaction.atomic():
        complaint = scoped_get(visible_complaints(actor), actor, pk=complaint_id)
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        COMPLAINT.check(actor, complaint, step)
        previous = complaint.status
        text = (values.get("text") or "").strip()
        errors = {}
        now = timezone.now()
        if step == "answer":
            if not text or len(text) > 500:
                errors["text"] = _("Write the answer (at most 500 characters).")
            complaint.answer, complaint.answered_at = text, now
        else:
            outcome = values.get("outcome") or ""
            if outcome not in Complaint.Outcome.values:
                errors["outcome"] = _("Choose the outcome.")
            if not text or len(text) > 500:
                errors["text"] = _("Say how it was settled (at most 500 characters).")
            complaint.outcome, complaint.outcome_note = outcome, text
            complaint.closed_by, complaint.closed_at = account_of(actor), now
        if errors:
            raise ValidationFailed(fields=errors)
        complaint.status = COMPLAINT.step(step).target
        complaint.save()
        audit.record_change(
            actor=actor,
            entity=complaint,
            action="status",
            note=f"complaint {step}",
            changes={"status": [previous, complaint.status]},
        )
    return complaint


def is_overdue(complaint: Complaint, today: dt.date | None = None) -> bool:
    return complaint.status != Complaint.Status.CLOSED and complaint.due_on < (
        today or local_today()
    )


@dataclass
class SatisfactionRow:
    key: str
    label: str
    rated: int
    satisfied: int
    complaints: int

    @property
    def rate(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(self.satisfied * 100) / self.rated).quantize(Decimal("0.01"))


def satisfaction(
    *, actor: Actor, since: dt.date
) -> tuple[list[SatisfactionRow], list[SatisfactionRow]]:
    """Per provider and per district, over orders served since `since`: rated orders, those
    rated 4 or 5 stars, the satisfaction rate and the complaints filed."""
    require(actor, "orders.figures")
    start = dt.datetime.combine(since, dt.time(), tzinfo=LOCAL_TZ)
    orders = scoped(Order.objects.filter(window_start__gte=start), actor)
    by_provider = (
        orders.values("provider_id", "provider__name", "provider__region_code")
        .annotate(
            rated=Count("id", filter=Q(rating__isnull=False)),
            satisfied=Count("id", filter=Q(rating__gte=SATISFIED_FROM)),
            complaints=Count("complaints", distinct=True),
        )
        .order_by("provider__name")
    )
    providers, districts = [], {}
    from yiyang.regions.models import Region

    names = dict(Region.objects.filter(level=Region.Level.DISTRICT).values_list("code", "name"))
    for row in by_provider:
        providers.append(
            SatisfactionRow(
                str(row["provider_id"]),
                row["provider__name"],
                row["rated"],
                row["satisfied"],
                row["complaints"],
            )
        )
        code = district_of(row["provider__region_code"] or "")
        total = districts.setdefault(code, SatisfactionRow(code, names.get(code, code), 0, 0, 0))
        total.rated += row["rated"]
        total.satisfied += row["satisfied"]
        total.complaints += row["complaints"]
    return providers, sorted(districts.values(), key=lambda r: r.key)
