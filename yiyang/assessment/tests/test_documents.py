"""The conclusion letter, the public notice list and the workbook of cases.

PDF renders take a fraction of a second each; the module keeps to a handful of them. Labels are
checked in English under `translation.override("en")`; in Chinese the tests check only data they
control (names, masked ID numbers, case numbers, and grade labels, which come from the instrument
files in Chinese).
"""

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from yiyang.assessment.documents import (
    assessments_workbook,
    conclusion_letter_pdf,
    notice_list_pdf,
    public_name,
)
from yiyang.assessment.errors import TransitionRefused
from yiyang.assessment.grading import answers_grade, instrument_load
from yiyang.assessment.models import Assessment
from yiyang.assessment.tests.test_worked_examples import gbt, ltc
from yiyang.core.timeutils import LOCAL_TZ, age_on
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.tests.factories import ElderFactory, id_number_for

# Worked examples of standards/assessment.md §6.
P4 = ltc([5, 0, 0, 0, 0, 0, 0, 0, 0, 0], [4] * 4, [4] * 3)  # 重度失能Ⅰ级
P1 = ltc([10, 10, 5, 10, 10, 10, 15, 15, 10, 5], [4] * 4, [4] * 3)  # 基本正常
# P4 under GB/T 42195, with a dementia diagnosis: 能力重度受损 raised by C.4 b).
P4_GBT_DEMENTIA = gbt(
    [2, 0, 0, 0, 0, 0, 0, 0],
    [1, 0, 0, 0],
    [4, 4, 4, 4, 4, 4, 1, 1, 2],
    [2, 2, 0, 0, 4],
    diagnoses=["F03"],
)

FULL_ID = id_number_for(7001, area6="530103", sex="F", birth=dt.date(1941, 6, 15))


def person(city, *, name="李秀华", id_number=FULL_ID, community=None):
    return ElderFactory(
        name=name,
        id_number=id_number,
        region=community or city.panlong_community,
        address="拓东路88号3单元",
    )


def assessment_organisation(city):
    return OrganisationFactory(
        name="昆明市失能评定中心",
        kind=Organisation.Kind.ASSESSMENT,
        region=city.city,
        region_code=city.city.code,
    )


def concluded_case(
    elder, *, number, answers=P4, instrument_id="ltc-2021", org=None, status="effective"
):
    """A case as the procedure leaves it, with `result` from actually grading the answers."""
    instrument = instrument_load(instrument_id)
    result = answers_grade(instrument=instrument, answers=answers).as_dict()
    return Assessment.objects.create(
        number=number,
        elder=elder,
        region_code=elder.region_code,
        instrument=instrument.id,
        instrument_version=instrument.version,
        trigger=Assessment.Trigger.FIRST,
        channel=Assessment.Channel.STREET_STATION,
        applicant_name="李明",
        applicant_relation="子女",
        status=status,
        applied_on=dt.date(2024, 4, 1),
        acceptance_due=dt.date(2024, 4, 8),
        due_on=dt.date(2024, 5, 14),
        decided_on=dt.date(2024, 4, 3),
        assessment_org=org,
        onsite_done_at=dt.datetime(2024, 4, 16, 10, 30, tzinfo=LOCAL_TZ),
        answers=answers,
        result=result,
        grade=result["grade"],
        grade_label=result["label"],
        concluded_at=dt.datetime(2024, 4, 19, 15, 0, tzinfo=LOCAL_TZ),
        notice_from=dt.date(2024, 4, 22),
        notice_to=dt.date(2024, 4, 26),
        valid_from=dt.date(2024, 5, 1),
        valid_to=dt.date(2026, 4, 30),
    )


