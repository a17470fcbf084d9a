"""Orders of the demo city: a catalogue of common home-care services, each home-care provider's
approved menu, the order policy, a month's subsidy balance for part of the people, and a month
of orders around today at every step of their life cycle, with the demo accounts' own.

Past orders are written in bulk with their funding split worked out by the same function the
service uses (`ordering.funding_split`); the demo family's upcoming order goes through the
service itself. Everything follows from the seed.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from yiyang.accounts.models import User
from yiyang.accounts.roles import Role
from yiyang.core.models import ChangeLog
from yiyang.core.timeutils import LOCAL_TZ, local_today
from yiyang.institutions.models import Organisation
from yiyang.marketplace import ordering
from yiyang.marketplace.models import (
    Order,
    OrderPolicy,
    Payer,
    ProviderOffer,
    ServiceCirclePolicy,
    ServiceItem,
    SubsidyBalance,
)
from yiyang.people.models import Elder, Guardian

from .elders import DEMO_ACTOR

S = Order.Status
CITY = "5301"
PANLONG = "530103"
# code, name, category, unit, minutes, guide price, payers
CATALOGUE = (
    ("HC-MEAL-01", "助餐送餐", "meal", "次", 30, "15.00", (Payer.SUBSIDY, Payer.SELF)),
    ("HC-CLEAN-01", "居家保洁", "cleaning", "小时", 60, "40.00", (Payer.SUBSIDY, Payer.SELF)),
    (
        "HC-BATH-01",
        "上门助浴",
        "bathing",
        "次",
        60,
        "80.00",
        (Payer.SUBSIDY, Payer.LTCI, Payer.SELF),
    ),
    ("HC-ESCORT-01", "陪同就医", "escort", "次", 120, "60.00", (Payer.SUBSIDY, Payer.SELF)),
    ("HC-REHAB-01", "康复训练指导", "rehab", "次", 45, "70.00", (Payer.LTCI, Payer.SELF)),
    (
        "HC-NURSE-01",
        "上门护理（测血压、换药）",
        "nursing",
        "次",
        30,
        "50.00",
        (Payer.LTCI, Payer.SELF),
    ),
    (
        "HC-COMFORT-01",
        "精神慰藉（聊天陪伴）",
        "comfort",
        "小时",
        60,
        "30.00",
        (Payer.SUBSIDY, Payer.SELF),
    ),
)
ORDERS_PER_PROVIDER = 12
SUBSIDY_SHARE = 0.3  # of Panlong's active people hold a balance this month
SUBSIDY_MONTH = Decimal("360.00")  # seed 002: the home-care service subsidy for level 0-1


def demo_orders_build(*, seed: int, progress) -> dict[str, int]:
    rng = random.Random(f"{seed}-orders")  # noqa: S311 - reproducible demo data
    today = local_today()
    providers = list(
        Organisation.objects.filter(
            kind=Organisation.Kind.HOME_CARE, region_code__startswith=CITY
        ).order_by("id")
    )
    if not providers:
        return {}
    OrderPolicy.objects.get_or_create(
        region_code=CITY,
        effective_from=dt.date(2024, 1, 1),
        defaults={
            "accept_minutes": 30,
            "free_cancel_hours": 24,
            "min_lead_minutes": 60,
            "max_ahead_days": 30,
            "confirm_days": 3,
            "source": "演示数据：昆明市居家养老服务订单规则（示例）",
        },
    )
    ServiceCirclePolicy.objects.get_or_create(
        region_code=CITY,
        effective_from=dt.date(2024, 1, 1),
        defaults={
            "minutes": 15,
            "travel_model": "walking",
            "speed_m_per_min": Decimal("50.0"),
            "detour": Decimal("1.30"),
            "source": "演示数据：15 分钟养老服务圈（种子 001），老年人步行 3 公里/小时",
        },
    )
    items = catalogue_ensure()
    offers = _menus(rng, providers, items)
    balances = _subsidies(rng, today)
    orders = _orders(rng, today, providers, offers)
    _reserve(balances)
    live = _family_order(today)
    progress(f"orders: {len(offers)} menu lines, {orders + live} orders, {balances} balances")
    return {
        "marketplace.provideroffer": len(offers),
        "marketplace.order": orders + live,
        "marketplace.subsidybalance": balances,
    }


def catalogue_ensure() -> list[ServiceItem]:
    """The demo catalogue's items, made when missing (the bench uses them too)."""
    return [
        ServiceItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "unit": unit,
                "duration_minutes": minutes,
                "price": Decimal(price),
                "payers": list(payers),
            },
        )[0]
        for code, name, category, unit, minutes, price, payers in CATALOGUE
    ]


