"""Cursor pagination: every row exactly once, forged cursors refused, no COUNT(*), and a
list page reads the same few columns whatever its size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiyang.api.pagination import MAX_LIMIT, encode_cursor
from yiyang.institutions.tests.factories import OrganisationFactory, credit_code
from yiyang.people.tests.factories import ElderFactory, id_number_for

from .conftest import error, leaked

ROWS = 23


@pytest.fixture
def many(city, panlong):
    # Interleave the districts so that a page boundary can fall beside an outsider's row.
    mine = []
    for n in range(ROWS):
        mine.append(
            ElderFactory(
                region=city.wuhua_community, id_number=id_number_for(100 + n, area6="530102")
            )
        )
        if n % 5 == 0:
            ElderFactory(region=city.panlong_community, id_number=id_number_for(300 + n))
    return sorted(e.id for e in mine)


def walk(api, path, limit, params=None) -> tuple[list[int], int]:
    seen, pages, cursor = [], 0, None
    while True:
        query = dict(params or {}, limit=limit)
        if cursor:
            query["cursor"] = cursor
        response = api.get(path, query)
        assert response.status_code == 200, response.content
        assert not leaked(response)
        body = response.json()
        assert len(body["items"]) <= limit
        seen += [row["id"] for row in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            return seen, pages
        assert pages <= ROWS + 1, "the walk does not end"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(limit=st.integers(min_value=1, max_value=ROWS + 3))
def test_a_walk_visits_every_row_exactly_once(api, many, limit):
    # given 23 rows of ours among rows of the neighbouring district
    # when walking the list with any page size
    seen, pages = walk(api, "/elders", limit)
    # then every row comes exactly once, in id order, in as few pages as the size allows
    assert seen == many
    assert pages == -(-ROWS // limit)


def test_the_last_full_page_ends_the_walk_without_an_empty_page(api, many):
    seen, pages = walk(api, "/elders", ROWS)
    assert seen == many and pages == 1


def test_a_walk_with_a_filter_keeps_the_filter(api, many):
    seen, _pages = walk(api, "/elders", 4, {"q": "wang"})
    assert seen and set(seen) < set(many)


def test_organisations_walk_too(api, city):
    ids = sorted(
        OrganisationFactory(region=city.wuhua_street, credit_code=credit_code(n, "530102")).id
        for n in range(7)
    )
    assert walk(api, "/organisations", 3)[0] == ids


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "1:deadbeef",
        "%00",
        "9" * 150,
    ],
)
def test_a_forged_cursor_is_refused(api, many, cursor):
    response = api.get("/elders", {"cursor": cursor})
    assert response.status_code == 400
    body = error(response)
    assert body["code"] == "bad_cursor"
    assert list(body["fields"]) == ["cursor"]


def test_an_edited_cursor_is_refused(api, many):
    cursor = api.get("/elders", {"limit": 2}).json()["next"]
    last_id, signature = cursor.split(":", 1)
    edited = f"{int(last_id) - 1}:{signature}"
    response = api.get("/elders", {"cursor": edited})
    assert response.status_code == 400
    assert error(response)["code"] == "bad_cursor"


def test_a_cursor_of_another_list_is_refused(api, many):
    response = api.get("/organisations", {"cursor": encode_cursor(1, kind="elders")})
    assert response.status_code == 400
    assert error(response)["code"] == "bad_cursor"


def test_an_overlong_cursor_names_the_field(api, many):
    response = api.get("/elders", {"cursor": "x" * 500})
    assert response.status_code == 422
    assert list(error(response)["fields"]) == ["cursor"]


@pytest.mark.parametrize("limit", ["0", "-5", str(MAX_LIMIT + 1), "10" * 30, "ten", "1.5"])
def test_a_bad_limit_names_the_field(api, many, limit):
    response = api.get("/elders", {"limit": limit})
    assert response.status_code == 422
    assert list(error(response)["fields"]) == ["limit"]


def test_the_list_reads_few_columns_never_counts_and_costs_the_same_at_any_size(api, many):
    # Warm up: the key's last-used stamp is written on the first call only.
    api.get("/elders", {"limit": 1})
    with CaptureQueriesContext(connection) as small:
        api.get("/elders", {"limit": 1})
    with CaptureQueriesContext(connection) as large:
        api.get("/elders", {"limit": MAX_LIMIT})
    assert len(small) == len(large)
    page_sql = [q["sql"] for q in large if 'FROM "people_elder"' in q["sql"]]
    assert len(page_sql) == 1
    sql = page_sql[0]
    assert "COUNT(" not in sql.upper()
    assert "id_number_cipher" not in sql and "JOIN" not in sql.upper()
    assert "ORDER BY" in sql and '"people_elder"."id" ASC' in sql
