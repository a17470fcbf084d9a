"""Answers with personal data are not kept by browsers or proxies, and every answer carries a
Content-Security-Policy that admits no inline script; the templates hold none."""

import re
from pathlib import Path

from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.services import api_key_create
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.middleware import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[1]


def _directives(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


def test_the_policy_admits_scripts_from_our_own_files_only():
    script = _directives(CONTENT_SECURITY_POLICY)["script-src"]
    assert script == ["'self'"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert _directives(CONTENT_SECURITY_POLICY)["frame-ancestors"] == ["'none'"]


def test_every_page_carries_the_policy_and_signed_in_pages_are_not_stored(client, city):
    # the sign-in page, to anyone: the policy, and nothing personal to protect from caches
    response = client.get(reverse("accounts:login"))
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    # a signed-in page: never stored
    client.force_login(UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "no-store" in response["Cache-Control"]
    # an API answer to a session and a 404 page to a signed-in user likewise
    assert "no-store" in client.get("/api/v1/me")["Cache-Control"]
    assert "no-store" in client.get("/elders/999999999/")["Cache-Control"]


def test_api_answers_to_a_key_are_not_stored(client, city):
    officer = UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong)
    _key, token = api_key_create(
        actor=officer, name="社区系统", scopes=["elders.view"], region=city.panlong
    )
    response = client.get("/api/v1/elders", headers={"X-API-Key": token})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_static_files_stay_cacheable(client, city):
    client.force_login(UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong))
    response = client.get("/static/yiyang/console.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")")
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_holds_an_inline_script_or_handler():
    offenders = []
    for path in ROOT.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders
