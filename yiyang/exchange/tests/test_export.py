import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.exceptions import PermissionDenied
from yiyang.core.models import AccessLog
from yiyang.core.sheets import FORMULA_PREFIXES, neutralise
from yiyang.exchange.services import export_workbook
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.marketplace.models import ServiceItem
from yiyang.people.models import Guardian
from yiyang.people.tests.factories import ElderFactory, id_number_for


def _cells(result) -> list[list]:
    wb = load_workbook(io.BytesIO(result.file.read()))
    return [[c for c in row] for row in wb.worksheets[0].iter_rows()]


def _values(result) -> list[tuple]:
    return [tuple(c.value for c in row) for row in _cells(result)]


def test_an_export_holds_only_the_officers_own_district(city):
    # given people in Panlong and in Wuhua
    ElderFactory(region=city.panlong_community, name="盘龙人")
    ElderFactory(region=city.wuhua_community, name="五华人")
    wuhua = UserFactory(region=city.wuhua)

    # when the Wuhua officer exports the registry
    result = export_workbook(actor=wuhua, kind="elders")

    # then only Wuhua rows are in it, below the header and key rows
    rows = _values(result)
    assert rows[0][:2] == ("姓名", "身份证号(脱敏)")
    assert rows[1][:2] == ("name", "id_number")
    assert [r[0] for r in rows[2:]] == ["五华人"]
    assert result.rows == 1


def test_an_export_masks_id_numbers_and_is_logged_with_its_row_count(city):
    number = id_number_for(3)
    elder = ElderFactory(region=city.panlong_community, id_number=number)
    Guardian.objects.create(elder=elder, name="李明", relation="child", phone="13900000000")
    officer = UserFactory(region=city.panlong)

    result = export_workbook(actor=officer, kind="elders", ip="10.0.0.1")

    rows = _values(result)
    row = rows[2]
    assert row[1] == elder.id_number_masked and "*" in row[1]
    assert number not in str(rows)
    assert row[15:18] == ("李明", "子女", "13900000000")
    log = AccessLog.objects.get(kind="export")
    assert log.actor == officer and log.entity_type == "people.elder"
    assert "1 rows" in log.entity_label and log.reason.startswith("rows=1")
    assert log.ip == "10.0.0.1"


def test_an_export_neutralises_spreadsheet_formulas(city):
    ElderFactory(region=city.panlong_community, name="@SUM(A1)", address="=1+1", phone="+123")
    officer = UserFactory(region=city.panlong)

    cells = _cells(export_workbook(actor=officer, kind="elders"))[2]

    name, address, phone = cells[0], cells[3], cells[4]
    assert (name.value, address.value, phone.value) == ("'@SUM(A1)", "'=1+1", "'+123")
    assert {name.data_type, address.data_type, phone.data_type} == {"s"}


def test_export_follows_the_list_filters_from_the_query_string(city):
    ElderFactory(region=city.panlong_community, name="独居者", lives_alone=True)
    ElderFactory(region=city.panlong_community, name="同住者", lives_alone=False)
    officer = UserFactory(region=city.panlong)

    result = export_workbook(
        actor=officer,
        kind="elders",
        query={"lives_alone": "yes", "age_min": "x"},
    )

    assert [r[0] for r in _values(result)[2:]] == ["独居者"]


def test_organisation_and_service_item_exports_are_scoped_and_readable(city):
    OrganisationFactory(region=city.panlong_street, name='=HYPERLINK("http://x")')
    OrganisationFactory(region=city.wuhua_street, name="五华养老院")
    ServiceItem.objects.create(
        code="ZY-01", name="助浴", category="bathing", unit="次", duration_minutes=60, price="80.00"
    )
    panlong = UserFactory(region=city.panlong)

    orgs = _values(export_workbook(actor=panlong, kind="organisations"))
    items = _values(export_workbook(actor=panlong, kind="service_items"))

    assert [r[0] for r in orgs[2:]] == ['\'=HYPERLINK("http://x")']
    assert items[2][:3] == ("ZY-01", "助浴", "助浴")


def test_provider_staff_export_only_their_own_residents(city):
    home = OrganisationFactory(region=city.panlong_street)
    ElderFactory(
        region=city.panlong_community,
        name="住院者",
        institution=home,
        living_arrangement="institution",
    )
    ElderFactory(region=city.panlong_community, name="居家者")
    staff = UserFactory(region=city.panlong, role=Role.PROVIDER, organisation=home)

    rows = _values(export_workbook(actor=staff, kind="elders"))

    assert [r[0] for r in rows[2:]] == ["住院者"]


def test_accounts_without_the_export_capability_cannot_export(city):
    with pytest.raises(PermissionDenied):
        export_workbook(actor=UserFactory(region=city.panlong, role=Role.CAREGIVER), kind="elders")


@given(st.text(max_size=60))
def test_neutralised_text_never_starts_like_a_formula(text):
    safe = neutralise(text)
    assert not safe.startswith(FORMULA_PREFIXES)
    if not text.startswith(FORMULA_PREFIXES) and text.isprintable():
        assert safe == text


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from("=+-@\t\r'A1(),:!\"中 "), min_size=1, max_size=20))
def test_a_neutralised_cell_is_stored_as_text_and_read_back_unchanged(text):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    ws.append([neutralise(text)])
    out = io.BytesIO()
    wb.save(out)
    cell = next(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows())[0]
    assert cell.data_type == "s"
    # (XML turns a carriage return into a line feed; that is not a formula either)
    assert cell.value == neutralise(text).replace("\r\n", "\n").replace("\r", "\n")


def test_the_export_query_count_does_not_grow_with_the_rows(city):
    officer = UserFactory(region=city.panlong)
    home = OrganisationFactory(region=city.panlong_street)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            export_workbook(actor=officer, kind="elders")
        return len(ctx.captured_queries)

    for n in range(3):
        elder = ElderFactory(
            region=city.panlong_community, institution=home, living_arrangement="community"
        )
        Guardian.objects.create(
            elder=elder, name=f"联系人{n}", relation="child", phone="13900000000"
        )
    few = queries()
    for n in range(30):
        elder = ElderFactory(
            region=city.panlong_community, institution=home, living_arrangement="community"
        )
        Guardian.objects.create(
            elder=elder, name=f"联系人{n}", relation="child", phone="13900000000"
        )
    assert queries() == few
