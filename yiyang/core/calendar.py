"""Officers enter the State Council's holiday notice for a year the installed `chinesecalendar`
does not cover yet, so that deadlines running into that year are counted exactly (core/workdays.py)
without waiting for a package release.

An officer lists only what the notice changes against the week: the weekdays off (休) and the
weekends worked (调休上班, 班). Anything else would change nothing, so it is refused as a likely
typing mistake rather than stored. A year is always replaced whole: the notice is one document,
and a half-entered year would count some of its holidays and not others.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import dateformat
from django.utils.translation import gettext as _

from .audit import diff, record_change
from .exceptions import NotFound, ValidationFailed
from .models import CalendarDay, CalendarYear, ChangeLog
from .scoping import require
from .timeutils import local_today
from .workdays import package_changes, package_covers, package_years

YEAR_MIN = 2000
YEAR_MAX = 2100
SOURCE_MAX = CalendarYear._meta.get_field("source").max_length
NAME_MAX = CalendarDay._meta.get_field("name").max_length

Day = tuple[dt.date, bool, str]

# What an officer may write for "worked" and "off": the words of the notice (上班 / 休息, or
# just 班 / 休), the English words, and 1 / 0 as a spreadsheet column would hold them.
_FLAGS = {
    "班": True,
    "上班": True,
    "work": True,
    "1": True,
    "休": False,
    "休息": False,
    "rest": False,
    "0": False,
}
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


# --- the lines of the edit page ----------------------------------------------------------------


def calendar_year_parse(text: str) -> list[Day]:
    """Lines like `2027-01-01 休 元旦` or `2027-02-06 班 调休上班` as (date, is_workday, name).

    Also `rest` / `work` and `0` / `1` for the flag; the name may be left out. Blank lines and
    lines starting with # are skipped. Raises ValidationFailed with one entry per bad line,
    keyed `lines.<number>` (counted from 1), each message naming the line.
    """
    days: list[Day] = []
    errors: dict[str, str] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        reason = None
        date = _parse_date(parts[0])
        flag = _FLAGS.get(parts[1].lower()) if len(parts) > 1 else None
        if date is None:
            reason = _("%(text)s is not a date; write it as 2027-01-01.") % {"text": parts[0]}
        elif flag is None:
            reason = _("after the date write 休 (rest) or 班 (work).")
        if reason is not None:
            errors[f"lines.{number}"] = _("Line %(line)s: %(reason)s") % {
                "line": number,
                "reason": reason,
            }
            continue
        days.append((date, flag, parts[2].strip() if len(parts) > 2 else ""))
    if errors:
        raise ValidationFailed(fields=errors)
    return days


def _parse_date(text: str) -> dt.date | None:
    match = _DATE.match(text)
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def calendar_year_format(days: list[Day]) -> str:
    """The days as lines calendar_year_parse reads back."""
    return "\n".join(
        f"{date:%Y-%m-%d} {'班' if is_workday else '休'} {name}".rstrip()
        for date, is_workday, name in sorted(days)
    )


# --- reads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarYearRow:
    """One year on the list page: where its calendar comes from, if anywhere."""

    year: int
    entered: CalendarYear | None
    in_package: bool

    @property
    def is_covered(self) -> bool:
        return self.entered is not None or self.in_package


@dataclass(frozen=True)
class CalendarYearDetail:
    """One year on the edit page: what is entered, or else what the package has, as lines."""

    year: int
    entered: CalendarYear | None
    in_package: bool
    source: str
    text: str


def built_in_through() -> int:
    """The last year whose State Council notice is built in (from the maintained calendar
    package), as the pages tell officers; the package's name and version are for operators."""
    return max(package_years())


def calendar_year_list(*, actor) -> list[CalendarYearRow]:
    """The years the package covers and the years entered, newest first, and next year as well
    when neither covers it yet: that is the one an officer most likely came to enter."""
    require(actor, "calendar.manage")
    entered = {row.year: row for row in CalendarYear.objects.select_related("entered_by")}
    years = set(package_years()) | set(entered) | {local_today().year + 1}
    return [
        CalendarYearRow(year=year, entered=entered.get(year), in_package=package_covers(year))
        for year in sorted(years, reverse=True)
    ]


def calendar_year_get(*, actor, year: int) -> CalendarYearDetail:
    """A year to edit. A year not entered starts from the package's arrangements, if it has
    them, so that correcting the package means changing a line rather than typing the notice."""
    require(actor, "calendar.manage")
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise NotFound()
    entered = CalendarYear.objects.select_related("entered_by").filter(year=year).first()
    if entered is not None:
        days = [(d.date, d.is_workday, d.name) for d in entered.days.all()]
        source = entered.source
    else:
        days = package_changes(year)
        source = ""
    return CalendarYearDetail(
        year=year,
        entered=entered,
        in_package=package_covers(year),
        source=source,
        text=calendar_year_format(days),
    )


# --- writes ------------------------------------------------------------------------------------


