"""Each role signs in through the form in Debian's Chromium, lands on its home page and opens
the older-people list where it may; the screenshots go to test-output/screenshots/."""

import pytest

from yiyang.accounts.roles import ELDER_ROLES, ORGANISATION_ROLES, Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.models import Guardian
from yiyang.people.tests.factories import ElderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _account(role, city, elder, home):
    org = home if role in ORGANISATION_ROLES else None
    region = city.panlong_community if role in ELDER_ROLES else city.panlong
    user = UserFactory(
        username=f"demo_{role}",
        role=role,
        region=region,
        organisation=org,
        elder=elder if role == Role.ELDER else None,
    )
    if role == Role.FAMILY:
        Guardian.objects.create(
            elder=elder, name="女儿", relation="child", phone="13800000001", account=user
        )
    return user


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_sees_its_pages(page, sign_in, city, screenshots, role):
    # given a Panlong older person in a care home, a Wuhua one, and an account of this role
    home = OrganisationFactory(region=city.panlong_street, name="盘龙区社会福利院")
    elder = ElderFactory(
        region=city.panlong_community,
        name="曾小红",
        institution=home,
        living_arrangement="institution",
    )
    ElderFactory(region=city.wuhua_community, name="欧阳修")
    user = _account(role, city, elder, home)
    # when they sign in through the form
    sign_in(user.username, PASSWORD)
    # then they land on their home page, signed in as themselves
    assert "/accounts/login/" not in page.url
    assert user.display_name in page.inner_text("[data-testid=who]")
    page.screenshot(path=screenshots / f"{role}-home.png", full_page=True)
    # and where they may see older people, the list shows Panlong's and never Wuhua's (an
    # assessor sees only the people of the cases they were drawn for: none yet)
    if user.has_capability("elders.view"):
        page.goto("/elders/")
        text = page.inner_text("main")
        assert ("曾小红" in text) == (role != Role.ASSESSOR)
        assert "欧阳修" not in text
        page.screenshot(path=screenshots / f"{role}-elders.png", full_page=True)
    else:
        response = page.goto("/elders/")
        assert response.status in (403, 404)
