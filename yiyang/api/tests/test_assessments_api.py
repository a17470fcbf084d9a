"""Assessments over the API: filing and deciding, the explanation of a conclusion, the grader."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from yiyang.assessment.tests.factories import P4_ITEMS, policy
from yiyang.people.tests.factories import ElderFactory

from .conftest import error

pytestmark = pytest.mark.django_db


@pytest.fixture
def wuhua_elder(city):
    policy()
    return ElderFactory(region=city.wuhua_community, name="五华申请老人")


def test_a_system_files_accepts_and_reads_an_application(api, wuhua_elder):
    filed = api.post(
        "/assessments",
        {"elder": wuhua_elder.pk, "instrument": "ltc-2021", "applicant_name": "女儿"},
    )
    assert filed.status_code == 201, filed.content
    case = filed.json()
    assert case["status"] == "applied"
    assert case["number"].startswith("PG")
    stale = api.post(f"/assessments/{case['id']}/accept", {"version": case["version"] + 1})
    assert stale.status_code == 409
    assert error(stale)["code"] == "conflict"
    accepted = api.post(f"/assessments/{case['id']}/accept", {"version": case["version"]})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    again = api.post(f"/assessments/{case['id']}/accept", {"version": accepted.json()["version"]})
    assert again.status_code == 409
    assert error(again)["code"] == "bad_transition"
    listed = api.get("/assessments", {"status": "accepted"}).json()
    assert [row["id"] for row in listed["items"]] == [case["id"]]


def test_refusals_and_bad_applications_are_named(api, wuhua_elder):
    bad = api.post(
        "/assessments", {"elder": wuhua_elder.pk, "instrument": "nope", "applicant_name": ""}
    )
    assert bad.status_code == 400
    assert set(error(bad)["fields"]) >= {"instrument", "applicant_name"}
    case = api.post(
        "/assessments",
        {"elder": wuhua_elder.pk, "instrument": "ltc-2021", "applicant_name": "本人"},
    ).json()
    other = api.post(f"/assessments/{case['id']}/refuse", {"version": 1, "reason": "other"})
    assert other.status_code == 400
    assert "refusal_note" in error(other)["fields"]
    refused = api.post(f"/assessments/{case['id']}/refuse", {"version": 1, "reason": "not_insured"})
    assert refused.json()["status"] == "refused"
    assert refused.json()["refusal_reason"] == "not_insured"


def test_the_grader_answers_what_the_command_answers(api):
    body = {"items": P4_ITEMS}
    answer = api.post("/assessments/grade/ltc-2021", body)
    assert answer.status_code == 200
    out = StringIO()
    call_command("grade", "ltc-2021", stdin=StringIO(json.dumps(body)), stdout=out)
    assert answer.json() == json.loads(out.getvalue())
    assert answer.json()["label"] == "重度失能Ⅰ级"


def test_the_grader_names_the_item_and_reason(api):
    items = dict(P4_ITEMS)
    items["ADL1"] = 7
    del items["PER3"]
    answer = api.post("/assessments/grade/ltc-2021", {"items": items})
    assert answer.status_code == 400
    body = error(answer)
    assert set(body["fields"]) == {"ADL1", "PER3"}
    assert body["code"] in {"bad_score", "missing_item"}
    assert api.post("/assessments/grade/nope", {"items": {}}).status_code == 404
