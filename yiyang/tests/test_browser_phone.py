"""The console on a 390×844 phone and for older people: no page scrolls sideways, the header
stays one line with targets a thumb can hit, the text follows the browser's size, and the
older person's pages read at 18 px or more, 24 px or more in the large text."""

import pytest

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.assessment.tests.factories import assessor_pool, case_drawn, officer, policy
from yiyang.conftest import sign_in_through_the_form
from yiyang.people.tests.factories import ElderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True}

FITS = """() => {
  const main = document.querySelector('main');
  const bar = document.querySelector('.topbar').getBoundingClientRect();
  const out = document.querySelector('.topbar form[action$="logout/"] button');
  const box = out ? out.getBoundingClientRect() : {width: 99, height: 99};
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > 391)
    .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 30));
  return {page: document.documentElement.scrollWidth, main: main.scrollWidth - main.clientWidth,
          bar: bar.height, out: [box.width, box.height], wide: wide};
}"""

TEXT = "() => parseFloat(getComputedStyle(document.querySelector('main')).fontSize)"


@pytest.fixture
def world(city):
    policy()
    pool = assessor_pool(city)
    staff = officer(city)
    elder = ElderFactory(region=city.panlong_community, name="曾小红", phone="13800000009")
    return staff, elder, case_drawn(staff, elder, pool)


def _fits(page, path: str) -> dict:
    response = page.goto(path)
    assert response.status == 200, path
    found = page.evaluate(FITS)
    assert found["page"] <= 390, (path, found["wide"])  # nothing scrolls the page sideways
    assert found["main"] <= 1, (path, found)  # nor the content inside it
    assert found["bar"] <= 64, (path, found)  # the header is one line
    assert min(found["out"]) >= 44, (path, found)  # and sign-out a target, not a word
    return found


def test_an_officers_pages_fit_a_phone(new_context, world, screenshots):
    staff, elder, case = world
    staff.set_password(PASSWORD)
    staff.save()
    page = new_context(**PHONE).new_page()
    sign_in_through_the_form(page, staff.username, PASSWORD)
    for name, path in (
        ("home", "/"),
        ("elders", "/elders/"),
        ("record", f"/elders/{elder.pk}/"),
        ("cases", "/assessments/"),
        ("case", f"/assessments/{case.pk}/"),
    ):
        _fits(page, path)
        page.screenshot(path=screenshots / f"phone-officer-{name}.png", full_page=True)
    # the menu comes after the page, and the header's 菜单 link leads there
    page.goto("/elders/")
    menu = page.locator(".sidenav").bounding_box()
    content = page.locator("main").bounding_box()
    assert menu["y"] >= content["y"] + content["height"] - 1
    page.click(".menu-link")
    assert page.url.endswith("#nav")


def test_the_older_persons_pages_read_large_and_larger(new_context, world, screenshots):
    _staff, elder, case = world
    person = UserFactory(role=Role.ELDER, region=elder.region, elder=elder)
    page = new_context(**PHONE).new_page()
    sign_in_through_the_form(page, person.username, PASSWORD)
    for name, path in (
        ("home", "/"),
        ("record", f"/elders/{elder.pk}/"),
        ("case", f"/assessments/{case.pk}/"),
    ):
        _fits(page, path)
        assert page.evaluate(TEXT) >= 18, path
        page.screenshot(path=screenshots / f"phone-elder-{name}.png", full_page=True)
    # the home page's buttons are at least 60×60
    page.goto("/")
    for box in page.locator("main .button, main button").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
    ):
        assert min(box) >= 60, box
    # when they switch the large text on, every page reads at 24 px or more, and it stays on
    with page.expect_navigation():
        page.click("[data-testid=text-size]")
    assert page.get_attribute("[data-testid=text-size]", "aria-pressed") == "true"
    assert page.evaluate(TEXT) >= 24
    page.goto(f"/assessments/{case.pk}/")
    assert page.evaluate(TEXT) >= 24
    _fits(page, f"/assessments/{case.pk}/")
    page.screenshot(path=screenshots / "phone-elder-case-large.png", full_page=True)
    # and off again
    with page.expect_navigation():
        page.click("[data-testid=text-size]")
    assert 18 <= page.evaluate(TEXT) < 24


def test_the_console_follows_the_browsers_text_size(new_context, world):
    staff, _elder, _case = world
    staff.set_password(PASSWORD)
    staff.save()
    page = new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    sign_in_through_the_form(page, staff.username, PASSWORD)
    # every font size of the console's style sheet is relative (%, rem, em), none in pixels, so
    # a browser set to larger text makes every page larger
    sizes = page.evaluate(
        """() => [...document.styleSheets].filter(s => (s.href || '').includes('/yiyang/console'))
             .flatMap(s => [...s.cssRules]).flatMap(r => r instanceof CSSMediaRule ? [...r.cssRules] : [r])
             .filter(r => r.style && r.style.fontSize).map(r => r.style.fontSize)"""
    )
    assert sizes and not [size for size in sizes if size.endswith("px")], sizes
    assert any(size.endswith("%") for size in sizes)


