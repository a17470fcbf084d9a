from decimal import Decimal

from django.utils.translation import gettext as _

from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.models import ChangeLog
from yiyang.exchange.models import ImportJob
from yiyang.exchange.sealing import unseal
from yiyang.exchange.services import import_create
from yiyang.exchange.tests.workbook import make_workbook, read_sheet
from yiyang.marketplace.errors import SERVICE_ITEM_REASONS
from yiyang.marketplace.models import ServiceItem


def _row(code: str, **overrides) -> dict:
    row = {
        "code": code,
        "name": "助浴服务",
        "category": "助浴",
        "unit": "次",
        "duration_minutes": 60,
        "price": 80.5,
        "qualification": "养老护理员",
        "is_ltci": "否",
        "description": "上门助浴",
    }
    row.update(overrides)
    return row


def _import(officer, rows, mode="valid"):
    return import_create(
        actor=officer,
        kind="service_items",
        mode=mode,
        file_name="服务项目.xlsx",
        content=make_workbook("service_items", rows),
    )


def test_service_items_are_imported_and_reimport_updates_by_code(city):
    officer = UserFactory(region=city.city)
    rows = [_row("ZY-01"), _row("SC-01", name="助餐", category="meal", price="15", is_ltci="是")]

    first = _import(officer, rows, mode="all")
    rows[0]["price"] = "90.00"
    second = _import(officer, rows, mode="all")

    assert first.created_count == 2
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 1, 1)
    assert ServiceItem.objects.count() == 2
    bath = ServiceItem.objects.get(code="ZY-01")
    assert bath.price == Decimal("90.00") and bath.category == "bathing"
    assert ServiceItem.objects.get(code="SC-01").is_ltci
    assert ChangeLog.objects.filter(entity_type="marketplace.serviceitem").count() == 3


def test_bad_service_item_rows_are_reported_with_the_services_reasons(city):
    officer = UserFactory(region=city.city)
    rows = [
        _row("A1", price="12.345"),
        _row("A2", duration_minutes=0),
        _row("A3", category="按摩"),
        _row("A1"),
        _row("A4", price=-1),
    ]

    job = _import(officer, rows, mode="all")

    assert job.status == ImportJob.Status.REJECTED
    assert ServiceItem.objects.count() == 0
    assert read_sheet(unseal(job.error_report), "错误明细")[1:] == [
        (3, "指导价(元)", str(SERVICE_ITEM_REASONS["price_places"])),
        (4, "时长(分钟)", str(SERVICE_ITEM_REASONS["duration"])),
        (5, "类别", str(SERVICE_ITEM_REASONS["choice"])),
        (6, "编码", _("The same code is already on row %(row)s of this file.") % {"row": 3}),
        (7, "指导价(元)", str(SERVICE_ITEM_REASONS["price"])),
    ]