def pdf_text(pdf: bytes) -> str:
    """The text of every page without whitespace: table cells wrap Chinese anywhere, so the
    tests compare squeezed strings (see `squeeze`)."""
    return squeeze("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def squeeze(text: str) -> str:
    return "".join(text.split())


def embedded_fonts(pdf: bytes) -> dict[str, list[str]]:
    """Base font name → the /FontFile keys of its descriptor, for every font the pages use."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                descriptor = descendant["/FontDescriptor"].get_object()
                fonts[str(descendant["/BaseFont"])] = [
                    key for key in descriptor if key.startswith("/FontFile")
                ]
    return fonts


# -- Conclusion letter -----------------------------------------------------------------------


def test_conclusion_letter_shows_the_person_and_the_grade_but_never_the_full_id_number(city):
    # given P4's case, concluded 重度失能Ⅰ级
    elder = person(city)
    case = concluded_case(elder, number="LTC-530103-2024-0042", org=assessment_organisation(city))

    # when the letter is printed in Chinese
    with translation.override("zh-hans"):
        pdf = conclusion_letter_pdf(case, issuer="昆明市医疗保障局")
    text = pdf_text(pdf)

    # then it names the person, the case and the grade, with each form's score and level
    assert pdf.startswith(b"%PDF-")
    for expected in (
        "昆明市医疗保障局",
        "LTC-530103-2024-0042",
        "李秀华",
        elder.id_number_masked,
        "拓东路88号3单元",
        "昆明市失能评定中心",
        "长期护理失能等级评估标准（试行）",
        "NHSA-2021-trial",
        "重度失能Ⅰ级",
        "日常生活活动能力",
        "5 / 100",
        "认知能力",
        "16 / 16",
        "感知觉与沟通能力",
        "12 / 12",
        "重度受损",
    ):
        assert squeeze(expected) in text, expected
    # and the full ID number is nowhere, neither in the text nor in the file's bytes
    assert elder.id_number_masked != FULL_ID
    assert FULL_ID not in text
    assert FULL_ID.encode() not in pdf
    assert FULL_ID[6:14] not in text  # not even the birth-date digits the mask hides


def test_conclusion_letter_explains_the_matrix_cell_and_the_right_to_object_in_english(city):
    # given P4's case
    elder = person(city)
    case = concluded_case(elder, number="LTC-530103-2024-0043")

    # when printed in English
    with translation.override("en"):
        pdf = conclusion_letter_pdf(case)
    text = pdf_text(pdf)

    # then the matrix cell that decided, the dates and the rights are spelt out
    for expected in (
        "Assessment conclusion letter",
        "Long-term care insurance assessment",  # the generic issuer
        f"Age {age_on(elder.birth_date, dt.date(2024, 4, 19))}",  # on the day of the conclusion
        "Combination matrix, cell 3, 0",
        "April 16, 2024",  # on site
        "April 19, 2024",  # concluded
        "April 22, 2024 – April 26, 2024",  # public notice
        "May 1, 2024 – April 30, 2026",  # valid
        "until the end of the public notice on April 26, 2024",
        "valid until April 30, 2026",
    ):
        assert squeeze(expected) in text, expected
    # and Noto Sans CJK is embedded, not merely named
    fonts = embedded_fonts(pdf)
    cjk = {name: files for name, files in fonts.items() if "NotoSansCJK" in name.replace("-", "")}
    assert cjk, fonts
    assert all({"/FontFile2", "/FontFile3"} & set(files) for files in cjk.values()), cjk


def test_conclusion_letter_names_the_rule_that_raised_the_grade(city):
    # given P4 under GB/T 42195 with dementia (F03): 能力重度受损 raised to 能力完全丧失 by C.4 b)
    case = concluded_case(
        person(city),
        number="GBT-530103-2024-0007",
        answers=P4_GBT_DEMENTIA,
        instrument_id="gbt-42195-2022",
    )

    with translation.override("en"):
        text = pdf_text(conclusion_letter_pdf(case))

    # then the letter gives the final grade, the grade by the scores, and the rule with its clause
    for expected in (
        "能力完全丧失（完全失能）",
        "The grade by the scores alone was 能力重度受损（重度失能）",
        "Total score 39, in the band",
        "Raised by",
        "C.4 b)",
        "F03",
    ):
        assert squeeze(expected) in text, expected


def test_a_case_without_a_conclusion_has_no_letter(city):
    case = concluded_case(person(city), number="LTC-530103-2024-0044")
    Assessment.objects.filter(pk=case.pk).update(result=None)
    case.refresh_from_db()

    with pytest.raises(TransitionRefused):
        conclusion_letter_pdf(case)


# -- Public notice list ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("张华", "张*"),
        ("张秀华", "张*华"),
        ("欧阳秀华", "欧**华"),
        ("王", "王"),
        (" 李桂兰 ", "李*兰"),
    ],
)
def test_public_lists_hide_the_middle_of_a_name(name, shown):
    assert public_name(name) == shown


def test_notice_list_shows_each_case_with_a_partly_hidden_name_and_masked_id(city):
    # given two concluded cases in two communities
    first = person(city, name="李秀华")
    second_id = id_number_for(7002, area6="530102", sex="M", birth=dt.date(1938, 2, 2))
    second = person(city, name="张建国", id_number=second_id, community=city.wuhua_community)
    cases = [
        concluded_case(first, number="LTC-2024-0101", status="public_notice"),
        concluded_case(second, number="LTC-2024-0102", answers=P1, status="public_notice"),
    ]

    # when the list is printed
    with translation.override("en"):
        pdf = notice_list_pdf(
            Assessment.objects.filter(pk__in=[c.pk for c in cases]).order_by("number"),
            title="2024年第4期失能等级评估结果公示",
            region_name="昆明市",
            notice_from=dt.date(2024, 4, 22),
            notice_to=dt.date(2024, 4, 26),
            contact="盘龙区医保服务中心 0871-12345678",
        )
    text = pdf_text(pdf)

    # then each line has the case number, the hidden name, the masked ID, community and grade
    for expected in (
        "2024年第4期失能等级评估结果公示",
        "LTC-2024-0101",
        "李*华",
        first.id_number_masked,
        "尚义社区居委会",
        "重度失能Ⅰ级",
        "LTC-2024-0102",
        "张*国",
        second.id_number_masked,
        "西仓坡社区居委会",
        "基本正常",
        "长期护理失能等级评估标准（试行）",
        "April 22, 2024 – April 26, 2024",
        "How to object",
        "盘龙区医保服务中心 0871-12345678",
    ):
        assert squeeze(expected) in text, expected
    # and neither full name nor full ID number is published
    for secret in ("李秀华", "张建国", FULL_ID, second_id):
        assert secret not in text
        assert secret.encode() not in pdf


# -- Workbook --------------------------------------------------------------------------------


def test_workbook_lists_cases_and_keeps_a_formula_like_name_as_text(city):
    # given a concluded case and one whose name reads like a formula
    plain = concluded_case(person(city), number="LTC-2024-0201")
    sneaky_name = '=HYPERLINK("http://x.test","x")'
    sneaky_id = id_number_for(7003)
    sneaky = concluded_case(
        person(city, name=sneaky_name, id_number=sneaky_id), number="LTC-2024-0202"
    )

    # when exported
    with translation.override("en"):
        content = assessments_workbook(Assessment.objects.order_by("number"))

    # then the header names the columns and a row carries the case
    ws = load_workbook(io.BytesIO(content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "Case number",
        "Name",
        "ID number",
        "Region code",
        "Instrument",
        "Reason for assessment",
        "Channel",
        "Status",
        "Applied on",
        "Entitlement due",
        "Grade name",
        "Concluded",
        "Valid from",
        "Valid to",
    )
    first = rows[1]
    assert first[:5] == (
        "LTC-2024-0201",
        "李秀华",
        plain.elder.id_number_masked,
        city.panlong_community.code,
        "长期护理失能等级评估标准（试行）",
    )
    assert first[5:8] == (
        "First application",
        "Street / town medical-insurance station",
        "Effective",
    )
    assert first[8].date() == dt.date(2024, 4, 1)
    assert first[10] == "重度失能Ⅰ级"
    assert first[11].date() == dt.date(2024, 4, 19)
    assert (first[12].date(), first[13].date()) == (dt.date(2024, 5, 1), dt.date(2026, 4, 30))
    # and the formula-like name is stored as text, never as a formula
    name_cell = ws.cell(row=3, column=2)
    assert name_cell.data_type == "s"
    assert name_cell.value == "'" + sneaky_name
    # and no full ID number is in the file
    assert sneaky.elder.id_number_masked in {row[2] for row in rows}
    assert FULL_ID not in str(rows) and sneaky_id not in str(rows)
