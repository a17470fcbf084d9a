"""The Content-Security-Policy holds in a real browser: an inline script is refused, while the
console's own scripts (files under /static/) still run. Every browser test also fails on any
violation the console reports (conftest.new_context)."""

import pytest

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.conftest import sign_in_through_the_form

pytestmark = pytest.mark.browser


def test_an_inline_script_is_refused_by_the_browser(browser, live_server):
    # given a page of the platform (a context of our own: this test wants a violation)
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    reported = []
    page.on("console", lambda m: reported.append(m.text))
    page.goto("/accounts/login/")
    # when something slips an inline script into it
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.inlineRan = true";
                   document.head.appendChild(s); }"""
    )
    # then it does not run, and the browser says why
    assert page.evaluate("() => window.inlineRan === true") is False
    page.wait_for_timeout(200)
    assert any("Content Security Policy" in text for text in reported), reported
    context.close()


def test_the_consoles_scripts_still_run(new_context, city):
    # given an officer signed in through the form (htmx and console.js load from /static/)
    UserFactory(username="csp_officer", role=Role.CIVIL_AFFAIRS, region=city.panlong)
    page = new_context(locale="zh-CN").new_page()
    sign_in_through_the_form(page, "csp_officer", PASSWORD)
    assert page.evaluate("() => typeof window.htmx") == "object"
    # when a list offers "select all" (as the public-notice list does)
    page.evaluate(
        """() => { const f = document.createElement("form");
                   f.innerHTML = '<input type="checkbox" data-select-all="case" id="all">' +
                     '<input type="checkbox" name="case"><input type="checkbox" name="case">';
                   document.body.appendChild(f); }"""
    )
    page.check("#all")
    # then every box is checked by the static script, inline handlers being gone
    assert page.locator("input[name=case]:checked").count() == 2
    page.uncheck("#all")
    assert page.locator("input[name=case]:checked").count() == 0
