"""Writes to the city's service catalogue (the "menu" older people order from)."""

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from yiyang.core import audit
from yiyang.core.exceptions import NotFound, ValidationFailed
from yiyang.core.money import CENT, to_money
from yiyang.core.scoping import Actor, require

from .errors import SERVICE_ITEM_REASONS as REASONS
from .models import ServiceItem

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
MAX_PRICE = Decimal("9999999999.99")  # max_digits=12, decimal_places=2
MAX_DURATION = 100_000
FIELDS = (
    "code",
    "name",
    "category",
    "unit",
    "duration_minutes",
    "price",
    "qualification",
    "is_ltci",
    "is_active",
    "description",
)


@dataclass
class ServiceItemData:
    """What an officer types on the form or in an import row; numbers may come as text."""

    code: str
    name: str
    category: str
    unit: str
    duration_minutes: int | str | None
    price: Decimal | str | None
    qualification: str = ""
    is_ltci: bool = False
    is_active: bool = True
    description: str = ""


def _duration(raw, errors) -> int | None:
    if isinstance(raw, bool):
        errors["duration_minutes"] = str(REASONS["duration"])
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        errors["duration_minutes"] = str(REASONS["duration"])
        return None
    if (
        not value.is_finite()
        or value != value.to_integral_value()
        or not 1 <= value <= MAX_DURATION
    ):
        errors["duration_minutes"] = str(REASONS["duration"])
        return None
    return int(value)


def _price(raw, errors) -> Decimal | None:
    if isinstance(raw, float):  # from a spreadsheet; repr is the shortest exact decimal form
        raw = repr(raw)
    text = "" if raw is None or isinstance(raw, bool) else str(raw).strip().replace(",", "")
    if not text:
        errors["price"] = str(REASONS["price"])
        return None
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        errors["price"] = str(REASONS["price"])
        return None
    if not value.is_finite() or value < 0:
        errors["price"] = str(REASONS["price"])
        return None
    if value > MAX_PRICE:
        errors["price"] = str(REASONS["price_range"])
        return None
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        errors["price"] = str(REASONS["price_places"])
        return None
    return to_money(value)


def service_item_clean(*, data: ServiceItemData, current: ServiceItem | None = None) -> dict:
    """Validate every field (all errors at once) and return the values to store."""
    errors: dict[str, str] = {}
    code = (data.code or "").strip()
    if not code:
        errors["code"] = str(REASONS["code_required"])
    elif not CODE_PATTERN.match(code):
        errors["code"] = str(REASONS["code_format"])
    else:
        clash = ServiceItem.objects.filter(code=code)
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            errors["code"] = str(REASONS["code_duplicate"])
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = str(REASONS["name_required"])
    elif len(name) > 100:
        errors["name"] = str(REASONS["name_length"])
    if data.category not in ServiceItem.Category.values:
        errors["category"] = str(REASONS["choice"])
    unit = (data.unit or "").strip()
    if not unit:
        errors["unit"] = str(REASONS["unit_required"])
    elif len(unit) > 20:
        errors["unit"] = str(REASONS["unit_length"])
    duration = _duration(data.duration_minutes, errors)
    price = _price(data.price, errors)
    qualification = " ".join((data.qualification or "").split())
    if len(qualification) > 60:
        errors["qualification"] = str(REASONS["qualification_length"])
    description = (data.description or "").strip()
    if len(description) > 2000:
        errors["description"] = str(REASONS["description_length"])
    if errors:
        raise ValidationFailed(fields=errors)
    return {
        "code": code,
        "name": name,
        "category": data.category,
        "unit": unit,
        "duration_minutes": duration,
        "price": price,
        "qualification": qualification,
        "is_ltci": bool(data.is_ltci),
        "is_active": bool(data.is_active),
        "description": description,
    }


def service_item_snapshot(item: ServiceItem) -> dict:
    """The audited fields as plain values (shared with the bulk import's history rows)."""
    return {
        f: (str(v) if isinstance(v, Decimal) else v) for f in FIELDS for v in [getattr(item, f)]
    }


def _audit_region(actor: Actor) -> str:
    # The catalogue is city-wide; its history is filed under the editor's region so that the
    # audit administrator of that region sees it.
    return getattr(actor, "region_code", "") or ""


@transaction.atomic
def service_item_create(*, actor: Actor, data: ServiceItemData) -> ServiceItem:
    require(actor, "service_items.edit")
    item = ServiceItem(**service_item_clean(data=data))
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:  # two officers adding the same code at once
        raise ValidationFailed(fields={"code": str(REASONS["code_duplicate"])}) from exc
    audit.record_change(
        actor=actor,
        entity=item,
        action="create",
        changes=audit.diff({}, service_item_snapshot(item)),
        region_code=_audit_region(actor),
    )
    return item


@transaction.atomic
def service_item_update(*, actor: Actor, item_id: int, data: ServiceItemData) -> ServiceItem:
    require(actor, "service_items.edit")
    item = ServiceItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    values = service_item_clean(data=data, current=item)
    before = service_item_snapshot(item)
    for key, value in values.items():
        setattr(item, key, value)
    changes = audit.diff(before, service_item_snapshot(item))
    if changes:
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError as exc:
            raise ValidationFailed(fields={"code": str(REASONS["code_duplicate"])}) from exc
        audit.record_change(
            actor=actor,
            entity=item,
            action="update",
            changes=changes,
            region_code=_audit_region(actor),
        )
    return item
