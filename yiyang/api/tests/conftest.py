"""Two sibling districts with data in each, and callers bound to one or the other.

Wuhua (530102) is "us"; Panlong (530103) is the outsider whose rows must never show. The
Panlong rows carry marker names so that a test can search any answer for them.
"""

import datetime as dt
import json

import pytest
from django.test import Client

from yiyang.accounts.roles import Role
from yiyang.accounts.services import api_key_create
from yiyang.accounts.tests.factories import UserFactory
from yiyang.assessment.models import Assessment
from yiyang.core import registry
from yiyang.institutions.tests.factories import OrganisationFactory, credit_code
from yiyang.people.models import Guardian, HealthProfile
from yiyang.people.tests.factories import ElderFactory, id_number_for

# Everything a key may be granted (ID reveal and health data are never among them).
ALL_SCOPES = sorted(name for name, _label in registry.api_scopes())

PANLONG_ELDER_NAME = "盘龙秘密老人"
PANLONG_ORG_NAME = "盘龙秘密养老院"
PANLONG_GUARDIAN_NAME = "盘龙秘密家属"
PANLONG_HEALTH_NOTE = "盘龙秘密病史"


class Api:
    """A test client speaking JSON to /api/v1 as one caller."""

    def __init__(self, client: Client, headers: dict | None = None):
        self.client = client
        self.headers = headers or {}

    def get(self, path: str, data=None):
        return self.client.get(_url(path), data, headers=self.headers)

    def post(self, path: str, body=None, *, raw: str | None = None):
        payload = raw if raw is not None else _dumps(body)
        return self.client.post(
            _url(path), payload, content_type="application/json", headers=self.headers
        )

    def put(self, path: str, body=None):
        return self.client.put(
            _url(path), _dumps(body), content_type="application/json", headers=self.headers
        )


def _url(path: str) -> str:
    return path if path.startswith("/api/") else "/api/v1" + path


def _dumps(body) -> str:
    return json.dumps(body if body is not None else {}, default=str)


@pytest.fixture
def wuhua_officer(city):
    return UserFactory(role=Role.CIVIL_AFFAIRS, region=city.wuhua, username="wuhua_officer")


@pytest.fixture
def panlong_officer(city):
    return UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong, username="panlong_officer")


@pytest.fixture
def make_key(city, wuhua_officer, panlong_officer):
    """make_key(scopes=[...], region=city.wuhua) -> the full token."""

    def make(*, scopes=ALL_SCOPES, region=None, name="test system"):
        region = region or city.wuhua
        issuer = panlong_officer if region.code.startswith(city.panlong.code) else wuhua_officer
        _key, token = api_key_create(actor=issuer, name=name, scopes=list(scopes), region=region)
        return token

    return make


@pytest.fixture
def api(make_key, client):
    """A Wuhua key with every scope."""
    return Api(client, {"X-API-Key": make_key()})


@pytest.fixture
def anonymous(client):
    return Api(client)


@pytest.fixture
def key_without(make_key, client):
    """key_without("elders.view"): a valid Wuhua key holding every other scope."""

    def make(capability: str) -> Api:
        return Api(
            client, {"X-API-Key": make_key(scopes=[s for s in ALL_SCOPES if s != capability])}
        )

    return make


@pytest.fixture
def session(client, wuhua_officer):
    """A signed-in Wuhua civil-affairs officer, calling as the console's pages would."""
    client.force_login(wuhua_officer)
    return Api(client)


@pytest.fixture
def wuhua(city):
    """Rows of our own district."""
    org = OrganisationFactory(
        region=city.wuhua_street, name="五华测试养老院", credit_code=credit_code(1, "530102")
    )
    elders = [
        ElderFactory(
            region=city.wuhua_community,
            id_number=id_number_for(n, area6="530102", sex="F" if n % 2 else "M"),
        )
        for n in range(1, 6)
    ]
    return {"org": org, "elders": elders, "elder": elders[0]}


@pytest.fixture
def panlong(city):
    """The outsider's rows, named so that any leak is easy to find in an answer."""
    org = OrganisationFactory(
        region=city.panlong_street, name=PANLONG_ORG_NAME, credit_code=credit_code(2, "530103")
    )
    elder = ElderFactory(
        region=city.panlong_community, name=PANLONG_ELDER_NAME, id_number=id_number_for(900)
    )
    Guardian.objects.create(
        elder=elder, name=PANLONG_GUARDIAN_NAME, relation="child", phone="13800000001"
    )
    HealthProfile.objects.create(elder=elder, chronic_conditions=PANLONG_HEALTH_NOTE)
    case = Assessment.objects.create(
        number="PG2026530103X",
        elder=elder,
        region_code=elder.region_code,
        instrument="ltc-2021",
        instrument_version="NHSA-2021-trial",
        trigger="first",
        channel="online",
        applicant_name=PANLONG_GUARDIAN_NAME,
        applied_on=dt.date(2026, 9, 1),
        acceptance_due=dt.date(2026, 9, 8),
        due_on=dt.date(2026, 10, 20),
    )
    from yiyang.marketplace.tests.factories import order_row

    order = order_row(org, elder, code="PL-BATH", marker=PANLONG_ORG_NAME)
    return {"org": org, "elder": elder, "assessment": case, "order": order}


def leaked(response) -> list[str]:
    """Which Panlong markers appear in an answer (an empty list when none)."""
    text = response.content.decode()
    markers = (PANLONG_ELDER_NAME, PANLONG_ORG_NAME, PANLONG_GUARDIAN_NAME, PANLONG_HEALTH_NOTE)
    return [m for m in markers if m in text]


def error(response) -> dict:
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    return body
