"""Importing past assessment conclusions from a city's earlier system."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.assessment.models import Assessment
from yiyang.assessment.services import EVENT_EFFECTIVE
from yiyang.assessment.spreadsheets import UNKNOWN_PERSON, AssessmentImporter
from yiyang.assessment.tests.factories import P4_ITEMS
from yiyang.core import events
from yiyang.core.exceptions import PermissionDenied
from yiyang.core.models import ChangeLog
from yiyang.core.timeutils import local_today
from yiyang.exchange.kinds import kind_get
from yiyang.exchange.models import ImportJob
from yiyang.exchange.sealing import unseal
from yiyang.exchange.services import import_create, import_template
from yiyang.exchange.tests.workbook import make_workbook, read_sheet
from yiyang.exchange.workbooks import Layout
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.errors import ID_REASONS
from yiyang.people.models import Fact
from yiyang.people.tests.factories import ElderFactory, id_number_for

S = Assessment.Status
TODAY = local_today()
# The keys of assessment.services._make_effective's event: a contract (docs/events.md).
EVENT_KEYS = {
    "assessment_id",
    "number",
    "elder_id",
    "region_code",
    "instrument",
    "instrument_version",
    "registry_field",
    "grade",
    "previous_grade",
    "valid_from",
    "valid_to",
}


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def scores(items: dict) -> str:
    return ";".join(f"{k}={v}" for k, v in items.items())


P4_CELL = scores(P4_ITEMS)  # worked example P4: 重度失能Ⅰ级
# Barthel 45 points: 中度依赖 (41-60).
BARTHEL = {"BI1": 5, "BI2": 0, "BI3": 5, "BI4": 5, "BI5": 5}
BARTHEL |= {"BI6": 5, "BI7": 5, "BI8": 10, "BI9": 5, "BI10": 0}


def person(n: int, community):
    return ElderFactory(region=community, id_number=id_number_for(n))


def conclusion(n: int, **overrides) -> dict:
    row = {
        "id_number": id_number_for(n),
        "instrument": "ltc-2021",
        "concluded_on": days(-100),
        "valid_from": days(-90),
        "valid_to": days(640),
        "grade": None,
        "item_scores": None,
        "assessment_org": None,
        "source_number": f"OLD-{n:05d}",
    }
    row.update(overrides)
    return row


def officer_of(district, role=Role.CIVIL_AFFAIRS):
    return UserFactory(role=role, region=district)


def _import(officer, rows, mode="valid"):
    return import_create(
        actor=officer,
        kind="assessments",
        mode=mode,
        file_name="评估结论.xlsx",
        content=make_workbook("assessments", rows),
    )


def _errors(job) -> list[tuple]:
    return read_sheet(unseal(job.error_report), "错误明细")[1:]


def _case(elder, instrument) -> Assessment:
    return Assessment.objects.get(elder=elder, instrument=instrument)


def effective_case(elder, *, instrument="ltc-2021", grade=4, valid_from, valid_to):
    """A conclusion the platform's own procedure made effective."""
    return Assessment.objects.create(
        number=f"PG-{elder.pk}-{instrument}",
        elder=elder,
        region_code=elder.region_code,
        instrument=instrument,
        instrument_version="v",
        trigger=Assessment.Trigger.FIRST,
        channel=Assessment.Channel.AGENCY,
        applicant_name="本人",
        status=S.EFFECTIVE,
        applied_on=valid_from - dt.timedelta(days=40),
        acceptance_due=valid_from,
        due_on=valid_from,
        grade=grade,
        grade_label="重度失能Ⅱ级",
        valid_from=valid_from,
        valid_to=valid_to,
    )


@pytest.fixture
def heard():
    """Every assessment.effective event delivered while the test runs."""
    got = []
    unsubscribe = events.subscribe(EVENT_EFFECTIVE, got.append)
    yield got
    unsubscribe()


