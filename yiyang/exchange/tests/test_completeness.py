import datetime as dt
from decimal import Decimal

import pytest

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.exceptions import NotFound, PermissionDenied
from yiyang.exchange.completeness import completeness_report
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.models import Guardian, HealthProfile
from yiyang.people.spreadsheets import ELDER_REQUIREMENTS
from yiyang.people.tests.factories import ElderFactory

LAT, LNG = Decimal("25.04"), Decimal("102.72")


def _guardian(elder):
    Guardian.objects.create(elder=elder, name="李明", relation="child", phone="13900000000")


@pytest.fixture
def dataset(city):
    """Panlong: three active people with known gaps and one deceased; Wuhua: one complete."""
    e1 = ElderFactory(region=city.panlong_community, phone="13800000001")  # no coordinates
    _guardian(e1)
    _guardian(e1)  # two contacts still count once
    HealthProfile.objects.create(elder=e1, chronic_conditions="高血压")
    ElderFactory(
        region=city.panlong_community2, phone="", lat=LAT, lng=LNG
    )  # no phone, contact, health
    e3 = ElderFactory(region=city.panlong_community, phone="13800000003", lat=LAT, lng=LNG)
    _guardian(e3)
    HealthProfile.objects.create(elder=e3)  # opened but nothing recorded
    ElderFactory(region=city.panlong_community, status="deceased", status_date=dt.date(2024, 1, 1))
    w1 = ElderFactory(region=city.wuhua_community, phone="13800000009", lat=LAT, lng=LNG)
    _guardian(w1)
    HealthProfile.objects.create(elder=w1, allergies="青霉素")

    OrganisationFactory(
        region=city.panlong_street,
        lat=LAT,
        lng=LNG,
        beds=100,
        licence_valid_from=dt.date(2022, 1, 1),
        licence_valid_to=dt.date(2027, 1, 1),
        contact_phone="0871-1234567",
    )
    OrganisationFactory(region=city.panlong, kind="home_care", credit_code=None, address="")
    OrganisationFactory(region=city.panlong_street, is_active=False)
    return city


def _line(table, code):
    return next(line for line in table.lines if line.code == code)


def test_a_city_officer_sees_each_district_with_exact_shares(dataset):
    city = dataset
    officer = UserFactory(region=city.city)

    report = completeness_report(actor=officer)

    assert [line.code for line in report.table("elders").lines] == ["530102", "530103"]
    panlong = _line(report.table("elders"), "530103")
    assert panlong.records == 3
    assert (panlong.filled, panlong.applicable) == (22, 27)
    assert panlong.percent == 81.5
    cells = dict(
        zip([r.key for r in ELDER_REQUIREMENTS], panlong.ordered(ELDER_REQUIREMENTS), strict=True)
    )
    assert cells["phone"].percent == 66.7
    assert cells["coordinates"].percent == 66.7
    assert cells["contact"].percent == 66.7
    assert cells["health"].percent == 33.3
    assert cells["address"].percent == 100.0
    assert _line(report.table("elders"), "530102").percent == 100.0
    assert report.table("elders").total.percent == round(100 * 31 / 36, 1)

    # organisations: a complete care home (6 of 6) and a home-care provider with nothing
    # but its name (0 of 4: beds and licence do not apply); the closed one is not counted
    orgs = _line(report.table("organisations"), "530103")
    assert (orgs.records, orgs.filled, orgs.applicable) == (2, 6, 10)
    assert orgs.percent == 60.0
    assert _line(report.table("organisations"), "530102").percent is None


def test_drilling_down_shows_the_streets_of_a_district(dataset):
    city = dataset
    officer = UserFactory(region=city.city)

    report = completeness_report(actor=officer, region_code="530103")

    assert report.region == city.panlong
    assert [line.code for line in report.table("elders").lines] == ["530103001"]
    assert _line(report.table("elders"), "530103001").percent == 81.5
    # the provider registered at district level is shown as such, not lost
    assert [line.code for line in report.table("organisations").lines] == ["530103001", "530103"]
    assert [r.code for r in report.path] == ["5301", "530103"]


def test_a_district_officer_cannot_look_into_the_sibling_district(dataset):
    city = dataset
    wuhua = UserFactory(region=city.wuhua)

    own = completeness_report(actor=wuhua)
    assert [line.code for line in own.table("elders").lines] == ["530102001"]
    assert own.table("elders").total.records == 1
    with pytest.raises(NotFound):
        completeness_report(actor=wuhua, region_code="530103")
    with pytest.raises(NotFound):
        completeness_report(actor=wuhua, region_code="5301")


def test_roles_without_the_capability_are_refused(city):
    with pytest.raises(PermissionDenied):
        completeness_report(actor=UserFactory(region=city.panlong, role=Role.CAREGIVER))


def test_the_report_takes_the_same_few_queries_whatever_the_size(
    dataset, django_assert_num_queries
):
    officer = UserFactory(region=dataset.city)
    with django_assert_num_queries(7):
        completeness_report(actor=officer)
    for _ in range(20):
        ElderFactory(region=dataset.panlong_community)
    with django_assert_num_queries(7):
        completeness_report(actor=officer)
