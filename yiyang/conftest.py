import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _enable_db_for_all(db):
    """Every test here touches the database; say so once."""


@pytest.fixture
def city(db):
    from yiyang.regions.tests.factories import build_city

    return build_city()


# --- Browser tests: one Chromium for the whole session, shared by every app --------------

OUTPUT = Path(os.environ.get("TEST_OUTPUT_DIR", Path.cwd() / "test-output"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's Chromium is missing: run `make test-packages` (apt-get install chromium)"
        )
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1366, "height": 900}, base_url=live_server.url
    )
    # Offline: the platform must never call out; any request off localhost fails the test.
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(live_server.url) or url.startswith("data:"):
            return route.continue_()
        outside.append(url)
        return route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    yield page
    context.close()
    assert not outside, f"pages called outside services: {outside}"


@pytest.fixture
def screenshots():
    folder = OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def sign_in(page):
    """Sign in through the sign-in form, as a person would."""

    def _sign_in(username: str, password: str):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit]:not(.link)")
        page.wait_for_load_state("networkidle")
        return page

    return _sign_in