def _menus(rng, providers, items) -> dict[int, list[ProviderOffer]]:
    rows = []
    for provider in providers:
        chosen = [items[2], *rng.sample([i for i in items if i is not items[2]], 4)]
        for item in chosen:
            markup = Decimal(rng.choice(("0.90", "1.00", "1.00", "1.10")))
            rows.append(
                ProviderOffer(
                    provider=provider,
                    region_code=provider.region_code,
                    item=item,
                    price=(item.price * markup).quantize(Decimal("1.00")),
                    area_codes=[provider.region_code[:6]],
                    opens_at=dt.time(8, 0),
                    closes_at=dt.time(18, 0),
                    weekdays=[1, 2, 3, 4, 5, 6, 7],
                    status=ProviderOffer.Status.APPROVED,
                    decided_at=timezone.now(),
                    decision_note="演示数据",
                )
            )
    ProviderOffer.objects.bulk_create(rows, batch_size=500)
    by_provider: dict[int, list[ProviderOffer]] = {}
    for row in ProviderOffer.objects.filter(provider__in=providers).select_related("item"):
        by_provider.setdefault(row.provider_id, []).append(row)
    return by_provider


def _subsidies(rng, today: dt.date) -> int:
    month = today.replace(day=1)
    people = Elder.objects.filter(
        status=Elder.Status.ACTIVE, region_code__startswith=PANLONG
    ).values_list("id", "region_code")
    demo = set(
        Guardian.objects.filter(account__username="demo_family").values_list("elder_id", flat=True)
    )
    rows = [
        SubsidyBalance(
            elder_id=pk,
            region_code=code,
            month=month,
            granted=SUBSIDY_MONTH,
            source="演示数据：居家养老服务补贴",
        )
        for pk, code in people
        if pk in demo or rng.random() < SUBSIDY_SHARE
    ]
    SubsidyBalance.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _status_for(rng, day: dt.date, today: dt.date) -> str:
    if day < today - dt.timedelta(days=3):
        return rng.choices(
            (S.RATED, S.CONFIRMED, S.CANCELLED, S.NO_SHOW, S.DISPUTED), (60, 25, 9, 4, 2)
        )[0]
    if day < today:
        return rng.choices((S.COMPLETED, S.RATED, S.CONFIRMED, S.CANCELLED), (50, 25, 15, 10))[0]
    if day == today:
        return rng.choice((S.ASSIGNED, S.ON_THE_WAY, S.IN_SERVICE, S.COMPLETED))
    return rng.choices((S.CREATED, S.ACCEPTED, S.ASSIGNED, S.REFUSED), (35, 25, 35, 5))[0]


def _orders(rng, today, providers, offers) -> int:
    caregivers: dict[int, list[int]] = {}
    for pk, org in User.objects.filter(role=Role.CAREGIVER, organisation__in=providers).values_list(
        "pk", "organisation_id"
    ):
        caregivers.setdefault(org, []).append(pk)
    made = 0
    for provider in providers:
        lines = offers.get(provider.pk, [])
        people = list(
            Elder.objects.filter(
                status=Elder.Status.ACTIVE, region_code__startswith=provider.region_code[:6]
            )
            .order_by("id")
            .values_list("id", flat=True)[:400]
        )
        if not lines or not people:
            continue
        for _ in range(ORDERS_PER_PROVIDER):
            made += _one_order(
                rng,
                today,
                provider,
                rng.choice(lines),
                rng.choice(people),
                caregivers.get(provider.pk, []),
            )
    return made


