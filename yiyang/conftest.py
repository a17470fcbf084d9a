import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests prove behaviour, not speed (benchmarks under bench/ do that): no per-example
# deadline, which a loaded CI machine would turn into failures that say nothing.
settings.register_profile("yiyang", deadline=None)
settings.load_profile("yiyang")


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
def new_context(browser, live_server):
    """new_context(**options) -> a browser context on the live server that may reach nothing
    else: the platform must never call out (government intranets have no internet), so any
    request off the live server is refused and fails the test at teardown. So does anything
    the Content-Security-Policy blocks on any page the test opens (an inline script, say),
    and anything axe-core finds on those pages (yiyang/tests/accessibility.py)."""
    from yiyang.tests import accessibility

    contexts, outside, violations = [], [], []

    def guard(route):
        url = route.request.url
        if url.startswith(live_server.url) or url.startswith("data:"):
            return route.continue_()
        outside.append(url)
        return route.abort()

    def watch(page):
        # Chromium reports what the Content-Security-Policy blocked on the console.
        def on_console(message):
            if "Content Security Policy" in message.text:
                violations.append(f"{page.url}: {message.text}")

        page.on("console", on_console)

    def make(**options):
        context = browser.new_context(**{"base_url": live_server.url, **options})
        context.route("**/*", guard)
        context.on("page", watch)
        visited: list[str] = []
        accessibility.watch(context, visited)
        contexts.append((context, visited))
        return context

    yield make
    found = []
    for context, visited in contexts:
        found += accessibility.check(browser, live_server.url, context, visited)
        context.close()
    assert not outside, f"pages called outside services: {outside}"
    assert not violations, f"the Content-Security-Policy blocked: {violations}"
    assert not found, "axe-core found:\n" + "\n".join(found)


@pytest.fixture
def page(new_context):
    context = new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    return context.new_page()


@pytest.fixture
def screenshots():
    folder = OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in_through_the_form(page, username: str, password: str):
    """Sign in through the sign-in form, as a person would."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]:not(.link)")
    page.wait_for_load_state("networkidle")
    return page


@pytest.fixture
def sign_in(page):
    return lambda username, password: sign_in_through_the_form(page, username, password)
