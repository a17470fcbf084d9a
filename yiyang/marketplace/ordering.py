"""Orders: placing one on a provider's approved menu line, its funding split, and every step of
its life cycle (marketplace.transitions.ORDER).

The funding split of an order is worked out once, when it is placed, from the price of the menu
line and the payers the catalogue item allows: the government subsidy pays from the person's
balance for the month of the visit (reserved at once, given back when the order is cancelled,
refused or nobody was at home), long-term care insurance pays what the payer registered for it
says (`register_payer`; the LTCI capability registers it), and the person pays the rest.
"""

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from yiyang.accounts.models import account_of
from yiyang.core import audit, events, policy
from yiyang.core.exceptions import ValidationFailed
from yiyang.core.money import to_money
from yiyang.core.scoping import Actor, require, scoped, scoped_get
from yiyang.core.timeutils import LOCAL_TZ
from yiyang.people.models import Elder

from .errors import ORDER_REASONS as REASONS
from .errors import IdempotencyKeyReused, NoOrderPolicy
from .models import Order, OrderPolicy, Payer, ProviderOffer, RecurringOrder, SubsidyBalance
from .transitions import CLOSING, ORDER, STAMPS

S = Order.Status
EVENT_CHANGED = "order.status_changed"
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._-]{1,80}")
RELEASING = {"refuse", "cancel", "withdraw", "no_show"}

audit.register_notes(
    {
        "order placed": gettext_lazy("Order placed"),
        "standing order visit placed": gettext_lazy("Visit of a standing order placed"),
        "standing order created": gettext_lazy("Standing order created"),
        "standing order ended": gettext_lazy("Standing order ended"),
        **{f"order {step.name}": step.label for step in ORDER.steps},
    }
)


# --- Who pays: the payers other capabilities register ------------------------------------------

# payer -> fn(elder, item, amount, day) -> the share it pays of `amount` (Decimal yuan)
_payers: dict[str, Callable] = {}


def register_payer(payer: str, share: Callable) -> None:
    """A capability that pays for orders (LTCI) says how much of an amount it pays."""
    _payers[payer] = share


@dataclass(frozen=True)
class Split:
    total: Decimal
    subsidy: Decimal
    ltci: Decimal
    self_pay: Decimal


def _subsidy_row(elder: Elder, day: dt.date) -> SubsidyBalance | None:
    month = day.replace(day=1)
    return SubsidyBalance.objects.select_for_update().filter(elder=elder, month=month).first()


def funding_split(*, elder: Elder, item, total: Decimal, day: dt.date, lock: bool) -> Split:
    """Who pays what of `total` for a visit on `day`. With `lock`, the subsidy row is locked
    and the subsidy's share reserved from it (inside the caller's transaction)."""
    allowed = set(item.payers or [])
    remaining = to_money(total)
    ltci = Decimal("0.00")
    if Payer.LTCI in allowed and Payer.LTCI in _payers:
        ltci = min(remaining, to_money(_payers[Payer.LTCI](elder, item, remaining, day)))
        remaining -= ltci
    subsidy = Decimal("0.00")
    if Payer.SUBSIDY in allowed and remaining > 0:
        rows = SubsidyBalance.objects.filter(elder=elder, month=day.replace(day=1))
        row = (rows.select_for_update() if lock else rows).first()
        if row is not None and row.available > 0:
            subsidy = min(remaining, row.available)
            if lock:
                row.reserved += subsidy
                row.save(update_fields=["reserved"])
        remaining -= subsidy
    return Split(to_money(total), subsidy, ltci, remaining)


def _release_subsidy(order: Order) -> None:
    if order.subsidy_amount <= 0:
        return
    row = _subsidy_row(order.elder, order.window_start.astimezone(LOCAL_TZ).date())
    if row is not None:
        row.reserved = max(Decimal("0.00"), row.reserved - order.subsidy_amount)
        row.save(update_fields=["reserved"])


# --- Placing an order --------------------------------------------------------------------------


@dataclass
class OrderData:
    elder_id: int
    offer_id: int
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    quantity: int = 1
    note: str = ""


def order_policy(region_code: str, day: dt.date) -> OrderPolicy:
    row = policy.policy_in_force(OrderPolicy, region_code=region_code, on=day)
    if row is None:
        raise NoOrderPolicy()
    return row


