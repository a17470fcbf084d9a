"""Working days against the State Council holiday notices for 2024, 2025 and 2026.

Every date below is taken from 国务院办公厅关于2024年/2025年/2026年部分节假日安排的通知, as
packaged by chinesecalendar (chinese_calendar/constants.py).
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiyang.core.exceptions import DomainError
from yiyang.core.workdays import (
    CalendarNotPublished,
    add_workdays,
    calendar_covers,
    is_workday,
    workdays_between,
)

D = dt.date


def _last_covered_year() -> int:
    return max(year for year in range(2004, 2100) if calendar_covers(year))


@pytest.mark.parametrize(
    "day",
    [
        D(2024, 2, 4),  # Sunday, 调休 for the Spring Festival
        D(2024, 2, 18),  # Sunday, 调休 for the Spring Festival
        D(2024, 2, 9),  # Friday, New Year's Eve, still a working day in 2024
        D(2025, 1, 26),  # Sunday, 调休 for the Spring Festival
        D(2025, 9, 28),  # Sunday, 调休 for National Day
        D(2025, 10, 11),  # Saturday, 调休 for National Day
        D(2026, 1, 4),  # Sunday, 调休 for New Year
        D(2026, 2, 14),  # Saturday, 调休 for the Spring Festival
        D(2026, 10, 10),  # Saturday, 调休 for National Day
        D(2025, 10, 9),  # an ordinary Thursday
    ],
)
def test_adjusted_weekends_and_ordinary_weekdays_are_working_days(day):
    assert is_workday(day) is True


@pytest.mark.parametrize(
    "day",
    [
        *[D(2024, 2, d) for d in range(10, 18)],  # Spring Festival 2024-02-10..17
        *[D(2025, 10, d) for d in range(1, 9)],  # National Day + Mid-autumn 2025-10-01..08
        D(2024, 1, 1),
        D(2025, 5, 5),  # Monday, Labour Day holiday
        D(2026, 2, 23),  # Monday, last day of the 2026 Spring Festival
        D(2026, 6, 19),  # Friday, Dragon Boat Festival
        D(2025, 10, 12),  # an ordinary Sunday
    ],
)
def test_holidays_and_ordinary_weekends_are_rest_days(day):
    assert is_workday(day) is False


def test_the_day_of_acceptance_is_not_counted():
    # given an application accepted on Friday 2025-09-26
    accepted = D(2025, 9, 26)
    # when we count 1 and 3 working days (Sunday 09-28 is a 调休 working day)
    # then the deadlines are that Sunday and Tuesday 09-30
    assert add_workdays(accepted, 1) == D(2025, 9, 28)
    assert add_workdays(accepted, 3) == D(2025, 9, 30)


def test_deadline_skips_the_national_day_holiday_and_lands_on_a_working_saturday():
    # given acceptance on the last working day before the 2025-10-01..08 holiday
    accepted = D(2025, 9, 30)
    # when / then: the holiday counts for nothing, and Saturday 10-11 counts
    assert add_workdays(accepted, 1) == D(2025, 10, 9)
    assert add_workdays(accepted, 3) == D(2025, 10, 11)
    assert workdays_between(accepted, D(2025, 10, 8)) == 0


def test_thirty_working_days_across_the_2024_spring_festival():
    # given an application on Thursday 2024-02-01
    applied = D(2024, 2, 1)
    # when the 30-working-day deadline is computed
    deadline = add_workdays(applied, 30)
    # then it is 2024-03-19, not the 2024-03-14 that Monday-to-Friday counting would give
    assert deadline == D(2024, 3, 19)
    assert workdays_between(applied, deadline) == 30


def test_counting_crosses_into_the_new_year_with_its_adjusted_sunday():
    # 2026-01-01..03 are holidays; Sunday 2026-01-04 is worked
    assert add_workdays(D(2025, 12, 31), 1) == D(2026, 1, 4)


def test_zero_working_days_is_the_first_working_day_on_or_after_start():
    assert add_workdays(D(2025, 9, 30), 0) == D(2025, 9, 30)
    assert add_workdays(D(2025, 10, 1), 0) == D(2025, 10, 9)


def test_workdays_between_the_same_day_is_zero():
    assert workdays_between(D(2025, 9, 30), D(2025, 9, 30)) == 0


def test_bad_arguments_are_bugs_not_answers():
    with pytest.raises(ValueError):
        add_workdays(D(2025, 1, 2), -1)
    with pytest.raises(ValueError):
        workdays_between(D(2025, 1, 2), D(2025, 1, 1))
    with pytest.raises(TypeError):
        is_workday(dt.datetime(2025, 1, 2, tzinfo=dt.UTC))


def test_calendar_covers_the_years_of_the_published_notices():
    assert all(calendar_covers(year) for year in (2024, 2025, 2026))
    assert not calendar_covers(2003)
    assert not calendar_covers(2099)


def test_a_year_without_a_published_calendar_is_refused_not_guessed():
    # given a year the State Council has not arranged yet
    # when / then: no weekday guess, a domain error naming the year
    with pytest.raises(CalendarNotPublished) as excinfo:
        is_workday(D(2099, 3, 2))
    error = excinfo.value
    assert isinstance(error, DomainError)
    assert error.code == "calendar_not_published"
    assert error.status == 409
    assert error.year == 2099
    assert "2099" in str(error.message)
    assert error.as_dict()["code"] == "calendar_not_published"


def test_a_deadline_running_into_an_uncovered_year_is_refused():
    # given the last day of the last published year
    last = _last_covered_year()
    # when a deadline would run into the next year
    with pytest.raises(CalendarNotPublished) as excinfo:
        add_workdays(D(last, 12, 31), 1)
    # then the refusal names the year that is missing
    assert excinfo.value.year == last + 1
    with pytest.raises(CalendarNotPublished):
        workdays_between(D(last, 12, 1), D(last + 1, 1, 5))


covered_days = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 10, 31))
counts = st.integers(min_value=0, max_value=40)


@given(start=covered_days, n=counts)
def test_add_workdays_lands_on_a_working_day_and_round_trips(start, n):
    deadline = add_workdays(start, n)
    assert is_workday(deadline)
    assert deadline >= start
    if n >= 1:
        assert deadline > start
        assert workdays_between(start, deadline) == n


@given(start=covered_days, n=counts)
def test_add_workdays_is_monotonic_in_n(start, n):
    assert add_workdays(start, n) <= add_workdays(start, n + 1)
    if n >= 1:
        assert add_workdays(start, n) < add_workdays(start, n + 1)
