"""Providers' menus: a provider proposes a line, an officer approves it (replacing the earlier
line for the item) or rejects it with a reason, and only approved lines can be ordered."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from yiyang.marketplace import menus, ordering
from yiyang.marketplace.models import ProviderOffer

from .factories import market, tomorrow_at

pytestmark = pytest.mark.django_db
L = ProviderOffer.Status


@pytest.fixture
def m(city):
    return market(city)


def _data(m, city, **overrides):
    values = {
        "item_id": m.item.pk,
        "price": "90.00",
        "area_codes": [city.panlong.code],
        "opens_at": dt.time(9),
        "closes_at": dt.time(17),
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
    }
    values.update(overrides)
    return menus.MenuLineData(**values)


def test_an_approved_line_replaces_the_old_one_and_orders_take_the_new_price(m, city):
    line = menus.menu_line_propose(actor=m.manager, data=_data(m, city))
    assert (line.status, line.price, line.provider) == (L.PROPOSED, Decimal("90.00"), m.provider)
    # a proposed line cannot be ordered yet
    with pytest.raises(ValidationFailed):
        ordering.order_place(
            actor=m.family,
            data=ordering.OrderData(m.elder.pk, line.pk, tomorrow_at(9), tomorrow_at(11)),
            channel="mobile",
        )
    menus.menu_line_decide(actor=m.officer, line_id=line.pk, approve=True)
    m.offer.refresh_from_db()
    assert m.offer.status == L.REPLACED
    assert ProviderOffer.objects.get(pk=line.pk).status == L.APPROVED
    order = ordering.order_place(
        actor=m.family,
        data=ordering.OrderData(m.elder.pk, line.pk, tomorrow_at(9), tomorrow_at(11)),
        channel="mobile",
    )
    assert order.total == Decimal("90.00")


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"price": "-1"}, "price"),
        ({"price": "12.345"}, "price"),
        ({"price": "abc"}, "price"),
        ({"area_codes": []}, "area_codes"),
        ({"area_codes": ["530102"]}, "area_codes"),  # another district
        ({"area_codes": ["530103999999"]}, "area_codes"),  # no such division
        ({"closes_at": dt.time(8)}, "closes_at"),
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [0, 8]}, "weekdays"),
        ({"item_id": 999999}, "item_id"),
    ],
)
def test_a_bad_line_is_refused_by_field(m, city, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        menus.menu_line_propose(actor=m.manager, data=_data(m, city, **overrides))
    assert field in refused.value.fields
    assert ProviderOffer.objects.count() == 1


def test_a_rejection_needs_a_reason_and_only_officers_decide(m, city):
    line = menus.menu_line_propose(actor=m.manager, data=_data(m, city))
    with pytest.raises(ValidationFailed):
        menus.menu_line_decide(actor=m.officer, line_id=line.pk, approve=False)
    with pytest.raises(PermissionDenied):
        menus.menu_line_decide(actor=m.manager, line_id=line.pk, approve=True)
    wuhua = UserFactory(role=Role.CIVIL_AFFAIRS, region=city.wuhua)
    with pytest.raises(NotFound):
        menus.menu_line_decide(actor=wuhua, line_id=line.pk, approve=True)
    line = menus.menu_line_decide(actor=m.officer, line_id=line.pk, approve=False, note="价格过高")
    assert (line.status, line.decision_note) == (L.REJECTED, "价格过高")
    with pytest.raises(ValidationFailed):  # decided once
        menus.menu_line_decide(actor=m.officer, line_id=line.pk, approve=True)


def test_the_provider_withdraws_a_line_and_it_can_no_longer_be_ordered(m, city):
    menus.menu_line_withdraw(actor=m.manager, line_id=m.offer.pk)
    with pytest.raises(ValidationFailed):
        ordering.order_place(
            actor=m.family,
            data=ordering.OrderData(m.elder.pk, m.offer.pk, tomorrow_at(9), tomorrow_at(11)),
            channel="mobile",
        )


def test_the_menu_pages_for_the_provider_and_the_officer(client, m, city):
    client.force_login(m.manager)
    url = reverse("marketplace:menus")
    page = client.get(url).content.decode()
    assert 'data-testid="menu-propose"' in page and "助浴" in page
    bad = client.post(
        url,
        {
            "item_id": m.item.pk,
            "price": "x",
            "area_codes": [city.panlong.code],
            "opens_at": "09:00",
            "closes_at": "17:00",
            "weekdays": ["1"],
        },
    )
    assert bad.status_code == 400
    response = client.post(
        url,
        {
            "item_id": m.item.pk,
            "price": "95",
            "area_codes": [city.panlong.code],
            "opens_at": "09:00",
            "closes_at": "17:00",
            "weekdays": ["1", "3"],
        },
    )
    assert response.status_code == 302
    line = ProviderOffer.objects.get(status=L.PROPOSED)
    client.force_login(m.officer)
    page = client.get(url).content.decode()
    assert f'data-line="{line.pk}"' in page and 'data-testid="menu-propose"' not in page
    client.post(reverse("marketplace:menu_decide", args=[line.pk]), {"decision": "approve"})
    assert ProviderOffer.objects.get(pk=line.pk).status == L.APPROVED
    # an older person has no menu page
    client.force_login(m.family)
    assert client.get(url).status_code == 403
