"""The shared field checks: ids typed as digits, and the one range every date must fall in."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from yiyang.core.exceptions import ValidationFailed
from yiyang.core.validation import (
    DATE_MAX,
    DATE_MIN,
    ID_MAX,
    BoundedDateField,
    check_date,
    is_ascii_digits,
    parse_id,
    parse_whole,
)

SOURCE = Path(__file__).resolve().parents[2]
# Digits to str.isdigit() that int() refuses ('²', '①') or reads as another number ('٣', '３').
ODD_DIGITS = ["²", "①", "٣", "３", "߃", "𝟑"]


@pytest.mark.parametrize("raw", [*ODD_DIGITS, "1²", "٣٣", "", " ", "-1", "+1", "1.0", "0", None])
def test_what_is_not_an_ascii_id_is_no_id(raw):
    assert parse_id(raw) is None


def test_an_id_beyond_the_databases_range_is_no_id():
    assert parse_id(str(ID_MAX)) == ID_MAX
    assert parse_id(str(ID_MAX + 1)) is None
    assert parse_id("9" * 400) is None


@given(st.text(max_size=25))
def test_parse_id_never_raises_and_reads_only_what_int_reads_the_same(text):
    value = parse_id(text)
    if value is not None:
        assert is_ascii_digits(text.strip()) and int(text) == value and 1 <= value <= ID_MAX


@given(st.integers(min_value=0, max_value=10**18))
def test_a_whole_number_in_ascii_digits_reads_as_itself(n):
    assert parse_whole(f" {n} ") == n
    assert (
        parse_whole(str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))) is None
    )


class _Form(forms.Form):
    day = BoundedDateField(label="day", required=False)


@pytest.mark.parametrize("raw", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_the_date_field_refuses_a_day_outside_the_range_with_its_reason(raw):
    form = _Form({"day": raw})
    assert not form.is_valid()
    assert form.errors.as_data()["day"][0].code == "date_range"
    assert "1900-01-01" in form.errors["day"][0] and "2100-12-31" in form.errors["day"][0]


@pytest.mark.parametrize("raw", ["1900-01-01", "2100-12-31", "2026-02-28", ""])
def test_the_date_field_takes_the_days_of_the_range(raw):
    form = _Form({"day": raw})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == (dt.date.fromisoformat(raw) if raw else None)


def test_the_date_input_tells_the_browser_the_range():
    html = str(_Form()["day"])
    assert f'min="{DATE_MIN.isoformat()}"' in html and f'max="{DATE_MAX.isoformat()}"' in html


@pytest.mark.parametrize("day", [dt.date.min, dt.date.max, dt.date(1899, 12, 31)])
def test_a_service_check_names_the_field(day):
    with pytest.raises(ValidationFailed) as caught:
        check_date(day, field="valid_from")
    assert list(caught.value.fields) == ["valid_from"]


def _sources():
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path, path.read_text(encoding="utf-8")


def test_every_form_date_is_the_bounded_field():
    plain = [str(p) for p, text in _sources() if "forms.DateField(" in text]
    assert plain == []


def test_no_code_reads_a_number_through_str_isdigit():
    # The shared helpers are the one place; passwords only count character classes and the
    # phone check has already kept to ASCII.
    allowed = {"core/validation.py", "core/divisions.py", "accounts/passwords.py"}
    found = [
        str(p.relative_to(SOURCE))
        for p, text in _sources()
        if re.search(r"\.(isdigit|isnumeric|isdecimal)\(", text)
        and str(p.relative_to(SOURCE)) not in allowed
    ]
    assert found == []
