"""/api/v1/elders: the registry over the API, scoped like the pages, with logged reads."""

import datetime as dt

import pytest

from yiyang.core.models import AccessLog, ChangeLog
from yiyang.core.timeutils import local_today
from yiyang.people.models import Elder, Guardian, HealthProfile
from yiyang.people.tests.factories import ElderFactory, id_number_for

from .conftest import PANLONG_ELDER_NAME, Api, error, leaked

NEW_ID = id_number_for(321, area6="530102", sex="M")


def new_elder(city, **overrides) -> dict:
    body = {
        "name": "曾小红",
        "id_number": NEW_ID,
        "region": city.wuhua_community.code,
        "address": "五华区西仓坡5号",
        "phone": "0871-65123456",
        "economic_status": "dibao",
        "lives_alone": True,
    }
    body.update(overrides)
    return body


class TestList:
    def test_lists_the_callers_district_in_id_order(self, api, wuhua, panlong):
        response = api.get("/elders")
        assert response.status_code == 200
        body = response.json()
        assert [row["id"] for row in body["items"]] == sorted(e.id for e in wuhua["elders"])
        assert body["next"] is None
        assert not leaked(response)

    def test_rows_carry_the_masked_id_number_only(self, api, wuhua):
        row = api.get("/elders").json()["items"][0]
        assert row["id_number_masked"].count("*") == 8
        assert "id_number" not in row
        assert set(row) == {
            "id",
            "name",
            "sex",
            "birth_date",
            "id_number_masked",
            "region_code",
            "status",
            "living_arrangement",
            "economic_status",
            "lives_alone",
            "version",
        }

    def test_a_session_lists_the_same_rows_as_a_key(self, api, session, wuhua, panlong):
        assert session.get("/elders").json() == api.get("/elders").json()

    def test_asking_for_the_neighbouring_district_by_region_finds_nothing(self, api, panlong):
        response = api.get("/elders", {"region": "530103"})
        assert response.status_code == 200
        assert response.json()["items"] == []

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"status": "moved_out"}, "moved"),
            ({"living_arrangement": "community"}, "community"),
            ({"economic_status": "tekun"}, "tekun"),
            ({"region": "530102001001"}, "all"),
        ],
    )
    def test_filters(self, api, city, wuhua, params, expected):
        moved = ElderFactory(
            region=city.wuhua_community,
            id_number=id_number_for(50, area6="530102"),
            status="moved_out",
            status_date=dt.date(2025, 1, 1),
        )
        community = ElderFactory(
            region=city.wuhua_community,
            id_number=id_number_for(51, area6="530102"),
            living_arrangement="community",
        )
        tekun = ElderFactory(
            region=city.wuhua_community,
            id_number=id_number_for(52, area6="530102"),
            economic_status="tekun",
        )
        want = {
            "moved": [moved.id],
            "community": [community.id],
            "tekun": [tekun.id],
            "all": sorted([e.id for e in wuhua["elders"]] + [moved.id, community.id, tekun.id]),
        }[expected]
        assert [row["id"] for row in api.get("/elders", params).json()["items"]] == want

    @pytest.mark.parametrize("q", ["曾小", "zengxiaohong", "zeng", "zxh", "ZXH"])
    def test_search_by_name_pinyin_and_initials(self, api, city, wuhua, q):
        zeng = ElderFactory(
            region=city.wuhua_community, name="曾小红", id_number=id_number_for(60, area6="530102")
        )
        from yiyang.core.pinyin import name_initials, name_pinyin

        Elder.objects.filter(pk=zeng.pk).update(
            name_pinyin=name_pinyin("曾小红"), name_initials=name_initials("曾小红")
        )
        ids = [row["id"] for row in api.get("/elders", {"q": q}).json()["items"]]
        assert ids == [zeng.id]

    def test_search_by_full_id_number(self, api, city, wuhua):
        number = id_number_for(61, area6="530102")
        target = ElderFactory(region=city.wuhua_community, id_number=number)
        ids = [row["id"] for row in api.get("/elders", {"q": number}).json()["items"]]
        assert ids == [target.id]

    @pytest.mark.parametrize(
        ("q", "found"),
        [("13987654321", True), ("1398765", True), ("4321", True), ("98765", False)],
    )
    def test_search_by_the_first_or_last_digits_of_the_phone(self, api, city, wuhua, q, found):
        person = ElderFactory(
            region=city.wuhua_community,
            phone="13987654321",
            id_number=id_number_for(62, area6="530102"),
        )
        ids = [row["id"] for row in api.get("/elders", {"q": q}).json()["items"]]
        assert ids == ([person.id] if found else [])

    def test_the_outsiders_id_number_finds_nothing(self, api, panlong):
        number = id_number_for(900)
        assert api.get("/elders", {"q": number}).json()["items"] == []

    def test_a_bad_filter_value_names_the_field(self, api):
        response = api.get("/elders", {"status": "alive", "region": "53x"})
        assert response.status_code == 422
        body = error(response)
        assert body["code"] == "invalid"
        assert set(body["fields"]) == {"status", "region"}


