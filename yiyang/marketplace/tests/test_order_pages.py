"""The order pages: a family member orders one screen at a time, the call centre orders from a
person's record, the provider accepts and assigns, the caregiver serves, the family confirms and
rates; refusals come back beside the step, never as a 500."""

import re

import pytest
from django.urls import reverse

from yiyang.marketplace.models import Order

from .factories import market, subsidy

pytestmark = pytest.mark.django_db


@pytest.fixture
def m(city):
    return market(city)


def _links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'class="choice" href="([^"]+)"', html)]


def _order_through_the_screens(client, start_url) -> str:
    """Follow the first choice on every screen; the confirmation page's HTML."""
    html = client.get(start_url).content.decode()
    for _ in range(4):
        links = _links(html)
        assert links, html[-2000:]
        response = client.get(links[0])
        assert response.status_code == 200
        html = response.content.decode()
        if 'data-testid="order-summary"' in html:
            return html
    raise AssertionError("no confirmation page")


def _post_confirmation(client, html: str):
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields.pop("csrfmiddlewaretoken", None)
    return client.post(reverse("orders:new"), {**fields, "note": "请敲门大声一点"})


def test_a_family_member_orders_one_screen_at_a_time_and_sees_who_pays(client, m):
    subsidy(m.elder, "50.00")
    client.force_login(m.family)
    # the only ward is chosen for them; then service, day, time (one provider: no provider step)
    html = _order_through_the_screens(client, reverse("orders:new"))
    assert "助浴" in html and m.provider.name in html
    assert re.search(r'data-testid="subsidy-pays">50.00', html)
    assert re.search(r'data-testid="self-pays">30.00', html)
    response = _post_confirmation(client, html)
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    assert (order.elder, order.channel, order.note) == (m.elder, "mobile", "请敲门大声一点")
    page = client.get(response["Location"]).content.decode()
    assert "待接单" in page or "Waiting for the provider" in page
    # and the family sees it among their orders, in words
    assert "助浴" in client.get(reverse("orders:list")).content.decode()


def test_the_call_centre_orders_from_the_persons_record(client, m):
    client.force_login(m.operator)
    record = client.get(reverse("people:detail", args=[m.elder.pk])).content.decode()
    assert f"/orders/new/?elder={m.elder.pk}" in record
    html = _order_through_the_screens(client, f"/orders/new/?elder={m.elder.pk}")
    _post_confirmation(client, html)
    order = Order.objects.get()
    assert order.channel == "phone" and order.ordered_by == m.operator
    # without a person, the call centre is sent to find one
    assert client.get(reverse("orders:new"))["Location"] == reverse("people:list")


def test_the_order_goes_through_the_pages_of_each_role(client, m):
    client.force_login(m.family)
    _post_confirmation(client, _order_through_the_screens(client, reverse("orders:new")))
    order = Order.objects.get()
    step = lambda name: reverse("orders:step", args=[order.pk, name])  # noqa: E731
    # the provider accepts, then assigns a caregiver of theirs
    client.force_login(m.manager)
    detail = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'data-step="accept"' in detail and 'data-step="refuse"' in detail
    assert client.post(step("accept")).status_code == 302
    bad = client.post(step("assign"), {"caregiver": "999999"})
    assert bad.status_code == 400 and "请选择本机构的护理员" in bad.content.decode()
    client.post(step("assign"), {"caregiver": m.caregiver.pk})
    # the caregiver serves it
    client.force_login(m.caregiver)
    for name in ("depart", "start", "complete"):
        assert client.post(step(name)).status_code == 302, name
    # the family confirms and rates; a rating without stars is refused beside the stars
    client.force_login(m.family)
    client.post(step("confirm"))
    refused = client.post(step("rate"), {"text": "好"})
    assert refused.status_code == 400 and "请选择 1 到 5 颗星" in refused.content.decode()
    client.post(step("rate"), {"stars": "5", "text": "很细心"})
    order.refresh_from_db()
    assert (order.status, order.rating) == ("rated", 5)


def test_a_step_out_of_order_or_unknown_is_refused_without_a_500(client, m):
    client.force_login(m.family)
    _post_confirmation(client, _order_through_the_screens(client, reverse("orders:new")))
    order = Order.objects.get()
    client.force_login(m.manager)
    # a step the status does not allow is refused first (409), whoever asks
    assert client.post(reverse("orders:step", args=[order.pk, "complete"])).status_code == 409
    assert client.post(reverse("orders:step", args=[order.pk, "fly"])).status_code == 404
    assert client.post(reverse("orders:step", args=[order.pk, "auto_confirm"])).status_code == 404
    client.post(reverse("orders:step", args=[order.pk, "accept"]))
    assert client.post(reverse("orders:step", args=[order.pk, "accept"])).status_code == 409


def test_a_tampered_confirmation_is_refused_with_the_reason(client, m):
    client.force_login(m.family)
    html = _order_through_the_screens(client, reverse("orders:new"))
    html = re.sub(r'name="window_end" value="[^"]*"', 'name="window_end" value="yesterday"', html)
    response = _post_confirmation(client, html)
    assert response.status_code == 400
    assert 'data-testid="order-refused"' in response.content.decode()
    assert not Order.objects.exists()


def test_each_role_lands_on_the_orders_waiting_for_it(client, m):
    from yiyang.core.registry import cards_for

    def tiles(actor):
        return {t.key: t.value for card in cards_for(actor) for t in card.tiles}

    client.force_login(m.family)
    _post_confirmation(client, _order_through_the_screens(client, reverse("orders:new")))
    assert tiles(m.manager)["orders_to_answer"] == 1
    assert tiles(m.family)["services_coming"] == 1
    order = Order.objects.get()
    client.force_login(m.manager)
    client.post(reverse("orders:step", args=[order.pk, "accept"]))
    assert tiles(m.manager)["orders_to_assign"] == 1
    assert "orders_to_answer" not in tiles(m.officer) and tiles(m.officer)["orders_disputed"] == 0
    # and the landing page itself shows the provider's work list
    page = client.get("/").content.decode()
    assert "待派护理员的订单" in page or "Orders to assign a caregiver" in page


def test_the_older_persons_landing_starts_with_ordering_and_late_orders_are_flagged(client, m):
    import datetime as dt

    from django.utils import timezone

    client.force_login(m.family)
    home = client.get("/").content.decode()
    assert 'data-testid="landing-order"' in home and reverse("orders:new") in home
    _post_confirmation(client, _order_through_the_screens(client, reverse("orders:new")))
    client.force_login(m.manager)
    assert 'data-testid="answer-late"' not in client.get(reverse("orders:list")).content.decode()
    Order.objects.update(accept_due=timezone.now() - dt.timedelta(minutes=1))
    assert 'data-testid="answer-late"' in client.get(reverse("orders:list")).content.decode()
    # staff have no such buttons on their landing
    assert 'data-testid="landing-order"' not in client.get("/").content.decode()
