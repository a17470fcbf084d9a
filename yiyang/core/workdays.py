"""Working days on the official Chinese calendar, for deadlines counted in 工作日.

Source: the State Council General Office's annual notice 国务院办公厅关于部分节假日安排的通知,
as transcribed year by year into the PyPI package `chinesecalendar` (MIT,
github.com/LKI/chinese-calendar). A new package release is needed each year once the notice is
out (usually in November for the next year); until then that year is not covered.

The adjusted working weekends (调休上班) are why weekdays alone will not do: around the long
holidays the notice moves rest days, so a Saturday or Sunday becomes a working day
(2024-02-04 and 2024-02-18 around the Spring Festival) while weekdays become holidays. A
deadline computed from Monday-to-Friday would fall days early or late around every long holiday.

For a year the package does not cover we refuse with `CalendarNotPublished` rather than fall
back to weekends: a public-notice period or an application deadline must never be silently wrong.
"""

import datetime as dt
from functools import cache

import chinese_calendar
from django.utils.translation import gettext as _

from yiyang.core.exceptions import DomainError

_ONE_DAY = dt.timedelta(days=1)


class CalendarNotPublished(DomainError):
    """The holiday calendar for a year we need is not in the installed `chinesecalendar`."""

    code = "calendar_not_published"
    status = 409

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "The official holiday calendar for %(year)s is not available yet, so working "
                "days in %(year)s cannot be counted. Update the chinesecalendar package once "
                "the State Council notice for %(year)s is published."
            )
            % {"year": year}
        )


@cache
def calendar_covers(year: int) -> bool:
    """Whether the installed calendar has the State Council's arrangements for `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _check_day(day: dt.date) -> None:
    # A datetime is a date too, but an aware UTC datetime's .date() can be the wrong local day;
    # callers convert first (timezone.localdate / core.timeutils.local_today).
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"expected a datetime.date, got {type(day).__name__}")
    if not calendar_covers(day.year):
        raise CalendarNotPublished(day.year)


def is_workday(day: dt.date) -> bool:
    """Whether `day` is a working day, counting 调休 weekends as working and holidays as not.

    Raises `CalendarNotPublished` for a year the calendar does not cover.
    """
    _check_day(day)
    return chinese_calendar.is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start`: the deadline of "自受理之日起n个工作日".

    The day of `start` itself is never counted (民法典 第二百零一条: the first day of a period
    is not counted, counting begins the next day; 行政许可法 第八十二条: periods in working
    days exclude statutory holidays), so this holds whether or not `start` is a working day.
    Accepted on Friday 2025-09-26, 3 working days run out on Tuesday 2025-09-30: Saturday is
    skipped, Sunday 2025-09-28 is a 调休 working day.

    n = 0 means "the first working day on or after `start`": `start` itself when it is a
    working day, else the next one. So add_workdays(d, 0) == add_workdays(d, 1) when d is a
    rest day; from n = 1 on, each step moves to a strictly later working day.

    Raises `CalendarNotPublished` if the count reaches a year the calendar does not cover.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    _check_day(start)
    day = start
    if n == 0:
        while not is_workday(day):
            day += _ONE_DAY
        return day
    remaining = n
    while remaining:
        day += _ONE_DAY
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`, counted as `add_workdays` counts.

    For n >= 1, workdays_between(d, add_workdays(d, n)) == n; `end == start` gives 0.
    An `end` before `start` is a bug in the caller and raises ValueError.
    """
    _check_day(start)
    _check_day(end)
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        if is_workday(day):
            count += 1
        day += _ONE_DAY
    return count
