"""Whatever a cell holds, an import answers with row errors, never with an exception."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiyang.accounts.tests.factories import UserFactory
from yiyang.exchange.kinds import kinds
from yiyang.exchange.models import ImportJob
from yiyang.exchange.tests.workbook import COLUMNS
from yiyang.exchange.workbooks import Layout

IMPORTERS = {k.key: k.importer for k in kinds() if k.importer}

CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["NaN", "inf", "-0", "1e999", "是", "机构", "5301", " ", "=1+1", "1,000.5"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.times(),
)


@pytest.mark.parametrize("kind", ["elders", "organisations", "service_items"])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_cell_values_give_row_errors_not_exceptions(city, kind, data):
    columns = COLUMNS[kind]
    officer = UserFactory.build(region=city.panlong, region_code=city.panlong.code)
    job = ImportJob(pk=1, kind=kind, file_name="fuzz.xlsx")
    job.actor = officer
    layout = Layout(
        index={c.key: i for i, c in enumerate(columns)},
        headers=tuple(c.title for c in columns),
        keys=None,
        data_start=2,
        estimated_rows=None,
    )
    rows = [
        (n, tuple(data.draw(CELLS) for _ in columns))
        for n in range(2, 2 + data.draw(st.integers(1, 3)))
    ]

    result = IMPORTERS[kind](actor=officer, job=job, layout=layout).process(rows, write=False)

    assert result.created + result.updated + len(result.bad_rows) == len(rows)
    assert all(isinstance(reason, str) and reason for _n, _h, reason in result.errors)
