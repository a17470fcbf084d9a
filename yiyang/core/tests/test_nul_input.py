"""A NUL character anywhere in text input is a 400 naming the field, on SQLite and on
PostgreSQL alike (whose text columns cannot hold it), never a 500 from inside a query."""

import json

from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.people.models import Elder


def test_a_nul_in_a_query_parameter_is_refused_naming_it(client, city):
    client.force_login(UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong))
    page = client.get("/exchange/completeness/", {"region": "5301\x0003"})
    assert page.status_code == 400
    # The API's schemas refuse it themselves, field by field.
    api = client.get("/api/v1/elders", {"q": "王\x00"})
    assert api.status_code == 422
    assert set(api.json()["fields"]) == {"q"}


def test_a_nul_in_a_form_or_a_json_body_writes_nothing(client, city):
    client.force_login(UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong))
    form = client.post(reverse("people:create"), {"name": "王\x00", "address": "x"})
    assert form.status_code == 400
    body = json.dumps({"name": "王\u0000", "id_number": "x", "region": "x", "address": "x"})
    api = client.post("/api/v1/elders", body, content_type="application/json")
    assert api.status_code == 422 and "name" in api.json()["fields"]
    assert not Elder.objects.exists()
    # and a file may carry any byte: an upload is not refused for its content here
    ok = client.get("/api/v1/elders", {"q": "王"})
    assert ok.status_code == 200
