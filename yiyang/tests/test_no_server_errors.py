"""Bad input of every kind, fed to every console form and every API operation: never a 5xx.

The targets are enumerated, not listed: the console's pages from the URL patterns (each page
opened as the first staff role it answers, its forms read from the HTML), the API's
operations from its OpenAPI document (bodies built from each operation's request schema).
Each example sends every target once, with values drawn from the edges that broke pages
before: dates at the ends of Python's range, digits that are digits only to str.isdigit(),
NUL, 100 kB strings, and JSON of the wrong type. `EDGE_EXAMPLES` raises the count locally.
"""

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiyang.accounts.roles import Role
from yiyang.accounts.services import api_key_create
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core import registry
from yiyang.institutions.tests.factories import credit_code
from yiyang.people.tests.factories import id_number_for
from yiyang.tests.test_scoping_walk import ROLES, SKIP, _build, _fill, _patterns

EXAMPLES = int(os.environ.get("EDGE_EXAMPLES", "3"))

EDGE_TEXT = [
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2101-01-01",
    "2026-02-30",
    "²",
    "①",
    "٣",
    "３",
    "１２",
    "𝟑",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "9" * 30,
    "1e999999",
    "NaN",
    "Infinity",
    "",
    " ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "\u202e",
    "x" * 100_000,
]
_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)
edge_text = st.one_of(st.sampled_from(EDGE_TEXT), _TEXT)
edge_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(str)
WRONG_JSON = [None, True, False, 0, -1, 2**63, 2**64, 1.5, 1e308, [], {}, ["x"], {"a": 1}]
edge_json = st.one_of(st.sampled_from(WRONG_JSON), edge_text, st.just("\ud800"))
ATTACHMENTS = [
    ("photo.html", b"\xff\xd8\xff\xe0" + bytes(64)),
    ("page.jpg", b"<html><script>alert(1)</script></html>"),
    ("data.xlsx", b"PK\x03\x04 not really"),
    ("empty.pdf", b""),
    ("a\x00b.png", b"\x89PNG\r\n\x1a\n" + bytes(32)),
]


# --- the world --------------------------------------------------------------------------------


@dataclass
class World:
    district: object
    clients: dict
    api_headers: dict
    hints: dict = field(default_factory=dict)
    # Forms not to send: signing out, and revoking the key the API calls use, would turn
    # every later answer into a refusal that hides what the input would have done.
    avoid: set = field(default_factory=set)


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def world(city):
    from yiyang.assessment.tests.factories import policy

    policy()
    district = _build(
        city,
        "panlong",
        "潘龙标记",
        city.panlong,
        city.panlong_street,
        city.panlong_community,
        "530102",
    )
    # Account pages act on someone who is not one of the staff signed in below: disabling or
    # resetting them must not sign the test out.
    district.ids["user"] = UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong).pk
    officer = district.staff[Role.CIVIL_AFFAIRS]
    scopes = sorted(name for name, _label in registry.api_scopes())
    key, token = api_key_create(actor=officer, name="edges", scopes=scopes, region=city.panlong)
    hints = {
        "region": [city.panlong.code, city.panlong_street.code, city.panlong_community.code],
        "id_number": [id_number_for(777)],
        "credit_code": [credit_code(777)],
        "phone": ["13800000000"],
        "elder": [district.ids["elder"]],
        "institution": [district.ids["org"]],
        "organisation": [district.ids["org"]],
        "instrument": ["ltc-2021", "gbt-42195-2022"],
    }
    clients = {role: _client(user) for role, user in district.staff.items()}
    avoid = {reverse(name) for name in SKIP} | {reverse("accounts:api_key_revoke", args=[key.pk])}
    return World(
        district=district,
        clients=clients,
        api_headers={"X-API-Key": token},
        hints=hints,
        avoid=avoid,
    )


def _hinted(name: str, world: World) -> list:
    return next((v for key, v in world.hints.items() if key in name), [])