class TestDetail:
    def test_shows_one_elder_with_the_masked_id(self, api, wuhua):
        elder = wuhua["elder"]
        response = api.get(f"/elders/{elder.id}")
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == elder.id
        assert body["id_number_masked"] == elder.id_number_masked
        assert body["region_name"] == "西仓坡社区居委会"
        assert "id_number" not in body and "id_number_cipher" not in body

    def test_the_outsiders_elder_is_not_found(self, api, session, panlong):
        for caller in (api, session):
            response = caller.get(f"/elders/{panlong['elder'].id}")
            assert response.status_code == 404
            assert error(response)["code"] == "not_found"
            assert not leaked(response)

    def test_a_missing_elder_is_not_found_like_a_hidden_one(self, api, city):
        assert api.get("/elders/999999").status_code == 404

    @pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5", str(2**63), "1e3"])
    def test_a_bad_id_names_the_field(self, api, bad):
        response = api.get(f"/elders/{bad}")
        assert response.status_code == 422
        assert list(error(response)["fields"]) == ["elder_id"]


class TestCreate:
    def test_registers_an_older_person_and_records_the_change(self, api, city):
        response = api.post("/elders", new_elder(city))
        assert response.status_code == 201, response.content
        body = response.json()
        elder = Elder.objects.get(pk=body["id"])
        assert elder.sex == "M" and body["birth_date"] == str(elder.birth_date)
        assert body["id_number_masked"] == NEW_ID[:6] + "********" + NEW_ID[-4:]
        assert body["economic_status"] == "dibao"
        log = ChangeLog.objects.get(entity_type="people.elder", entity_id=elder.id)
        assert log.action == "create" and log.actor_label.startswith("api-key:")

    def test_a_bad_id_number_names_the_field(self, api, city):
        bad = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
        response = api.post("/elders", new_elder(city, id_number=bad))
        assert response.status_code == 400
        body = error(response)
        assert body["code"] == "invalid"
        assert list(body["fields"]) == ["id_number"]
        assert not Elder.objects.filter(name="曾小红").exists()

    def test_a_duplicate_id_number_names_the_field(self, api, city):
        assert api.post("/elders", new_elder(city)).status_code == 201
        response = api.post("/elders", new_elder(city, name="另一个人"))
        assert response.status_code == 400
        assert list(error(response)["fields"]) == ["id_number"]

    def test_a_community_of_the_neighbouring_district_is_refused(self, api, city):
        response = api.post("/elders", new_elder(city, region=city.panlong_community.code))
        assert response.status_code == 400
        assert list(error(response)["fields"]) == ["region"]

    def test_every_bad_field_is_named_at_once(self, api, city):
        response = api.post(
            "/elders",
            new_elder(city, name="", address="", phone="abc", lat="99", living_arrangement="home"),
        )
        assert response.status_code == 400
        assert set(error(response)["fields"]) == {"name", "address", "phone", "lat"}

    def test_schema_errors_name_the_field(self, api, city):
        response = api.post(
            "/elders", new_elder(city, economic_status="rich", lives_alone="perhaps", lat="x")
        )
        assert response.status_code == 422
        assert set(error(response)["fields"]) == {"economic_status", "lives_alone", "lat"}

    def test_a_key_without_the_edit_scope_cannot_register(self, key_without, city):
        response = key_without("elders.edit").post("/elders", new_elder(city))
        assert response.status_code == 403


