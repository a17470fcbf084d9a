"""三员分立: the system, security and audit administrators each do their own work only, and
none of them reads the registry."""

import contextlib

import pytest
from django.urls import NoReverseMatch, reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.exceptions import PermissionDenied
from yiyang.people.selectors import elder_list
from yiyang.people.tests.factories import ElderFactory

PAGES = {
    "accounts.manage": ["accounts:users", "accounts:user_create"],
    "api_keys.manage": ["accounts:api_keys"],
    "events.manage": ["events:list"],
    "security.manage": ["accounts:security"],
    "audit.view": ["supervision:audit", "supervision:audit_export"],
}
OWN = {
    Role.SYSTEM_ADMIN: {"accounts.manage", "api_keys.manage", "events.manage"},
    Role.SECURITY_ADMIN: {"security.manage"},
    Role.AUDIT_ADMIN: {"audit.view"},
}


def _registry_pages() -> list[str]:
    pages = []
    for name in ("people:list", "institutions:list"):
        with contextlib.suppress(NoReverseMatch):
            pages.append(reverse(name))
    return pages


@pytest.mark.parametrize("role", list(OWN))
def test_each_administrator_opens_their_own_pages_and_no_other(client, city, role):
    admin = UserFactory(role=role, region=city.panlong)
    client.force_login(admin)
    for capability, names in PAGES.items():
        for name in names:
            status = client.get(reverse(name)).status_code
            if capability in OWN[role]:
                assert status == 200, (role, name)
            else:
                assert status == 403, (role, name, status)


@pytest.mark.parametrize("role", list(OWN))
def test_no_administrator_reads_the_registry(client, city, role):
    ElderFactory(region=city.panlong_community)
    admin = UserFactory(role=role, region=city.panlong)
    for capability in ("elders.view", "elders.health", "elders.reveal_id", "orgs.view"):
        assert not admin.has_capability(capability)
    with pytest.raises(PermissionDenied):
        elder_list(actor=admin)
    client.force_login(admin)
    for url in _registry_pages():
        assert client.get(url).status_code in (403, 404), url


def test_officers_open_none_of_the_administrators_pages(client, city):
    officer = UserFactory(role=Role.HEALTH, region=city.panlong)
    client.force_login(officer)
    for names in (PAGES["accounts.manage"], PAGES["security.manage"], PAGES["audit.view"]):
        for name in names:
            assert client.get(reverse(name)).status_code == 403


def test_administrators_changes_to_the_policy_and_keys_need_a_post_of_their_own(
    client, city, panlong_admin
):
    client.force_login(panlong_admin)
    response = client.post(
        reverse("accounts:security"),
        {
            "max_failed_logins": "1",
            "lockout_minutes": "1",
            "password_max_age_days": "1",
            "effective_from": "2099-01-01",
        },
    )
    assert response.status_code == 403


def test_the_menu_shows_each_administrator_their_own_entries(city):
    from yiyang.core import registry

    def menu(role):
        user = UserFactory(role=role, region=city.panlong)
        return {e.url_name for s in registry.menu_for(user) for e in s.entries}

    assert {"accounts:users", "accounts:api_keys"} <= menu(Role.SYSTEM_ADMIN)
    assert "supervision:audit" not in menu(Role.SYSTEM_ADMIN)
    assert "accounts:security" in menu(Role.SECURITY_ADMIN)
    assert "supervision:audit" not in menu(Role.SECURITY_ADMIN)
    assert menu(Role.AUDIT_ADMIN) & {"accounts:users", "accounts:security"} == set()
    assert "supervision:audit" in menu(Role.AUDIT_ADMIN)
