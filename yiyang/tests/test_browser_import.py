"""An officer imports a workbook in Chromium: the job page shows its progress and the result,
and the bad row comes back in an error report."""

import pytest

from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.exchange.tests.workbook import elder_row, make_workbook
from yiyang.people.models import Elder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_imports_elders_and_sees_the_result(
    page, sign_in, city, screenshots, tmp_path, settings
):
    # given a workbook of 60 people (above the background threshold), one with a typo
    settings.IMPORT_BACKGROUND_THRESHOLD = 50
    rows = [elder_row(n, city.panlong_community) for n in range(60)]
    rows[7]["id_number"] = rows[7]["id_number"][:17] + (
        "0" if rows[7]["id_number"][17] != "0" else "1"
    )
    upload = tmp_path / "盘龙区老年人.xlsx"
    upload.write_bytes(make_workbook("elders", rows))
    officer = UserFactory(username="officer1", region=city.panlong)
    sign_in(officer.username, PASSWORD)
    # when the officer uploads it, importing the valid rows
    page.goto("/exchange/")
    page.check("input[name=mode][value=valid]")
    page.set_input_files("input[name=file]", str(upload))
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    # then the job page reports 59 created and one row with errors
    page.wait_for_function("document.body.innerText.includes('59')")
    text = page.inner_text("main")
    assert "59" in text
    page.screenshot(path=screenshots / "import-job.png", full_page=True)
    assert Elder.objects.filter(region_code__startswith="530103").count() == 59
    # and the error report downloads with the bad row's number
    with page.expect_download() as download:
        page.click("a[href$='errors.xlsx']")
    from openpyxl import load_workbook

    report = tmp_path / "errors.xlsx"
    download.value.save_as(report)
    book = load_workbook(report)
    cells = [c for row in book.worksheets[-1].iter_rows(values_only=True) for c in row if c]
    assert 10 in cells or "10" in cells  # row 3 is the first data row: the 8th is row 10