class TestUpdate:
    def body(self, elder, **overrides):
        data = {
            "name": elder.name,
            "region": elder.region_code,
            "address": "五华区新地址8号",
            "version": elder.version,
        }
        data.update(overrides)
        return data

    def test_changes_the_record_and_bumps_the_version(self, api, wuhua):
        elder = wuhua["elder"]
        response = api.put(f"/elders/{elder.id}", self.body(elder))
        assert response.status_code == 200, response.content
        assert response.json()["version"] == elder.version + 1
        elder.refresh_from_db()
        assert elder.address == "五华区新地址8号"

    def test_a_stale_version_is_a_conflict(self, api, wuhua):
        elder = wuhua["elder"]
        assert api.put(f"/elders/{elder.id}", self.body(elder)).status_code == 200
        response = api.put(f"/elders/{elder.id}", self.body(elder, address="又一个地址"))
        assert response.status_code == 409
        assert error(response)["code"] == "conflict"
        elder.refresh_from_db()
        assert elder.address == "五华区新地址8号"

    def test_the_version_is_required(self, api, wuhua):
        elder = wuhua["elder"]
        body = self.body(elder)
        del body["version"]
        response = api.put(f"/elders/{elder.id}", body)
        assert response.status_code == 422
        assert list(error(response)["fields"]) == ["version"]

    def test_the_outsiders_elder_cannot_be_changed(self, api, panlong):
        elder = panlong["elder"]
        response = api.put(f"/elders/{elder.id}", self.body(elder, region="530102001001"))
        assert response.status_code == 404
        elder.refresh_from_db()
        assert elder.address != "五华区新地址8号"


