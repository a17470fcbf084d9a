"""Officers read the figures of assessment in their own region: workload and turnaround per
assessor and organisation, disagreements and objections, grades in force by district, and the
assessors whose grades stray from their co-assessors'."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.assessment import figures as assessments
from yiyang.assessment.figures import FigureFilters
from yiyang.assessment.grading import instrument_load
from yiyang.assessment.models import (
    Assessment,
    AssessorDraw,
    AssessorProfile,
    Assignment,
    Discrepancy,
    Objection,
)
from yiyang.core.exceptions import PermissionDenied
from yiyang.core.timeutils import LOCAL_TZ
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.models import Elder
from yiyang.people.tests.factories import ElderFactory

LTC, GBT = "ltc-2021", "gbt-42195-2022"
S = Assessment.Status
_numbers = itertools.count(1)


def _at(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=LOCAL_TZ)


def _day(day: str | None) -> dt.date | None:
    return dt.date.fromisoformat(day) if day else None


def _assessor(name: str, organisation: Organisation) -> AssessorProfile:
    user = UserFactory(display_name=name, role=Role.ASSESSOR, region=organisation.region)
    return AssessorProfile.objects.create(
        user=user,
        organisation=organisation,
        region_code=organisation.region_code,
        certificate_number=f"PG-{user.pk}",
    )


def _case(
    community,
    *,
    applied: str,
    status: str,
    instrument: str = LTC,
    due: str | None = None,
    concluded: dt.datetime | None = None,
    valid_from: str | None = None,
    grade: int | None = None,
    notice_from: str | None = None,
    round: int = 1,
    objected: bool = False,
) -> Assessment:
    elder = ElderFactory(region=community)
    applied_on = _day(applied)
    case = Assessment.objects.create(
        number=f"PG{next(_numbers):06d}",
        elder=elder,
        region_code=elder.region_code,
        instrument=instrument,
        instrument_version="test",
        trigger=Assessment.Trigger.FIRST,
        channel=Assessment.Channel.AGENCY,
        applicant_name="本人",
        status=status,
        applied_on=applied_on,
        acceptance_due=applied_on + dt.timedelta(days=7),
        due_on=_day(due) or applied_on + dt.timedelta(days=42),
        concluded_at=concluded,
        valid_from=_day(valid_from),
        grade=grade,
        grade_label=instrument_load(instrument).grades[grade] if grade is not None else "",
        notice_from=_day(notice_from),
        round=round,
    )
    if objected:
        Objection.objects.create(
            assessment=case, filed_on=_day(notice_from), filed_by="女儿", reason="等级偏低"
        )
    return case


def _forms(case: Assessment, round: int, *given, discrepancy: bool = False) -> list[Assignment]:
    """One assignment per (assessor, grade); a grade of None means not yet submitted."""
    organisation = given[0][0].organisation
    draw = AssessorDraw.objects.create(
        assessment=case,
        round=round,
        organisation=organisation,
        algorithm="test",
        seed="0",
        pool=[],
        excluded=[],
        chosen=[],
    )
    made = []
    for assessor, grade in given:
        submitted = grade is not None
        made.append(
            Assignment.objects.create(
                assessment=case,
                round=round,
                assessor=assessor,
                draw=draw,
                submitted_at=_at("2025-01-01") if submitted else None,
                result={"grade": grade} if submitted else None,
                grade=grade,
            )
        )
    if discrepancy:
        Discrepancy.objects.create(
            assessment=case,
            round=round,
            item="B1.1",
            values={str(made[0].pk): 10, str(made[1].pk): 5},
        )
    return made


def _assessment_org(name: str, region) -> Organisation:
    return OrganisationFactory(
        name=name, region=region, kind=Organisation.Kind.ASSESSMENT, beds=None
    )


@pytest.fixture
def casebook(city):
    """Eight Panlong cases (seven LTC-2021, one GB/T 42195) and one Wuhua case."""
    centre = _assessment_org("盘龙评估中心", city.panlong_street)
    review = _assessment_org("盘龙复评中心", city.panlong_street)
    wuhua_centre = _assessment_org("五华评估中心", city.wuhua_street)
    a1, a2 = _assessor("评估员甲", centre), _assessor("评估员乙", centre)
    a3, a4 = _assessor("复评员丙", review), _assessor("复评员丁", review)
    w1, w2 = _assessor("五华甲", wuhua_centre), _assessor("五华乙", wuhua_centre)
    home = city.panlong_community

    # effective in 17 days, valid on time
    c1 = _case(
        home,
        applied="2025-03-03",
        status=S.EFFECTIVE,
        due="2025-04-14",
        concluded=_at("2025-03-20"),
        valid_from="2025-04-01",
        grade=2,
        notice_from="2025-03-21",
    )
    _forms(c1, 1, (a1, 2), (a2, 2))
    # concluded at 00:30 Beijing time on 25 March (still 24 March in UTC): 20 local days;
    # valid after the deadline; the assessors disagreed on an item and on the grade
    c2 = _case(
        home,
        applied="2025-03-05",
        status=S.EFFECTIVE,
        due="2025-04-16",
        concluded=_at("2025-03-25", "00:30"),
        valid_from="2025-05-01",
        grade=3,
        notice_from="2025-03-26",
    )
    _forms(c2, 1, (a1, 3), (a2, 2), discrepancy=True)
    # objected, re-assessed to a grade neither first assessor gave: changed; 35 days, on time
    c3 = _case(
        home,
        applied="2025-04-01",
        status=S.EFFECTIVE,
        due="2025-05-13",
        concluded=_at("2025-05-06"),
        valid_from="2025-05-10",
        grade=4,
        notice_from="2025-04-20",
        round=2,
        objected=True,
    )
    _forms(c3, 1, (a1, 3), (a2, 3))
    _forms(c3, 2, (a3, 4), (a4, 4))
    # objected, re-assessed to the same grade: unchanged; 38 days, late
    c4 = _case(
        home,
        applied="2025-04-02",
        status=S.EFFECTIVE,
        due="2025-05-14",
        concluded=_at("2025-05-10"),
        valid_from="2025-06-01",
        grade=3,
        notice_from="2025-04-21",
        round=2,
        objected=True,
    )
    _forms(c4, 1, (a1, 3), (a2, 3))
    _forms(c4, 2, (a3, 3), (a4, 3))
    # on public notice, not yet effective; 15 days
    c5 = _case(
        home,
        applied="2025-05-05",
        status=S.PUBLIC_NOTICE,
        concluded=_at("2025-05-20"),
        grade=1,
        notice_from="2025-05-21",
    )
    _forms(c5, 1, (a1, 1), (a2, 1))
    # one form in, one open
    c6 = _case(home, applied="2025-06-01", status=S.ASSIGNED)
    _forms(c6, 1, (a1, None), (a2, 2))
    # withdrawn before the visit: its assignment is neither submitted nor open
    c7 = _case(home, applied="2025-06-02", status=S.WITHDRAWN)
    _forms(c7, 1, (a1, None))
    # GB/T 42195, effective in 10 days, on time
    c8 = _case(
        city.panlong_community2,
        applied="2025-07-01",
        status=S.EFFECTIVE,
        instrument=GBT,
        due="2025-08-12",
        concluded=_at("2025-07-11"),
        valid_from="2025-08-01",
        grade=1,
        notice_from="2025-07-12",
    )
    _forms(c8, 1, (a1, 1), (a2, 1))
    # Wuhua: effective grade 5 after a disagreement and an objection
    wc = _case(
        city.wuhua_community,
        applied="2025-03-10",
        status=S.EFFECTIVE,
        concluded=_at("2025-03-30"),
        valid_from="2025-04-10",
        grade=5,
        notice_from="2025-03-31",
        objected=True,
    )
    _forms(wc, 1, (w1, 5), (w2, 4), discrepancy=True)
    return {
        "centre": centre,
        "review": review,
        "wuhua_centre": wuhua_centre,
        "a1": a1,
        "a2": a2,
        "a3": a3,
        "a4": a4,
        "w1": w1,
        "w2": w2,
    }


@pytest.fixture
def panlong_officer(city):
    return UserFactory(username="mz_panlong", role=Role.CIVIL_AFFAIRS, region=city.panlong)


@pytest.fixture
def wuhua_officer(city):
    return UserFactory(username="yb_wuhua", role=Role.MEDICAL_INSURANCE, region=city.wuhua)


def _by(rows, key):
    return {row[key]: row for row in rows}


FIGURES = (
    "assignments",
    "submitted",
    "open",
    "concluded",
    "effective",
    "on_time",
    "median_days",
    "on_time_share",
)


def _figures(row) -> tuple:
    return tuple(row[k] for k in FIGURES)


def test_workload_and_turnaround_per_assessor_and_organisation(casebook, panlong_officer):
    # when the Panlong officer reads the workload of all cases
    workload = assessments.assessor_workload(actor=panlong_officer)
    # then each assessor's counts, median days (10,15,17,20,35,38 -> 18.5) and the share of
    # effective cases valid by the deadline (C1, C3, C8 of C1-C4, C8) are exact
    people = _by(workload["assessors"], "assessor")
    c = casebook
    assert _figures(people[c["a1"].pk]) == (8, 6, 1, 6, 5, 3, 18.5, 60.0)
    assert _figures(people[c["a2"].pk]) == (7, 7, 0, 6, 5, 3, 18.5, 60.0)
    assert _figures(people[c["a3"].pk]) == (2, 2, 0, 2, 2, 1, 36.5, 50.0)
    assert people[c["a1"].pk]["name"] == "评估员甲"
    assert people[c["a1"].pk]["organisation"] == "盘龙评估中心"
    # and an organisation counts a case its two assessors shared once
    orgs = _by(workload["organisations"], "assessor__organisation")
    assert _figures(orgs[c["centre"].pk]) == (15, 13, 1, 6, 5, 3, 18.5, 60.0)
    assert _figures(orgs[c["review"].pk]) == (4, 4, 0, 2, 2, 1, 36.5, 50.0)
    assert orgs[c["review"].pk]["name"] == "盘龙复评中心"


def test_shares_of_disagreements_objections_and_changed_grades(casebook, panlong_officer):
    shares = assessments.disagreement_shares(actor=panlong_officer)
    assert shares == {
        # C1-C5 and C8 have both first-round forms; C2 had a discrepancy
        "both_forms": 6,
        "discrepant": 1,
        "discrepant_share": 16.7,
        # C1-C5 and C8 went on public notice; C3 and C4 drew objections
        "noticed": 6,
        "objected": 2,
        "objected_share": 33.3,
        # both were re-assessed; C3's final grade 4 was given by neither first assessor
        "reassessed": 2,
        "changed": 1,
        "changed_share": 50.0,
    }


def test_a_recorded_objected_grade_decides_whether_the_re_assessment_changed_it(
    casebook, panlong_officer
):
    # given C4, re-assessed to grade 3, objected against a grade 2 on record (its first
    # assessors' own results would say "unchanged")
    objection = Objection.objects.get(assessment__grade=3, assessment__round=2)
    objection.grade = 2
    objection.save()
    shares = assessments.disagreement_shares(actor=panlong_officer)
    # then both re-assessments count as changed
    assert (shares["reassessed"], shares["changed"]) == (2, 2)
    # and a recorded grade equal to the final one counts as unchanged, whatever round 1 said
    objection.grade = 3
    objection.save()
    c3 = Objection.objects.get(assessment__grade=4)
    c3.grade = 4
    c3.save()
    shares = assessments.disagreement_shares(actor=panlong_officer)
    assert (shares["reassessed"], shares["changed"]) == (2, 0)


def test_the_filter_narrows_every_figure(casebook, panlong_officer):
    # given the cases applied for in April 2025 (C3 and C4)
    april = FigureFilters(date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 4, 30))
    shares = assessments.disagreement_shares(actor=panlong_officer, filters=april)
    assert (shares["both_forms"], shares["discrepant"], shares["objected_share"]) == (2, 0, 100.0)
    assert (shares["reassessed"], shares["changed"]) == (2, 1)
    people = _by(
        assessments.assessor_workload(actor=panlong_officer, filters=april)["assessors"], "assessor"
    )
    assert _figures(people[casebook["a1"].pk]) == (2, 2, 0, 2, 2, 1, 36.5, 50.0)
    # and by instrument: GB/T 42195 has only C8
    gbt = FigureFilters(instrument=GBT)
    tables = assessments.grade_distribution(actor=panlong_officer, filters=gbt)
    assert [t["instrument"] for t in tables] == [GBT]
    assert assessments.disagreement_shares(actor=panlong_officer, filters=gbt)["both_forms"] == 1


def test_grades_in_force_are_counted_by_district_with_the_instruments_labels(
    city, casebook, panlong_officer
):
    tables = {t["instrument"]: t for t in assessments.grade_distribution(actor=panlong_officer)}
    # then LTC-2021 lists all six grades, and Panlong holds C1 (2), C2 and C4 (3), C3 (4)
    ltc = tables[LTC]
    assert [g["label"] for g in ltc["grades"]] == list(instrument_load(LTC).grades.values())
    older = Elder.objects.filter(status="active", region_code__startswith="530103").count()
    assert older > 0
    per_1000 = [round(1000 * n / older, 1) for n in (0, 0, 1, 2, 1, 0)]
    assert ltc["districts"] == [
        {
            "code": "530103",
            "name": "盘龙区",
            "counts": [0, 0, 1, 2, 1, 0],
            "total": 4,
            "older_people": older,
            "rates": per_1000,
            "rate": round(4000 / older, 1),
        }
    ]
    assert (ltc["totals"], ltc["total"], ltc["older_people"]) == ([0, 0, 1, 2, 1, 0], 4, older)
    # and GB/T 42195 its five grades, with C8 (grade 1) from another community of Panlong
    gbt = tables[GBT]
    assert gbt["grades"][1] == {"grade": 1, "label": "能力轻度受损（轻度失能）"}
    assert gbt["districts"][0]["counts"] == [0, 1, 0, 0, 0]
    # and a city officer sees both districts side by side
    city_officer = UserFactory(role=Role.HEALTH, region=city.city)
    ltc_city = {t["instrument"]: t for t in assessments.grade_distribution(actor=city_officer)}[LTC]
    assert [(d["name"], d["counts"]) for d in ltc_city["districts"]] == [
        ("五华区", [0, 0, 0, 0, 0, 1]),
        ("盘龙区", [0, 0, 1, 2, 1, 0]),
    ]


def test_an_officer_of_wuhua_sees_no_case_of_panlong_in_any_figure(
    casebook, panlong_officer, wuhua_officer
):
    c = casebook
    figures = assessments.assessment_figures(actor=wuhua_officer)
    # workload: only Wuhua's assessors and centre
    assert {r["assessor"] for r in figures["workload"]["assessors"]} == {c["w1"].pk, c["w2"].pk}
    assert [r["name"] for r in figures["workload"]["organisations"]] == ["五华评估中心"]
    # shares: only the one Wuhua case
    shares = figures["disagreements"]
    assert (shares["both_forms"], shares["discrepant"], shares["noticed"]) == (1, 1, 1)
    assert (shares["objected"], shares["reassessed"]) == (1, 0)
    # grades: only Wuhua
    assert [d["code"] for t in figures["grades"] for d in t["districts"]] == ["530102"]
    # outliers: only Wuhua's pair
    assert {r["assessor"] for r in figures["outliers"]} == {c["w1"].pk, c["w2"].pk}
    # and the other way round, Panlong's officer never sees Wuhua's
    panlong = assessments.assessment_figures(actor=panlong_officer)
    wuhua_ids = {c["w1"].pk, c["w2"].pk}
    assert not wuhua_ids & {r["assessor"] for r in panlong["workload"]["assessors"]}
    assert not wuhua_ids & {r["assessor"] for r in panlong["outliers"]}
    assert "530102" not in [d["code"] for t in panlong["grades"] for d in t["districts"]]


@pytest.fixture
def pairs(city):
    """Twenty Panlong cases: 王 always grades one above the co-assessor (5 cases with 李, 5 with
    张); 李 and 张 agree on 10 more."""
    centre = _assessment_org("盘龙评估中心", city.panlong_street)
    wang, li, zhang = (_assessor(n, centre) for n in ("王评估", "李评估", "张评估"))
    for n in range(20):
        case = _case(city.panlong_community, applied="2025-03-01", status=S.ON_SITE_DONE)
        grade = n % 4
        if n < 5:
            _forms(case, 1, (wang, grade + 1), (li, grade))
        elif n < 10:
            _forms(case, 1, (wang, grade + 1), (zhang, grade))
        else:
            _forms(case, 1, (li, grade), (zhang, grade))
    # a form not yet submitted is no comparison
    lone = _case(city.panlong_community, applied="2025-03-01", status=S.ASSIGNED)
    _forms(lone, 1, (wang, 3), (li, None))
    return {"wang": wang, "li": li, "zhang": zhang}


def test_an_assessor_who_always_grades_higher_is_flagged(pairs, panlong_officer):
    rows = assessments.outlier_assessors(actor=panlong_officer)
    by_id = _by(rows, "assessor")
    wang, li = by_id[pairs["wang"].pk], by_id[pairs["li"].pk]
    # then 王 differs in all 10 shared cases by +1 and is flagged, listed first
    assert (wang["cases"], wang["mean_difference"], wang["differing_share"]) == (10, 1.0, 100.0)
    assert wang["is_flagged"] and rows[0]["assessor"] == pairs["wang"].pk
    # and 李, one grade below 王 in 5 of 15 cases, is not
    assert (li["cases"], li["mean_difference"], li["differing_share"]) == (15, -0.33, 33.3)
    assert not li["is_flagged"] and not by_id[pairs["zhang"].pk]["is_flagged"]


def test_the_officer_sets_the_minimum_cases_and_the_gap(pairs, panlong_officer):
    def flagged(**thresholds):
        rows = assessments.outlier_assessors(actor=panlong_officer, **thresholds)
        return {r["assessor"] for r in rows if r["is_flagged"]}

    p = pairs
    assert flagged(min_cases=11) == set()
    assert flagged(gap=Decimal("0.3")) == {p["wang"].pk, p["li"].pk, p["zhang"].pk}
    assert flagged(gap=Decimal("1.01")) == set()
    assert flagged(min_cases=0, gap=Decimal("0")) == {p["wang"].pk, p["li"].pk, p["zhang"].pk}


@pytest.mark.parametrize(
    ("histogram", "median"),
    [({}, None), ({7: 1}, 7), ({3: 1, 9: 1}, 6), ({1: 2, 5: 1}, 1), ({1: 1, 4: 2, 8: 1}, 4)],
)
def test_the_median_is_read_from_a_histogram(histogram, median):
    assert assessments._median(histogram) == median


# --- the page --------------------------------------------------------------------------------

URL = "assessment:figures"


def test_the_page_shows_every_figure(
    client, casebook, panlong_officer, django_assert_max_num_queries
):
    client.force_login(panlong_officer)
    with django_assert_max_num_queries(16):
        response = client.get(reverse(URL))
    assert response.status_code == 200
    html = response.content.decode()
    assert "评估员甲" in html and "盘龙复评中心" in html and "五华评估中心" not in html
    assert response.context["disagreements"]["changed"] == 1
    # the chart data is in the page, and the chart library comes from our own static files
    assert 'id="grade-charts"' in html
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert "/static/yiyang/assessment-figures.js" in html
    charts = {c["id"]: c for c in response.context["charts"]}
    assert charts[LTC]["districts"] == ["盘龙区"]
    # in cases per 1,000 older people on record, with the counts for the tooltip
    older = Elder.objects.filter(status="active", region_code__startswith="530103").count()
    assert [s["counts"] for s in charts[LTC]["series"]] == [[0], [0], [1], [2], [1], [0]]
    assert [s["data"] for s in charts[LTC]["series"]] == [
        [round(1000 * n / older, 1)] for n in (0, 0, 1, 2, 1, 0)
    ]
    assert str(charts[LTC]["unit"]) == "每千名老年人"


def test_the_figures_take_eight_queries_however_many_cases_and_assessors(
    client, city, casebook, panlong_officer, django_assert_num_queries
):
    # given the casebook's cases, and the queries of the page that shows them
    client.force_login(panlong_officer)
    client.get(reverse(URL))
    with CaptureQueriesContext(connection) as page:
        client.get(reverse(URL))
    # when a new organisation's three assessors file twelve more cases, some objected
    other = _assessment_org("盘龙第三评估中心", city.panlong_street)
    trio = [_assessor(f"第三评估员{n}", other) for n in range(3)]
    for n in range(12):
        case = _case(
            city.panlong_community,
            applied="2025-08-01",
            status=S.EFFECTIVE,
            concluded=_at("2025-08-20"),
            valid_from="2025-09-01",
            grade=n % 5,
            notice_from="2025-08-21",
            objected=n % 3 == 0,
        )
        _forms(case, 1, (trio[n % 3], n % 5), (trio[(n + 1) % 3], 2), discrepancy=n % 2 == 0)
    # then the figures take eight queries: the workload, the disagreements, the grades and
    # the outliers one each, the names of assessors (twice) and of districts, and the older
    # people by district (the rates' denominator)
    with django_assert_num_queries(8):
        assessments.assessment_figures(actor=panlong_officer)
    # and the page as many as before
    with django_assert_num_queries(len(page.captured_queries)):
        response = client.get(reverse(URL))
    assert "第三评估员0" in response.content.decode()


def test_an_officer_whose_scope_is_empty_sees_empty_figures(city, casebook):
    # given an officer whose account has lost its region code: `scoped()` gives them nothing
    officer = UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong)
    officer.region_code = ""
    # when they read the figures
    figures = assessments.assessment_figures(actor=officer)
    # then every figure is empty rather than an error, and nobody's cases show
    assert figures["workload"] == {"assessors": [], "organisations": []}
    assert (figures["grades"], figures["outliers"]) == ([], [])
    assert figures["disagreements"]["both_forms"] == 0
    assert figures["disagreements"]["discrepant_share"] is None


def test_the_page_filters_by_instrument_and_dates(client, casebook, panlong_officer):
    client.force_login(panlong_officer)
    response = client.get(
        reverse(URL),
        {"instrument": GBT, "date_from": "2025-07-01", "date_to": "2025-07-31", "gap": "0.2"},
    )
    assert response.status_code == 200
    assert response.context["filters"] == FigureFilters(
        date_from=dt.date(2025, 7, 1), date_to=dt.date(2025, 7, 31), instrument=GBT
    )
    assert [t["instrument"] for t in response.context["grades"]] == [GBT]
    assert response.context["gap"] == Decimal("0.2")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"min_cases": "-1"}, "min_cases"),
        ({"min_cases": "abc"}, "min_cases"),
        ({"min_cases": "2.5"}, "min_cases"),
        ({"min_cases": "9" * 30}, "min_cases"),
        ({"gap": "-0.5"}, "gap"),
        ({"gap": "abc"}, "gap"),
        ({"gap": "NaN"}, "gap"),
        ({"gap": "Infinity"}, "gap"),
        ({"gap": "1e400"}, "gap"),
        ({"gap": "0.001"}, "gap"),
        ({"date_from": "2025-13-45"}, "date_from"),
        ({"date_from": "2025-05-02", "date_to": "2025-05-01"}, "date_to"),
        ({"instrument": "../../etc/passwd"}, "instrument"),
    ],
)
def test_bad_thresholds_give_a_message_beside_the_field(
    client, pairs, panlong_officer, params, field
):
    client.force_login(panlong_officer)
    response = client.get(reverse(URL), params)
    # then the page answers, with the message beside the field
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    html = response.content.decode()
    for message in errors[field]:
        assert f'data-field="{field}">{message}</span>' in html
    # and the figures fall back to the defaults for that field
    assert response.context["min_cases"] == assessments.DEFAULT_MIN_CASES
    assert response.context["gap"] == assessments.DEFAULT_GAP


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.DOCTOR, Role.AUDIT_ADMIN, Role.OPERATOR])
def test_a_role_without_the_capability_is_refused(client, city, casebook, role):
    user = UserFactory(role=role, region=city.panlong)
    client.force_login(user)
    assert client.get(reverse(URL)).status_code == 403
    with pytest.raises(PermissionDenied):
        assessments.assessment_figures(actor=user)


def test_the_page_answers_get_only(client, panlong_officer, city):
    client.force_login(panlong_officer)
    assert client.post(reverse(URL), {"gap": "1"}).status_code == 405


# --- in the browser --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_officer_sees_the_grade_chart_drawn_offline(page, sign_in, city, casebook, screenshots):
    # given a Panlong officer
    UserFactory(username="mz_chart", role=Role.CIVIL_AFFAIRS, region=city.panlong)
    sign_in("mz_chart", PASSWORD)
    # when they open the assessment figures
    response = page.goto("/assessments/figures/")
    assert response.status == 200
    # then each instrument's chart is drawn on a canvas by the vendored ECharts
    page.wait_for_selector("[data-chart] canvas")
    drawn = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-chart]'))
                 .map(el => !!(window.echarts && echarts.getInstanceByDom(el)))"""
    )
    assert drawn == [True, True]
    assert page.evaluate("() => echarts.version").startswith("5.")
    # every district is named under its bar, and the grades darken in order
    axis = page.evaluate(
        """() => { const o = echarts.getInstanceByDom(document.querySelector('[data-chart]'))
                   .getOption(); return [o.xAxis[0].axisLabel.interval, o.xAxis[0].data,
                   o.color.slice(0, o.series.length)]; }"""
    )
    assert axis[0] == 0 and axis[1] == ["盘龙区"]

    def darkness(colour: str) -> int:
        return -sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    assert [darkness(c) for c in axis[2]] == sorted(darkness(c) for c in axis[2])
    assert "评估员甲" in page.inner_text("[data-testid=workload-assessors]")
    page.screenshot(path=screenshots / "supervision-assessment-figures.png", full_page=True)
    # and a bad gap is answered beside its field, the chart still drawn
    # (typed in the browser, the field's own min=0 stops it; sent anyway, the server answers)
    response = page.goto("/assessments/figures/?gap=-1&min_cases=abc")
    assert response.status == 200
    assert page.locator("[data-field=gap]").count() == 1
    assert page.locator("[data-field=min_cases]").count() == 1
    page.wait_for_selector("[data-chart] canvas")
    # (the `page` fixture fails the test if anything was fetched from outside)
