"""The API docs open in Debian's Chromium with the network cut off: Swagger UI renders from
the platform's own files and asks nothing of the outside world."""

import pytest

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.conftest import sign_in_through_the_form

from .test_openapi import EXPECTED

pytestmark = pytest.mark.browser


def test_the_docs_render_offline(new_context, city):
    # given a browser that may reach nothing but the platform (the fixture fails the test if
    # anything is fetched from outside), signed in as staff (the docs are not public)
    context = new_context()
    page = context.new_page()
    UserFactory(username="docs_reader", role=Role.CIVIL_AFFAIRS, region=city.panlong)
    sign_in_through_the_form(page, "docs_reader", PASSWORD)
    # when the docs open
    page.goto("/api/docs")
    # then Swagger UI renders the document, every operation listed, nothing fetched outside
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "Yiyang API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.locator(".opblock").count() == len(EXPECTED)