def _local(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value, LOCAL_TZ)
    return value.astimezone(LOCAL_TZ)


def _check_window(data: OrderData, offer: ProviderOffer, rules: OrderPolicy, errors: dict):
    if data.window_start is None or data.window_end is None:
        errors["window_start"] = str(REASONS["window"])
        return
    start, end = _local(data.window_start), _local(data.window_end)
    now = timezone.now().astimezone(LOCAL_TZ)
    if end <= start:
        errors["window_end"] = str(REASONS["window_order"])
        return
    if start.date() != end.date():
        errors["window_end"] = str(REASONS["window_day"])
        return
    if end - start < dt.timedelta(minutes=offer.item.duration_minutes):
        errors["window_end"] = str(REASONS["window_short"]) % {
            "minutes": offer.item.duration_minutes
        }
    if start < now + dt.timedelta(minutes=rules.min_lead_minutes):
        errors["window_start"] = str(REASONS["lead"]) % {"minutes": rules.min_lead_minutes}
    elif start.date() > now.date() + dt.timedelta(days=rules.max_ahead_days):
        errors["window_start"] = str(REASONS["ahead"]) % {"days": rules.max_ahead_days}
    # One reason per field: the lead time or the days ahead first, then the opening hours.
    if offer.weekdays and start.isoweekday() not in offer.weekdays:
        errors.setdefault("window_start", str(REASONS["weekday"]))
    elif start.time() < offer.opens_at or end.time() > offer.closes_at:
        errors.setdefault(
            "window_start",
            str(REASONS["hours"])
            % {
                "opens": offer.opens_at.strftime("%H:%M"),
                "closes": offer.closes_at.strftime("%H:%M"),
            },
        )


def _serves(offer: ProviderOffer, region_code: str) -> bool:
    return any(region_code.startswith(code) for code in offer.area_codes or [])


def _digest(data: OrderData) -> str:
    body = asdict(data)
    for key in ("window_start", "window_end"):
        body[key] = _local(body[key]).isoformat() if body[key] else None
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _replayed(api_key, key: str, digest: str) -> Order | None:
    order = Order.objects.filter(api_key=api_key, idempotency_key=key).first()
    if order is None:
        return None
    if order.request_digest != digest:
        raise IdempotencyKeyReused(field="idempotency_key")
    order.replayed = True
    return order


def order_place(
    *,
    actor: Actor,
    data: OrderData,
    channel: str,
    idempotency_key: str = "",
) -> Order:
    """Place an order for a person the actor may see, on an approved menu line.

    From the API, `idempotency_key` makes the request safe to send again: the same key from the
    same API key returns the order the first request made (a different request under that key is
    refused with `idempotency_key_reused`)."""
    require(actor, "orders.place")
    api_key = (
        actor if getattr(getattr(actor, "_meta", None), "label", "") == "accounts.ApiKey" else None
    )
    key = (idempotency_key or "").strip()
    if key and not IDEMPOTENCY_KEY.fullmatch(key):
        raise ValidationFailed(fields={"idempotency_key": str(REASONS["idempotency_key"])})
    digest = _digest(data) if key else ""
    if key and api_key is not None:
        found = _replayed(api_key, key, digest)
        if found is not None:
            return found
    elder = scoped_get(Elder.objects.all(), actor, pk=data.elder_id)
    errors: dict[str, str] = {}
    offer = (
        ProviderOffer.objects.select_related("item", "provider")
        .filter(pk=data.offer_id, status=ProviderOffer.Status.APPROVED, item__is_active=True)
        .first()
    )
    if offer is None:
        raise ValidationFailed(fields={"offer_id": str(REASONS["offer"])})
    if not _serves(offer, elder.region_code):
        errors["offer_id"] = str(REASONS["area"])
    now = timezone.now()
    rules = order_policy(elder.region_code, now.astimezone(LOCAL_TZ).date())
    _check_window(data, offer, rules, errors)
    quantity = data.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 20:
        errors["quantity"] = str(REASONS["quantity"])
    note = (data.note or "").strip()
    if len(note) > 300:
        errors["note"] = str(REASONS["note"])
    if errors:
        raise ValidationFailed(fields=errors)
    start, end = _local(data.window_start), _local(data.window_end)
    try:
        with transaction.atomic():
            order = _create(
                actor=actor,
                elder=elder,
                offer=offer,
                start=start,
                end=end,
                quantity=quantity,
                note=note,
                channel=channel,
                rules=rules,
                api_key=api_key,
                key=key,
                digest=digest,
            )
    except IntegrityError:
        # The same key arrived twice at once: the other request made the order.
        if key and api_key is not None:
            found = _replayed(api_key, key, digest)
            if found is not None:
                return found
        raise
    return order