class TestStatus:
    def test_records_a_move_out_with_its_date(self, api, wuhua):
        elder = wuhua["elder"]
        response = api.post(
            f"/elders/{elder.id}/status",
            {"status": "moved_out", "status_date": "2026-01-05", "note": "迁往外省"},
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "moved_out"
        assert response.json()["status_date"] == "2026-01-05"

    def test_a_future_date_names_the_field(self, api, wuhua):
        response = api.post(
            f"/elders/{wuhua['elder'].id}/status",
            {"status": "deceased", "status_date": str(local_today() + dt.timedelta(days=30))},
        )
        assert response.status_code == 400
        assert list(error(response)["fields"]) == ["status_date"]

    @pytest.mark.parametrize("day", ["2999-01-01", "0001-01-01", "9999-12-31"])
    def test_a_date_outside_the_range_is_refused_by_the_schema(self, api, wuhua, day):
        response = api.post(
            f"/elders/{wuhua['elder'].id}/status", {"status": "deceased", "status_date": day}
        )
        assert response.status_code == 422
        assert list(error(response)["fields"]) == ["status_date"]
        assert Elder.objects.get(pk=wuhua["elder"].pk).status == Elder.Status.ACTIVE

    def test_a_malformed_date_names_the_field(self, api, wuhua):
        response = api.post(
            f"/elders/{wuhua['elder'].id}/status",
            {"status": "deceased", "status_date": "yesterday"},
        )
        assert response.status_code == 422
        assert list(error(response)["fields"]) == ["status_date"]

    def test_the_outsiders_elder_is_not_found(self, api, panlong):
        response = api.post(
            f"/elders/{panlong['elder'].id}/status",
            {"status": "deceased", "status_date": "2026-01-05"},
        )
        assert response.status_code == 404
        panlong["elder"].refresh_from_db()
        assert panlong["elder"].status == "active"


class TestRevealId:
    def test_reveals_the_full_number_and_logs_the_read(self, session, wuhua_officer, wuhua):
        elder = wuhua["elder"]
        response = session.post(f"/elders/{elder.id}/reveal-id", {"reason": "办理补贴核对身份"})
        assert response.status_code == 200
        assert response.json()["id_number"] == id_number_for(1, area6="530102", sex="F")
        assert response["Cache-Control"] == "no-store"
        log = AccessLog.objects.get(entity_id=elder.id, kind="id_number")
        assert (log.channel, log.actor, log.reason) == ("api", wuhua_officer, "办理补贴核对身份")

    def test_a_reason_is_required(self, session, wuhua):
        response = session.post(f"/elders/{wuhua['elder'].id}/reveal-id", {"reason": ""})
        assert response.status_code == 400
        assert list(error(response)["fields"]) == ["reason"]
        assert not AccessLog.objects.exists()

    def test_the_outsiders_number_is_not_found_and_not_logged(self, session, panlong):
        response = session.post(f"/elders/{panlong['elder'].id}/reveal-id", {"reason": "好奇看看"})
        assert response.status_code == 404
        assert not AccessLog.objects.exists()


class TestHealth:
    def test_reads_the_profile_and_logs_the_read(self, session, wuhua_officer, wuhua):
        elder = wuhua["elder"]
        HealthProfile.objects.create(elder=elder, chronic_conditions="高血压", allergies="青霉素")
        response = session.get(f"/elders/{elder.id}/health", {"reason": "上门随访"})
        assert response.status_code == 200
        assert response.json()["chronic_conditions"] == "高血压"
        assert response["Cache-Control"] == "no-store"
        log = AccessLog.objects.get(entity_id=elder.id, kind="health")
        assert (log.channel, log.actor, log.reason) == ("api", wuhua_officer, "上门随访")

    def test_the_outsiders_health_is_not_found(self, session, panlong):
        response = session.get(f"/elders/{panlong['elder'].id}/health")
        assert response.status_code == 404
        assert not leaked(response)
        assert not AccessLog.objects.exists()


class TestGuardians:
    def test_lists_guardians_in_call_order(self, api, wuhua):
        elder = wuhua["elder"]
        Guardian.objects.create(
            elder=elder, name="二女儿", relation="child", phone="13800000003", priority=2
        )
        Guardian.objects.create(
            elder=elder, name="大儿子", relation="child", phone="13800000004", priority=1
        )
        response = api.get(f"/elders/{elder.id}/guardians")
        assert response.status_code == 200
        assert [g["name"] for g in response.json()] == ["大儿子", "二女儿"]

    def test_adds_a_guardian(self, api, wuhua):
        elder = wuhua["elder"]
        response = api.post(
            f"/elders/{elder.id}/guardians",
            {"name": "王芳", "relation": "child", "phone": "138 0000 0005", "is_guardian": True},
        )
        assert response.status_code == 201, response.content
        assert response.json()["is_guardian"] is True
        assert elder.guardians.get().name == "王芳"

    def test_a_bad_phone_names_the_field(self, api, wuhua):
        response = api.post(
            f"/elders/{wuhua['elder'].id}/guardians",
            {"name": "王芳", "relation": "child", "phone": "call me"},
        )
        assert response.status_code == 400
        assert list(error(response)["fields"]) == ["phone"]

    def test_a_bad_relation_names_the_field(self, api, wuhua):
        response = api.post(
            f"/elders/{wuhua['elder'].id}/guardians",
            {"name": "王芳", "relation": "boss", "phone": "13800000005", "priority": 0},
        )
        assert response.status_code == 422
        assert set(error(response)["fields"]) == {"relation", "priority"}

    def test_the_outsiders_guardians_are_not_found(self, api, panlong):
        response = api.get(f"/elders/{panlong['elder'].id}/guardians")
        assert response.status_code == 404
        assert not leaked(response)
        response = api.post(
            f"/elders/{panlong['elder'].id}/guardians",
            {"name": "王芳", "relation": "child", "phone": "13800000005"},
        )
        assert response.status_code == 404
        assert panlong["elder"].guardians.count() == 1


def test_a_panlong_key_sees_panlong_and_not_wuhua(make_key, client, city, wuhua, panlong):
    # The same rule from the other side: the outsider is an insider at home.
    caller = Api(client, {"X-API-Key": make_key(region=city.panlong)})
    names = [row["name"] for row in caller.get("/elders").json()["items"]]
    assert names == [PANLONG_ELDER_NAME]
    assert caller.get(f"/elders/{wuhua['elder'].id}").status_code == 404