def _clean(*, year, source: str, days) -> list[Day]:
    """Every reason at once, keyed by field: `year`, `source`, `days`, `days.<index>` (from 0)."""
    errors: dict[str, str] = {}
    if isinstance(year, bool) or not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        errors["year"] = _("Enter a year from %(low)s to %(high)s.") % {
            "low": YEAR_MIN,
            "high": YEAR_MAX,
        }
        year = None
    if not source:
        errors["source"] = _("Enter the title or number of the State Council notice.")
    elif len(source) > SOURCE_MAX:
        errors["source"] = _("Keep the notice to %(max)s characters.") % {"max": SOURCE_MAX}
    if not isinstance(days, list | tuple) or not days:
        errors["days"] = _(
            "List the days the notice changes: the weekdays off and the weekends worked."
        )
        days = []
    clean: list[Day] = []
    seen: set[dt.date] = set()
    for index, row in enumerate(days):
        reason = _day_problem(row, year=year, seen=seen)
        if reason is not None:
            errors[f"days.{index}"] = reason
        else:
            date, is_workday, name = row
            seen.add(date)
            clean.append((date, is_workday, name.strip()))
    if errors:
        raise ValidationFailed(fields=errors)
    return sorted(clean)


def _day_problem(row, *, year: int | None, seen: set[dt.date]) -> str | None:
    if not isinstance(row, list | tuple) or len(row) != 3:
        return _("Give each day as a date, whether it is worked, and a name.")
    date, is_workday, name = row
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
        return _("Give each day as a date, whether it is worked, and a name.")
    if not isinstance(is_workday, bool) or not isinstance(name, str):
        return _("Give each day as a date, whether it is worked, and a name.")
    shown = {"date": f"{date:%Y-%m-%d}", "weekday": dateformat.format(date, "l")}
    if year is not None and date.year != year:
        return _("%(date)s is not in %(year)s.") % {**shown, "year": year}
    if date in seen:
        return _("%(date)s is listed twice.") % shown
    if is_workday and date.weekday() < 5:
        return (
            _(
                "%(date)s is a %(weekday)s, a working day anyway: mark as worked (班) only the "
                "weekends the notice makes working days."
            )
            % shown
        )
    if not is_workday and date.weekday() >= 5:
        return (
            _(
                "%(date)s is a %(weekday)s, a rest day anyway: mark as rest (休) only the "
                "weekdays the notice gives off."
            )
            % shown
        )
    if len(name.strip()) > NAME_MAX:
        return _("%(date)s: keep the name to %(max)s characters.") % {**shown, "max": NAME_MAX}
    return None


def _user(actor):
    """The actor as a user account, for `entered_by`; an API key is recorded in the log only."""
    meta = getattr(actor, "_meta", None)
    return actor if meta is not None and meta.label == settings.AUTH_USER_MODEL else None


def _snapshot(calendar_year: CalendarYear) -> dict:
    days = [(d.date, d.is_workday, d.name) for d in calendar_year.days.all()]
    return {"source": calendar_year.source, "days": calendar_year_format(days)}


def calendar_year_save(*, actor, year: int, source: str, days: list[Day]) -> CalendarYear:
    """Enter or replace a year of the holiday notice; it counts from the moment this commits.

    Refuses with ValidationFailed naming each field (`year`, `source`, `days`, `days.<index>`)
    and then stores nothing, so the year's earlier entries stay as they were.
    """
    require(actor, "calendar.manage")
    source = (source or "").strip() if isinstance(source, str) else ""
    clean = _clean(year=year, source=source, days=days)
    with transaction.atomic():
        # Two officers saving the same year at once: the lock (or, for a year not yet entered,
        # the unique index, which get_or_create waits on and then reads) makes the second wait
        # and replace the first's entries whole, never interleave with them.
        calendar_year, created = CalendarYear.objects.select_for_update().get_or_create(
            year=year, defaults={"source": source, "entered_by": _user(actor)}
        )
        before = {} if created else _snapshot(calendar_year)
        after = {"source": source, "days": calendar_year_format(clean)}
        changes = diff(before, after)
        if not changes:
            return calendar_year
        if not created:
            calendar_year.source = source
            calendar_year.entered_by = _user(actor)
            calendar_year.save()
            calendar_year.days.all().delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(year=calendar_year, date=date, is_workday=is_workday, name=name)
            for date, is_workday, name in clean
        )
        record_change(
            actor=actor,
            entity=calendar_year,
            action=ChangeLog.Action.CREATE if created else ChangeLog.Action.UPDATE,
            changes=changes,
        )
    return calendar_year


def calendar_year_delete(*, actor, year: int) -> None:
    """Take an entered year out again: the package's arrangements apply, or none."""
    require(actor, "calendar.manage")
    with transaction.atomic():
        calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
        if calendar_year is None:
            raise NotFound()
        record_change(
            actor=actor,
            entity=calendar_year,
            action=ChangeLog.Action.DELETE,
            changes=diff(_snapshot(calendar_year), {}),
        )
        calendar_year.delete()