def _create(
    *,
    actor,
    elder: Elder,
    offer: ProviderOffer,
    start: dt.datetime,
    end: dt.datetime,
    quantity: int,
    note: str,
    channel: str,
    rules: OrderPolicy,
    api_key=None,
    key: str = "",
    digest: str = "",
    recurring: RecurringOrder | None = None,
    ordered_by=None,
) -> Order:
    """Write one order with its split, its history and its event (inside a transaction)."""
    now = timezone.now()
    split = funding_split(
        elder=elder, item=offer.item, total=offer.price * quantity, day=start.date(), lock=True
    )
    order = Order.objects.create(
        number=f"T{uuid.uuid4().hex[:20]}",
        elder=elder,
        region_code=elder.region_code,
        provider=offer.provider,
        offer=offer,
        item=offer.item,
        quantity=quantity,
        recurring=recurring,
        window_start=start,
        window_end=end,
        address=elder.address or "",
        note=note,
        channel=channel,
        ordered_by=ordered_by or account_of(actor),
        api_key=api_key,
        idempotency_key=key if api_key is not None else "",
        request_digest=digest if api_key is not None else "",
        unit_price=offer.price,
        total=split.total,
        subsidy_amount=split.subsidy,
        ltci_amount=split.ltci,
        self_amount=split.self_pay,
        accept_due=now + dt.timedelta(minutes=rules.accept_minutes),
    )
    order.number = f"DD{start:%Y%m%d}{order.pk:07d}"
    order.save(update_fields=["number"])
    audit.record_change(
        actor=actor,
        entity=order,
        action="create",
        note="order placed" if recurring is None else "standing order visit placed",
        changes={
            "item": [None, offer.item.name],
            "provider": [None, offer.provider.name],
            "window_start": [None, start.isoformat(timespec="minutes")],
            "total": [None, str(split.total)],
            "subsidy_amount": [None, str(split.subsidy)],
            "self_amount": [None, str(split.self_pay)],
        },
    )
    _publish(order, "", "place")
    return order


def _publish(order: Order, previous: str, step: str) -> None:
    events.publish(
        EVENT_CHANGED,
        aggregate=f"order:{order.pk}",
        order_id=order.pk,
        number=order.number,
        elder_id=order.elder_id,
        provider_id=order.provider_id,
        step=step,
        previous=previous,
        status=order.status,
    )


# --- Steps ------------------------------------------------------------------------------------


def visible_orders(actor: Actor):
    require(actor, "orders.view")
    return scoped(Order.objects.all(), actor)


def order_get(*, actor: Actor, order_id: int) -> Order:
    return scoped_get(visible_orders(actor), actor, pk=order_id)


def _locked(actor, order_id: int) -> Order:
    order = scoped_get(visible_orders(actor), actor, pk=order_id)
    return Order.objects.select_for_update().select_related("elder").get(pk=order.pk)


def _reason_note(note: str, errors: dict, *, required: bool) -> str:
    note = (note or "").strip()
    if (required and not note) or len(note) > 200:
        errors["note"] = str(REASONS["reason_note"])
    return note