# --- the console: pages from the URL patterns, forms from their HTML --------------------------


@dataclass
class Form:
    url: str
    method: str
    role: str
    fields: dict = field(default_factory=dict)  # name -> (kind, [known values])


class _Forms(HTMLParser):
    def __init__(self, url: str):
        super().__init__()
        self.url, self.forms, self._current, self._select = url, [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("action") or self.url
            path = urlsplit(action).path or urlsplit(self.url).path
            self._current = Form(url=path, method=(a.get("method") or "get").lower(), role="")
            self.forms.append(self._current)
            return
        if self._current is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._select[1].append(a.get("value", ""))
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            known = [a["value"]] if a.get("value") else []
            self._current.fields.setdefault(name, (kind, []))[1].extend(known)
        elif tag == "textarea":
            self._current.fields.setdefault(name, ("textarea", []))
        elif tag == "select":
            self._select = self._current.fields.setdefault(name, ("select", []))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


# Names sent to a page that shows no form of its own (an htmx fragment, a download, a POST-only
# step): the filters and ids the console's views read.
BARE_FIELDS = ["q", "page", "region", "date_from", "date_to", "as_of", "version", "case", "kind"]


def _console_targets(world: World) -> list[Form]:
    patterns = [
        p
        for p in _patterns(get_resolver().url_patterns)
        if not p[0].startswith("api/") and p[1] not in SKIP
    ]
    targets: list[Form] = []
    seen: set[tuple[str, str]] = set()
    for path, _name, _pattern in patterns:
        url = _fill(path, world.district)
        assert url is not None, f"cannot fill {path}"
        role, page = next(
            ((r, resp) for r in ROLES if (resp := world.clients[r].get(url)).status_code == 200),
            (Role.CIVIL_AFFAIRS, None),
        )
        forms = []
        if page is not None and "html" in page.get("Content-Type", ""):
            parser = _Forms(url)
            parser.feed(page.content.decode("utf-8", errors="replace"))
            forms = [f for f in parser.forms if f.url.startswith("/") and f.url not in world.avoid]
        for form in forms:
            form.role = role
            if (form.url, form.method) not in seen:
                seen.add((form.url, form.method))
                targets.append(form)
        for method in ("get", "post"):
            if (url, method) in seen:
                continue
            seen.add((url, method))
            probe = page if method == "get" and page is not None else None
            if probe is None:
                probe = getattr(world.clients[role], method)(url)
            if probe.status_code == 405:  # the address does not take this method at all
                continue
            bare = {name: ("text", []) for name in BARE_FIELDS}
            targets.append(Form(url=url, method=method, role=role, fields=bare))
    return targets


def _form_value(name: str, kind: str, known: list, world: World):
    good = [*known, *_hinted(name, world)]
    if kind == "file":
        return st.sampled_from(ATTACHMENTS).map(lambda a: SimpleUploadedFile(a[0], a[1]))
    choices = [edge_text, edge_dates]
    if good:
        choices.append(st.sampled_from(good).map(str))
    value = st.one_of(*choices)
    if kind in ("checkbox", "select"):
        return st.one_of(value, st.lists(value, max_size=3))
    return value


def _form_data(form: Form, world: World):
    return st.fixed_dictionaries(
        {},
        optional={
            name: _form_value(name, kind, known, world)
            for name, (kind, known) in form.fields.items()
            if name != "csrfmiddlewaretoken"
        },
    )


def _poisoned(form: Form, poison: str, *, keep_choices: bool = False) -> dict:
    """Every field of the form holding the same edge value (a file field a page-named file).

    With `keep_choices`, fields the page offers values for (choices, ticks, hidden versions)
    keep the first real one and only the fields typed in get the edge: so that the edge
    reaches the code behind a form that first checks its choices."""
    data = {}
    for name, (kind, known) in form.fields.items():
        if name == "csrfmiddlewaretoken":
            continue
        offered = [v for v in known if v]
        if kind == "file":
            data[name] = SimpleUploadedFile(*ATTACHMENTS[0])
        elif keep_choices and offered:
            data[name] = offered[0]
        else:
            data[name] = poison
    return data


def _send_form(world: World, form: Form, data: dict):
    client = world.clients[form.role]
    if form.method == "post":
        response = client.post(form.url, data)
    else:
        # A query string cannot carry a file; send its name instead.
        query = {k: getattr(v, "name", v) for k, v in data.items()}
        response = client.get(form.url, query)
    if response.streaming:
        b"".join(response.streaming_content)  # a fault while streaming is a fault too
    return response


# --- the API: operations from the OpenAPI document --------------------------------------------


@dataclass
class Operation:
    method: str
    path: str
    parameters: list
    body: dict | None


def _api_targets(world: World) -> tuple[list[Operation], dict]:
    response = world.clients[Role.CIVIL_AFFAIRS].get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    operations = []
    for path, items in doc["paths"].items():
        for method, op in items.items():
            content = op.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            operations.append(Operation(method, path, op.get("parameters", []), schema))
    assert len(operations) > 15
    return operations, doc.get("components", {}).get("schemas", {})


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _valid(schema: dict, components: dict, name: str, world: World, depth: int = 0):
    """A value that fits the schema (often enough to reach the service behind it)."""
    schema = _resolve(schema, components)
    hinted = _hinted(name, world)
    if "anyOf" in schema or "oneOf" in schema or "allOf" in schema:
        options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
        return st.one_of(*(_valid(s, components, name, world, depth) for s in options))
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        low, high = schema.get("minimum", -(2**31)), schema.get("maximum", 2**31)
        ints = st.integers(min_value=int(low), max_value=int(high))
        return st.one_of(ints, st.sampled_from(hinted)) if hinted else ints
    if kind == "number":
        return st.one_of(st.integers(-1000, 1000), st.decimals(-1000, 1000, places=2).map(str))
    if kind == "array":
        if depth > 2:
            return st.just([])
        item = _valid(schema.get("items", {}), components, name, world, depth + 1)
        return st.lists(item, max_size=3)
    if kind == "object" or "properties" in schema:
        if depth > 2:
            return st.just({})
        return _object(schema, components, world, depth + 1)
    if schema.get("format") == "date":
        return edge_dates
    strings = st.text(max_size=schema.get("maxLength", 20) or 20)
    return st.one_of(st.sampled_from(hinted), strings) if hinted else strings


def _object(schema: dict, components: dict, world: World, depth: int = 0):
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))

    def value(name, sub):
        return st.one_of(_valid(sub, components, name, world, depth), edge_json)

    return st.fixed_dictionaries(
        {k: value(k, s) for k, s in properties.items() if k in required},
        optional={
            **{k: value(k, s) for k, s in properties.items() if k not in required},
            "unexpected": edge_json,
        },
    )


