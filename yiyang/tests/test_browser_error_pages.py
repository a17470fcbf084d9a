"""An officer meets the 404 page in Debian's Chromium and finds the way home by clicking."""

from urllib.parse import urlparse

import pytest

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.people.tests.factories import ElderFactory, id_number_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_opening_another_districts_record_is_told_plainly_and_goes_home(
    page, sign_in, city, screenshots
):
    # given a Wuhua older person and a signed-in Panlong officer
    outsider = ElderFactory(
        region=city.wuhua_community, name="欧阳修", id_number=id_number_for(3, "530102")
    )
    officer = UserFactory(username="panlong_officer", role=Role.CIVIL_AFFAIRS, region=city.panlong)
    sign_in(officer.username, PASSWORD)
    # when the officer opens the Wuhua record's address
    response = page.goto(f"/elders/{outsider.pk}/")
    # then the console's own 404 page says, in Chinese, that the record is not theirs or not there
    assert response.status == 404
    main = page.inner_text("main")
    assert "该记录不在您的管辖范围内或不存在" in main
    assert "欧阳修" not in page.content()
    # in the console's look, the stylesheet applied
    assert (
        page.eval_on_selector(".topbar", "el => getComputedStyle(el).backgroundColor")
        == "rgb(11, 92, 173)"
    )
    page.screenshot(path=screenshots / "error-404.png", full_page=True)
    # and a click leads home
    page.click("text=返回首页")
    page.wait_for_load_state("networkidle")
    assert urlparse(page.url).path == "/"
    assert officer.display_name in page.inner_text("[data-testid=who]")