def test_each_standard_is_imported_and_sets_the_persons_field_as_the_procedure_would(city):
    # given four people of Panlong and a Panlong officer
    officer = officer_of(city.panlong)
    ltc, gbt, mzt, barthel = (person(n, city.panlong_community) for n in range(1, 5))
    assessment_org = OrganisationFactory(
        name="昆明市失能评定中心", kind=Organisation.Kind.ASSESSMENT, region=city.city
    )
    rows = [
        # LTC with the item scores of worked example P4
        conclusion(1, item_scores=P4_CELL, assessment_org="昆明市失能评定中心"),
        # GB/T 42195 by grade only, written as its version
        conclusion(2, instrument="GB/T 42195-2022", grade=2, assessment_org="老系统评估所"),
        # the legacy MZ/T 039 by its label, open-ended
        conclusion(3, instrument="mzt-039-2013", grade="中度失能", valid_to=None),
        # Barthel from its items
        conclusion(4, instrument="barthel", item_scores=scores(BARTHEL)),
    ]

    # when they import the file
    job = _import(officer, rows)

    # then each row is a case of its own, effective, numbered IM<year><district><id>
    assert job.status == ImportJob.Status.DONE, job.error_preview
    assert (job.created_count, job.updated_count, job.error_count) == (4, 0, 0)
    case = _case(ltc, "ltc-2021")
    assert case.trigger == Assessment.Trigger.IMPORTED
    assert case.status == S.EFFECTIVE
    assert (case.grade, case.grade_label) == (3, "重度失能Ⅰ级")
    assert case.number == f"IM{days(-100).year}530103{case.pk:07d}"
    assert (case.applied_on, case.acceptance_due, case.due_on) == (days(-100),) * 3
    assert (case.valid_from, case.valid_to, case.ended_on) == (days(-90), days(640), None)
    assert case.answers == {"items": P4_ITEMS}
    assert case.result["scores"] == {"ADL": 5, "COG": 16, "PER": 12}
    assert case.result["decided_by"]["cell"] == [3, 0]
    assert case.assessment_org == assessment_org
    assert case.instrument_version == "NHSA-2021-trial"
    assert "OLD-00001" in case.note
    gbt_case = _case(gbt, "gbt-42195-2022")
    assert gbt_case.result == {
        "grade": 2,
        "label": "能力中度受损（中度失能）",
        "instrument": "gbt-42195-2022",
        "version": "GB/T 42195-2022",
        "imported": True,
    }
    assert gbt_case.answers is None
    assert gbt_case.assessment_org is None and "老系统评估所" in gbt_case.note
    mzt_case = _case(mzt, "mzt-039-2013")
    assert (mzt_case.status, mzt_case.grade, mzt_case.valid_to) == (S.EFFECTIVE, 2, None)
    barthel_case = _case(barthel, "barthel")
    assert (barthel_case.status, barthel_case.grade) == (S.EFFECTIVE, 2)
    assert barthel_case.result["scores"]["total"] == 45
    # and the person's registry field follows, with a history row; Barthel sets nothing
    for elder in (ltc, gbt, mzt, barthel):
        elder.refresh_from_db()
    assert (ltc.disability_grade, ltc.ability_level) == (3, None)
    assert (gbt.disability_grade, gbt.ability_level) == (None, 2)
    assert mzt.ability_level == 2
    assert (barthel.disability_grade, barthel.ability_level) == (None, None)
    # as dated facts from each conclusion's first day
    fact = Fact.objects.get(elder=ltc, kind=Fact.Kind.DISABILITY)
    assert (fact.value, fact.valid_from, fact.reference) == ("3", days(-90), case.number)
    assert not Fact.objects.filter(elder=barthel, kind__in=["ability_level", "disability_grade"])
    log = ChangeLog.objects.get(entity_type="people.elder", entity_id=ltc.pk)
    assert log.changes == {"disability_grade": [None, 3]}
    assert log.note.startswith(f"import #{job.pk}")
    assert ChangeLog.objects.filter(entity_type="assessment.assessment", action="create").count()
    assert not ChangeLog.objects.filter(entity_type="people.elder", entity_id=barthel.pk).exists()