PATH_IDS = {
    "elder_id": "elder",
    "organisation_id": "org",
    "case_id": "assessment",
    "order_id": "order",
}


def _path_value(name: str, world: World) -> str:
    ids = world.district.ids
    if name in PATH_IDS:
        return str(ids[PATH_IDS[name]])
    if name == "code":
        return world.district.code
    if name == "instrument":
        return "ltc-2021"
    if name == "step":
        return "accept"
    raise AssertionError(f"the API walk cannot fill the path parameter {name}")


def _request(op: Operation, components: dict, world: World):
    path_params = [p for p in op.parameters if p["in"] == "path"]
    query = {}
    for p in op.parameters:
        if p["in"] == "query":
            query[p["name"]] = st.one_of(
                _valid(p.get("schema", {}), components, p["name"], world), edge_text
            )
    odd_path = st.sampled_from(["²", "①", "٣", "３", "0", "-1", "9" * 30, "%00"])
    path_values = {
        p["name"]: st.one_of(st.just(_path_value(p["name"], world)), odd_path) for p in path_params
    }
    body = None
    if op.body is not None:
        body = st.one_of(
            _object(_resolve(op.body, components), components, world),
            st.sampled_from([None, [], "text", 1, [{}]]),
        )
    return st.fixed_dictionaries(
        {
            "path": st.fixed_dictionaries(path_values),
            "query": st.fixed_dictionaries({}, optional=query),
            "body": body if body is not None else st.none(),
        }
    )


