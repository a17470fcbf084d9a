import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiyang.people import idnumbers

AREAS = ["530103", "530102", "110101", "500112", "441900"]


@given(
    area=st.sampled_from(AREAS),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=499),
    sex=st.sampled_from(["M", "F"]),
)
def test_made_numbers_parse_back_to_their_birth_date_and_sex(area, birth, seq, sex):
    number = idnumbers.make(area6=area, birth_date=birth, sequence=seq, sex=sex)
    parsed = idnumbers.parse(number, today=dt.date(2026, 1, 1))
    assert parsed.birth_date == birth
    assert parsed.sex == sex
    assert parsed.masked == number[:6] + "********" + number[-4:]


@given(
    birth=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(1966, 1, 1)),
    seq=st.integers(min_value=0, max_value=499),
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_typo_is_caught(birth, seq, position, delta):
    number = idnumbers.make(area6="530103", birth_date=birth, sequence=seq, sex="F")
    digit = (int(number[position]) + delta) % 10
    typo = number[:position] + str(digit) + number[position + 1 :]
    assert not idnumbers.is_valid(typo)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("53010319500301001", "length"),
        ("5301031950030100AX", "format"),
        ("530103195002300012", "birth_date"),
        ("000000195003010011", "place"),
    ],
)
def test_bad_numbers_name_their_reason(raw, reason):
    raw = raw if reason in {"length", "format"} else idnumbers.with_check_digit(raw[:17])
    with pytest.raises(idnumbers.IdNumberError) as exc:
        idnumbers.parse(raw)
    assert exc.value.reason == reason


def test_a_wrong_check_character_is_a_checksum_error():
    good = idnumbers.make(area6="530103", birth_date=dt.date(1950, 3, 1), sequence=1, sex="M")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(idnumbers.IdNumberError) as exc:
        idnumbers.parse(bad)
    assert exc.value.reason == "checksum"


def test_a_code_created_after_the_birth_year_is_accepted():
    # 530103 (Panlong) dates from 1983; people born earlier hold it legitimately.
    number = idnumbers.make(area6="530103", birth_date=dt.date(1940, 5, 6), sequence=7, sex="M")
    assert idnumbers.parse(number).birth_date == dt.date(1940, 5, 6)


def test_lower_case_x_and_spaces_are_normalised():
    body = "11010519491231002"
    number = idnumbers.with_check_digit(body)
    assert number[-1] == "X"
    assert idnumbers.parse(" " + number.lower()[:6] + " " + number.lower()[6:]).number == number
