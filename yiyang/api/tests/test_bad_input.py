"""Bad input of every kind gets a clean 4xx with a code, never a 500."""

import pytest

from yiyang.people.models import Elder

from .conftest import Api, error

WRITES = [
    ("post", "/elders"),
    ("put", "/elders/{id}"),
    ("post", "/elders/{id}/status"),
    ("post", "/elders/{id}/reveal-id"),
    ("post", "/elders/{id}/guardians"),
    ("post", "/organisations"),
    ("put", "/organisations/{id}"),
]


def _send(caller: Api, method: str, path: str, raw: str, content_type="application/json"):
    call = caller.client.post if method == "post" else caller.client.put
    return call("/api/v1" + path, raw, content_type=content_type, headers=caller.headers)


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize(
    "raw", ["{bad", "", "[1, 2]", '"text"', "null", '{"name": "\\ud800"}', "{" * 5000]
)
def test_a_body_that_is_not_a_json_object_is_refused(session, wuhua, method, path, raw):
    target = path.replace("{id}", str(wuhua["elder"].id if "elders" in path else wuhua["org"].id))
    response = _send(session, method, target, raw)
    assert 400 <= response.status_code < 500, response.content
    assert error(response)["code"] in {"invalid", "malformed_json"}


def test_malformed_json_has_its_own_code(api, wuhua):
    response = api.post("/elders", raw="{'name': 1}")
    assert response.status_code == 400
    body = error(response)
    assert body["code"] == "malformed_json"
    assert list(body["fields"]) == ["body"]


def test_a_body_that_is_not_utf8_is_refused(api, wuhua):
    response = api.client.post(
        "/api/v1/elders", b"\xff\xfe{", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400
    assert error(response)["code"] == "malformed_json"


@pytest.mark.parametrize(
    "path",
    [
        "/elders/abc",
        "/elders/abc/health",
        "/elders/abc/guardians",
        "/organisations/1.5",
        f"/elders/{2**64}",
        "/elders/-3/guardians",
    ],
)
def test_ids_that_are_not_ids_name_the_path_parameter(session, city, path):
    response = session.get(path)
    assert response.status_code == 422
    assert error(response)["code"] == "invalid"


@pytest.mark.parametrize("path", ["/elders/9223372036854775807", "/organisations/4294967296"])
def test_ids_at_the_edge_of_the_range_are_simply_not_found(api, city, path):
    assert api.get(path).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 41},
        {"q": "王\x00"},
        {"q": "\x1b[31m"},
        {"region": "5301' OR 1=1"},
        {"limit": "9" * 40},
        {"limit": ""},
        {"status": ""},
    ],
)
def test_list_queries_that_make_no_sense_name_the_field(api, city, params):
    response = api.get("/elders", params)
    assert response.status_code == 422, response.content
    assert set(error(response)["fields"]) == set(params)


def test_text_with_a_nul_character_or_a_lone_surrogate_is_refused_before_the_database(api, city):
    body = {
        "name": "王\ud800五",
        "id_number": "530102195003010023",
        "region": city.wuhua_community.code,
        "address": "地址\x00",
    }
    response = api.post("/elders", body)
    assert response.status_code == 422
    assert set(error(response)["fields"]) == {"name", "address"}
    assert not Elder.objects.exists()


@pytest.mark.parametrize(
    "token", ["yy_", "yy_x_y", "Bearer abc", "yy_0000\x00_abc", "yy_" + "a" * 5000, "　"]
)
def test_a_malformed_key_is_unauthenticated(client, city, token):
    response = Api(client, {"X-API-Key": token}).get("/elders")
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"


def test_an_unknown_address_under_the_api_is_a_json_not_found(api):
    for path in ("/api/v1/nothing-here", "/api/v2/elders", "/api/v1/elders/1/nothing"):
        response = api.client.get(path, headers=api.headers)
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"


def test_a_wrong_method_is_a_json_method_not_allowed(api, wuhua):
    response = api.client.delete(f"/api/v1/elders/{wuhua['elder'].id}", headers=api.headers)
    assert response.status_code == 405
    assert error(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].split(", ")) == {"GET", "PUT"}
    assert Elder.objects.filter(pk=wuhua["elder"].id).exists()


def test_a_form_encoded_body_is_refused(api, city):
    response = api.client.post("/api/v1/elders", {"name": "王五"}, headers=api.headers)
    assert 400 <= response.status_code < 500
    assert error(response)["code"] in {"invalid", "malformed_json"}


def test_unknown_fields_are_ignored_not_stored(api, city):
    from yiyang.people.tests.factories import id_number_for

    body = {
        "name": "王五",
        "id_number": id_number_for(5, area6="530102", sex="M"),
        "region": city.wuhua_community.code,
        "address": "五华区1号",
        "id_number_cipher": "forged",
        "status": "deceased",
        "version": 99,
    }
    response = api.post("/elders", body)
    assert response.status_code == 201
    elder = Elder.objects.get()
    assert (elder.status, elder.version) == ("active", 1)
    assert elder.id_number_cipher != "forged"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-inf", "1e999999", "1" * 400])
def test_numbers_that_are_not_coordinates_name_the_field(api, city, number):
    from yiyang.people.tests.factories import id_number_for

    body = {
        "name": "王五",
        "id_number": id_number_for(6, area6="530102", sex="M"),
        "region": city.wuhua_community.code,
        "address": "五华区1号",
        "lat": number,
    }
    response = api.post("/elders", body)
    assert response.status_code in {400, 422}, response.content
    assert list(error(response)["fields"]) == ["lat"]
    assert not Elder.objects.exists()


@pytest.mark.parametrize("beds", [10**30, -1, "many"])
def test_bed_counts_that_are_not_counts_name_the_field(api, city, beds):
    body = {
        "name": "五华新院",
        "kind": "care_home",
        "ownership": "private",
        "region": city.wuhua_street.code,
        "beds": beds,
    }
    response = api.post("/organisations", body)
    assert response.status_code == 422
    assert list(error(response)["fields"]) == ["beds"]