def order_step(actor: Actor, order_id: int, step: str, **values) -> Order:
    """Take one step of an order's life cycle with the values it needs:

    - `refuse`: note (why); `assign`: caregiver_id; `dispute`: note;
    - `cancel` (the person, family or call centre): reason, and note when the reason is "other";
      inside the policy's free-cancel hours a reason other than "not needed" is asked for;
    - `withdraw` (the provider): note; `rate`: stars (1-5) and text.
    """
    with transaction.atomic():
        order = _locked(actor, order_id)
        ORDER.check(actor, order, step)
        previous = order.status
        errors: dict[str, str] = {}
        changes: dict[str, list] = {}
        if step == "refuse":
            order.refuse_reason = _reason_note(values.get("note", ""), errors, required=True)
            changes["refuse_reason"] = [None, order.refuse_reason]
        elif step == "assign":
            caregiver = _caregiver(order, values.get("caregiver_id"), errors)
            if caregiver is not None:
                changes["caregiver"] = [
                    order.caregiver.display_name if order.caregiver else None,
                    caregiver.display_name,
                ]
                order.caregiver = caregiver
        elif step in ("cancel", "withdraw"):
            _cancel_values(order, step, values, errors, changes)
        elif step == "dispute":
            note = (values.get("note") or "").strip()
            if not note or len(note) > 300:
                errors["note"] = str(REASONS["dispute"])
            order.dispute_note = note
            changes["dispute_note"] = [None, note]
        elif step == "rate":
            stars, text = values.get("stars"), (values.get("text") or "").strip()
            if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
                errors["stars"] = str(REASONS["stars"])
            if len(text) > 300:
                errors["text"] = str(REASONS["text"])
            order.rating, order.rating_text = stars, text
            changes["rating"] = [None, stars]
        if errors:
            raise ValidationFailed(fields=errors)
        now = timezone.now()
        order.status = ORDER.step(step).target
        if step in STAMPS:
            setattr(order, STAMPS[step], now)
        if step in CLOSING:
            order.closed_at = now
        if step in RELEASING:
            _release_subsidy(order)
        order.save()
        changes["status"] = [previous, order.status]
        audit.record_change(
            actor=actor, entity=order, action="status", note=f"order {step}", changes=changes
        )
        _publish(order, previous, step)
    return order


def caregivers_of(provider_id: int):
    """The caregivers an order of this provider may be assigned to."""
    from yiyang.accounts.models import User
    from yiyang.accounts.roles import Role

    return User.objects.filter(role=Role.CAREGIVER, organisation_id=provider_id, is_active=True)


def _caregiver(order: Order, caregiver_id, errors: dict):
    try:
        return caregivers_of(order.provider_id).get(pk=int(caregiver_id))
    except (ObjectDoesNotExist, TypeError, ValueError):
        errors["caregiver_id"] = str(REASONS["caregiver"])
        return None


def orders_for_themselves(actor: Actor) -> bool:
    """An older person or a family member orders for their own people; staff find the person."""
    from yiyang.accounts.roles import SELF_ROLES

    return getattr(actor, "role", None) in SELF_ROLES


def channel_for(actor: Actor) -> str:
    """The channel of an order placed on the pages: the call centre's are telephone orders."""
    from yiyang.accounts.roles import Role

    return (
        Order.Channel.PHONE
        if getattr(actor, "role", None) == Role.OPERATOR
        else Order.Channel.MOBILE
    )


def _cancel_values(order: Order, step: str, values: dict, errors: dict, changes: dict) -> None:
    if step == "withdraw":
        order.cancel_reason = Order.CancelReason.PROVIDER_UNABLE
        order.cancel_note = _reason_note(values.get("note", ""), errors, required=True)
    else:
        reason = values.get("reason") or ""
        if reason not in Order.CancelReason.values or reason == Order.CancelReason.PROVIDER_UNABLE:
            errors["reason"] = str(REASONS["reason"])
        order.cancel_reason = reason
        order.cancel_note = _reason_note(
            values.get("note", ""), errors, required=reason == Order.CancelReason.OTHER
        )
        rules = order_policy(order.region_code, timezone.localdate(timezone.now(), LOCAL_TZ))
        late = order.window_start - timezone.now() < dt.timedelta(hours=rules.free_cancel_hours)
        if late and reason == Order.CancelReason.NOT_NEEDED and not order.cancel_note:
            errors["note"] = str(REASONS["late_cancel"]) % {"hours": rules.free_cancel_hours}
    changes["cancel_reason"] = [None, order.cancel_reason]
    if order.cancel_note:
        changes["cancel_note"] = [None, order.cancel_note]