def _one_order(rng, today, provider, offer, elder_id, caregivers) -> int:
    day = today + dt.timedelta(days=rng.randint(-25, 6))
    hour = rng.randint(8, 15)
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ)
    end = start + dt.timedelta(hours=2)
    status = _status_for(rng, day, today)
    elder = Elder.objects.only("id", "region_code", "address").get(pk=elder_id)
    split = ordering.funding_split(
        elder=elder, item=offer.item, total=offer.price, day=day, lock=False
    )
    placed = start - dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 8))
    served = status in (
        S.ASSIGNED,
        S.ON_THE_WAY,
        S.IN_SERVICE,
        S.COMPLETED,
        S.CONFIRMED,
        S.RATED,
        S.DISPUTED,
        S.NO_SHOW,
    )
    caregiver = rng.choice(caregivers) if served and caregivers else None
    done = status in (S.COMPLETED, S.CONFIRMED, S.RATED, S.DISPUTED)
    order = Order.objects.create(
        number=f"T{rng.getrandbits(64):x}"[:21],
        elder=elder,
        region_code=elder.region_code,
        provider=provider,
        offer=offer,
        item=offer.item,
        window_start=start,
        window_end=end,
        address=elder.address or "",
        status=status,
        channel=rng.choice(
            (Order.Channel.MOBILE, Order.Channel.PHONE, Order.Channel.PHONE, Order.Channel.BELL)
        ),
        caregiver_id=caregiver,
        unit_price=offer.price,
        total=split.total,
        subsidy_amount=split.subsidy,
        ltci_amount=split.ltci,
        self_amount=split.self_pay,
        accept_due=placed + dt.timedelta(minutes=30),
        decided_at=placed + dt.timedelta(minutes=12) if status != S.CREATED else None,
        assigned_at=placed + dt.timedelta(hours=2) if caregiver else None,
        started_at=start + dt.timedelta(minutes=20) if done or status == S.IN_SERVICE else None,
        completed_at=start + dt.timedelta(minutes=20 + offer.item.duration_minutes)
        if done
        else None,
        confirmed_at=end + dt.timedelta(hours=5) if status in (S.CONFIRMED, S.RATED) else None,
        closed_at=end + dt.timedelta(hours=6)
        if status in (S.RATED, S.CANCELLED, S.NO_SHOW, S.REFUSED)
        else None,
        cancel_reason=rng.choice(("not_needed", "in_hospital", "reschedule"))
        if status == S.CANCELLED
        else "",
        refuse_reason="当天人手已满" if status == S.REFUSED else "",
        dispute_note="护理员迟到一小时" if status == S.DISPUTED else "",
        rating=rng.choices((5, 4, 3, 2), (70, 22, 6, 2))[0] if status == S.RATED else None,
        rating_text=rng.choice(("很细心", "准时，态度好", "", "服务周到"))
        if status == S.RATED
        else "",
    )
    Order.objects.filter(pk=order.pk).update(
        number=f"DD{day:%Y%m%d}{order.pk:07d}", created_at=placed
    )
    ChangeLog.objects.create(
        actor_label=DEMO_ACTOR,
        entity_type="marketplace.order",
        entity_id=order.pk,
        entity_label=order.item.name,
        region_code=order.region_code,
        action=ChangeLog.Action.IMPORT,
        note="order placed",
        changes={"status": [None, status]},
    )
    return 1


def _reserve(count: int) -> None:
    """Each balance holds what the month's open and served orders took from it."""
    if not count:
        return
    released = (S.CANCELLED, S.REFUSED, S.NO_SHOW)
    used: dict[tuple[int, dt.date], Decimal] = {}
    rows = (
        Order.objects.filter(subsidy_amount__gt=0)
        .exclude(status__in=released)
        .values_list("elder_id", "window_start", "subsidy_amount")
    )
    for elder_id, start, amount in rows:
        key = (elder_id, start.astimezone(LOCAL_TZ).date().replace(day=1))
        used[key] = used.get(key, Decimal("0.00")) + amount
    for (elder_id, month), amount in used.items():
        balance = SubsidyBalance.objects.filter(elder_id=elder_id, month=month).first()
        if balance is not None:
            balance.reserved = min(balance.granted, amount)
            balance.save(update_fields=["reserved"])


def _family_order(today: dt.date) -> int:
    """demo_family orders a bath for demo_elder for the day after tomorrow, through the service,
    and the first Panlong provider accepts it and assigns its first caregiver."""
    family = User.objects.filter(username="demo_family").first()
    guardian = Guardian.objects.filter(account=family).select_related("elder").first()
    if family is None or guardian is None:
        return 0
    district = guardian.elder.region_code[:6]
    offer = next(
        (
            o
            for o in ProviderOffer.objects.filter(
                status=ProviderOffer.Status.APPROVED, item__code="HC-BATH-01"
            ).order_by("id")
            if district in (o.area_codes or [])
        ),
        None,
    )
    if offer is None:
        return 0
    day = today + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(9), tzinfo=LOCAL_TZ)
    order = ordering.order_place(
        actor=family,
        data=ordering.OrderData(
            elder_id=guardian.elder_id,
            offer_id=offer.pk,
            window_start=start,
            window_end=start + dt.timedelta(hours=2),
            note="请敲门大声一点",
        ),
        channel=Order.Channel.MOBILE,
    )
    manager = User.objects.filter(role=Role.PROVIDER, organisation_id=offer.provider_id).first()
    caregiver = User.objects.filter(role=Role.CAREGIVER, organisation_id=offer.provider_id).first()
    if manager and caregiver:
        ordering.order_step(manager, order.pk, "accept")
        ordering.order_step(manager, order.pk, "assign", caregiver_id=caregiver.pk)
    return 1
