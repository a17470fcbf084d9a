"""A Panlong home-care provider with an approved bathing line, the order policy, and the people
who order and serve: what the order tests share."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from yiyang.accounts.models import User
from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.timeutils import LOCAL_TZ
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.marketplace.models import (
    Order,
    OrderPolicy,
    Payer,
    ProviderOffer,
    ServiceItem,
    SubsidyBalance,
)
from yiyang.people.models import Elder, Guardian
from yiyang.people.tests.factories import ElderFactory


def order_policy(region_code: str = "", **overrides) -> OrderPolicy:
    values = {
        "effective_from": dt.date(2020, 1, 1),
        "accept_minutes": 30,
        "free_cancel_hours": 24,
        "min_lead_minutes": 60,
        "max_ahead_days": 30,
        "confirm_days": 3,
        "source": "test policy",
        **overrides,
    }
    return OrderPolicy.objects.create(region_code=region_code, **values)


@dataclass
class Market:
    provider: Organisation
    item: ServiceItem
    offer: ProviderOffer
    elder: Elder
    family: User
    operator: User
    manager: User
    caregiver: User
    officer: User
    other_caregiver: User


def market(city, *, price="80.00", payers=(Payer.SUBSIDY, Payer.SELF)) -> Market:
    order_policy()
    provider = OrganisationFactory(
        region=city.panlong_street,
        name="盘龙区康乐居家养老服务中心",
        kind=Organisation.Kind.HOME_CARE,
        beds=0,
    )
    item = ServiceItem.objects.create(
        code="BATH01",
        name="助浴",
        category=ServiceItem.Category.BATHING,
        unit="次",
        duration_minutes=60,
        price=Decimal("80.00"),
        payers=list(payers),
    )
    offer = ProviderOffer.objects.create(
        provider=provider,
        region_code=provider.region_code,
        item=item,
        price=Decimal(price),
        area_codes=[city.panlong.code],
        opens_at=dt.time(8, 0),
        closes_at=dt.time(18, 0),
        weekdays=[1, 2, 3, 4, 5, 6, 7],
        status=ProviderOffer.Status.APPROVED,
    )
    elder = ElderFactory(region=city.panlong_community, name="曾桂兰", address="白塔路12号")
    family = UserFactory(role=Role.FAMILY, region=city.panlong_community, display_name="曾丽")
    Guardian.objects.create(
        elder=elder, name="曾丽", relation="child", phone="13800002222", account=family
    )
    return Market(
        provider=provider,
        item=item,
        offer=offer,
        elder=elder,
        family=family,
        operator=UserFactory(role=Role.OPERATOR, region=city.panlong, display_name="孙接线"),
        manager=UserFactory(
            role=Role.PROVIDER, region=city.panlong, organisation=provider, display_name="赵经理"
        ),
        caregiver=UserFactory(
            role=Role.CAREGIVER, region=city.panlong, organisation=provider, display_name="和护理"
        ),
        officer=UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong, display_name="李科长"),
        other_caregiver=UserFactory(
            role=Role.CAREGIVER, region=city.panlong, organisation=provider, display_name="杨护理"
        ),
    )


def tomorrow_at(hour: int, minute: int = 0, days: int = 1) -> dt.datetime:
    day = timezone.now().astimezone(LOCAL_TZ).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LOCAL_TZ)


def subsidy(elder: Elder, granted: str, day: dt.datetime | None = None) -> SubsidyBalance:
    month = (day or tomorrow_at(9)).date().replace(day=1)
    return SubsidyBalance.objects.create(
        elder=elder, region_code=elder.region_code, month=month, granted=Decimal(granted)
    )


def order_row(provider: Organisation, elder: Elder, *, code: str, marker: str = "") -> Order:
    """An order written straight to the table (no policy, no services), for the scoping walks:
    a provider's approved line and one order of `elder` on it, its address carrying `marker`."""
    item = ServiceItem.objects.create(
        code=code, name="助浴", category="bathing", unit="次", duration_minutes=60, price=50
    )
    offer = ProviderOffer.objects.create(
        provider=provider,
        region_code=provider.region_code,
        item=item,
        price=Decimal("50.00"),
        area_codes=[elder.region_code[:6]],
        opens_at=dt.time(8),
        closes_at=dt.time(18),
        status=ProviderOffer.Status.APPROVED,
    )
    start = timezone.now() + dt.timedelta(days=1)
    return Order.objects.create(
        number=f"DD{code}",
        elder=elder,
        region_code=elder.region_code,
        provider=provider,
        offer=offer,
        item=item,
        window_start=start,
        window_end=start + dt.timedelta(hours=2),
        address=marker or elder.address or "—",
        channel=Order.Channel.API,
        unit_price=Decimal("50.00"),
        total=Decimal("50.00"),
        subsidy_amount=Decimal("0.00"),
        ltci_amount=Decimal("0.00"),
        self_amount=Decimal("50.00"),
        accept_due=timezone.now(),
    )
