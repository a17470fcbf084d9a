import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.exceptions import NotFound
from yiyang.core.scoping import code_prefix_lookup, scoped, scoped_get
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.models import Elder
from yiyang.people.tests.factories import ElderFactory


def test_district_officers_see_only_their_own_district(city):
    mine = ElderFactory(region=city.panlong_community)
    theirs = ElderFactory(region=city.wuhua_community)
    panlong = UserFactory(region=city.panlong)
    wuhua = UserFactory(region=city.wuhua)
    assert list(scoped(Elder.objects.all(), panlong)) == [mine]
    assert list(scoped(Elder.objects.all(), wuhua)) == [theirs]
    with pytest.raises(NotFound):
        scoped_get(Elder.objects.all(), panlong, pk=theirs.pk)


def test_city_officer_sees_every_district(city):
    ElderFactory(region=city.panlong_community)
    ElderFactory(region=city.wuhua_community)
    officer = UserFactory(region=city.city)
    assert scoped(Elder.objects.all(), officer).count() == 2


def test_provider_staff_see_only_their_organisation_residents(city):
    home = OrganisationFactory(region=city.panlong_street)
    other = OrganisationFactory(region=city.panlong_street)
    resident = ElderFactory(
        region=city.panlong_community, institution=home, living_arrangement="institution"
    )
    ElderFactory(region=city.panlong_community, institution=other, living_arrangement="institution")
    ElderFactory(region=city.panlong_community)
    staff = UserFactory(region=city.panlong, role=Role.PROVIDER, organisation=home)
    assert list(scoped(Elder.objects.all(), staff)) == [resident]


def test_a_guardian_sees_their_ward_and_nobody_else(city):
    from yiyang.people.models import Guardian

    ward = ElderFactory(region=city.panlong_community)
    ElderFactory(region=city.panlong_community)
    family = UserFactory(region=city.panlong_community, role=Role.FAMILY)
    Guardian.objects.create(
        elder=ward, name="女儿", relation="child", phone="13800000000", account=family
    )
    assert list(scoped(Elder.objects.all(), family)) == [ward]


def test_inactive_or_anonymous_actors_see_nothing(city):
    from django.contrib.auth.models import AnonymousUser

    ElderFactory(region=city.panlong_community)
    officer = UserFactory(region=city.panlong, is_active=False)
    assert scoped(Elder.objects.all(), officer).count() == 0
    assert scoped(Elder.objects.all(), AnonymousUser()).count() == 0


def test_administrators_of_the_three_roles_read_no_elders(city):
    ElderFactory(region=city.panlong_community)
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        admin = UserFactory(region=city.panlong, role=role)
        assert not admin.has_capability("elders.view")


@given(
    prefix=st.text(alphabet="0123456789", min_size=1, max_size=12),
    code=st.text(alphabet="0123456789", min_size=1, max_size=12),
)
def test_the_code_range_selects_exactly_the_codes_under_the_prefix(prefix, code):
    lookup = code_prefix_lookup("region_code", prefix)
    inside = code >= lookup["region_code__gte"] and (
        "region_code__lt" not in lookup or code < lookup["region_code__lt"]
    )
    assert inside == code.startswith(prefix)


def test_the_code_range_filters_the_database_like_a_prefix(city):
    ElderFactory(region=city.panlong_community)
    ElderFactory(region=city.wuhua_community)
    for prefix in ("53", "5301", "530103", "530103001", "530102001001", "9"):
        by_range = set(Elder.objects.filter(**code_prefix_lookup("region_code", prefix)))
        by_like = set(Elder.objects.filter(region_code__startswith=prefix))
        assert by_range == by_like