def _api_poisoned(op: Operation, components: dict, world: World, poison) -> dict:
    """Every body property and query parameter holding the same edge value."""
    body = None
    if op.body is not None:
        properties = _resolve(op.body, components).get("properties", {})
        body = {name: poison for name in properties}
    return {
        "path": {
            p["name"]: _path_value(p["name"], world) for p in op.parameters if p["in"] == "path"
        },
        "query": {p["name"]: poison for p in op.parameters if p["in"] == "query"},
        "body": body,
    }


def _send_api(world: World, op: Operation, drawn: dict):
    path = op.path
    for name, value in drawn["path"].items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    client = world.clients[Role.CIVIL_AFFAIRS]
    query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in drawn["query"].items()}
    if op.method == "get":
        return client.get(path, query, headers=world.api_headers)
    if query:
        path += "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items())
    call = getattr(client, op.method)
    return call(
        path,
        json.dumps(drawn["body"]),
        content_type="application/json",
        headers=world.api_headers,
    )


# --- the property -----------------------------------------------------------------------------

# Each sent to every target in every field at once: the edges that have broken pages before.
SWEEP = ["²", "①", "３", "\x00", "9999-12-31", "0001-01-01", "x" * 100_000]
SWEEP_JSON = [*SWEEP, None, 2**64, [], {}]

EDGE_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def test_no_console_form_or_api_operation_answers_bad_input_with_a_5xx(world):
    forms = _console_targets(world)
    operations, components = _api_targets(world)
    assert len(forms) > 40
    form_data = [_form_data(f, world) for f in forms]
    api_data = [_request(op, components, world) for op in operations]

    # every edge in every field of every target
    for poison in SWEEP:
        for form in forms:
            # (the second pass only where the page offers choices, and without the 100 kB
            # string, which the first pass has sent everywhere already)
            offers = any(v for _kind, known in form.fields.values() for v in known)
            passes = (False, True) if offers and len(poison) < 100 else (False,)
            for keep_choices in passes:
                sent = _poisoned(form, poison, keep_choices=keep_choices)
                response = _send_form(world, form, sent)
                assert response.status_code < 500, (form.method, form.url, poison[:20])
    for poison in SWEEP_JSON:
        for op in operations:
            response = _send_api(world, op, _api_poisoned(op, components, world, poison))
            assert response.status_code < 500, (op.method, op.path, repr(poison)[:20])

    # and random mixtures of valid values and edges, field by field
    @EDGE_SETTINGS
    @given(data=st.data())
    def feed(data):
        for form, strategy in zip(forms, form_data, strict=True):
            sent = data.draw(strategy, label=f"{form.method} {form.url}")
            response = _send_form(world, form, sent)
            assert response.status_code < 500, (form.method, form.url, response.status_code)
        for op, strategy in zip(operations, api_data, strict=True):
            drawn = data.draw(strategy, label=f"{op.method} {op.path}")
            response = _send_api(world, op, drawn)
            assert response.status_code < 500, (op.method, op.path, response.content[:500])

    feed()
    # and the walk was not signed out part-way, which would have hidden the answers
    for role, client in world.clients.items():
        assert client.get("/").status_code == 200, role
    me = world.clients[Role.CIVIL_AFFAIRS].get("/api/v1/me", headers=world.api_headers)
    assert me.status_code == 200
