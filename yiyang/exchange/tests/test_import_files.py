"""Bad files and odd cells get clear answers, never a crash."""

import datetime as dt
import io
import time
import zipfile

import pytest
from django.utils.translation import gettext as _
from openpyxl import Workbook

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.exceptions import PermissionDenied, ValidationFailed
from yiyang.exchange import services
from yiyang.exchange.errors import FILE_REASONS
from yiyang.exchange.models import ImportJob
from yiyang.exchange.sealing import unseal
from yiyang.exchange.services import import_create
from yiyang.exchange.tests.workbook import (
    elder_row,
    make_long_workbook,
    make_workbook,
    read_sheet,
)
from yiyang.people.models import Elder
from yiyang.people.tests.factories import id_number_for


@pytest.fixture
def officer(city):
    return UserFactory(region=city.panlong)


def _create(officer, content, name="data.xlsx", kind="elders", mode="valid"):
    return import_create(actor=officer, kind=kind, mode=mode, file_name=name, content=content)


def _file_error(officer, content, name="data.xlsx") -> str:
    with pytest.raises(ValidationFailed) as caught:
        _create(officer, content, name)
    assert list(caught.value.fields) == ["file"]
    return caught.value.fields["file"]


def _errors(job):
    return read_sheet(unseal(job.error_report), "错误明细")[1:]


def test_a_text_file_renamed_xlsx_is_refused(officer):
    reason = _file_error(officer, "姓名,身份证号\n王,1\n".encode())
    assert reason == _("This is not an Excel workbook: save it as .xlsx and upload it again.")


def test_a_zip_that_is_not_a_workbook_is_refused(officer):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    reason = _file_error(officer, out.getvalue())
    assert reason == _(
        "The workbook could not be read: save it again as .xlsx and upload it again."
    )


def test_an_empty_file_is_refused(officer):
    assert _file_error(officer, b"") == _("The file is empty.")


def test_an_empty_workbook_is_refused(officer):
    out = io.BytesIO()
    Workbook().save(out)
    reason = _file_error(officer, out.getvalue())
    assert reason == _("The first row must hold the column headers of the template.")


def test_a_template_without_data_rows_is_refused(officer):
    reason = _file_error(officer, make_workbook("elders", []))
    assert reason == str(FILE_REASONS["no_rows"])


def test_missing_required_columns_are_named(officer, city):
    content = make_workbook(
        "elders", [elder_row(1, city.panlong_community)], drop=("id_number", "address")
    )
    reason = _file_error(officer, content)
    assert "身份证号" in reason and "地址" in reason


def test_old_xls_files_and_other_extensions_are_refused(officer, city):
    content = make_workbook("elders", [elder_row(1, city.panlong_community)])
    assert _file_error(officer, content, "a.xls") == str(FILE_REASONS["old_format"])
    assert _file_error(officer, content, "a.csv") == str(FILE_REASONS["extension"])


def test_an_unknown_kind_or_mode_is_refused(officer, city):
    content = make_workbook("elders", [elder_row(1, city.panlong_community)])
    with pytest.raises(ValidationFailed) as caught:
        import_create(actor=officer, kind="cats", mode="some", file_name="a.xlsx", content=content)
    assert set(caught.value.fields) == {"kind", "mode"}


def test_a_sheet_without_the_key_row_is_read_by_its_headers(officer, city):
    # given a sheet typed by hand: headers only, columns in another order, data from row 2
    wb = Workbook()
    ws = wb.active
    ws.append(["身份证号", "地址 ", "姓名*", "社区（村）代码", "备注"])
    ws.append([id_number_for(1), "拓东路1号", "王秀英", city.panlong_community.code, "x"])
    ws.append([id_number_for(2), "", "李桂兰", city.panlong_community.code, "y"])
    out = io.BytesIO()
    wb.save(out)

    job = _create(officer, out.getvalue())

    assert job.created_count == 1
    assert _errors(job) == [(3, "地址", _("Enter the home address."))]


def test_huge_cells_are_refused_row_by_row(officer, city):
    rows = [
        elder_row(1, city.panlong_community, address="路" * 32000),
        elder_row(2, city.panlong_community, name="名" * 32000, phone="1" * 30),
        elder_row(3, city.panlong_community),
    ]

    job = _create(officer, make_workbook("elders", rows))

    assert job.status == ImportJob.Status.DONE
    assert job.created_count == 1
    assert _errors(job) == [
        (3, "地址", _("At most %(n)s characters.") % {"n": 200}),
        (4, "姓名", _("At most 40 characters.")),
        (4, "电话", _("At most %(n)s characters.") % {"n": 20}),
    ]


def test_a_date_in_a_number_column_is_refused(officer, city):
    rows = [elder_row(1, city.panlong_community, lat=dt.datetime(2024, 5, 1))]

    job = _create(officer, make_workbook("elders", rows))

    assert _errors(job) == [(3, "纬度", _("Enter a number, not a date."))]


