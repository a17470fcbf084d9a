"""The OpenAPI document lists every endpoint with its security, and /api/docs works offline."""

import re

import pytest

from yiyang.accounts.roles import Role
from yiyang.accounts.services import api_key_create
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.error_codes import error_codes, error_codes_table

EXPECTED = {
    ("get", "/api/v1/health"),
    ("get", "/api/v1/orders"),
    ("post", "/api/v1/orders"),
    ("get", "/api/v1/orders/{order_id}"),
    ("post", "/api/v1/orders/{order_id}/{step}"),
    ("get", "/api/v1/regions/{code}"),
    ("get", "/api/v1/regions/{code}/children"),
    ("get", "/api/v1/organisations"),
    ("post", "/api/v1/organisations"),
    ("get", "/api/v1/organisations/{organisation_id}"),
    ("put", "/api/v1/organisations/{organisation_id}"),
    ("get", "/api/v1/elders"),
    ("post", "/api/v1/elders"),
    ("get", "/api/v1/elders/{elder_id}"),
    ("put", "/api/v1/elders/{elder_id}"),
    ("post", "/api/v1/elders/{elder_id}/status"),
    ("post", "/api/v1/elders/{elder_id}/reveal-id"),
    ("get", "/api/v1/elders/{elder_id}/health"),
    ("get", "/api/v1/elders/{elder_id}/facts"),
    ("get", "/api/v1/elders/{elder_id}/guardians"),
    ("post", "/api/v1/elders/{elder_id}/guardians"),
    ("get", "/api/v1/service-items"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/assessments"),
    ("post", "/api/v1/assessments"),
    ("get", "/api/v1/assessments/{case_id}"),
    ("post", "/api/v1/assessments/{case_id}/accept"),
    ("post", "/api/v1/assessments/{case_id}/refuse"),
    ("post", "/api/v1/assessments/grade/{instrument}"),
}


@pytest.fixture
def staff(client, city):
    client.force_login(UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong))
    return client


@pytest.fixture
def schema(staff):
    response = staff.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    return {(m, p): op for p, methods in schema["paths"].items() for m, op in methods.items()}


def test_the_document_lists_every_endpoint(schema):
    assert set(operations(schema)) == EXPECTED


def test_every_endpoint_but_health_requires_a_key_or_a_session(schema):
    for (method, path), op in operations(schema).items():
        if path == "/api/v1/health":
            assert "security" not in op
            assert op["tags"] == ["public"]
            continue
        assert op["security"] == [{"KeyAuth": []}, {"StaffSession": []}], (method, path)
        assert "x-capability" in op, (method, path)
        for status in ("401", "403", "422"):
            assert status in op["responses"], (method, path, status)


def test_the_security_schemes_are_described(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["KeyAuth"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert schemes["StaffSession"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}


def test_the_capabilities_are_the_ones_the_endpoints_check(schema):
    ops = operations(schema)
    assert ops[("get", "/api/v1/elders")]["x-capability"] == "elders.view"
    assert ops[("post", "/api/v1/elders/{elder_id}/reveal-id")]["x-capability"] == (
        "elders.reveal_id"
    )
    assert ops[("get", "/api/v1/elders/{elder_id}/health")]["x-capability"] == "elders.health"
    assert ops[("put", "/api/v1/organisations/{organisation_id}")]["x-capability"] == "orgs.edit"
    assert ops[("get", "/api/v1/regions/{code}")]["x-capability"] is None


def test_the_description_lists_every_error_code_from_the_classes(schema):
    description = schema["info"]["description"]
    assert error_codes_table() in description
    for entry in error_codes():
        assert f"| `{entry.code}` | {entry.status} |" in description


@pytest.mark.parametrize("path", ["/api/openapi.json", "/api/docs"])
def test_the_document_and_the_docs_need_a_key_or_a_staff_session(client, city, path):
    # without credentials: 401, with the refusal body; health stays public
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert client.get("/api/v1/health").status_code == 200
    # a wrong key is refused, not ignored
    assert client.get(path, headers={"X-API-Key": "yy_00000000_nope"}).status_code == 401
    # an older person's or a family's session is no staff session
    family = UserFactory(role=Role.FAMILY, region=city.panlong_community)
    client.force_login(family)
    response = client.get(path)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    client.logout()
    # a third party's key and a staff session may read it
    officer = UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong)
    _key, token = api_key_create(
        actor=officer, name="社区系统", scopes=["elders.view"], region=city.panlong
    )
    assert client.get(path, headers={"X-API-Key": token}).status_code == 200
    client.force_login(officer)
    assert client.get(path).status_code == 200


def test_the_docs_page_loads_with_local_assets_only(staff):
    client = staff
    # given a government intranet without internet
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    # then every script and stylesheet comes from the platform itself
    assets = re.findall(r'<(?:script|link)[^>]*?(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        assert client.get(asset).status_code == 200, asset
    assert "cdn" not in html.lower()
    assert not re.search(r'(?:src|href)="https?:', html)
    # and Swagger UI does not fetch its validator badge from swagger.io
    assert '"validatorUrl": null' in html


def test_the_swagger_init_script_calls_no_outside_address(client, db):
    script = client.get("/static/ninja/swagger-ui-init.js")
    assert script.status_code == 200
    body = b"".join(script.streaming_content) if script.streaming else script.content
    assert b"http://" not in body and b"https://" not in body
