"""Who may call what: every endpoint refuses the anonymous caller (401) and a key without the
endpoint's capability (403), reading the list of endpoints from the OpenAPI document itself."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.accounts.models import ApiKey
from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.api.api import api as ninja_api

from .conftest import Api, error

PUBLIC = {("get", "/api/v1/health")}


def _operations():
    schema = ninja_api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            yield method, path, op


OPERATIONS = sorted((m, p, op.get("x-capability")) for m, p, op in _operations())
GUARDED = [(m, p, cap) for m, p, cap in OPERATIONS if (m, p) not in PUBLIC]


def _fill(path: str) -> str:
    return (
        path.replace("{elder_id}", "1")
        .replace("{organisation_id}", "1")
        .replace("{code}", "530102")
    )


def _call(client: Api, method: str, path: str):
    if method == "get":
        return client.get(_fill(path))
    if method == "put":
        return client.put(_fill(path), {})
    return client.post(_fill(path), {})


@pytest.mark.parametrize(("method", "path", "capability"), GUARDED)
def test_every_endpoint_refuses_a_caller_without_credentials(anonymous, method, path, capability):
    # given no key and no session / when calling / then 401 "unauthenticated"
    response = _call(anonymous, method, path)
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"


@pytest.mark.parametrize(("method", "path", "capability"), GUARDED)
def test_every_endpoint_refuses_a_wrong_key(client, city, method, path, capability):
    response = _call(Api(client, {"X-API-Key": "yy_00000000_not-a-real-secret"}), method, path)
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("method", "path", "capability"), [op for op in GUARDED if op[2] is not None]
)
def test_every_endpoint_refuses_a_key_without_its_capability(key_without, method, path, capability):
    # given a valid Wuhua key holding every scope but this endpoint's
    caller = key_without(capability)
    # when it calls the endpoint (even with an empty body: the scope is checked first)
    response = _call(caller, method, path)
    # then 403 "forbidden"
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"


def test_every_guarded_endpoint_names_a_known_capability_or_none():
    from yiyang.core import registry

    assert all(registry.is_declared(cap) for _m, _p, cap in GUARDED if cap is not None)


def test_health_is_public(anonymous):
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_revoked_key_is_refused(make_key, client, wuhua):
    token = make_key()
    ApiKey.objects.filter(prefix=token.split("_")[1]).update(is_active=False)
    response = Api(client, {"X-API-Key": token}).get("/elders")
    assert response.status_code == 401


def test_an_expired_key_is_refused(make_key, client, wuhua):
    token = make_key()
    ApiKey.objects.filter(prefix=token.split("_")[1]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert Api(client, {"X-API-Key": token}).get("/elders").status_code == 401


def test_a_key_with_a_right_prefix_and_a_wrong_secret_is_refused(make_key, client, wuhua):
    token = make_key()
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert Api(client, {"X-API-Key": forged}).get("/elders").status_code == 401


def test_a_wrong_key_is_refused_even_beside_a_valid_session(client, wuhua_officer, wuhua):
    # A third party must learn that its key is dead, not ride on someone's session.
    client.force_login(wuhua_officer)
    response = Api(client, {"X-API-Key": "yy_deadbeef_nope"}).get("/elders")
    assert response.status_code == 401


def test_a_session_user_uses_the_capabilities_of_their_role(client, city, wuhua):
    # given an audit administrator: they read the audit trail, never the registry
    auditor = UserFactory(role=Role.AUDIT_ADMIN, region=city.wuhua)
    client.force_login(auditor)
    # when they ask for older people / then 403, but /me answers
    response = Api(client).get("/elders")
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"
    assert Api(client).get("/me").status_code == 200


def test_a_key_can_never_reveal_an_id_number_or_read_health_data(api, wuhua):
    # ID reveal and health data are never granted to a machine (no capability of theirs is declared with api=True).
    elder = wuhua["elder"]
    assert api.post(f"/elders/{elder.id}/reveal-id", {"reason": "核对身份"}).status_code == 403
    assert api.get(f"/elders/{elder.id}/health").status_code == 403


class TestCsrf:
    @pytest.fixture
    def strict(self, wuhua_officer):
        client = Client(enforce_csrf_checks=True)
        client.force_login(wuhua_officer)
        return client

    def _guardian(self):
        return {"name": "李明", "relation": "child", "phone": "13800000002"}

    def test_a_session_post_without_the_csrf_token_is_refused(self, strict, wuhua):
        # given a signed-in officer whose browser sends no CSRF token
        elder = wuhua["elder"]
        # when posting / then 403 "csrf_failed" and nothing is written
        response = Api(strict).post(f"/elders/{elder.id}/guardians", self._guardian())
        assert response.status_code == 403
        assert error(response)["code"] == "csrf_failed"
        assert not elder.guardians.exists()

    def test_a_session_post_with_the_csrf_token_is_accepted(self, strict, wuhua):
        elder = wuhua["elder"]
        strict.get("/api/docs")  # the docs page sets the CSRF cookie, like any console page
        token = strict.cookies["csrftoken"].value
        response = Api(strict, {"X-CSRFToken": token}).post(
            f"/elders/{elder.id}/guardians", self._guardian()
        )
        assert response.status_code == 201, response.content
        assert elder.guardians.count() == 1

    def test_a_session_get_needs_no_csrf_token(self, strict, wuhua):
        assert Api(strict).get("/elders").status_code == 200

    def test_a_key_needs_no_csrf_token(self, make_key, wuhua):
        client = Client(enforce_csrf_checks=True)
        caller = Api(client, {"X-API-Key": make_key()})
        response = caller.post(f"/elders/{wuhua['elder'].id}/guardians", self._guardian())
        assert response.status_code == 201

    def test_an_anonymous_post_is_unauthenticated_not_a_csrf_failure(self, wuhua):
        response = Api(Client(enforce_csrf_checks=True)).post("/elders", {})
        assert response.status_code == 401
