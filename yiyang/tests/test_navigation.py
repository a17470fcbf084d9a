"""Every menu entry of every role opens, and each role's menu holds only what it may do."""

import pytest
from django.urls import reverse

from yiyang.accounts.navigation import NAVIGATION, navigation_for
from yiyang.accounts.roles import ELDER_ROLES, ORGANISATION_ROLES, Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.tests.factories import ElderFactory


def test_every_navigation_entry_resolves():
    for name, _label, _cap in NAVIGATION:
        assert reverse(name)


def _user_for(role, city):
    org = OrganisationFactory(region=city.panlong_street) if role in ORGANISATION_ROLES else None
    elder = ElderFactory(region=city.panlong_community) if role in ELDER_ROLES else None
    region = city.panlong_community if role in ELDER_ROLES else city.panlong
    return UserFactory(role=role, region=region, organisation=org, elder=elder)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_every_page_of_its_menu(client, city, role):
    user = _user_for(role, city)
    client.force_login(user)
    names = [name for name, _label in navigation_for(user)]
    assert "home" in names
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 200, (role, name, response.status_code)


@pytest.mark.parametrize("role", list(Role))
def test_menu_entries_need_their_capability(city, role):
    user = _user_for(role, city)
    shown = {name for name, _label in navigation_for(user)}
    for name, _label, cap in NAVIGATION:
        assert (name in shown) == (cap is None or user.has_capability(cap))