def test_a_refused_form_puts_the_focus_on_what_to_correct(new_context, world):
    staff, _elder, _case = world
    staff.set_password(PASSWORD)
    staff.save()
    page = new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    sign_in_through_the_form(page, staff.username, PASSWORD)
    page.goto("/elders/new/")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    summary = page.locator("[data-testid=error-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.dataset.testid") == "error-summary"
    # each line leads to its field
    first = summary.locator("a").first
    target = first.get_attribute("href")
    first.click()
    assert page.evaluate("'#' + document.activeElement.id") == target


# --- Every role's pages at a phone's and a desktop's width --------------------------------------

DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
SIZES = {"390x844": (PHONE, 390), "1440x900": (DESKTOP, 1440)}

WIDE = """(width) => {
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 30));
  const main = document.querySelector('main');
  return {page: document.documentElement.scrollWidth, main: main.scrollWidth - main.clientWidth, wide};
}"""

# What each role opens first: its landing page, then the pages of its work that exist yet.
ROLE_PAGES = {
    Role.CIVIL_AFFAIRS: ("home", "elders", "record", "cases", "case"),
    Role.MEDICAL_INSURANCE: ("home", "elders", "record", "cases", "case"),
    Role.HEALTH: ("home", "elders", "record", "case"),
    Role.OPERATOR: ("home", "elders", "record"),
    Role.DOCTOR: ("home", "elders", "record"),
    Role.PROVIDER: ("home", "elders", "record"),
    Role.CAREGIVER: ("home", "elders", "record"),
    Role.ELDER: ("home", "record", "case"),
    Role.FAMILY: ("home", "record", "case"),
    Role.SYSTEM_ADMIN: ("home", "accounts"),
    Role.SECURITY_ADMIN: ("home", "security"),
    Role.AUDIT_ADMIN: ("home", "audit"),
}


@pytest.fixture
def roles_world(city):
    """One older person in a Panlong care home with a daughter's account and an assessment case,
    and an account of each role that may see them."""
    from yiyang.institutions.tests.factories import OrganisationFactory
    from yiyang.people.models import Guardian

    policy()
    pool = assessor_pool(city)
    staff = officer(city)
    home = OrganisationFactory(region=city.panlong_street, name="盘龙区福寿养老院")
    elder = ElderFactory(
        region=city.panlong_community,
        name="曾小红",
        phone="13800000009",
        institution=home,
        living_arrangement="institution",
    )
    case = case_drawn(staff, elder, pool)
    users = {}
    for role in ROLE_PAGES:
        users[role] = UserFactory(
            role=role,
            region=city.panlong_community if role in (Role.ELDER, Role.FAMILY) else city.panlong,
            organisation=home if role in (Role.PROVIDER, Role.CAREGIVER) else None,
            elder=elder if role == Role.ELDER else None,
        )
    Guardian.objects.create(
        elder=elder, name="曾丽", relation="child", phone="13800002222", account=users[Role.FAMILY]
    )
    paths = {
        "home": "/",
        "elders": "/elders/",
        "record": f"/elders/{elder.pk}/",
        "cases": "/assessments/",
        "case": f"/assessments/{case.pk}/",
        "accounts": "/accounts/users/",
        "security": "/accounts/security/",
        "audit": "/supervision/audit/",
    }
    return users, paths


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ROLE_PAGES, ids=lambda r: r.value)
def test_each_roles_pages_fit_the_screen_with_a_screenshot(
    new_context, roles_world, screenshots, role, size
):
    users, paths = roles_world
    options, width = SIZES[size]
    page = new_context(**options).new_page()
    sign_in_through_the_form(page, users[role].username, PASSWORD)
    for name in ROLE_PAGES[role]:
        response = page.goto(paths[name])
        assert response.status == 200, (role, name)
        found = page.evaluate(WIDE, width)
        # nothing scrolls the page, or the content inside it, sideways
        assert found["page"] <= width, (role, name, found["wide"])
        assert found["main"] <= 1, (role, name, found)
        page.screenshot(path=screenshots / f"role-{role.value}-{name}-{size}.png", full_page=True)


def test_a_list_reads_as_cards_on_a_phone_and_as_a_table_on_a_desktop(new_context, roles_world):
    users, paths = roles_world
    officer_user = users[Role.CIVIL_AFFAIRS]
    heads = "() => getComputedStyle(document.querySelector('main table thead')).position"
    label = "() => document.querySelector('main table tbody td').dataset.label"
    for options, position in ((PHONE, "absolute"), (DESKTOP, "static")):
        page = new_context(**options).new_page()
        sign_in_through_the_form(page, officer_user.username, PASSWORD)
        page.goto(paths["elders"])
        # each cell carries its column's head, shown beside the value on a phone only
        assert page.evaluate(label) == page.inner_text("main table thead th >> nth=0").strip()
        assert page.evaluate(heads) == position
        # and a list filtered by htmx is labelled too
        page.fill("input[name=q]", "曾")
        page.wait_for_timeout(800)
        assert page.evaluate(label)
