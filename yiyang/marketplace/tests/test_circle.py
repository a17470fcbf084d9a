"""The 15-minute service circle: the travel model's minutes, which communities reach a service
point in time, the policy's numbers, and the page with its locally drawn map."""

from decimal import Decimal

import pytest
from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.exceptions import PermissionDenied
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.marketplace import circle, travel
from yiyang.marketplace.models import ServiceCirclePolicy
from yiyang.people.tests.factories import ElderFactory
from yiyang.regions.models import Region

pytestmark = pytest.mark.django_db


def test_the_walking_model_measures_minutes_from_the_great_circle():
    # one minute of arc of latitude is one nautical mile, 1,852 m
    assert travel.haversine_m(25.0, 102.7, 25.0 + 1 / 60, 102.7) == pytest.approx(1853, abs=2)
    walk = travel.Walking(speed_m_per_min=50, detour=1.3)
    assert walk.minutes((25.0, 102.7), (25.0 + 1 / 60, 102.7)) == pytest.approx(
        1853 * 1.3 / 50, rel=1e-3
    )
    assert walk.reach_m(15) == pytest.approx(15 * 50 / 1.3)
    with pytest.raises(LookupError):
        travel.model_for("teleport", speed_m_per_min=Decimal(1), detour=Decimal(1))


@pytest.fixture
def places(city):
    """Two Panlong communities 300 m and 3 km from a service station."""
    near, far = city.panlong_community, city.panlong_community2
    Region.objects.filter(pk=near.pk).update(lat=Decimal("25.050000"), lng=Decimal("102.720000"))
    Region.objects.filter(pk=far.pk).update(lat=Decimal("25.077000"), lng=Decimal("102.720000"))
    OrganisationFactory(
        region=city.panlong_street,
        name="白塔社区养老服务站",
        kind=Organisation.Kind.COMMUNITY_STATION,
        lat=Decimal("25.052700"),
        lng=Decimal("102.720000"),
    )
    for _ in range(3):
        ElderFactory(region=far)
    ElderFactory(region=near)
    return near, far


def test_a_community_is_inside_when_a_station_is_within_the_minutes(city, places):
    near, far = places
    officer = UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong)
    report = circle.service_circle(actor=officer)
    rows = {c.code: c for c in report.communities}
    assert rows[near.code].covered and rows[near.code].nearest.name == "白塔社区养老服务站"
    assert rows[near.code].nearest.minutes == pytest.approx(300 * 1.3 / 50, abs=0.3)
    assert not rows[far.code].covered
    assert [c.code for c in report.outside] == [far.code]
    assert report.elders_covered_share == pytest.approx(25.0)
    # a faster walker (a policy filed for the district) reaches the far one too
    ServiceCirclePolicy.objects.create(
        region_code=city.panlong.code,
        effective_from="2020-01-01",
        minutes=15,
        speed_m_per_min=Decimal("250"),
        detour=Decimal("1.00"),
    )
    assert not circle.service_circle(actor=officer).outside


def test_the_circle_page_lists_the_communities_outside_and_draws_them(client, city, places):
    _near, far = places
    client.force_login(UserFactory(role=Role.HEALTH, region=city.panlong))
    page = client.get(reverse("orders:circle")).content.decode()
    assert far.name in page and 'class="out"' in page and 'class="in"' in page
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    with pytest.raises(PermissionDenied):
        circle.service_circle(actor=UserFactory(role=Role.PROVIDER, region=city.panlong))
