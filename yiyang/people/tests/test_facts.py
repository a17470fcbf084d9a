"""Dated facts (ADR 0011): what held of a person when, written by every path that changes the
columns, and the columns following them."""

import datetime as dt
import itertools

import pytest
from django.db.models import F
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.exceptions import NotFound, ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.core.timeutils import local_today
from yiyang.exchange.services import import_create
from yiyang.exchange.tests.workbook import elder_row, make_workbook
from yiyang.people import selectors, services
from yiyang.people.models import Elder, Fact
from yiyang.people.selectors import ElderFilters, fact_holds, month
from yiyang.people.services import FACT_COLUMNS, ElderData
from yiyang.people.tests.factories import ElderFactory, elder_data

ECONOMIC = Fact.Kind.ECONOMIC


@pytest.fixture
def officer(city):
    return UserFactory(region=city.panlong, role=Role.CIVIL_AFFAIRS)


_data = elder_data


def _edit(officer, elder, **changes) -> Elder:
    elder.refresh_from_db()
    values = {
        "name": elder.name,
        "id_number": "",
        "region_code": elder.region_code,
        "address": elder.address,
        "economic_status": elder.economic_status,
        "insurance": elder.insurance,
        "living_arrangement": elder.living_arrangement,
    }
    values.update(changes)
    return services.elder_update(actor=officer, elder_id=elder.pk, data=ElderData(**values))


def _live(elder, kind=ECONOMIC) -> list[tuple]:
    return list(
        Fact.objects.filter(elder=elder, kind=kind, superseded_at__isnull=True)
        .order_by("valid_from")
        .values_list("value", "valid_from", "valid_to")
    )


def columns_follow_facts() -> list:
    """People whose column differs from the fact holding today, or who lack that fact."""
    today = local_today()
    wrong = []
    held = {
        (e, k): v
        for e, k, v in Fact.objects.filter(selectors.facts_in_force(on=today)).values_list(
            "elder_id", "kind", "value"
        )
    }
    for elder in Elder.objects.all():
        for kind, column in FACT_COLUMNS.items():
            value = getattr(elder, column)
            if held.get((elder.pk, kind)) != (None if value is None else str(value)):
                wrong.append((elder.pk, kind, value, held.get((elder.pk, kind))))
    return wrong


def test_was_this_person_dibao_in_march_is_a_query(city, officer):
    # given a person filed as 低收入 in January, 低保 from 15 March, ordinary from 1 June
    elder = services.elder_create(
        actor=officer,
        data=_data(city, economic_status="low_income", facts_from=dt.date(2026, 1, 10)),
    )
    _edit(officer, elder, economic_status="dibao", facts_from=dt.date(2026, 3, 15))
    _edit(officer, elder, economic_status="ordinary", facts_from=dt.date(2026, 6, 1))

    def dibao(**when) -> bool:
        return Elder.objects.filter(fact_holds(ECONOMIC, ["dibao"], **when), pk=elder.pk).exists()

    # then March holds 低保 on some days but not throughout, April throughout, June not at all
    assert dibao(**month(2026, 3))
    assert not dibao(**month(2026, 3), throughout=True)
    assert dibao(**month(2026, 4), throughout=True)
    assert dibao(on=dt.date(2026, 5, 31))
    assert not dibao(**month(2026, 6))
    assert not dibao(on=dt.date(2026, 3, 14))
    assert _live(elder) == [
        ("low_income", dt.date(2026, 1, 10), dt.date(2026, 3, 15)),
        ("dibao", dt.date(2026, 3, 15), dt.date(2026, 6, 1)),
        ("ordinary", dt.date(2026, 6, 1), None),
    ]
    on_april = selectors.facts_on(actor=officer, elder_id=elder.pk, on=dt.date(2026, 4, 1))
    assert on_april[ECONOMIC] == "dibao"
    assert on_april[Fact.Kind.RESIDENCE] == city.panlong_community.code
    elder.refresh_from_db()
    assert elder.economic_status == "ordinary"
    # and the history says from when
    log = ChangeLog.objects.filter(entity_id=elder.pk, action="update").latest("id")
    assert log.changes["facts_from"] == [None, "2026-06-01"]
    assert columns_follow_facts() == []


