from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.marketplace.errors import SERVICE_ITEM_REASONS as REASONS
from yiyang.marketplace.models import ServiceItem
from yiyang.marketplace.services import (
    ServiceItemData,
    service_item_clean,
    service_item_create,
    service_item_update,
)


def _data(**overrides) -> ServiceItemData:
    values = {
        "code": "ZY-01",
        "name": "上门助浴",
        "category": "bathing",
        "unit": "次",
        "duration_minutes": "60",
        "price": "80.50",
        "qualification": "养老护理员",
    }
    values.update(overrides)
    return ServiceItemData(**values)


def _fields(**overrides) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        service_item_clean(data=_data(**overrides))
    return caught.value.fields


def test_a_civil_affairs_officer_adds_a_service_item_with_history(city):
    officer = UserFactory(region=city.city)

    item = service_item_create(actor=officer, data=_data())

    assert item.price == Decimal("80.50") and item.duration_minutes == 60
    log = ChangeLog.objects.get(entity_type="marketplace.serviceitem")
    assert log.action == "create" and log.changes["price"] == [None, "80.50"]
    assert log.region_code == officer.region_code  # so the audit office of the city sees it


def test_codes_are_unique(city):
    officer = UserFactory(region=city.city)
    service_item_create(actor=officer, data=_data())

    with pytest.raises(ValidationFailed) as caught:
        service_item_create(actor=officer, data=_data(name="另一项"))

    assert caught.value.fields == {"code": str(REASONS["code_duplicate"])}


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"code": ""}, "code", "code_required"),
        ({"code": "有 空格"}, "code", "code_format"),
        ({"name": " "}, "name", "name_required"),
        ({"category": "massage"}, "category", "choice"),
        ({"unit": ""}, "unit", "unit_required"),
        ({"duration_minutes": "0"}, "duration_minutes", "duration"),
        ({"duration_minutes": "1.5"}, "duration_minutes", "duration"),
        ({"duration_minutes": "abc"}, "duration_minutes", "duration"),
        ({"price": "-0.01"}, "price", "price"),
        ({"price": "12.345"}, "price", "price_places"),
        ({"price": "免费"}, "price", "price"),
        ({"price": ""}, "price", "price"),
        ({"price": "1e20"}, "price", "price_range"),
        ({"price": "NaN"}, "price", "price"),
    ],
)
def test_each_field_is_checked_with_a_reason(city, overrides, field, reason):
    assert _fields(**overrides)[field] == str(REASONS[reason])


def test_every_error_is_reported_at_once(city):
    assert set(_fields(code="", price="-1", duration_minutes="0")) == {
        "code",
        "price",
        "duration_minutes",
    }


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2))
def test_any_price_of_two_places_is_kept_exactly(price):
    values = service_item_clean(data=_data(price=str(price), code="P1"))
    assert values["price"] == price


def test_updating_records_only_what_changed(city):
    officer = UserFactory(region=city.city)
    item = service_item_create(actor=officer, data=_data())

    service_item_update(actor=officer, item_id=item.pk, data=_data(price="90"))
    service_item_update(actor=officer, item_id=item.pk, data=_data(price="90.00"))

    item.refresh_from_db()
    assert item.price == Decimal("90.00")
    updates = ChangeLog.objects.filter(action="update")
    assert [u.changes for u in updates] == [{"price": ["80.50", "90.00"]}]


def test_only_the_catalogue_editor_may_change_items(city):
    item = ServiceItem.objects.create(
        code="A1", name="助餐", category="meal", unit="餐", duration_minutes=30, price="15.00"
    )
    for role in (Role.HEALTH, Role.PROVIDER, Role.CAREGIVER):
        user = UserFactory(region=city.panlong, role=role)
        with pytest.raises(PermissionDenied):
            service_item_create(actor=user, data=_data())
        with pytest.raises(PermissionDenied):
            service_item_update(actor=user, item_id=item.pk, data=_data())


def test_updating_a_missing_item_is_not_found(city):
    with pytest.raises(NotFound):
        service_item_update(actor=UserFactory(region=city.city), item_id=999, data=_data())
