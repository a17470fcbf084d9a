"""The large-text switch: a cookie on this browser, read by every page; it never sends a
person off the platform."""

from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.context_processors import TEXT_COOKIE


def test_large_text_is_switched_on_and_off_and_every_page_reads_it(client, city):
    client.force_login(UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong))
    on = client.post(reverse("text_size"), {"size": "large", "next": "/elders/"})
    assert on.status_code == 302 and on["Location"] == "/elders/"
    assert client.cookies[TEXT_COOKIE].value == "large"
    assert 'class=" text-large"' in client.get("/elders/").content.decode()
    off = client.post(reverse("text_size"), {"size": "normal", "next": "/elders/"})
    assert off.status_code == 302
    assert "text-large" not in client.get("/elders/").content.decode().split("<head>")[0]


def test_older_people_read_at_their_size_without_asking(client, city):
    person = UserFactory(role=Role.ELDER, region=city.panlong_community)
    client.force_login(person)
    assert 'class="reads-self"' in client.get("/", follow=True).content.decode()


def test_the_sign_in_page_can_be_read_large_before_signing_in(client):
    client.post(reverse("text_size"), {"size": "large", "next": "/accounts/login/"})
    assert 'class=" text-large"' in client.get("/accounts/login/").content.decode()


def test_the_switch_never_leads_off_the_platform(client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", "²", "home"):
        answer = client.post(reverse("text_size"), {"size": "large", "next": target})
        assert answer.status_code == 302 and answer["Location"] == "/"
    assert client.get(reverse("text_size")).status_code == 405
