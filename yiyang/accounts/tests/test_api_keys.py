"""API keys for third parties: scopes from a fixed list, the token shown once and stored only
as a hash, revocation."""

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from yiyang.accounts import services
from yiyang.accounts.models import ApiKey
from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core import registry
from yiyang.core.exceptions import ValidationFailed


@pytest.fixture
def officer(city):
    return UserFactory(username="mz_panlong", role=Role.CIVIL_AFFAIRS, region=city.panlong)


def test_the_third_party_scopes_are_declared_capabilities_and_never_the_sensitive_ones():
    scopes = dict(registry.api_scopes())
    assert scopes and all(registry.is_declared(code) for code in scopes)
    for never in ("audit.view", "elders.reveal_id", "elders.health", "accounts.manage"):
        assert never not in scopes


def test_a_key_is_made_on_the_page_and_its_token_shown_once(client, city, officer):
    client.force_login(officer)
    # when an officer makes a key
    response = client.post(
        reverse("accounts:api_keys"),
        {"name": "社区系统", "scopes": ["elders.view", "orgs.view"], "region": city.panlong.pk},
    )
    # then the full token is on the page, once
    assert response.status_code == 200
    token = response.context["token"]
    assert token and token in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get()
    assert key.scopes == ["elders.view", "orgs.view"] and key.region_code == city.panlong.code
    # and only its hash is stored, nowhere the token itself
    _yy, prefix, secret = token.split("_", 2)
    assert key.prefix == prefix
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(v) for v in ApiKey.objects.values().get().values())
    assert secret not in stored
    # and the next visit does not show it again
    again = client.get(reverse("accounts:api_keys"))
    assert again.context["token"] is None and secret not in again.content.decode()
    assert [k.pk for k in again.context["page_obj"]] == [key.pk]


def test_a_key_signs_in_until_it_is_revoked(client, city, officer):
    key, token = services.api_key_create(
        actor=officer, name="hospital", scopes=["elders.view"], region=city.panlong
    )
    assert services.api_key_authenticate(token=token) == key
    assert client.get("/api/v1/me", HTTP_X_API_KEY=token).status_code == 200
    # when the officer revokes it on the page
    client.force_login(officer)
    response = client.post(reverse("accounts:api_key_revoke", args=[key.pk]))
    assert response.status_code == 302
    client.logout()
    # then the key no longer works
    key.refresh_from_db()
    assert not key.is_active
    assert services.api_key_authenticate(token=token) is None
    assert client.get("/api/v1/me", HTTP_X_API_KEY=token).status_code == 401


@pytest.mark.parametrize(
    "token", ["", "yy_", "yy_abc", "yy_deadbeef_wrong", "garbage", "yy_" + "x" * 500]
)
def test_a_wrong_token_is_refused(city, officer, token):
    services.api_key_create(actor=officer, name="k", scopes=["orgs.view"], region=city.panlong)
    assert services.api_key_authenticate(token=token) is None


def test_an_expired_key_is_refused(city, officer):
    key, token = services.api_key_create(
        actor=officer, name="k", scopes=["orgs.view"], region=city.panlong
    )
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.api_key_authenticate(token=token) is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "scopes": ["orgs.view"]}, "name"),
        ({"name": "k", "scopes": []}, "scopes"),
        ({"name": "k", "scopes": ["accounts.manage"]}, "scopes"),
        ({"name": "k", "scopes": ["orgs.view"], "expires_on": "2001-01-01"}, "expires_on"),
        ({"name": "k", "scopes": ["orgs.view"], "expires_on": "not-a-date"}, "expires_on"),
        ({"name": "k", "scopes": ["orgs.view"], "region": "wuhua"}, "region"),
    ],
)
def test_bad_key_input_is_refused_by_the_field(client, city, officer, data, field):
    client.force_login(officer)
    payload = {"region": city.panlong.pk, **data}
    if payload["region"] == "wuhua":
        payload["region"] = city.wuhua.pk
    response = client.post(reverse("accounts:api_keys"), payload)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ApiKey.objects.exists()


def test_nobody_grants_a_key_more_than_they_may_do_themselves(city, panlong_admin):
    # the system administrator reads no personal data, so cannot mint a key that does
    with pytest.raises(ValidationFailed) as exc:
        services.api_key_create(
            actor=panlong_admin, name="k", scopes=["elders.view"], region=city.panlong
        )
    assert "scopes" in exc.value.fields


def test_keys_of_another_district_are_neither_listed_nor_revoked(client, city, officer):
    key, _token = services.api_key_create(
        actor=officer, name="panlong", scopes=["orgs.view"], region=city.panlong
    )
    outsider = UserFactory(role=Role.CIVIL_AFFAIRS, region=city.wuhua)
    client.force_login(outsider)
    assert list(client.get(reverse("accounts:api_keys")).context["page_obj"]) == []
    assert client.post(reverse("accounts:api_key_revoke", args=[key.pk])).status_code == 404
    assert client.get(reverse("accounts:api_key_revoke", args=[key.pk])).status_code == 405
    key.refresh_from_db()
    assert key.is_active


def test_revoking_twice_writes_one_history_row(city, officer):
    from yiyang.core.models import ChangeLog

    key, _token = services.api_key_create(
        actor=officer, name="k", scopes=["orgs.view"], region=city.panlong
    )
    services.api_key_revoke(actor=officer, key_id=key.pk)
    services.api_key_revoke(actor=officer, key_id=key.pk)
    rows = ChangeLog.objects.filter(entity_type="accounts.apikey", entity_id=key.pk)
    assert rows.filter(action="update").count() == 1


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_an_expiry_outside_the_date_range_is_refused_by_the_field(client, city, officer, day):
    client.force_login(officer)
    response = client.post(
        reverse("accounts:api_keys"),
        {
            "name": "社区系统",
            "scopes": ["elders.view"],
            "region": city.panlong.pk,
            "expires_on": day,
        },
    )
    assert response.status_code in (200, 400)
    assert "expires_on" in response.context["form"].errors
    assert not ApiKey.objects.exists()


def test_an_expiry_on_the_last_day_of_the_range_is_taken(client, city, officer):
    client.force_login(officer)
    client.post(
        reverse("accounts:api_keys"),
        {
            "name": "社区系统",
            "scopes": ["elders.view"],
            "region": city.panlong.pk,
            "expires_on": "2100-12-31",
        },
    )
    assert timezone.localtime(ApiKey.objects.get().expires_at).date() == dt.date(2101, 1, 1)
