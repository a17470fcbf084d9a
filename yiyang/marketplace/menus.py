"""Providers' menus: a provider proposes a line (an item of the city catalogue at its own price,
where and when it serves it), a civil-affairs officer approves or rejects it, and an approved
line replaces the provider's earlier line for the same item. Orders are placed on approved lines
only (marketplace.ordering); an order keeps the line it was placed on."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.models import account_of
from yiyang.core import audit
from yiyang.core.exceptions import PermissionDenied, ValidationFailed
from yiyang.core.money import to_money
from yiyang.core.scoping import Actor, require, scoped, scoped_get
from yiyang.regions.models import Region

from .models import ProviderOffer, ServiceItem

L = ProviderOffer.Status
MAX_PRICE = Decimal("99999.99")

audit.register_notes(
    {
        "menu line proposed": gettext_lazy("Menu line proposed"),
        "menu line approved": gettext_lazy("Menu line approved"),
        "menu line rejected": gettext_lazy("Menu line rejected"),
        "menu line withdrawn": gettext_lazy("Menu line withdrawn"),
        "menu line replaced": gettext_lazy("Replaced by a newly approved line"),
    }
)


@dataclass
class MenuLineData:
    item_id: int | str | None
    price: Decimal | str | None
    area_codes: list[str] = field(default_factory=list)
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    weekdays: list[int] = field(default_factory=list)


def visible_lines(actor: Actor):
    require(actor, "orders.view")
    return scoped(ProviderOffer.objects.all(), actor)


def _price(raw, errors: dict) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or not Decimal(0) <= value <= MAX_PRICE:
        errors["price"] = _("Enter a price in yuan from 0 to 99,999.99.")
        return None
    if value != value.quantize(Decimal("0.01")):
        errors["price"] = _("A price has at most two decimal places.")
        return None
    return to_money(value)


def _areas(codes, provider_region: str, errors: dict) -> list[str]:
    codes = sorted({str(c).strip() for c in codes or [] if str(c).strip()})
    district = provider_region[:6]
    known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    if not codes:
        errors["area_codes"] = _("Choose at least one area the provider serves.")
    elif set(codes) - known or not all(c.startswith(district) for c in codes):
        errors["area_codes"] = _("Choose areas inside the provider's own district.")
    return codes


def menu_line_propose(*, actor: Actor, data: MenuLineData) -> ProviderOffer:
    """A provider's staff propose one line of their own organisation's menu."""
    require(actor, "menus.propose")
    provider = getattr(actor, "organisation", None)
    if provider is None:
        raise PermissionDenied()
    errors: dict[str, str] = {}
    item = None
    try:
        item = ServiceItem.objects.get(pk=int(str(data.item_id)), is_active=True)
    except (ServiceItem.DoesNotExist, TypeError, ValueError):
        errors["item_id"] = _("Choose an item of the city catalogue.")
    price = _price(data.price, errors)
    areas = _areas(data.area_codes, provider.region_code, errors)
    if data.opens_at is None or data.closes_at is None or data.opens_at >= data.closes_at:
        errors["closes_at"] = _("The closing time must be after the opening time.")
    days = sorted({d for d in data.weekdays or [] if isinstance(d, int) and 1 <= d <= 7})
    if not days or len(days) != len(set(data.weekdays or [])):
        errors["weekdays"] = _("Choose the days of the week, Monday to Sunday.")
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        line = ProviderOffer.objects.create(
            provider=provider,
            region_code=provider.region_code,
            item=item,
            price=price,
            area_codes=areas,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            weekdays=days,
            proposed_by=account_of(actor),
        )
        audit.record_change(
            actor=actor,
            entity=line,
            action="create",
            note="menu line proposed",
            changes={"item": [None, item.name], "price": [None, str(price)]},
        )
    return line


def menu_line_decide(*, actor: Actor, line_id: int, approve: bool, note: str = "") -> ProviderOffer:
    """An officer approves a proposed line (the provider's approved line for the same item is
    replaced) or rejects it with a reason."""
    require(actor, "menus.approve")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationFailed(fields={"note": _("Say why the line is rejected.")})
    if len(note) > 200:
        raise ValidationFailed(fields={"note": _("At most 200 characters.")})
    with transaction.atomic():
        line = scoped_get(visible_lines(actor).select_for_update(), actor, pk=line_id)
        if line.status != L.PROPOSED:
            raise ValidationFailed(
                fields={"status": _("Only a line waiting for approval can be decided.")}
            )
        now = timezone.now()
        if approve:
            for old in ProviderOffer.objects.select_for_update().filter(
                provider_id=line.provider_id, item_id=line.item_id, status=L.APPROVED
            ):
                old.status = L.REPLACED
                old.save(update_fields=["status"])
                audit.record_change(
                    actor=actor,
                    entity=old,
                    action="status",
                    note="menu line replaced",
                    changes={"status": [L.APPROVED, L.REPLACED]},
                )
        line.status = L.APPROVED if approve else L.REJECTED
        line.decided_by, line.decided_at, line.decision_note = account_of(actor), now, note
        line.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit.record_change(
            actor=actor,
            entity=line,
            action="status",
            note="menu line approved" if approve else "menu line rejected",
            changes={"status": [L.PROPOSED, line.status]},
        )
    return line


def menu_line_withdraw(*, actor: Actor, line_id: int) -> ProviderOffer:
    """The provider takes a proposed or approved line off its menu; orders placed on it stay."""
    require(actor, "menus.propose")
    with transaction.atomic():
        line = scoped_get(visible_lines(actor).select_for_update(), actor, pk=line_id)
        if line.provider_id != getattr(actor, "organisation_id", None):
            raise PermissionDenied()
        if line.status not in (L.PROPOSED, L.APPROVED):
            raise ValidationFailed(fields={"status": _("This line is no longer on the menu.")})
        previous = line.status
        line.status = L.WITHDRAWN
        line.save(update_fields=["status"])
        audit.record_change(
            actor=actor,
            entity=line,
            action="status",
            note="menu line withdrawn",
            changes={"status": [previous, L.WITHDRAWN]},
        )
    return line