def test_every_bad_row_names_its_column_and_reason(city):
    # given people on record and a file with a mistake of every kind
    officer = officer_of(city.panlong)
    for n in range(1, 4):
        person(n, city.panlong_community)
    typo = id_number_for(1)[:-1] + ("0" if id_number_for(1)[-1] != "0" else "1")
    rows = [
        conclusion(1, item_scores=P4_CELL),  # row 3: good
        conclusion(50, grade=2),  # row 4: nobody on record
        conclusion(1, id_number=typo, grade=2),  # row 5: a typo in the number
        conclusion(2, instrument="xyz-2000", grade=2),  # row 6
        conclusion(2, concluded_on=days(3), grade=2),  # row 7: concluded in the future
        conclusion(2, concluded_on=days(-600), valid_from=days(10), valid_to=days(9), grade=2),
        conclusion(2, concluded_on=days(-650), valid_to=None, grade=2),  # row 9: LTC needs an end
        conclusion(2, concluded_on=days(-700), grade=7),  # row 10: no such grade
        conclusion(2, concluded_on=days(-710), item_scores=P4_CELL + ";ADL1=7"),  # row 11
        conclusion(
            2, concluded_on=days(-720), item_scores=scores({**P4_ITEMS, "ADL1": 7})
        ),  # row 12: a score the item does not have
        conclusion(2, concluded_on=days(-730), item_scores="ADL1=5;ADL2=0"),  # row 13
        conclusion(2, concluded_on=days(-740), grade=2, item_scores=P4_CELL),  # row 14
        conclusion(2, concluded_on=days(-750)),  # row 15: neither grade nor items
        conclusion(2, concluded_on=days(-760), item_scores=P4_CELL + ";coma=1"),  # row 16
        conclusion(2, concluded_on=days(-770), item_scores="ADL1 ten"),  # row 17
        conclusion(1, grade=3),  # row 18: the same record as row 3
        conclusion(3, valid_from=None, concluded_on=None, grade=2),  # row 19
    ]

    # when they import the valid rows only
    job = _import(officer, rows)

    # then the good row is imported and each bad one says what is wrong, column by column
    assert (job.created_count, job.error_count) == (1, 16)
    missing = "、".join(f"ADL{n}" for n in range(3, 11))
    missing += "、" + "、".join(f"COG{n}" for n in range(1, 5))
    missing += "、" + "、".join(f"PER{n}" for n in range(1, 4))
    legacy = "barthel、mzt-039-2013"
    assert _errors(job) == [
        (4, "身份证号", str(UNKNOWN_PERSON)),
        (5, "身份证号", str(ID_REASONS["checksum"])),
        (
            6,
            "评估标准",
            _("There is no such standard; choose one of %(ids)s.")
            % {"ids": "barthel、gbt-42195-2022、ltc-2021、mzt-039-2013"},
        ),
        (7, "结论日期", _("The conclusion date cannot be in the future.")),
        (8, "有效期止", _("The last day of validity cannot be before the first.")),
        (
            9,
            "有效期止",
            _(
                "Enter the last day the conclusion is valid; only conclusions under "
                "%(ids)s may be open-ended."
            )
            % {"ids": legacy},
        ),
        (
            10,
            "等级",
            _("“%(grade)s” is not a grade of %(instrument)s; its grades are %(grades)s.")
            % {
                "grade": "7",
                "instrument": "ltc-2021",
                "grades": "0 基本正常、1 轻度失能、2 中度失能、3 重度失能Ⅰ级、4 重度失能Ⅱ级、"
                "5 重度失能Ⅲ级",
            },
        ),
        (11, "各项得分", _("%(item)s is given twice.") % {"item": "ADL1"}),
        (
            12,
            "各项得分",
            _("%(item)s: %(score)s is not one of its scores (%(scores)s).")
            % {"item": "ADL1", "score": 7, "scores": "0、5、10"},
        ),
        (13, "各项得分", f"{missing}：" + _("Not answered yet.")),
        (
            14,
            "等级",
            _("The scores give grade %(grade)s (%(label)s), not %(given)s.")
            % {"grade": 3, "label": "重度失能Ⅰ级", "given": 2},
        ),
        (15, "等级", _("Enter the grade, or the item scores to compute it from.")),
        (16, "各项得分", "coma：" + _("This form does not take this answer.")),
        (
            17,
            "各项得分",
            _("“%(part)s” is not written as item=score, such as ADL1=10.") % {"part": "ADL1 ten"},
        ),
        (
            18,
            "结论日期",
            _(
                "The same person, standard and conclusion date are already on row %(row)s of "
                "this file."
            )
            % {"row": 3},
        ),
        (19, "结论日期", _("Enter the day the conclusion was made.")),
        (19, "有效期起", _("Enter the first day the conclusion is valid.")),
    ]
    assert Assessment.objects.count() == 1


