import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.models import ChangeLog
from yiyang.exchange.models import ImportJob
from yiyang.exchange.sealing import unseal
from yiyang.exchange.services import import_create
from yiyang.exchange.tests.workbook import make_workbook, read_sheet
from yiyang.institutions.errors import CREDIT_CODE_REASONS
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory, credit_code


def _row(n: int, region, **overrides) -> dict:
    row = {
        "name": f"盘龙区第{n}养老院",
        "credit_code": credit_code(9000 + n),
        "kind": "养老机构",
        "ownership": "民办",
        "region_code": region.code,
        "address": f"白塔路{n}号",
        "lat": 25.05,
        "lng": 102.72,
        "land_area": 1200.5,
        "floor_area": 3000,
        "beds": 120,
        "has_medical_agreement": "是",
        "licence_number": f"530103-{n}",
        "licence_valid_from": dt.datetime(2022, 1, 1),
        "licence_valid_to": "2027/12/31",
        "contact_name": "赵经理",
        "contact_phone": "0871-65551234",
    }
    row.update(overrides)
    return row


def _import(officer, rows, mode="valid"):
    return import_create(
        actor=officer,
        kind="organisations",
        mode=mode,
        file_name="机构.xlsx",
        content=make_workbook("organisations", rows),
    )


def _errors(job):
    return read_sheet(unseal(job.error_report), "错误明细")[1:]


def test_organisations_are_imported_with_every_column(city):
    officer = UserFactory(region=city.panlong)

    job = _import(officer, [_row(1, city.panlong_street)], mode="all")

    assert job.status == ImportJob.Status.DONE and job.created_count == 1
    org = Organisation.objects.get()
    assert (org.kind, org.ownership, org.region_code) == ("care_home", "private", "530103001")
    assert org.beds == 120 and org.land_area == Decimal("1200.50")
    assert org.has_medical_agreement
    assert (org.licence_valid_from, org.licence_valid_to) == (
        dt.date(2022, 1, 1),
        dt.date(2027, 12, 31),
    )
    assert org.name_pinyin  # built as the form builds it
    assert (
        ChangeLog.objects.filter(entity_type="institutions.organisation", action="create").count()
        == 1
    )


def test_reimport_matches_by_credit_code_and_by_name_and_region_without_one(city):
    # given one organisation with a code and one without
    officer = UserFactory(region=city.panlong)
    rows = [_row(1, city.panlong_street), _row(2, city.panlong_street, credit_code="")]
    _import(officer, rows)

    # when the file comes back with changed beds, and the second now has its code
    rows[0]["beds"] = 150
    rows[1]["credit_code"] = credit_code(9002)
    job = _import(officer, rows)

    # then both are updated, none added
    assert (job.created_count, job.updated_count) == (0, 2)
    assert Organisation.objects.count() == 2
    assert Organisation.objects.get(credit_code=credit_code(9001)).beds == 150
    assert Organisation.objects.get(name="盘龙区第2养老院").credit_code == credit_code(9002)


def test_duplicates_inside_the_file_are_errors_on_the_later_row(city):
    officer = UserFactory(region=city.panlong)
    rows = [
        _row(1, city.panlong_street),
        _row(2, city.panlong_street, credit_code=credit_code(9001)),
        _row(3, city.panlong_street, credit_code="", name="盘龙区第1养老院"),
    ]

    job = _import(officer, rows)

    assert job.created_count == 1
    assert _errors(job) == [
        (
            4,
            "统一社会信用代码",
            _("The same credit code is already on row %(row)s of this file.") % {"row": 3},
        ),
        (
            5,
            "名称",
            _("The same name and region are already on row %(row)s of this file.") % {"row": 3},
        ),
    ]


def test_rows_outside_the_officers_region_and_bad_values_are_refused(city):
    theirs = OrganisationFactory(region=city.wuhua_street, credit_code=credit_code(9005))
    officer = UserFactory(region=city.panlong)
    rows = [
        _row(1, city.wuhua_street),
        _row(2, city.panlong_street, credit_code="91530103MA6K00000X"),
        _row(
            3, city.panlong_street, licence_valid_from="2025-01-01", licence_valid_to="2024-01-01"
        ),
        _row(4, city.panlong_street, licence_valid_to="下个月", kind="茶馆"),
        _row(5, city.panlong_street, credit_code=theirs.credit_code),
    ]

    job = _import(officer, rows)

    assert job.created_count == 0
    assert _errors(job) == [
        (3, "区划代码", _("This region is outside your own.")),
        (4, "统一社会信用代码", str(CREDIT_CODE_REASONS["checksum"])),
        (5, "许可截止日期", _("The end date is before the start date.")),
        (6, "类型", _("Choose one of the listed options.")),
        (6, "许可截止日期", _("Enter a date such as 2024-01-31.")),
        (7, "统一社会信用代码", str(CREDIT_CODE_REASONS["duplicate"])),
    ]
    theirs.refresh_from_db()
    assert theirs.region_code == city.wuhua_street.code