def orders_auto_confirm(*, now: dt.datetime | None = None) -> int:
    """The daily run: completed orders nobody confirmed or disputed within the policy's days are
    confirmed by default. Idempotent: a second run finds nothing left to confirm."""
    now = now or timezone.now()
    done = 0
    for pk in Order.objects.filter(status=S.COMPLETED).values_list("pk", flat=True):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=pk)
            if order.status != S.COMPLETED or order.completed_at is None:
                continue
            rules = order_policy(order.region_code, order.completed_at.astimezone(LOCAL_TZ).date())
            if now - order.completed_at < dt.timedelta(days=rules.confirm_days):
                continue
            ORDER.check(None, order, "auto_confirm", by_platform=True)
            order.status, order.confirmed_at = S.CONFIRMED, now
            order.save(update_fields=["status", "confirmed_at"])
            audit.record_change(
                actor=None,
                entity=order,
                action="status",
                note="order auto_confirm",
                changes={"status": [S.COMPLETED, S.CONFIRMED]},
            )
            _publish(order, S.COMPLETED, "auto_confirm")
            done += 1
    return done


# --- Reads for the ordering pages ----------------------------------------------------------------


def offers_for_elder(*, actor: Actor, elder: Elder) -> list[ProviderOffer]:
    """The approved menu lines that serve the person's community, cheapest first per item."""
    require(actor, "orders.place")
    rows = (
        ProviderOffer.objects.filter(status=ProviderOffer.Status.APPROVED, item__is_active=True)
        .select_related("item", "provider")
        .order_by("item__category", "item__name", "price", "provider__name")
    )
    return [offer for offer in rows if _serves(offer, elder.region_code)]


