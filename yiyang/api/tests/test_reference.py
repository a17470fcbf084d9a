"""Regions, the service catalogue and /me: reference data and the caller's own identity."""

from decimal import Decimal

import pytest

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.marketplace.models import ServiceItem

from .conftest import ALL_SCOPES, Api, error


class TestRegions:
    def test_shows_a_division(self, api, city):
        response = api.get("/regions/530102")
        assert response.status_code == 200
        assert response.json() == {
            "code": "530102",
            "name": "五华区",
            "full_name": "云南省昆明市五华区",
            "level": 3,
            "parent_code": "5301",
            "lat": "25.043200",
            "lng": "102.704100",
        }

    def test_lists_the_children_of_a_division(self, session, city):
        response = session.get("/regions/5301/children")
        assert response.status_code == 200
        assert [r["code"] for r in response.json()] == ["530102", "530103"]

    def test_regions_are_reference_data_for_any_authenticated_caller(self, key_without, city):
        # A key holding a single unrelated scope still reads the division tree.
        caller = key_without("elders.view")
        assert caller.get("/regions/530103").status_code == 200

    def test_an_unknown_code_is_not_found(self, api, city):
        response = api.get("/regions/999999/children")
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"

    def test_a_code_that_is_not_digits_names_the_field(self, api, city):
        response = api.get("/regions/53x")
        assert response.status_code == 422
        assert list(error(response)["fields"]) == ["code"]


@pytest.fixture
def items(db):
    rows = [
        ServiceItem.objects.create(
            code=f"S{n:03d}",
            name=name,
            category=category,
            unit="次",
            duration_minutes=60,
            price=Decimal(price),
            is_ltci=category == "life_care",
        )
        for n, (name, category, price) in enumerate(
            [("助餐", "meal", "30"), ("助洁", "cleaning", "45.5"), ("协助进食", "life_care", "20")]
        )
    ]
    ServiceItem.objects.create(
        code="S999",
        name="已停用",
        category="other",
        unit="次",
        duration_minutes=30,
        price=Decimal(1),
        is_active=False,
    )
    return rows


class TestServiceItems:
    def test_lists_items_in_use_with_prices_as_strings(self, api, items):
        response = api.get("/service-items")
        assert response.status_code == 200
        body = response.json()
        assert [(i["code"], i["price"]) for i in body["items"]] == [
            ("S000", "30.00"),
            ("S001", "45.50"),
            ("S002", "20.00"),
        ]
        assert body["next"] is None

    @pytest.mark.parametrize(
        ("params", "codes"),
        [
            ({"category": "meal"}, ["S000"]),
            ({"is_ltci": "true"}, ["S002"]),
            ({"q": "助洁"}, ["S001"]),
            ({"q": "S00"}, ["S000", "S001", "S002"]),
            ({"q": "已停用"}, []),
        ],
    )
    def test_filters(self, api, items, params, codes):
        assert [i["code"] for i in api.get("/service-items", params).json()["items"]] == codes

    def test_a_key_without_the_scope_is_refused(self, key_without, items):
        response = key_without("service_items.view").get("/service-items")
        assert response.status_code == 403
        assert error(response)["code"] == "forbidden"

    def test_pages_with_a_cursor(self, api, items):
        first = api.get("/service-items", {"limit": 2}).json()
        second = api.get("/service-items", {"limit": 2, "cursor": first["next"]}).json()
        assert [i["code"] for i in first["items"] + second["items"]] == ["S000", "S001", "S002"]
        assert second["next"] is None

    def test_the_price_is_a_string_in_the_openapi_document(self, api):
        schema = api.client.get("/api/openapi.json", headers=api.headers).json()
        price = schema["components"]["schemas"]["ServiceItemOut"]["properties"]["price"]
        assert price["type"] == "string"


class TestMe:
    def test_a_key_sees_its_scopes_and_region(self, api, city):
        body = api.get("/me").json()
        assert body["kind"] == "api_key"
        assert body["capabilities"] == ALL_SCOPES
        assert body["region"] == {"code": "530102", "name": "五华区"}

    def test_a_session_sees_its_role_and_region(self, session, wuhua_officer):
        body = session.get("/me").json()
        assert (body["kind"], body["username"], body["role"]) == (
            "user",
            "wuhua_officer",
            "civil_affairs",
        )
        assert "elders.reveal_id" in body["capabilities"]
        assert body["region"]["code"] == "530102"

    def test_an_older_person_sees_only_their_own_record(self, client, city, wuhua):
        # A SELF-scoped account: the older person themself.
        elder = wuhua["elder"]
        person = UserFactory(role=Role.ELDER, region=city.wuhua_community, elder=elder)
        client.force_login(person)
        caller = Api(client)
        assert caller.get("/me").json()["role"] == "elder"
        assert [e["id"] for e in caller.get("/elders").json()["items"]] == [elder.id]
        assert caller.get(f"/elders/{wuhua['elders'][1].id}").status_code == 404
