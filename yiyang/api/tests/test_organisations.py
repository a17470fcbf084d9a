"""/api/v1/organisations: the register, scoped by region, with optimistic locking."""

import pytest

from yiyang.core.models import ChangeLog
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory, credit_code

from .conftest import PANLONG_ORG_NAME, error, leaked

NEW_CODE = credit_code(77, "530102")


def new_org(city, **overrides) -> dict:
    body = {
        "name": "五华区华山街道养老服务中心",
        "kind": "community_centre",
        "ownership": "public",
        "region": city.wuhua_street.code,
        "credit_code": NEW_CODE,
        "address": "华山西路1号",
        "lat": "25.046",
        "lng": "102.701",
        "floor_area": "1200.5",
        "beds": 40,
    }
    body.update(overrides)
    return body


class TestList:
    def test_lists_the_callers_district_only(self, api, wuhua, panlong):
        response = api.get("/organisations")
        assert response.status_code == 200
        assert [o["id"] for o in response.json()["items"]] == [wuhua["org"].id]
        assert not leaked(response)

    def test_decimals_leave_as_strings(self, api, city):
        OrganisationFactory(
            region=city.wuhua_street, credit_code=credit_code(5, "530102"), land_area="1500.00"
        )
        row = api.get("/organisations").json()["items"][0]
        assert row["land_area"] == "1500.00"

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"kind": "home_care"}, ["provider"]),
            ({"ownership": "public"}, ["provider"]),
            ({"q": "居家"}, ["provider"]),
            ({"q": NEW_CODE}, ["provider"]),
            ({"region": "530102001"}, ["home", "provider"]),
            ({"region": "530103"}, []),
        ],
    )
    def test_filters(self, api, city, wuhua, panlong, params, expected):
        provider = OrganisationFactory(
            region=city.wuhua_street,
            name="五华居家服务社",
            kind="home_care",
            ownership="public",
            credit_code=NEW_CODE,
        )
        by_name = {"home": wuhua["org"].id, "provider": provider.id}
        ids = [o["id"] for o in api.get("/organisations", params).json()["items"]]
        assert ids == [by_name[n] for n in expected]

    def test_a_bad_kind_names_the_field(self, api):
        response = api.get("/organisations", {"kind": "castle"})
        assert response.status_code == 422
        assert list(error(response)["fields"]) == ["kind"]


class TestDetail:
    def test_shows_one_organisation(self, api, wuhua):
        org = wuhua["org"]
        body = api.get(f"/organisations/{org.id}").json()
        assert (body["name"], body["credit_code"], body["region_name"]) == (
            org.name,
            org.credit_code,
            "华山街道",
        )

    def test_the_outsiders_organisation_is_not_found(self, api, session, panlong):
        for caller in (api, session):
            response = caller.get(f"/organisations/{panlong['org'].id}")
            assert response.status_code == 404
            assert error(response)["code"] == "not_found"
            assert PANLONG_ORG_NAME not in response.content.decode()

    def test_a_non_integer_id_names_the_field(self, api):
        response = api.get("/organisations/abc")
        assert response.status_code == 422
        assert list(error(response)["fields"]) == ["organisation_id"]


class TestCreate:
    def test_registers_an_organisation(self, api, city):
        response = api.post("/organisations", new_org(city))
        assert response.status_code == 201, response.content
        body = response.json()
        org = Organisation.objects.get(pk=body["id"])
        assert (org.credit_code, org.beds, body["floor_area"], body["lat"]) == (
            NEW_CODE,
            40,
            "1200.50",
            "25.046000",
        )
        assert ChangeLog.objects.filter(entity_type="institutions.organisation").count() == 1

    @pytest.mark.parametrize(
        "bad", [NEW_CODE[:-1] + ("0" if NEW_CODE[-1] != "0" else "1"), "123", "I" * 18]
    )
    def test_a_bad_credit_code_names_the_field(self, api, city, bad):
        response = api.post("/organisations", new_org(city, credit_code=bad))
        assert response.status_code == 400
        body = error(response)
        assert body["code"] == "invalid"
        assert list(body["fields"]) == ["credit_code"]
        assert not Organisation.objects.filter(name="五华区华山街道养老服务中心").exists()

    def test_a_region_of_the_neighbouring_district_is_refused(self, api, city):
        response = api.post("/organisations", new_org(city, region=city.panlong_street.code))
        assert response.status_code == 400
        assert list(error(response)["fields"]) == ["region"]

    def test_schema_errors_name_the_field(self, api, city):
        response = api.post("/organisations", new_org(city, beds=-1, kind="castle", lat="north"))
        assert response.status_code == 422
        assert set(error(response)["fields"]) == {"beds", "kind", "lat"}


class TestUpdate:
    def body(self, org, **overrides):
        data = {
            "name": org.name,
            "kind": org.kind,
            "ownership": org.ownership,
            "region": org.region_code,
            "credit_code": org.credit_code,
            "beds": 80,
            "version": org.version,
        }
        data.update(overrides)
        return data

    def test_changes_the_organisation_and_bumps_the_version(self, api, wuhua):
        org = wuhua["org"]
        response = api.put(f"/organisations/{org.id}", self.body(org))
        assert response.status_code == 200, response.content
        assert response.json()["beds"] == 80
        assert response.json()["version"] == org.version + 1

    def test_a_stale_version_is_a_conflict_and_writes_nothing(self, api, wuhua):
        org = wuhua["org"]
        assert api.put(f"/organisations/{org.id}", self.body(org)).status_code == 200
        response = api.put(f"/organisations/{org.id}", self.body(org, beds=99))
        assert response.status_code == 409
        assert error(response)["code"] == "conflict"
        org.refresh_from_db()
        assert org.beds == 80

    def test_the_outsiders_organisation_cannot_be_changed(self, api, city, panlong):
        org = panlong["org"]
        response = api.put(
            f"/organisations/{org.id}", self.body(org, region=city.wuhua_street.code)
        )
        assert response.status_code == 404
        org.refresh_from_db()
        assert org.region_code == city.panlong_street.code

    def test_a_bad_credit_code_names_the_field(self, api, wuhua):
        org = wuhua["org"]
        response = api.put(f"/organisations/{org.id}", self.body(org, credit_code="52530102MJ"))
        assert response.status_code == 400
        assert list(error(response)["fields"]) == ["credit_code"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_licence_date_outside_the_date_range_is_refused_by_the_field(api, city, day):
    response = api.post("/organisations", new_org(city, licence_valid_to=day))
    assert response.status_code == 422
    body = error(response)
    assert body["code"] == "invalid" and list(body["fields"]) == ["licence_valid_to"]
    assert "1900-01-01" in body["fields"]["licence_valid_to"]
    assert not Organisation.objects.filter(credit_code=NEW_CODE).exists()
