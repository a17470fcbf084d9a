"""Browsing the division tree, and the region choices the console's forms and filters offer."""

import pytest
from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.exceptions import NotFound, PermissionDenied
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.regions import selectors
from yiyang.regions.models import Region


@pytest.fixture
def admin(city):
    return UserFactory(region=city.panlong, role=Role.SYSTEM_ADMIN)


@pytest.fixture
def officer(city):
    return UserFactory(region=city.panlong, role=Role.CIVIL_AFFAIRS)


# --- selectors -------------------------------------------------------------------------------


def test_browsing_starts_at_the_actors_own_region(city, officer):
    view = selectors.region_browse(actor=officer)
    assert view.node == city.panlong
    assert [r.code for r, _may in view.path] == ["53", "5301", "530103"]
    assert [may for _r, may in view.path] == [False, False, True]
    assert [c.code for c in view.children] == [city.panlong_street.code]
    assert view.children[0].n_children == 2


def test_browsing_goes_down_but_never_up_or_sideways(city, officer):
    view = selectors.region_browse(actor=officer, code=city.panlong_street.code)
    assert {c.code for c in view.children} == {
        city.panlong_community.code,
        city.panlong_community2.code,
    }
    for code in ("5301", "53", city.wuhua.code, city.wuhua_community.code):
        with pytest.raises(NotFound):
            selectors.region_browse(actor=officer, code=code)


@pytest.mark.parametrize("code", ["", "abc", "5301039999999999", "530103999"])
def test_a_garbled_or_unknown_code_is_not_found(city, officer, code):
    if code == "":
        assert selectors.region_browse(actor=officer, code=code).node == city.panlong
        return
    with pytest.raises(NotFound):
        selectors.region_browse(actor=officer, code=code)


def test_provider_staff_and_older_people_may_not_browse(city):
    home = OrganisationFactory(region=city.panlong_street)
    for actor in (
        UserFactory(region=city.panlong, role=Role.PROVIDER, organisation=home),
        UserFactory(region=city.panlong_community, role=Role.ELDER),
    ):
        assert not selectors.region_may_browse(actor)
        with pytest.raises(PermissionDenied):
            selectors.region_browse(actor=actor)


def test_community_choices_are_grouped_by_street_and_stay_in_scope(city, officer):
    groups = selectors.community_choices(officer)
    assert groups == [
        (
            "拓东街道",
            [
                (city.panlong_community.code, city.panlong_community.name),
                (city.panlong_community2.code, city.panlong_community2.name),
            ],
        )
    ]


def test_a_city_officer_sees_the_district_in_the_group_label(city):
    city_officer = UserFactory(region=city.city)
    labels = [label for label, _options in selectors.community_choices(city_officer)]
    assert labels == ["五华区 · 华山街道", "盘龙区 · 拓东街道"]


def test_retired_communities_are_not_offered(city, officer):
    Region.objects.filter(pk=city.panlong_community2.pk).update(is_active=False)
    (_label, options), *_ = selectors.community_choices(officer)
    assert [code for code, _name in options] == [city.panlong_community.code]


def test_the_list_filter_offers_the_two_levels_below_the_actor(city, officer):
    codes = [code for code, _label in selectors.region_filter_choices(officer)]
    assert codes == [
        city.panlong_street.code,
        city.panlong_community.code,
        city.panlong_community2.code,
    ]
    city_codes = [
        code for code, _l in selectors.region_filter_choices(UserFactory(region=city.city))
    ]
    assert city_codes == [
        city.wuhua.code,
        city.wuhua_street.code,
        city.panlong.code,
        city.panlong_street.code,
    ]


def test_actors_scoped_by_organisation_or_person_get_no_region_choices(city):
    home = OrganisationFactory(region=city.panlong_street)
    provider = UserFactory(region=city.panlong, role=Role.PROVIDER, organisation=home)
    assert selectors.community_choices(provider) == []
    assert selectors.region_filter_choices(provider) == []
    assert selectors.region_choices(provider) == []


def test_region_choices_for_organisations_run_from_the_district_down(city, officer):
    assert [code for code, _label in selectors.region_choices(officer)] == [
        city.panlong.code,
        city.panlong_street.code,
        city.panlong_community.code,
        city.panlong_community2.code,
    ]


# --- pages -----------------------------------------------------------------------------------


def test_the_system_administrator_browses_from_the_menu(client, city, admin):
    client.force_login(admin)
    home = client.get(reverse("home")).content.decode()
    assert reverse("regions:browse") in home
    response = client.get(reverse("regions:browse"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "盘龙区" in body and "拓东街道" in body and city.panlong_street.code in body
    assert reverse("regions:browse_node", args=[city.panlong_street.code]) in body


def test_a_district_officer_browses_down_to_the_communities(client, city, officer):
    client.force_login(officer)
    response = client.get(reverse("regions:browse_node", args=[city.panlong_street.code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "尚义社区居委会" in body and "明通巷社区居委会" in body
    assert city.panlong_community.code in body
    # the breadcrumbs link back to the district but not above it
    assert reverse("regions:browse_node", args=[city.panlong.code]) in body
    assert reverse("regions:browse_node", args=["5301"]) not in body


def test_a_wuhua_officer_cannot_browse_panlong(client, city):
    outsider = UserFactory(region=city.wuhua)
    client.force_login(outsider)
    url = reverse("regions:browse_node", args=[city.panlong_street.code])
    assert client.get(url).status_code == 404
    assert client.get(reverse("regions:browse_node", args=["5301"])).status_code == 404


def test_garbled_codes_in_the_url_are_404(client, officer):
    client.force_login(officer)
    for code in ("abc", "530103%25", "1" * 40):
        assert client.get(f"/regions/{code}/").status_code == 404


def test_provider_staff_are_refused(client, city):
    home = OrganisationFactory(region=city.panlong_street)
    staff = UserFactory(region=city.panlong, role=Role.PROVIDER, organisation=home)
    client.force_login(staff)
    assert client.get(reverse("regions:browse")).status_code == 403


def test_the_menu_shows_regions_only_to_those_who_manage_them(client, officer):
    client.force_login(officer)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("regions:browse")}"' not in home
    assert f'href="{reverse("people:list")}"' in home
    assert f'href="{reverse("institutions:list")}"' in home
