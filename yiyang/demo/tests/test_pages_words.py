"""Every page each demo account can reach shows words, not the codes behind them.

A Chinese reader should never meet a status slug (`home_care`), a bare division code
(`530103`), a package name and version, or a stable error key in English where a sentence
belongs. The test signs in as each demo account, follows every link of its pages three steps deep
from its landing page, and reads the visible text of each page (not scripts, hidden parts or
attributes) in Chinese.

Codes a user asked for stay: the division-code column of the regions pages, case and item
numbers with their letter prefix, masked ID numbers, dates, times, phone numbers and the user
names accounts sign in with.
"""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from yiyang.accounts.models import User
from yiyang.demo.services import ROLE_ACCOUNTS

pytestmark = pytest.mark.django_db

PAGES_PER_ACCOUNT = 80
DEPTH = 3
# Pages of one shape (/elders/<id>/) read per account: the same template with other data.
PER_SHAPE = 2
SKIP_PATHS = ("/accounts/logout/", "/static/", "/media/", "/api/", "/i18n/", "/admin/")
# Files (exports, PDFs, the phone's worker), not pages.
SKIP_SUFFIXES = (".csv", ".xlsx", ".pdf", ".json", ".js", "/export/", "/letter/", "/pdf/")

# A status or kind slug: lower-case words joined by underscores.
SLUG = re.compile(r"(?<![\w./-])[a-z]+(?:_[a-z0-9]+)+(?![\w./-])")
# A model or capability label ("accounts.user", "elders.view").
DOTTED = re.compile(r"(?<![\w.@/-])[a-z]+\.[a-z_]+(?![\w.@/-])")
# A division code on its own: 6, 9 or 12 digits, not part of a longer number, a date, a phone
# number or a case number (letters before it).
DIVISION_CODE = re.compile(r"(?<![\w*./:-])(?:\d{12}|\d{9}|\d{6})(?![\w*./:-])")
# A package with its version ("chinesecalendar 1.11.0").
PACKAGE_VERSION = re.compile(r"\b[a-z][a-z0-9_-]{3,} \d+\.\d+(?:\.\d+)?\b")
# Three English words in a row, in a page that should be Chinese.
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+(?: [a-z]+){2,}\b")

# Pages where a division code is the subject of the page, in a labelled column.
DIVISION_CODES_SHOWN = ("/regions/",)


class VisibleText(HTMLParser):
    """The text a reader sees: no scripts, styles, templates or hidden elements."""

    SKIP = {"script", "style", "template", "noscript", "title"}
    VOID = {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    }  # fmt: skip

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.stack: list[bool] = []  # per open element: is it hidden (itself or above)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in self.VOID:
            if tag == "input" and attrs.get("placeholder") and not self.hidden:
                self.parts.append(attrs["placeholder"])
            return
        hidden = (
            self.hidden
            or tag in self.SKIP
            or "hidden" in attrs
            or attrs.get("aria-hidden") == "true"
        )
        self.stack.append(hidden)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    @property
    def hidden(self) -> bool:
        return bool(self.stack and self.stack[-1])

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def _read(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


def _wanted(href: str) -> str | None:
    href, _ = urldefrag(href)
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIP_PATHS) or parts.path.endswith(SKIP_SUFFIXES):
        return None
    return href


def _problems(path: str, text: str, usernames: frozenset[str] = frozenset()) -> list[str]:
    """What is wrong in one page's visible text. A user name (`demo_civil`) looks like a slug but
    is the name an account signs in with, shown to tell accounts apart: it may stay."""
    found = [f"slug {m!r}" for m in SLUG.findall(text) if m not in usernames]
    found += [f"label {m!r}" for m in DOTTED.findall(text)]
    found += [f"package {m!r}" for m in PACKAGE_VERSION.findall(text)]
    found += [f"English {m!r}" for m in ENGLISH.findall(text)]
    if not path.startswith(DIVISION_CODES_SHOWN):
        found += [f"division code {m!r}" for m in DIVISION_CODE.findall(text)]
    return found


def _shape(href: str) -> str:
    """/elders/17/?page=2 and /elders/305/ are one shape: /elders/N/ with or without a query."""
    return re.sub(r"\d+", "N", urlsplit(href).path)


def _crawl(client: Client) -> dict[str, list[str]]:
    """Every page reachable from the landing page within DEPTH links: what is wrong on each."""
    usernames = frozenset(User.objects.values_list("username", flat=True))
    seen, shapes, problems = set(), {}, {}
    queue = deque([("/", 0)])
    while queue and len(seen) < PAGES_PER_ACCOUNT:
        path, depth = queue.popleft()
        shape = _shape(path)
        if path in seen or shapes.get(shape, 0) >= PER_SHAPE:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _read(response.content.decode())
        text = "\n".join(page.parts)
        found = _problems(urlsplit(path).path, text, usernames)
        if found:
            problems[path] = sorted(set(found))
        if depth < DEPTH:
            for href in page.links:
                wanted = _wanted(href)
                if wanted and wanted not in seen:
                    queue.append((wanted, depth + 1))
    return problems


@pytest.mark.parametrize("username", [a.username for a in ROLE_ACCOUNTS])
def test_every_page_an_account_reaches_shows_words_not_codes(small_city, username):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=username))
    problems = _crawl(client)
    assert not problems, "\n".join(
        f"{path}: {', '.join(found)}" for path, found in problems.items()
    )


def test_the_reader_finds_each_kind_of_code_and_ignores_what_is_hidden():
    # The checks above must be able to fail: each kind of code is found in visible text...
    page = _read(
        "<p>状态：home_care</p><p>盘龙区 530103</p><p>chinesecalendar 1.11.0</p>"
        "<p>security policy filed</p><p>账号（accounts.user）</p><script>var a_b = 530103;</script>"
        "<div hidden><p>in_service</p></div><input placeholder='see the list here'>"
    )
    text = "\n".join(page.parts)
    assert _problems("/people/", text) == [
        "slug 'home_care'",
        "label 'accounts.user'",
        "package 'chinesecalendar 1.11.0'",
        "English 'security policy filed'",
        "English 'see the list here'",
        "division code '530103'",
    ]
    # ...and numbers a user needs are not codes: a phone, a date, a case number, a masked ID
    ok = (
        "13888001234 · 2026-12-04 · PG20265301030000001 · 530103********1234 · 1,234 人"
        " · 现场照片.jpg · li@example.org"
    )
    assert _problems("/people/", ok) == []
    assert _problems("/regions/5301/", "530103") == []
    assert _problems("/accounts/users/", "demo_civil", frozenset({"demo_civil"})) == []
