"""Two people in two browsers: the system administrator asks for the audit administrator's
password to be reset, the security administrator approves it and reads the temporary password
once. The pages run under the Content-Security-Policy (conftest.new_context fails on any
violation)."""

import pytest

from yiyang.accounts.models import AccountChange, User
from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.conftest import sign_in_through_the_form

pytestmark = pytest.mark.browser


def test_one_asks_another_approves(new_context, city):
    UserFactory(username="sys_pl", role=Role.SYSTEM_ADMIN, region=city.panlong)
    UserFactory(username="sec_city", role=Role.SECURITY_ADMIN, region=city.city)
    target = UserFactory(username="audit_pl", role=Role.AUDIT_ADMIN, region=city.panlong)
    # the system administrator asks, from the audit administrator's page
    asker = new_context(locale="zh-CN").new_page()
    sign_in_through_the_form(asker, "sys_pl", PASSWORD)
    asker.goto(f"/accounts/users/{target.pk}/")
    section = asker.locator("[data-testid=second-person]")
    assert section.is_visible()
    section.locator("select[name=ask-kind]").select_option("reset_password")
    section.locator("textarea[name=ask-reason]").fill("本人来电，已核验身份证")
    section.locator("form").first.locator("button[type=submit]").click()
    asker.wait_for_selector("[data-testid=status]")
    assert asker.locator("[data-testid=status]").inner_text() == "待审批"
    assert asker.locator("button[value=approve]").count() == 0
    change = AccountChange.objects.get()
    # the security administrator approves in another browser
    approver = new_context(locale="zh-CN").new_page()
    sign_in_through_the_form(approver, "sec_city", PASSWORD)
    approver.goto("/accounts/changes/")
    approver.click(f"a[href='/accounts/changes/{change.pk}/']")
    approver.click("button[value=approve]")
    approver.wait_for_selector("[data-testid=temporary-password]")
    password = approver.locator("[data-testid=temporary-password] code").inner_text()
    assert User.objects.get(pk=target.pk).check_password(password)
    assert "已批准并执行" in approver.locator("[data-testid=status]").inner_text()
