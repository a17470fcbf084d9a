"""Walk every GET endpoint of the OpenAPI document as a Wuhua caller, with every path
parameter set to a Panlong row: nothing of Panlong's may come back.

New endpoints join the walk by themselves; a path parameter the walk cannot fill fails the
test, so that whoever adds one must say here which outsider row it takes.
"""

import re

import pytest

from yiyang.api.api import api as ninja_api
from yiyang.api.tests.conftest import Api, leaked

# Regions are the public division tree (reference data, no personal or organisation data):
# a Panlong code answers 200 with the division itself, which is not a leak.
REFERENCE = {"/api/v1/regions/{code}", "/api/v1/regions/{code}/children"}


def _get_operations():
    schema = ninja_api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        if "get" in methods:
            yield path, methods["get"]


GET_OPERATIONS = sorted(_get_operations(), key=lambda item: item[0])


def _fill(path: str, panlong: dict, city) -> str:
    values = {
        "elder_id": panlong["elder"].id,
        "organisation_id": panlong["org"].id,
        "case_id": panlong["assessment"].id,
        "order_id": panlong["order"].id,
        "code": city.panlong.code,
    }

    def value(match):
        name = match.group(1)
        assert name in values, f"the walk does not know how to fill {{{name}}} in {path}"
        return str(values[name])

    return re.sub(r"\{(\w+)\}", value, path)


def _callers(client, make_key, wuhua_officer):
    key = Api(client.__class__(), {"X-API-Key": make_key()})
    session_client = client.__class__()
    session_client.force_login(wuhua_officer)
    return {"key": key, "session": Api(session_client)}


@pytest.mark.parametrize(("path", "op"), GET_OPERATIONS, ids=[p for p, _op in GET_OPERATIONS])
def test_no_get_endpoint_shows_panlong_to_wuhua(
    client, make_key, wuhua_officer, city, wuhua, panlong, path, op
):
    capability = op.get("x-capability")
    for name, caller in _callers(client, make_key, wuhua_officer).items():
        url = _fill(path, panlong, city)
        params_in_query = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        queries = [{}]
        if "region" in params_in_query:
            queries.append({"region": city.panlong.code})  # asking for Panlong outright
        if "q" in params_in_query:
            queries.append({"q": "盘龙"})
        for query in queries:
            response = caller.get(url, query)
            assert response.status_code < 500, (name, url, query)
            assert not leaked(response), (name, url, query, leaked(response))
            if response.status_code == 403:
                # only a key, and only for a capability never granted to machines
                assert name == "key" and capability in {"elders.health", "elders.reveal_id"}
                continue
            if path in REFERENCE:
                assert response.status_code == 200
                continue
            if "{" in path:
                assert response.status_code == 404, (name, url, response.content)
                assert response.json()["code"] == "not_found"
            else:
                assert response.status_code == 200, (name, url, response.content)
                _assert_no_panlong_rows(response.json())


def _assert_no_panlong_rows(body):
    items = body.get("items", []) if isinstance(body, dict) else body
    for row in items if isinstance(items, list) else []:
        if isinstance(row, dict) and "region_code" in row:
            assert not row["region_code"].startswith("530103"), row


def test_the_walk_covers_the_lists_and_details_of_elders_and_organisations():
    paths = {p for p, _op in GET_OPERATIONS}
    assert {
        "/api/v1/elders",
        "/api/v1/elders/{elder_id}",
        "/api/v1/elders/{elder_id}/health",
        "/api/v1/elders/{elder_id}/guardians",
        "/api/v1/organisations",
        "/api/v1/organisations/{organisation_id}",
    } <= paths
