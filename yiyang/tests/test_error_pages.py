"""The console's error pages: branded, Chinese first, saying what happened, with a way home.

Django renders them only with DEBUG off, as in production; the settings fixture makes sure.
A record outside the officer's district must read exactly like one that does not exist.
"""

import re

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.console import domain_errors_as_http
from yiyang.core.error_pages import server_error
from yiyang.core.exceptions import Conflict
from yiyang.people.tests.factories import ElderFactory, id_number_for

NOT_HERE = "该记录不在您的管辖范围内或不存在"
NO_PERMISSION = "您没有执行此操作的权限"
OUR_FAULT = "系统内部出错了"
HOME = "返回首页"


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


@pytest.fixture
def officer(city):
    return UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong)


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


def main_of(response) -> str:
    match = re.search(r"<main id=\"main\">(.*)</main>", response.content.decode(), re.DOTALL)
    assert match, response.content.decode()[:500]
    return match.group(1)


def assert_console_page_with_a_way_home(response) -> str:
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert 'class="topbar"' in html and "/static/yiyang/console.css" in html
    assert re.search(r'<a class="button" href="/" data-testid="home">\s*' + HOME, html)
    # no inline script and no inline handler: every script comes from /static/
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)
    return html


def test_a_missing_page_is_a_chinese_404_in_the_consoles_look_with_a_way_home(signed_in):
    # when a signed-in officer opens an address that is not there
    response = signed_in.get("/elders/no-such-page/")
    # then the console's 404 says so in Chinese and leads home
    assert response.status_code == 404
    html = assert_console_page_with_a_way_home(response)
    assert NOT_HERE in html
    assert 'data-testid="who"' in html  # the console's header, with who is signed in


def test_a_record_outside_the_district_reads_exactly_like_one_that_does_not_exist(signed_in, city):
    # given an older person of Wuhua, and a Panlong officer
    outsider = ElderFactory(region=city.wuhua_community, id_number=id_number_for(7, "530102"))
    # when the officer opens that record and a record that does not exist
    hidden = signed_in.get(reverse("people:detail", args=[outsider.pk]))
    missing = signed_in.get(reverse("people:detail", args=[outsider.pk + 1000]))
    # then both are the same 404 page, which names nobody
    assert hidden.status_code == missing.status_code == 404
    assert main_of(hidden) == main_of(missing)
    assert NOT_HERE in main_of(hidden)
    assert outsider.name not in hidden.content.decode()


def test_the_404_page_is_in_english_on_request(signed_in):
    signed_in.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = signed_in.get("/elders/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This record is outside your jurisdiction or does not exist" in html
    assert "Back to the home page" in html
    assert NOT_HERE not in html


def test_an_action_outside_the_role_is_a_chinese_403_with_a_way_home(signed_in):
    # when a civil-affairs officer opens the assessors' task list
    response = signed_in.get(reverse("assessor:tasks"))
    # then the console's 403 says the action is not theirs, in Chinese
    assert response.status_code == 403
    html = assert_console_page_with_a_way_home(response)
    assert NO_PERMISSION in html
    assert "系统管理员" in html


def test_a_form_sent_without_its_csrf_token_gets_the_consoles_expired_page(officer, city):
    # given an officer whose page lost its CSRF token
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    # when the form is sent
    response = client.post(reverse("people:create"), {"name": "王五"})
    # then the console's 403 explains it and nothing else happened
    assert response.status_code == 403
    html = assert_console_page_with_a_way_home(response)
    assert "表单未能提交" in html and "刷新页面" in html
    assert "CSRF verification failed" not in html


def test_a_request_for_a_foreign_host_is_a_400_page_not_a_crash(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    html = assert_console_page_with_a_way_home(response)
    assert "无法识别该请求" in html


@override_settings(ROOT_URLCONF="yiyang.tests.faulty_urls")
def test_a_bug_in_a_page_is_a_chinese_500_that_says_it_was_recorded(officer, caplog):
    # given a page with a bug, and a client that gets the answer instead of the exception
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    # when it is opened
    response = client.get("/broken/")
    # then the 500 page says the fault is ours and recorded, and leads home
    assert response.status_code == 500
    html = assert_console_page_with_a_way_home(response)
    assert OUR_FAULT in html and "已被记录" in html
    assert "a bug, not an answer" not in html
    # and the traceback is in the log
    assert any(r.exc_info and r.levelname == "ERROR" for r in caplog.records)


def test_the_500_page_renders_without_the_database_or_a_request_context(django_db_blocker):
    # given a request that went through no middleware, and a database that cannot be reached
    request = RequestFactory().get("/elders/")
    with django_db_blocker.block():
        # when Django asks for the 500 page
        response = server_error(request)
    # then it is the console's page all the same
    assert response.status_code == 500
    html = assert_console_page_with_a_way_home(response)
    assert OUR_FAULT in html


def test_a_refusal_a_console_view_left_unhandled_shows_its_message_with_its_status(officer):
    # given a console view whose service refuses with a 409 the view does not handle
    @domain_errors_as_http
    def view(request):
        raise Conflict("别人刚刚修改了这条记录。")

    request = RequestFactory().get("/elders/1/edit/")
    request.user = officer
    # when it is opened
    response = view(request)
    # then the page has the refusal's status and says what happened, instead of a 500
    assert response.status_code == 409
    html = assert_console_page_with_a_way_home(response)
    assert "别人刚刚修改了这条记录。" in html
    assert "无法完成此操作" in html


def test_the_api_never_answers_with_an_error_page(signed_in):
    for path in ("/api/v1/no-such-list", "/api/v1/elders/0"):
        response = signed_in.get(path)
        assert response["Content-Type"].startswith("application/json"), path
        assert "<html" not in response.content.decode()