def test_an_id_number_that_excel_turned_into_a_number_is_explained(officer, city):
    rows = [elder_row(1, city.panlong_community, id_number=float(id_number_for(1)[:17] + "1"))]

    job = _create(officer, make_workbook("elders", rows))

    [(row, column, reason)] = _errors(job)
    assert (row, column) == (3, "身份证号")
    assert "text" in reason or "文本" in reason


def test_numbers_typed_as_numbers_are_read_as_text_where_text_is_meant(officer, city):
    rows = [
        elder_row(
            1,
            city.panlong_community,
            phone=13812345678,
            region_code=int(city.panlong_community.code),
            lat=25.05,
            lives_alone=True,
        )
    ]

    job = _create(officer, make_workbook("elders", rows))

    assert job.created_count == 1
    elder = Elder.objects.get()
    assert elder.phone == "13812345678" and elder.lives_alone
    assert str(elder.lat) == "25.050000"


def test_a_bad_yes_no_cell_is_refused(officer, city):
    job = _create(
        officer, make_workbook("elders", [elder_row(1, city.panlong_community, empty_nest="也许")])
    )
    assert _errors(job) == [(3, "空巢", _("Enter 是 or 否."))]


def test_accounts_without_the_import_capability_are_refused(city):
    content = make_workbook("elders", [elder_row(1, city.panlong_community)])
    provider = UserFactory(region=city.panlong, role=Role.CAREGIVER)
    health = UserFactory(region=city.panlong, role=Role.HEALTH)

    with pytest.raises(PermissionDenied):
        _create(provider, content)
    # service items need their own capability
    with pytest.raises(PermissionDenied):
        _create(health, make_workbook("service_items", [{"code": "A1"}]), kind="service_items")


def _damaged(content: bytes, at_row: int) -> bytes:
    """The same workbook with its sheet XML cut off in the middle of a row."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                cut = data.index(f'<row r="{at_row}"'.encode())
                data = (
                    data[:cut]
                    + f'<row r="{at_row}"><c r="A{at_row}" t="inlineStr"><is><t>'.encode()
                )
            target.writestr(item, data)
    return out.getvalue()


def test_a_sheet_damaged_part_way_is_refused_at_upload(officer, city):
    rows = [elder_row(n, city.panlong_community) for n in range(6)]
    content = _damaged(make_workbook("elders", rows), at_row=6)

    reason = _file_error(officer, content)

    assert reason == _("The workbook could not be read after row %(row)s.") % {"row": 5}
    assert not ImportJob.objects.exists()


def test_a_background_import_of_a_damaged_sheet_fails_with_a_message(
    officer, city, django_capture_on_commit_callbacks
):
    # (damaged past the background threshold of the test settings, so that the upload itself,
    # which counts the rows before the damage, sends it to the background)
    rows = [elder_row(n, city.panlong_community) for n in range(80)]
    content = _damaged(make_workbook("elders", rows), at_row=60)

    with django_capture_on_commit_callbacks(execute=True):
        job = _create(officer, content)

    job.refresh_from_db()
    assert job.is_background
    assert job.status == ImportJob.Status.FAILED
    assert job.message == _("The workbook could not be read after row %(row)s.") % {"row": 59}
    assert Elder.objects.count() == 0


def test_a_sheet_of_600000_rows_is_refused_before_openpyxl_reads_it(officer, city):
    # given a 3 MB workbook of 600,000 rows, its size record saying so
    content = make_long_workbook("elders", 600_000)
    assert len(content) < 4 * 1024 * 1024
    # when it is uploaded
    started = time.monotonic()
    reason = _file_error(officer, content)
    elapsed = time.monotonic() - started
    # then it is refused by the field, within seconds (reading it took a minute before)
    assert reason == str(FILE_REASONS["too_many_rows"]) % {"rows": services.MAX_ROWS}
    assert elapsed < 15, elapsed
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("dimension", [True, False])
def test_one_row_over_the_limit_is_refused_and_the_limit_itself_is_taken(
    officer, city, monkeypatch, dimension
):
    monkeypatch.setattr(services, "MAX_ROWS", 300)
    over = make_long_workbook("elders", 301, dimension=dimension)
    assert _file_error(officer, over) == str(FILE_REASONS["too_many_rows"]) % {"rows": 300}
    assert not ImportJob.objects.exists()
    job = _create(officer, make_long_workbook("elders", 300, dimension=dimension))
    assert job.total_rows == 300 and job.is_background


def test_rows_of_formatting_only_do_not_count_toward_the_limit(officer, city, monkeypatch):
    # given a sheet whose size record and rows run far past the limit, all but one empty
    monkeypatch.setattr(services, "MAX_ROWS", 100)
    content = make_workbook("elders", [elder_row(1, city.panlong_community)])
    styled = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(4, 5000))
    content = _rewrite_sheet(
        content, lambda xml: xml.replace(b"</sheetData>", styled.encode() + b"</sheetData>")
    )
    # when it is uploaded, then its one row is imported
    job = _create(officer, content)
    assert job.total_rows == 1 and job.created_count == 1


def _rewrite_sheet(content: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data)
    return out.getvalue()