def test_the_engines_reasons_read_in_the_uploaders_language(city):
    officer = officer_of(city.panlong)
    person(2, city.panlong_community)

    with translation.override("zh-hans"):
        job = _import(officer, [conclusion(2, item_scores="ADL1=5;ADL2=0")])

    assert _errors(job)[0][1] == "各项得分"
    assert _errors(job)[0][2].endswith("PER3：尚未作答。")


def test_all_or_nothing_imports_nothing_when_one_row_is_bad(city):
    officer = officer_of(city.panlong)
    elder = person(1, city.panlong_community)
    person(2, city.panlong_community)

    job = _import(officer, [conclusion(1, grade=3), conclusion(2, grade=9)], mode="all")

    assert job.status == ImportJob.Status.REJECTED
    assert not Assessment.objects.exists()
    elder.refresh_from_db()
    assert elder.disability_grade is None


def test_importing_the_same_file_again_updates_instead_of_duplicating(city, heard):
    # given a file imported once
    officer = officer_of(city.panlong)
    person(1, city.panlong_community)
    gbt = person(2, city.panlong_community)
    rows = [
        conclusion(1, item_scores=P4_CELL),
        conclusion(2, instrument="gbt-42195-2022", grade=2),
        conclusion(
            2,
            instrument="gbt-42195-2022",
            grade=1,
            concluded_on=days(-900),
            valid_from=days(-890),
            valid_to=days(-100),
        ),
    ]
    _import(officer, rows)
    first = {c.pk: (c.number, c.version) for c in Assessment.objects.all()}

    # when it is imported again unchanged
    again = _import(officer, rows)

    # then nothing is added or changed
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert {c.pk: (c.number, c.version) for c in Assessment.objects.all()} == first

    # and when a grade was corrected in the file, that case is updated with a history row
    rows[1]["grade"] = 3
    corrected = _import(officer, rows)
    assert (corrected.created_count, corrected.updated_count) == (0, 1)
    assert Assessment.objects.count() == 3
    case = Assessment.objects.get(elder=gbt, applied_on=days(-100))
    assert (case.grade, case.version) == (3, 2)
    assert ChangeLog.objects.get(
        entity_type="assessment.assessment", entity_id=case.pk, action="update"
    ).changes["grade"] == [2, 3]
    gbt.refresh_from_db()
    assert gbt.ability_level == 3


def test_an_older_import_does_not_override_a_newer_effective_conclusion(city):
    # given a person whose LTC conclusion the procedure made effective a month ago
    officer = officer_of(city.panlong)
    elder = person(1, city.panlong_community)
    current = effective_case(elder, grade=4, valid_from=days(-30), valid_to=days(700))
    elder.disability_grade = 4
    elder.save()

    # when two older LTC conclusions are imported: one still within its validity, one expired
    job = _import(
        officer,
        [
            conclusion(1, grade=3, concluded_on=days(-400), valid_from=days(-390)),
            conclusion(
                1, grade=2, concluded_on=days(-900), valid_from=days(-890), valid_to=days(-200)
            ),
        ],
    )

    # then both are history only and the person keeps the newer grade
    assert job.created_count == 2
    older = Assessment.objects.get(elder=elder, applied_on=days(-400))
    assert (older.status, older.superseded_by, older.ended_on) == (
        S.SUPERSEDED,
        current,
        current.valid_from,
    )
    oldest = Assessment.objects.get(elder=elder, applied_on=days(-900))
    assert (oldest.status, oldest.ended_on) == (S.EXPIRED, days(-199))
    current.refresh_from_db()
    elder.refresh_from_db()
    assert (current.status, elder.disability_grade) == (S.EFFECTIVE, 4)
    assert not ChangeLog.objects.filter(entity_type="people.elder").exists()


