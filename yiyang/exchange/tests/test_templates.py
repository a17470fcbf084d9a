import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from yiyang.accounts.tests.factories import UserFactory
from yiyang.exchange.tests.workbook import COLUMNS, SHEET_TITLES
from yiyang.exchange.workbooks import CODES_TITLE, INSTRUCTIONS_TITLE


def _download(client, user, kind):
    client.force_login(user)
    response = client.get(reverse("exchange:template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


@pytest.mark.parametrize("kind", ["elders", "organisations", "service_items"])
def test_each_template_opens_with_its_headers_keys_and_instructions(client, city, kind):
    wb = _download(client, UserFactory(region=city.panlong), kind)

    ws = wb[SHEET_TITLES[kind]]
    assert wb.sheetnames[0] == SHEET_TITLES[kind]
    headers = [c.value for c in ws[1]]
    assert headers == [c.title for c in COLUMNS[kind]]
    assert [c.value for c in ws[2]] == [c.key for c in COLUMNS[kind]]
    assert ws.row_dimensions[2].hidden
    assert ws.freeze_panes == "A3"
    notes = [row[0] for row in wb[INSTRUCTIONS_TITLE].iter_rows(values_only=True)]
    assert all(c.title in notes for c in COLUMNS[kind])


def test_the_elder_template_marks_required_columns_and_offers_choice_lists(client, city):
    wb = _download(client, UserFactory(region=city.panlong), "elders")
    ws = wb[SHEET_TITLES["elders"]]

    headers = [c.value for c in ws[1]]
    for required in ("姓名*", "身份证号*", "社区(村)代码*", "地址*"):
        assert required in headers
    for column in (
        "电话",
        "民族",
        "纬度",
        "经度",
        "独居",
        "空巢",
        "计划生育特殊家庭",
        "经济状况",
        "医保类型",
        "居住方式",
        "机构信用代码",
        "监护人姓名",
        "监护人关系",
        "监护人电话",
        "慢性病",
        "用药",
        "过敏",
    ):
        assert column in headers
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"居家,社区,机构"' in lists
    assert '"特困,低保,低收入,普通"' in lists
    assert '"是,否"' in lists


def test_the_code_sheet_lists_only_the_officers_own_communities(client, city):
    wb = _download(client, UserFactory(region=city.panlong), "elders")

    codes = [row[0] for row in wb[CODES_TITLE].iter_rows(min_row=2, values_only=True)]
    assert codes == [city.panlong_community.code, city.panlong_community2.code]


def test_the_organisation_and_service_item_templates_have_their_columns(client, city):
    orgs = _download(client, UserFactory(region=city.panlong), "organisations")
    items = _download(client, UserFactory(region=city.city), "service_items")

    org_headers = [c.value for c in orgs.worksheets[0][1]]
    for column in (
        "名称*",
        "统一社会信用代码",
        "类型*",
        "公办/民办*",
        "区划代码*",
        "用地面积(㎡)",
        "建筑面积(㎡)",
        "床位",
        "医养结合协议",
        "许可证号",
        "许可起始日期",
        "许可截止日期",
        "联系人",
        "联系电话",
    ):
        assert column in org_headers
    item_headers = [c.value for c in items.worksheets[0][1]]
    assert item_headers == [
        "编码*",
        "名称*",
        "类别*",
        "单位*",
        "时长(分钟)*",
        "指导价(元)*",
        "资质要求",
        "长护险项目",
        "说明",
    ]


def test_an_unknown_template_is_not_found(client, city):
    client.force_login(UserFactory(region=city.panlong))
    assert client.get(reverse("exchange:template", args=["cats"])).status_code == 404