def test_a_statement_from_an_earlier_day_supersedes_later_facts_which_stay_on_record(city, officer):
    elder = services.elder_create(actor=officer, data=_data(city, facts_from=dt.date(2025, 1, 1)))
    _edit(officer, elder, economic_status="low_income", facts_from=dt.date(2026, 5, 1))
    # the officer learns it was 低保, and from February already
    _edit(officer, elder, economic_status="dibao", facts_from=dt.date(2026, 2, 1))

    assert _live(elder) == [
        ("ordinary", dt.date(2025, 1, 1), dt.date(2026, 2, 1)),
        ("dibao", dt.date(2026, 2, 1), None),
    ]
    superseded = Fact.objects.get(elder=elder, kind=ECONOMIC, superseded_at__isnull=False)
    assert (superseded.value, superseded.valid_from) == ("low_income", dt.date(2026, 5, 1))
    # and going back to what held before extends it rather than adding a twin
    _edit(officer, elder, economic_status="ordinary", facts_from=dt.date(2026, 2, 1))
    assert _live(elder) == [("ordinary", dt.date(2025, 1, 1), None)]
    assert columns_follow_facts() == []


def test_a_change_dated_in_the_future_is_refused_and_nothing_is_written(city, officer):
    elder = services.elder_create(actor=officer, data=_data(city))
    before = list(Fact.objects.values_list("pk", "value", "valid_to"))

    with pytest.raises(ValidationFailed) as refused:
        _edit(officer, elder, economic_status="dibao", facts_from=local_today() + dt.timedelta(1))

    assert set(refused.value.fields) == {"facts_from"}
    with pytest.raises(ValidationFailed) as too_early:
        _edit(officer, elder, economic_status="dibao", facts_from=dt.date(1940, 1, 1))
    assert set(too_early.value.fields) == {"facts_from"}
    assert list(Fact.objects.values_list("pk", "value", "valid_to")) == before
    elder.refresh_from_db()
    assert elder.economic_status == "ordinary"


def test_a_move_and_a_death_are_facts_and_alive_in_a_month_is_a_query(city, officer):
    elder = services.elder_create(actor=officer, data=_data(city, facts_from=dt.date(2025, 6, 1)))
    _edit(officer, elder, region_code=city.panlong_community2.code, facts_from=dt.date(2026, 2, 1))
    services.elder_change_status(
        actor=officer, elder_id=elder.pk, status="deceased", on=dt.date(2026, 4, 20)
    )

    def alive(**when) -> bool:
        return Elder.objects.filter(
            fact_holds(Fact.Kind.STATUS, ["active"], **when), pk=elder.pk
        ).exists()

    assert alive(**month(2026, 4)) and not alive(**month(2026, 4), throughout=True)
    assert not alive(**month(2026, 5))
    assert _live(elder, Fact.Kind.RESIDENCE) == [
        (city.panlong_community.code, dt.date(2025, 6, 1), dt.date(2026, 2, 1)),
        (city.panlong_community2.code, dt.date(2026, 2, 1), None),
    ]
    # the list filters by where people lived and what held on a day
    in_january = ElderFilters(region_code=city.panlong_community.code, as_of=dt.date(2026, 1, 5))
    assert list(selectors.elder_list(actor=officer, filters=in_january)) == [elder]
    today = ElderFilters(region_code=city.panlong_community.code)
    assert list(selectors.elder_list(actor=officer, filters=today)) == []
    dead_in_march = ElderFilters(status="deceased", as_of=dt.date(2026, 3, 31))
    assert list(selectors.elder_list(actor=officer, filters=dead_in_march)) == []
    assert columns_follow_facts() == []


def test_a_person_outside_the_scope_has_no_facts_to_read(city, officer):
    elder = ElderFactory(region=city.wuhua_community)
    with pytest.raises(NotFound):
        selectors.fact_rows(actor=officer, elder_id=elder.pk)


