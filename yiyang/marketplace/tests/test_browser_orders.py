"""In Chromium: an older person orders a bath on a phone, one large choice per screen, and the
call centre orders for someone from their record on a desktop."""

import pytest

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.conftest import sign_in_through_the_form
from yiyang.marketplace.models import Order

from .factories import market, subsidy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
SMALLEST_TARGET = """() => Math.min(...[...document.querySelectorAll('main a.choice, main button')]
  .filter(e => e.offsetParent).map(e => Math.min(e.getBoundingClientRect().width, e.getBoundingClientRect().height)))"""
SMALL_ONES = """() => [...document.querySelectorAll('main a.choice, main button')].filter(e => e.offsetParent)
  .map(e => e.outerHTML.slice(0, 120) + ' ' + e.getBoundingClientRect().width + 'x' + e.getBoundingClientRect().height)"""
TEXT = "() => parseFloat(getComputedStyle(document.querySelector('.choice-sub, main p, main dd')).fontSize)"
WIDE = "() => document.documentElement.scrollWidth"


def test_an_older_person_orders_a_bath_on_a_phone(new_context, city, screenshots):
    m = market(city)
    subsidy(m.elder, "50.00")
    person = UserFactory(role=Role.ELDER, region=m.elder.region, elder=m.elder)
    page = new_context(**PHONE).new_page()
    sign_in_through_the_form(page, person.username, PASSWORD)
    page.goto("/orders/new/")
    # every screen asks one thing, in large text with large targets, and fits the phone
    for name in ("service", "day", "time"):
        assert page.evaluate(WIDE) <= 390, name
        assert page.evaluate(SMALLEST_TARGET) >= 60, (name, page.evaluate(SMALL_ONES))
        assert page.evaluate(TEXT) >= 18, name
        page.screenshot(path=screenshots / f"order-phone-{name}.png", full_page=True)
        with page.expect_navigation():
            page.locator("a.choice").first.click()
    # the last one says what it costs and who pays what, in yuan
    summary = page.locator("[data-testid=order-summary]")
    assert "助浴" in summary.inner_text()
    assert page.inner_text("[data-testid=subsidy-pays]").startswith("50.00")
    assert page.inner_text("[data-testid=self-pays]").startswith("30.00")
    page.screenshot(path=screenshots / "order-phone-confirm.png", full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=place-order]")
    # then the order is there, waiting for the provider, and said so in words
    page.wait_for_selector("[data-testid=order-status]")
    assert page.inner_text("[data-testid=order-status]") == "待接单"
    order = Order.objects.get()
    assert (order.elder, order.ordered_by, order.subsidy_amount) == (m.elder, person, 50)
    assert page.evaluate(WIDE) <= 390
    page.screenshot(path=screenshots / "order-phone-placed.png", full_page=True)
    # and they may cancel it from the same page
    assert page.locator("[data-step=cancel]").is_visible()


def test_the_call_centre_orders_for_someone_from_their_record(new_context, city, screenshots):
    m = market(city)
    m.operator.set_password(PASSWORD)
    m.operator.save()
    page = new_context(**DESKTOP).new_page()
    sign_in_through_the_form(page, m.operator.username, PASSWORD)
    # the operator finds the person by name and opens the record
    page.goto("/elders/?q=曾桂兰")
    page.click("main table a:has-text('曾桂兰')")
    page.click("[data-testid=order-for]")
    while not page.locator("[data-testid=order-summary]").count():
        with page.expect_navigation():
            page.locator("a.choice").first.click()
    page.fill("#order-note", "老人耳背，请多敲门")
    page.click("[data-testid=place-order]")
    page.wait_for_selector("[data-testid=order-status]")
    order = Order.objects.get()
    assert (order.channel, order.ordered_by, order.note) == (
        "phone",
        m.operator,
        "老人耳背，请多敲门",
    )
    page.screenshot(path=screenshots / "order-operator-placed.png", full_page=True)
    # the provider's manager sees it and accepts it
    m.manager.set_password(PASSWORD)
    m.manager.save()
    provider_page = new_context(**DESKTOP).new_page()
    sign_in_through_the_form(provider_page, m.manager.username, PASSWORD)
    provider_page.goto(f"/orders/{order.pk}/")
    provider_page.click("[data-step=accept] button")
    provider_page.wait_for_selector("[data-step=assign]")
    assert provider_page.inner_text("[data-testid=order-status]") == "已接单"
