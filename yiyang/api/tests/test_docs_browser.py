"""The API docs open in Debian's Chromium with the network cut off: Swagger UI renders from
the platform's own files and asks nothing of the outside world."""

import pytest

pytestmark = pytest.mark.browser


def test_the_docs_render_offline(browser, live_server):
    # given a browser that may reach nothing but the platform
    context = browser.new_context(base_url=live_server.url)
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(live_server.url) or url.startswith("data:"):
            return route.continue_()
        outside.append(url)
        return route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    # when the docs open
    page.goto("/api/docs")
    # then Swagger UI renders the document, every operation listed, nothing fetched outside
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "Yiyang API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.locator(".opblock").count() == 24
    context.close()
    assert not outside, outside
