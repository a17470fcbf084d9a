"""Every menu entry of every role opens, and each role's menu holds only what it may do."""

import pytest
from django.urls import reverse

from yiyang.accounts.roles import ELDER_ROLES, ORGANISATION_ROLES, Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core import registry
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.tests.factories import ElderFactory


def test_every_menu_entry_resolves():
    entries = registry.menu_entries()
    assert len(entries) > 10
    for entry in entries:
        assert reverse(entry.url_name)


def _user_for(role, city):
    org = OrganisationFactory(region=city.panlong_street) if role in ORGANISATION_ROLES else None
    elder = ElderFactory(region=city.panlong_community) if role in ELDER_ROLES else None
    region = city.panlong_community if role in ELDER_ROLES else city.panlong
    return UserFactory(role=role, region=region, organisation=org, elder=elder)


def _shown(user) -> list[str]:
    return [e.url_name for s in registry.menu_for(user) for e in s.entries]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_every_page_of_its_menu(client, city, role):
    user = _user_for(role, city)
    client.force_login(user)
    names = _shown(user)
    assert "home" in names
    for name in names:
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200, (role, name, response.status_code)


@pytest.mark.parametrize("role", list(Role))
def test_menu_entries_need_their_capability(city, role):
    user = _user_for(role, city)
    shown = set(_shown(user))
    for entry in registry.menu_entries():
        allowed = entry.capability is None or user.has_capability(entry.capability)
        assert (entry.url_name in shown) == allowed


def test_the_menu_is_grouped_in_sections_on_the_page(client, city):
    client.force_login(_user_for(Role.CIVIL_AFFAIRS, city))
    page = client.get(reverse("home")).content.decode()
    assert 'class="nav-section"' in page
    # each of the officer's sections names itself once, in Chinese
    for label in ("基础档案", "能力评估", "数据管理"):
        assert page.count(label) >= 1


def test_no_page_is_in_the_menu_twice():
    names = [entry.url_name for entry in registry.menu_entries()]
    assert len(names) == len(set(names))