def test_a_newer_import_supersedes_the_current_conclusion(city):
    officer = officer_of(city.panlong)
    elder = person(1, city.panlong_community)
    current = effective_case(elder, grade=4, valid_from=days(-300), valid_to=days(400))
    elder.disability_grade = 4
    elder.save()

    _import(officer, [conclusion(1, item_scores=P4_CELL)])

    new = Assessment.objects.get(trigger=Assessment.Trigger.IMPORTED)
    current.refresh_from_db()
    assert new.status == S.EFFECTIVE
    assert (current.status, current.superseded_by, current.ended_on) == (
        S.SUPERSEDED,
        new,
        new.valid_from,
    )
    assert ChangeLog.objects.get(
        entity_type="assessment.assessment", entity_id=current.pk, action="status"
    ).changes["status"] == [
        "effective",
        "superseded",
    ]
    elder.refresh_from_db()
    assert elder.disability_grade == 3


def test_the_event_is_published_once_per_newest_effective_conclusion(
    city, heard, django_capture_on_commit_callbacks
):
    # given one person with two LTC conclusions and an MZ/T 039 one, another with a GB/T one
    officer = officer_of(city.panlong)
    first, second = person(1, city.panlong_community), person(2, city.panlong_community)
    rows = [
        conclusion(1, grade=2, concluded_on=days(-500), valid_from=days(-490)),
        conclusion(1, item_scores=P4_CELL),
        conclusion(1, instrument="mzt-039-2013", grade=1, valid_to=None),
        conclusion(2, instrument="gbt-42195-2022", grade=4),
    ]

    # when the file is imported
    with django_capture_on_commit_callbacks(execute=True):
        _import(officer, rows)

    # then one event per person and registry field, for the newest conclusion only
    got = {(e.payload["elder_id"], e.payload["registry_field"]): e.payload for e in heard}
    assert len(heard) == 3
    assert set(got) == {
        (first.pk, "disability_grade"),
        (first.pk, "ability_level"),
        (second.pk, "ability_level"),
    }
    newest = got[(first.pk, "disability_grade")]
    assert set(newest) == EVENT_KEYS
    assert (newest["grade"], newest["previous_grade"]) == (3, None)
    assert newest["valid_from"] == days(-90).isoformat()
    assert got[(first.pk, "ability_level")]["valid_to"] is None
    older = Assessment.objects.get(elder=first, instrument="ltc-2021", applied_on=days(-500))
    assert (older.status, older.superseded_by_id) == (S.SUPERSEDED, newest["assessment_id"])
    first.refresh_from_db()
    assert (first.disability_grade, first.ability_level) == (3, 1)

    # and importing the same file again tells nobody anything
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _import(officer, rows)
    assert heard == []


def test_a_wuhua_officer_cannot_import_conclusions_of_panlong_people(city):
    # given a Panlong person and a Wuhua officer
    person(1, city.panlong_community)
    outsider = officer_of(city.wuhua)

    # when the outsider imports a conclusion for them
    job = _import(outsider, [conclusion(1, grade=3), conclusion(99, grade=3)])

    # then the row reads exactly as for a person not on record at all
    assert _errors(job) == [
        (3, "身份证号", str(UNKNOWN_PERSON)),
        (4, "身份证号", str(UNKNOWN_PERSON)),
    ]
    assert not Assessment.objects.exists()


def test_importing_conclusions_needs_the_right_to_manage_assessments(city):
    # a health officer may run imports but not decide assessments
    health = officer_of(city.panlong, role=Role.HEALTH)

    with pytest.raises(PermissionDenied):
        _import(health, [conclusion(1, grade=3)])
    with pytest.raises(PermissionDenied):
        import_template(actor=health, kind="assessments")


def test_a_closed_record_gets_no_conclusions(city):
    officer = officer_of(city.panlong)
    ElderFactory(
        region=city.panlong_community,
        id_number=id_number_for(1),
        status="deceased",
        status_date=days(-10),
    )

    job = _import(officer, [conclusion(1, grade=3)])

    assert [e[1] for e in _errors(job)] == ["身份证号"]


def _importer(officer, job):
    columns = kind_get("assessments").columns
    layout = Layout(
        index={c.key: i for i, c in enumerate(columns)},
        headers=tuple(c.title for c in columns),
        keys=None,
        data_start=2,
        estimated_rows=None,
    )
    return AssessmentImporter(actor=officer, job=job, layout=layout), columns