def visit_days(*, offer: ProviderOffer, elder: Elder, count: int = 7) -> list[dt.date]:
    """The next days (at most `count`) the line serves on, from the first a visit may start."""
    now = timezone.now().astimezone(LOCAL_TZ)
    rules = order_policy(elder.region_code, now.date())
    earliest = now + dt.timedelta(minutes=rules.min_lead_minutes)
    days, day = [], earliest.date()
    last = now.date() + dt.timedelta(days=rules.max_ahead_days)
    while len(days) < count and day <= last:
        served = not offer.weekdays or day.isoweekday() in offer.weekdays
        if served and visit_slots(offer=offer, elder=elder, day=day, rules=rules):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def visit_slots(
    *, offer: ProviderOffer, elder: Elder, day: dt.date, rules: OrderPolicy | None = None
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Windows on `day` a visit may be ordered for: the service's length with an hour to arrive,
    in whole hours, one starting each hour the provider is open, none before the lead time."""
    now = timezone.now().astimezone(LOCAL_TZ)
    rules = rules or order_policy(elder.region_code, now.date())
    earliest = now + dt.timedelta(minutes=rules.min_lead_minutes)
    hours = -(-(offer.item.duration_minutes + 60) // 60)
    slots = []
    start = dt.datetime.combine(day, offer.opens_at.replace(minute=0), tzinfo=LOCAL_TZ)
    if offer.opens_at.minute:
        start += dt.timedelta(hours=1)
    closes = dt.datetime.combine(day, offer.closes_at, tzinfo=LOCAL_TZ)
    while start + dt.timedelta(hours=hours) <= closes:
        if start >= earliest:
            slots.append((start, start + dt.timedelta(hours=hours)))
        start += dt.timedelta(hours=1)
    return slots


def funding_preview(
    *, elder: Elder, offer: ProviderOffer, day: dt.date, quantity: int = 1
) -> Split:
    """What the split would be if the order were placed now (nothing reserved)."""
    return funding_split(
        elder=elder, item=offer.item, total=offer.price * quantity, day=day, lock=False
    )


def elders_to_order_for(*, actor: Actor):
    """The people the actor may order for: their own record, or their wards."""
    require(actor, "orders.place")
    return scoped(Elder.objects.filter(status=Elder.Status.ACTIVE), actor).order_by("name")


def elder_panel(actor: Actor, elder: Elder) -> dict | None:
    """The orders on an older person's record page, and whether the viewer may order for them."""
    can_order = actor.has_capability("orders.place") and elder.status == Elder.Status.ACTIVE
    if not actor.has_capability("orders.view"):
        return None
    orders = list(
        visible_orders(actor)
        .filter(elder=elder)
        .select_related("item", "provider")
        .order_by("-window_start", "-id")[:10]
    )
    if not (orders or can_order):
        return None
    return {"elder": elder, "orders": orders, "can_order": can_order}


# --- Standing orders: the same visit every week -----------------------------------------------


def standing_order_create(
    *, actor: Actor, data: OrderData, channel: str, last_day: dt.date | None = None
) -> RecurringOrder:
    """Order the first visit as any order (every check of order_place holds), and repeat it on
    the same weekday and time every week until `last_day` (or until ended). The visits of the
    policy's days ahead are placed at once; the daily run places the rest as their days come."""
    first = order_place(actor=actor, data=data, channel=channel)
    start, end = _local(first.window_start), _local(first.window_end)
    if last_day is not None and last_day < start.date():
        raise ValidationFailed(fields={"last_day": str(REASONS["last_day"])})
    with transaction.atomic():
        standing = RecurringOrder.objects.create(
            elder=first.elder,
            region_code=first.region_code,
            provider=first.provider,
            offer=first.offer,
            weekday=start.isoweekday(),
            starts_at=start.time(),
            ends_at=end.time(),
            first_day=start.date(),
            last_day=last_day,
            note=first.note,
            channel=channel,
            ordered_by=first.ordered_by,
        )
        Order.objects.filter(pk=first.pk).update(recurring=standing)
        audit.record_change(
            actor=actor,
            entity=standing,
            action="create",
            note="standing order created",
            changes={"item": [None, first.item.name], "weekday": [None, standing.weekday]},
        )
    standing_orders_generate(ids=[standing.pk])
    return standing


def standing_order_end(*, actor: Actor, standing_id: int) -> RecurringOrder:
    """No more visits are placed; visits already placed stay orders of their own."""
    require(actor, "orders.place")
    with transaction.atomic():
        standing = scoped_get(
            scoped(RecurringOrder.objects.select_for_update(), actor), actor, pk=standing_id
        )
        if standing.status == RecurringOrder.Status.ACTIVE:
            standing.status = RecurringOrder.Status.ENDED
            standing.save(update_fields=["status"])
            audit.record_change(
                actor=actor,
                entity=standing,
                action="status",
                note="standing order ended",
                changes={"status": [RecurringOrder.Status.ACTIVE, RecurringOrder.Status.ENDED]},
            )
    return standing


def standing_orders_generate(*, today: dt.date | None = None, ids: list[int] | None = None) -> int:
    """The daily run: place each running standing order's visits up to the policy's days
    ahead. Idempotent: a visit already placed (or cancelled) for a day is never placed again; a
    day the provider no longer serves is skipped."""
    today = today or timezone.now().astimezone(LOCAL_TZ).date()
    rows = RecurringOrder.objects.filter(status=RecurringOrder.Status.ACTIVE).select_related(
        "offer__item", "offer__provider", "elder"
    )
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    placed = 0
    for standing in rows:
        rules = policy.policy_in_force(OrderPolicy, region_code=standing.region_code, on=today)
        if rules is None:
            continue
        offer = standing.offer
        if offer.status != ProviderOffer.Status.APPROVED:
            continue
        horizon = today + dt.timedelta(days=rules.standing_ahead_days)
        day = max(standing.first_day, today + dt.timedelta(days=1))
        while day <= horizon and (standing.last_day is None or day <= standing.last_day):
            if day.isoweekday() == standing.weekday and (
                not offer.weekdays or day.isoweekday() in offer.weekdays
            ):
                start = dt.datetime.combine(day, standing.starts_at, tzinfo=LOCAL_TZ)
                end = dt.datetime.combine(day, standing.ends_at, tzinfo=LOCAL_TZ)
                if not Order.objects.filter(recurring=standing, window_start=start).exists():
                    try:
                        with transaction.atomic():
                            _create(
                                actor=None,
                                elder=standing.elder,
                                offer=offer,
                                start=start,
                                end=end,
                                quantity=1,
                                note=standing.note,
                                channel=standing.channel,
                                rules=rules,
                                recurring=standing,
                                ordered_by=standing.ordered_by,
                            )
                        placed += 1
                    except IntegrityError:
                        pass  # another run placed it at the same moment
            day += dt.timedelta(days=1)
    return placed