def test_the_import_files_facts_from_the_rows_date(city, officer):
    rows = [
        elder_row(1, city.panlong_community, facts_from="2026-01-01"),
        elder_row(2, city.panlong_community),
    ]
    import_create(
        actor=officer,
        kind="elders",
        mode="all",
        file_name="老人.xlsx",
        content=make_workbook("elders", rows),
    )
    first, second = Elder.objects.order_by("id")
    assert _live(first) == [("dibao", dt.date(2026, 1, 1), None)]
    assert _live(second) == [("dibao", local_today(), None)]
    assert Fact.objects.filter(elder=first).first().source == Fact.Source.IMPORT

    again = [elder_row(1, city.panlong_community, economic_status="普通", facts_from="2026-07-01")]
    job = import_create(
        actor=officer,
        kind="elders",
        mode="all",
        file_name="老人.xlsx",
        content=make_workbook("elders", again),
    )
    assert job.updated_count == 1
    assert _live(first) == [
        ("dibao", dt.date(2026, 1, 1), dt.date(2026, 7, 1)),
        ("ordinary", dt.date(2026, 7, 1), None),
    ]
    assert Fact.objects.filter(elder=first, valid_from=dt.date(2026, 7, 1)).get().reference == (
        f"import #{job.pk}"
    )
    assert columns_follow_facts() == []


def test_the_record_page_and_the_api_show_what_held_when(city, officer):
    elder = services.elder_create(
        actor=officer,
        data=_data(city, economic_status="low_income", facts_from=dt.date(2026, 1, 1)),
    )
    _edit(officer, elder, economic_status="dibao", facts_from=dt.date(2026, 3, 1))
    client = Client()
    client.force_login(officer)

    page = client.get(f"/elders/{elder.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="facts"' in html
    assert "2026-02-28" in html  # the last day 低收入 held

    # the API, as the console's own pages call it with the session
    answer = client.get(f"/api/v1/elders/{elder.pk}/facts?on=2026-02-01")
    assert answer.status_code == 200
    held = {row["kind"]: row["value"] for row in answer.json()}
    assert held["economic_status"] == "low_income"
    listed = client.get("/api/v1/elders?economic_status=dibao&as_of=2026-02-01")
    assert listed.status_code == 200 and listed.json()["items"] == []


TODAY = local_today()
DAYS = st.integers(min_value=0, max_value=400).map(lambda n: TODAY - dt.timedelta(days=n))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    statements=st.lists(
        st.tuples(st.sampled_from(Elder.Economic.values), DAYS), min_size=1, max_size=8
    )
)
def test_the_latest_statement_decides_every_day_from_its_own(city, statements):
    """Oracle: the value on a day is the one of the last statement recorded whose day is on or
    before it; facts never overlap, leave no gap, and the column holds today's value."""
    elder = ElderFactory(region=city.panlong_community)
    Fact.objects.filter(elder=elder).delete()
    start = TODAY - dt.timedelta(days=500)
    services.facts_record([(elder, {ECONOMIC: "ordinary"})], on=start, source="registry")
    told = [("ordinary", start)]
    for value, day in statements:
        services.facts_record([(elder, {ECONOMIC: value})], on=day, source="registry")
        elder.save()
        told.append((value, day))

    live = _live(elder)
    for (_v, _f, until), (_v2, since, _t) in itertools.pairwise(live):
        assert until == since  # contiguous, in order
    assert live[-1][2] is None
    assert all(a[0] != b[0] for a, b in itertools.pairwise(live))  # no twins
    for probe in {
        start,
        TODAY,
        *(d for _v, d in statements),
        *(d - dt.timedelta(1) for _v, d in statements),
    }:
        if probe < start:
            continue
        expected = next(v for v, d in reversed(told) if d <= probe)
        held = Fact.objects.filter(selectors.facts_in_force(on=probe), elder=elder, kind=ECONOMIC)
        assert list(held.values_list("value", flat=True)) == [expected]
    elder.refresh_from_db()
    assert elder.economic_status == told_value_today(told)
    assert not Fact.objects.filter(elder=elder, valid_to__lte=F("valid_from")).exists()


def told_value_today(told) -> str:
    return next(v for v, d in reversed(told) if d <= TODAY)