def test_a_batch_of_hundreds_of_rows_takes_a_bounded_number_of_queries(
    city, django_assert_max_num_queries
):
    # given 300 people, a third with a current conclusion, and a row for each
    officer = officer_of(city.panlong)
    job = ImportJob.objects.create(
        kind="assessments", mode="valid", file_name="big.xlsx", actor=officer, upload=b""
    )
    people = [person(n, city.panlong_community) for n in range(1, 301)]
    for elder in people[::3]:
        effective_case(elder, grade=1, valid_from=days(-300), valid_to=days(300))
    importer, columns = _importer(officer, job)
    by_instrument = {
        "ltc-2021": {"item_scores": P4_CELL},
        "gbt-42195-2022": {"grade": 2},
        "mzt-039-2013": {"grade": "轻度失能", "valid_to": None},
        "barthel": {"item_scores": scores(BARTHEL)},
    }
    rows = []
    for n in range(1, 301):
        instrument = list(by_instrument)[n % 4]
        values = conclusion(n, instrument=instrument, **by_instrument[instrument])
        rows.append((n + 2, tuple(values[c.key] for c in columns)))

    # when they are written as one batch, then the queries do not grow with the rows
    with django_assert_max_num_queries(40):
        result = importer.process(rows, write=True)

    assert (result.created, len(result.bad_rows)) == (300, 0), result.errors[:3]
    # (people 4, 16, 28, ... had an LTC conclusion, which the imported one replaces)
    assert Assessment.objects.filter(status=S.SUPERSEDED).count() == 25
    assert Assessment.objects.filter(status=S.EFFECTIVE).count() == 300 + 100 - 25


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_cell_values_give_row_errors_not_exceptions(city, data):
    officer = UserFactory.build(region=city.panlong, region_code=city.panlong.code)
    job = ImportJob(pk=1, kind="assessments", file_name="fuzz.xlsx")
    job.actor = officer
    importer, columns = _importer(officer, job)
    cells = st.one_of(
        st.none(),
        st.text(max_size=30),
        st.sampled_from(
            ["ltc-2021", "barthel", "3", "重度失能Ⅰ级", "ADL1=5;ADL2=x", "coma=1", "=1+1", "a=b=c"]
        ),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    )
    rows = [(n, tuple(data.draw(cells) for _ in columns)) for n in range(2, 5)]

    result = importer.process(rows, write=False)

    assert result.created + result.updated + len(result.bad_rows) == len(rows)
    assert all(isinstance(reason, str) and reason for _n, _h, reason in result.errors)


def test_the_template_lists_the_installed_standards_and_no_code_sheet(city):
    import io

    from openpyxl import load_workbook

    content = import_template(actor=officer_of(city.panlong), kind="assessments")

    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["评估结论", "填写说明"]
    ws = wb["评估结论"]
    assert [c.value for c in ws[1]][:5] == [
        "身份证号*",
        "评估标准*",
        "结论日期*",
        "有效期起*",
        "有效期止",
    ]
    rules = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert '"barthel,gbt-42195-2022,ltc-2021,mzt-039-2013"' in rules


def test_an_imported_case_opens_and_prints_like_any_other(client, city):
    # given an LTC conclusion imported with its items and a GB/T one with its grade only
    officer = officer_of(city.panlong)
    ltc, gbt = person(1, city.panlong_community), person(2, city.panlong_community)
    _import(
        officer,
        [conclusion(1, item_scores=P4_CELL), conclusion(2, instrument="gbt-42195-2022", grade=2)],
    )
    client.force_login(officer)

    for case in (_case(ltc, "ltc-2021"), _case(gbt, "gbt-42195-2022")):
        # when the officer opens the case and its conclusion letter, then both are served
        page = client.get(reverse("assessment:detail", args=[case.pk]))
        assert page.status_code == 200
        assert case.number in page.content.decode()
        assert client.get(reverse("assessment:letter", args=[case.pk])).status_code == 200


def test_the_import_page_offers_the_template_but_no_export_of_conclusions(client, city):
    client.force_login(officer_of(city.panlong))

    page = client.get(reverse("exchange:imports")).content.decode()

    assert reverse("exchange:template", args=["assessments"]) in page
    assert reverse("exchange:export", args=["assessments"]) not in page
