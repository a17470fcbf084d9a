"""Every code an endpoint answers with is in the documented list, with its documented status.

The walk reads the operations from the OpenAPI document, so an endpoint added later is walked
too: each is called without credentials, without its capability, with ids and bodies that make
no sense, and with a method it does not take.
"""

import re

import pytest
from django.test import Client, override_settings

from yiyang.core.error_codes import error_codes

from .conftest import Api, error

DOCUMENTED = {(e.code, e.status) for e in error_codes()}
BAD_IDS = ["0", "x", "9223372036854775807", "-1"]
BAD_BODIES = ["{bad", "", "[]", "{}", '{"version": "x"}']


def assert_documented(response) -> str:
    """The answer is a refusal body whose code and status the list documents."""
    assert response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = error(response)
    assert (body["code"], response.status_code) in DOCUMENTED, (body, response.status_code)
    return body["code"]


@pytest.fixture
def operations(city):
    from django.test import Client

    from yiyang.accounts.tests.factories import UserFactory

    reader = Client()
    reader.force_login(UserFactory(region=city.panlong))
    schema = reader.get("/api/openapi.json").json()
    return [
        (method, path, op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
        if path != "/api/v1/health"
    ]


def _filled(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def _call(caller: Api, method: str, path: str, body: str | None = None):
    send = getattr(caller.client, method)
    if method == "get":
        return send(path, headers=caller.headers)
    return send(path, body or "{}", content_type="application/json", headers=caller.headers)


def test_every_endpoint_refuses_a_caller_without_credentials_in_a_documented_way(
    anonymous, operations, wuhua
):
    for method, path, _op in operations:
        response = _call(anonymous, method, _filled(path, str(wuhua["elder"].id)))
        assert assert_documented(response) == "unauthenticated", (method, path)


def test_every_endpoint_refuses_a_key_without_its_capability_in_a_documented_way(
    key_without, operations, wuhua
):
    for method, path, op in operations:
        capability = op.get("x-capability")
        if not capability:
            continue
        caller = key_without(capability)
        response = _call(caller, method, _filled(path, str(wuhua["elder"].id)))
        assert assert_documented(response) == "forbidden", (method, path)


def test_every_endpoint_answers_nonsense_with_a_documented_code(session, operations, wuhua):
    # given a signed-in officer (sessions may use every endpoint their role allows)
    seen = set()
    for method, path, _op in operations:
        for value in BAD_IDS if "{" in path else [""]:
            target = _filled(path, value)
            if method == "get":
                seen.add(assert_documented_or_ok(_call(session, method, target)))
                continue
            for body in BAD_BODIES:
                seen.add(assert_documented_or_ok(_call(session, method, target, body)))
    # then the walk met the refusals of the request itself
    assert {"invalid", "malformed_json", "not_found"} <= seen, seen


def assert_documented_or_ok(response) -> str:
    if response.status_code < 300:
        return "ok"
    return assert_documented(response)


def test_every_endpoint_answers_a_method_it_does_not_take_with_a_documented_code(api, operations):
    paths = {path for _method, path, _op in operations}
    for path in paths:
        taken = {m for m, p, _op in operations if p == path}
        for method in {"delete", "patch", "put", "post"} - taken:
            response = _call(api, method, _filled(path, "1"))
            assert assert_documented(response) == "method_not_allowed", (method, path)


def test_an_unknown_address_and_a_stale_cursor_are_documented(api, wuhua):
    assert assert_documented(api.get("/api/v1/no-such-list")) == "not_found"
    assert assert_documented(api.get("/elders", {"cursor": "forged"})) == "bad_cursor"
    assert assert_documented(api.get("/elders", {"limit": 0})) in {"invalid"}


def test_grading_refusals_are_documented(api):
    assert assert_documented(api.post("/assessments/grade/no-such-standard", {"items": {}})) == (
        "unknown_instrument"
    )
    response = api.post("/assessments/grade/ltc-2021", {"items": {"ADL1": 7}})
    assert assert_documented(response) in {"bad_score", "missing_item"}


def test_a_session_post_without_its_csrf_token_is_documented(wuhua_officer, wuhua):
    client = Client(enforce_csrf_checks=True)
    client.force_login(wuhua_officer)
    response = Api(client).post(f"/elders/{wuhua['elder'].id}/guardians", {"name": "李明"})
    assert assert_documented(response) == "csrf_failed"


@override_settings(ROOT_URLCONF="yiyang.tests.faulty_urls")
def test_a_bug_under_the_api_answers_json_with_the_documented_server_error(city):
    # given an endpoint with a bug, and a client that gets the answer instead of the exception
    client = Client(raise_request_exception=False)
    # when it is called
    response = client.get("/api/v1/broken")
    # then the answer is the JSON refusal body, never an HTML page
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = error(response)
    assert body["code"] == "server_error"
    assert (body["code"], 500) in DOCUMENTED
    assert "<html" not in response.content.decode()
