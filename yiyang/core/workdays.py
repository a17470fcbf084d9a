"""Working days on the official Chinese calendar, for deadlines counted in 工作日.

Source: the State Council General Office's annual notice 国务院办公厅关于部分节假日安排的通知,
as transcribed year by year into the PyPI package `chinesecalendar` (MIT,
github.com/LKI/chinese-calendar). A new package release is needed each year once the notice is
out (usually in November for the next year); until then that year is not covered by the package.
So that deadlines running into the new year need not wait for a release and a deployment,
officers enter the notice themselves (core/calendar.py, tables CalendarYear and CalendarDay). An
entered year takes precedence over the package for the whole of that year: the days listed use
their flag, the days not listed follow the week.

The adjusted working weekends (调休上班) are why weekdays alone will not do: around the long
holidays the notice moves rest days, so a Saturday or Sunday becomes a working day
(2024-02-04 and 2024-02-18 around the Spring Festival) while weekdays become holidays. A
deadline computed from Monday-to-Friday would fall days early or late around every long holiday.

For a year neither covers, `is_workday`, `add_workdays` and `workdays_between` refuse with
`CalendarNotPublished` rather than fall back to weekends: a public-notice period or an application
deadline must never be silently wrong. `deadline` is for the callers that must still put a date
on a case: it counts such a year Monday to Friday and says the result is provisional, and the
caller stores and shows that.

Entered years are read from the database once per call (one query per year the call reaches),
never per day and never from a process cache: the web and the task workers are separate
processes, and a year an officer has just entered must count in all of them at once.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import chinese_calendar
from chinese_calendar.constants import Holiday

from yiyang.core.errors import CalendarNotPublished
from yiyang.core.models import CalendarYear

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """A deadline and whether it was counted on a calendar not yet published (Monday to Friday,
    1 January off): a provisional date must be shown as such and counted again later."""

    date: dt.date
    provisional: bool


# --- the package -------------------------------------------------------------------------------


@cache
def package_covers(year: int) -> bool:
    """Whether the installed `chinesecalendar` has the State Council's arrangements for `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def package_years() -> range:
    """The years the installed `chinesecalendar` covers."""
    first = min(chinese_calendar.holidays).year
    last = max(chinese_calendar.holidays).year
    return range(first, last + 1)


def package_changes(year: int) -> list[tuple[dt.date, bool, str]]:
    """The package's arrangements for `year` as an officer would enter them: weekdays off and
    weekends worked, each with its name; ordinary weekends and weekdays are left out."""
    if not package_covers(year):
        return []
    changes = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        is_weekday = day.weekday() < 5
        if is_weekday and day in chinese_calendar.holidays:
            changes.append((day, False, Holiday(chinese_calendar.holidays[day]).chinese))
        elif not is_weekday and day in chinese_calendar.workdays:
            changes.append((day, True, "调休上班"))
        day += _ONE_DAY
    return changes


# --- one call's view of the calendar -----------------------------------------------------------


def _entered_days(year: int) -> dict[dt.date, bool] | None:
    """The days listed for an entered year, or None when the year is not entered. One query."""
    rows = list(
        CalendarYear.objects.filter(year=year).values_list("days__date", "days__is_workday")
    )
    if not rows:
        return None
    return {date: is_workday for date, is_workday in rows if date is not None}


class _Calendar:
    """The calendar as one call sees it: each entered year is loaded once, when first reached."""

    def __init__(self) -> None:
        self._years: dict[int, dict[dt.date, bool] | None] = {}
        self.provisional = False

    def _entered(self, year: int) -> dict[dt.date, bool] | None:
        if year not in self._years:
            self._years[year] = _entered_days(year)
        return self._years[year]

    def covers(self, year: int) -> bool:
        return self._entered(year) is not None or package_covers(year)

    def is_workday(self, day: dt.date) -> bool:
        entered = self._entered(day.year)
        if entered is not None:
            return entered.get(day, day.weekday() < 5)
        if package_covers(day.year):
            return chinese_calendar.is_workday(day)
        raise CalendarNotPublished(day.year)

    def is_workday_or_guess(self, day: dt.date) -> bool:
        """As is_workday, but a year not covered is counted Monday to Friday with 1 January off
        (the one holiday whose date every notice keeps), and marks the result provisional."""
        if self.covers(day.year):
            return self.is_workday(day)
        self.provisional = True
        return day.weekday() < 5 and (day.month, day.day) != (1, 1)

    def check(self, day: dt.date) -> None:
        _check_type(day)
        if not self.covers(day.year):
            raise CalendarNotPublished(day.year)


def _check_type(day: dt.date) -> None:
    # A datetime is a date too, but an aware UTC datetime's .date() can be the wrong local day;
    # callers convert first (timezone.localdate / core.timeutils.local_today).
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"expected a datetime.date, got {type(day).__name__}")


def _add(start: dt.date, n: int, is_workday: Callable[[dt.date], bool]) -> dt.date:
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


# --- the public functions ----------------------------------------------------------------------


def calendar_covers(year: int) -> bool:
    """Whether `year` is entered by an officer or covered by the installed package."""
    return _Calendar().covers(year)


def is_workday(day: dt.date) -> bool:
    """Whether `day` is a working day, counting 调休 weekends as working and holidays as not.

    Raises `CalendarNotPublished` for a year the calendar does not cover.
    """
    calendar = _Calendar()
    calendar.check(day)
    return calendar.is_workday(day)


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
    calendar = _Calendar()
    calendar.check(start)
    return _add(start, n, calendar.is_workday)


def deadline(start: dt.date, n: int) -> Deadline:
    """`add_workdays(start, n)`, but never refused for want of a calendar: the days of a year not
    covered are counted Monday to Friday with 1 January off, and the result is then provisional.

    Provisional only when the count actually reached such a year. Store both fields and show
    "provisional" to officers; count again once the year's notice is entered.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    _check_type(start)
    calendar = _Calendar()
    date = _add(start, n, calendar.is_workday_or_guess)
    return Deadline(date=date, provisional=calendar.provisional)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`, counted as `add_workdays` counts.

    For n >= 1, workdays_between(d, add_workdays(d, n)) == n; `end == start` gives 0.
    An `end` before `start` is a bug in the caller and raises ValueError.
    """
    calendar = _Calendar()
    calendar.check(start)
    calendar.check(end)
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        if calendar.is_workday(day):
            count += 1
        day += _ONE_DAY
    return count
