"""Orders over the API: a third party's system places one with an Idempotency-Key (sending it
twice makes one order), reads it, and the provider's system takes the steps."""

import pytest

from yiyang.accounts.services import api_key_create
from yiyang.marketplace.models import Order

from .factories import market, tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def m(city):
    return market(city)


@pytest.fixture
def key(m, city):
    _row, token = api_key_create(
        actor=m.officer,
        name="社区服务平台",
        scopes=["orders.place", "orders.view"],
        region=city.panlong,
    )
    return {"X-API-Key": token}


def _body(m, **overrides):
    body = {
        "elder": m.elder.pk,
        "offer": m.offer.pk,
        "window_start": tomorrow_at(9).isoformat(),
        "window_end": tomorrow_at(11).isoformat(),
    }
    body.update(overrides)
    return body


def test_the_same_request_sent_twice_with_its_key_makes_one_order(client, m, key):
    headers = {**key, "Idempotency-Key": "cp-2026-000123"}
    first = client.post(
        "/api/v1/orders", _body(m), content_type="application/json", headers=headers
    )
    again = client.post(
        "/api/v1/orders", _body(m), content_type="application/json", headers=headers
    )
    assert first.status_code == again.status_code == 201, first.content
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["channel"] == "api" and first.json()["total"] == "80.00"
    assert "Idempotent-Replayed" not in first and again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    # without a key, each request is an order of its own
    client.post("/api/v1/orders", _body(m), content_type="application/json", headers=key)
    assert Order.objects.count() == 2


def test_a_key_reused_for_another_request_is_refused_and_makes_nothing(client, m, key):
    headers = {**key, "Idempotency-Key": "cp-1"}
    client.post("/api/v1/orders", _body(m), content_type="application/json", headers=headers)
    other = _body(
        m, window_start=tomorrow_at(14).isoformat(), window_end=tomorrow_at(16).isoformat()
    )
    response = client.post(
        "/api/v1/orders", other, content_type="application/json", headers=headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, status, field",
    [
        ({"window_end": "not a time"}, 422, "window_end"),
        ({"window_start": "9999-12-31T09:00:00"}, 422, "window_start"),
        ({"quantity": 21}, 422, "quantity"),
        ({"elder": "曾"}, 422, "elder"),
        ({"offer": 999999}, 400, "offer_id"),
    ],
)
def test_a_bad_order_names_its_field(client, m, key, overrides, status, field):
    response = client.post(
        "/api/v1/orders", _body(m, **overrides), content_type="application/json", headers=key
    )
    assert response.status_code == status, response.content
    assert field in response.json()["fields"]
    assert not Order.objects.exists()


def test_a_bad_idempotency_key_is_refused(client, m, key):
    headers = {**key, "Idempotency-Key": "有空格 的键"}
    response = client.post(
        "/api/v1/orders", _body(m), content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert "idempotency_key" in response.json()["fields"]


def test_the_provider_accepts_and_an_illegal_step_is_refused(client, m, key):
    order_id = client.post(
        "/api/v1/orders", _body(m), content_type="application/json", headers=key
    ).json()["id"]
    client.force_login(m.manager)
    assert client.get(f"/api/v1/orders/{order_id}").json()["status"] == "created"
    response = client.post(
        f"/api/v1/orders/{order_id}/complete", {}, content_type="application/json"
    )
    assert response.status_code in (403, 409)
    response = client.post(f"/api/v1/orders/{order_id}/accept", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    response = client.post(f"/api/v1/orders/{order_id}/accept", {}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "bad_transition"
    # the list holds it, and an unknown step is no endpoint
    assert [o["id"] for o in client.get("/api/v1/orders").json()["items"]] == [order_id]
    assert client.post(
        f"/api/v1/orders/{order_id}/fly", {}, content_type="application/json"
    ).status_code in (404, 422)
