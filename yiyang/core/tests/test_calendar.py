"""Officers enter the holiday notice for a year the chinesecalendar package does not cover:
the service that stores it, the counting that uses it, and the pages they enter it on.

The 2027 days below are a made-up notice in the real shape (a weekday New Year, a week of Spring
Festival, a 调休 Saturday), not the State Council's actual 2027 arrangements.
"""

import datetime as dt

import pytest
from django.urls import include, path, reverse
from django.utils import translation

import yiyang.urls
from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.calendar import (
    calendar_year_delete,
    calendar_year_list,
    calendar_year_parse,
    calendar_year_save,
)
from yiyang.core.exceptions import PermissionDenied, ValidationFailed
from yiyang.core.models import CalendarDay, CalendarYear, ChangeLog
from yiyang.core.workdays import (
    CalendarNotPublished,
    Deadline,
    add_workdays,
    calendar_covers,
    deadline,
    is_workday,
    package_covers,
    workdays_between,
)

D = dt.date

# The console's root urls, with the calendar at calendar/ until the lead includes it there.
urlpatterns = list(yiyang.urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "calendar" for p in urlpatterns):
    urlpatterns.append(path("calendar/", include("yiyang.core.calendar_urls")))

NOTICE_2027 = "国务院办公厅关于2027年部分节假日安排的通知"
DAYS_2027 = [
    (D(2027, 1, 1), False, "元旦"),  # Friday
    *[(D(2027, 2, d), False, "春节") for d in range(8, 13)],  # Monday..Friday
    (D(2027, 2, 15), False, "春节"),  # Monday
    (D(2027, 2, 20), True, "调休上班"),  # Saturday
]
LINES_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知
2027-01-01 休 元旦
2027-02-08 休 春节
2027-02-09 rest 春节
2027-02-10 0 春节
2027-02-11 休息 春节
2027-02-12 REST 春节

2027-02-15 休 春节
2027-02-20 班 调休上班
"""


@pytest.fixture
def officer(city):
    return UserFactory(region=city.panlong, role=Role.CIVIL_AFFAIRS)


@pytest.fixture
def operator(city):
    """A call-centre operator: signed in, in the same district, without calendar.manage."""
    return UserFactory(region=city.panlong, role=Role.OPERATOR)


@pytest.fixture
def entered_2027(officer):
    return calendar_year_save(actor=officer, year=2027, source=NOTICE_2027, days=DAYS_2027)


def _stored(year: int) -> tuple[str, list[tuple]]:
    calendar_year = CalendarYear.objects.get(year=year)
    return calendar_year.source, list(
        CalendarDay.objects.filter(year=calendar_year).values_list("date", "is_workday", "name")
    )


# --- counting on an entered year ---------------------------------------------------------------


def test_the_package_does_not_cover_2027_so_these_tests_mean_something():
    assert not package_covers(2027)


def test_an_entered_year_is_counted_on_its_days(entered_2027):
    # given 2027 entered by an officer
    # then a 调休 Saturday is worked, a listed holiday is not, and unlisted days follow the week
    assert calendar_covers(2027)
    assert is_workday(D(2027, 2, 20)) is True
    assert is_workday(D(2027, 2, 8)) is False
    assert is_workday(D(2027, 1, 1)) is False
    assert is_workday(D(2027, 3, 3)) is True  # an ordinary Wednesday
    assert is_workday(D(2027, 2, 13)) is False  # an ordinary Saturday
    # and counting runs through it: Friday 02-05, then the holiday week and Monday 02-15 off
    assert add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 16)
    assert add_workdays(D(2027, 2, 16), 4) == D(2027, 2, 20)
    assert workdays_between(D(2027, 2, 5), D(2027, 2, 20)) == 5


def test_entering_a_year_takes_effect_at_once(officer):
    # given 2027 not covered, and a refusal already seen
    assert not calendar_covers(2027)
    with pytest.raises(CalendarNotPublished):
        add_workdays(D(2026, 12, 31), 1)
    # when an officer enters it
    calendar_year_save(actor=officer, year=2027, source=NOTICE_2027, days=DAYS_2027)
    # then the same count now runs: 01-01 is off, 01-04 is the next working day
    assert calendar_covers(2027)
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_the_last_covered_year_runs_into_the_entered_one(entered_2027):
    # Thursday 2026-12-31 is a working day on the package; 2027 comes from the table
    assert add_workdays(D(2026, 12, 30), 2) == D(2027, 1, 4)
    assert workdays_between(D(2026, 12, 30), D(2027, 1, 4)) == 2


def test_counting_reads_each_year_once_not_each_day(entered_2027, django_assert_max_num_queries):
    # 30 working days from December 2026 into February 2027 touch two years: two queries
    with django_assert_max_num_queries(2):
        add_workdays(D(2026, 12, 1), 30)
    with django_assert_max_num_queries(2):
        workdays_between(D(2026, 12, 1), D(2027, 2, 28))


def test_an_entered_year_wins_over_the_package(officer):
    # given the package's 2026: Monday 02-16 is a Spring Festival holiday, Saturday 02-14 worked
    assert is_workday(D(2026, 2, 16)) is False
    assert is_workday(D(2026, 2, 14)) is True
    # when an officer enters 2026 with a single different day
    calendar_year_save(
        actor=officer, year=2026, source="更正", days=[(D(2026, 3, 2), False, "测试")]
    )
    # then the whole year follows the table, not the package
    assert is_workday(D(2026, 3, 2)) is False
    assert is_workday(D(2026, 2, 16)) is True
    assert is_workday(D(2026, 2, 14)) is False
    # and when it is removed again, the package applies again
    calendar_year_delete(actor=officer, year=2026)
    assert is_workday(D(2026, 2, 16)) is False
    assert is_workday(D(2026, 3, 2)) is True


def test_a_year_neither_covers_is_still_refused(entered_2027):
    with pytest.raises(CalendarNotPublished) as excinfo:
        add_workdays(D(2027, 12, 31), 1)
    assert excinfo.value.year == 2028


# --- deadline(): provisional only where a year is not covered ----------------------------------


def test_a_deadline_inside_covered_years_is_exact():
    assert deadline(D(2025, 9, 26), 3) == Deadline(date=D(2025, 9, 30), provisional=False)
    assert deadline(D(2025, 10, 1), 0) == Deadline(date=D(2025, 10, 9), provisional=False)


def test_a_deadline_reaching_an_uncovered_year_is_provisional_weekdays_with_new_year_off():
    # given 2027 not covered: Thursday 12-31 is worked, Friday 2027-01-01 counts as off
    # when 3 working days are counted from Wednesday 2026-12-30
    result = deadline(D(2026, 12, 30), 3)
    # then Monday and Tuesday 2027-01-04/05 are the 2nd and 3rd, and the date is provisional
    assert result == Deadline(date=D(2027, 1, 5), provisional=True)


def test_a_deadline_that_stays_before_the_uncovered_year_is_not_provisional():
    assert deadline(D(2026, 12, 29), 2) == Deadline(date=D(2026, 12, 31), provisional=False)


def test_a_deadline_becomes_exact_once_the_year_is_entered(entered_2027):
    # the same count, now on the entered 2027 (01-01 off)
    assert deadline(D(2026, 12, 30), 3) == Deadline(date=D(2027, 1, 5), provisional=False)
    # and across the entered Spring Festival, where weekdays alone would be a week early
    assert deadline(D(2027, 2, 5), 1) == Deadline(date=D(2027, 2, 16), provisional=False)
    assert deadline(D(2027, 2, 5), 1).date == add_workdays(D(2027, 2, 5), 1)


def test_deadline_bad_arguments_are_bugs():
    with pytest.raises(ValueError):
        deadline(D(2026, 1, 5), -1)
    with pytest.raises(TypeError):
        deadline(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), 1)


# --- the service -------------------------------------------------------------------------------


def test_saving_a_year_stores_its_days_and_writes_the_history(officer, entered_2027):
    # given 2027 just entered
    assert _stored(2027) == (NOTICE_2027, sorted(DAYS_2027))
    assert entered_2027.entered_by == officer
    created = ChangeLog.objects.get(entity_type="core.calendaryear", entity_id=entered_2027.pk)
    assert created.action == ChangeLog.Action.CREATE
    assert "2027-02-20 班 调休上班" in created.changes["days"][1]
    # when it is saved again with one day fewer
    calendar_year_save(actor=officer, year=2027, source=NOTICE_2027, days=DAYS_2027[:-1])
    # then the year is replaced whole and the change is on record
    assert _stored(2027) == (NOTICE_2027, sorted(DAYS_2027[:-1]))
    assert is_workday(D(2027, 2, 20)) is False
    updated = ChangeLog.objects.filter(entity_id=entered_2027.pk).order_by("-id").first()
    assert updated.action == ChangeLog.Action.UPDATE
    assert set(updated.changes) == {"days"}


def test_saving_the_same_days_again_changes_nothing(officer, entered_2027):
    calendar_year_save(actor=officer, year=2027, source=NOTICE_2027, days=list(DAYS_2027))
    assert ChangeLog.objects.filter(entity_type="core.calendaryear").count() == 1


@pytest.mark.parametrize(
    ("year", "source", "days", "field", "says"),
    [
        (1999, NOTICE_2027, DAYS_2027, "year", "2000"),
        (2101, NOTICE_2027, DAYS_2027, "year", "2100"),
        (2027, "  ", DAYS_2027, "source", "notice"),
        (2027, "x" * 301, DAYS_2027, "source", "300"),
        (2027, NOTICE_2027, [], "days", "weekdays off"),
        (2027, NOTICE_2027, [*DAYS_2027, (D(2028, 1, 3), False, "")], "days.8", "not in 2027"),
        (2027, NOTICE_2027, [*DAYS_2027, (D(2027, 1, 1), False, "")], "days.8", "twice"),
        (2027, NOTICE_2027, [(D(2027, 3, 3), True, "")], "days.0", "working day anyway"),
        (2027, NOTICE_2027, [(D(2027, 2, 6), False, "春节")], "days.0", "rest day anyway"),
        (2027, NOTICE_2027, [(D(2027, 3, 3), "yes", "")], "days.0", "whether it is worked"),
        (2027, NOTICE_2027, [(D(2027, 3, 3), False, "名" * 51)], "days.0", "50"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_changes(
    officer, entered_2027, year, source, days, field, says
):
    # given 2027 on record
    before = _stored(2027)
    history = ChangeLog.objects.count()
    # when a save is tried with bad input
    with translation.override("en"), pytest.raises(ValidationFailed) as excinfo:
        calendar_year_save(actor=officer, year=year, source=source, days=days)
    # then the refusal names the field and says why
    assert field in excinfo.value.fields
    assert says in str(excinfo.value.fields[field])
    # and the entries on record are untouched, with nothing new in the history
    assert _stored(2027) == before
    assert ChangeLog.objects.count() == history
    assert CalendarYear.objects.count() == 1


def test_a_weekend_holiday_names_its_weekday(officer):
    with translation.override("en"), pytest.raises(ValidationFailed) as excinfo:
        calendar_year_save(
            actor=officer, year=2027, source=NOTICE_2027, days=[(D(2027, 2, 6), False, "")]
        )
    assert str(excinfo.value.fields["days.0"]).startswith("2027-02-06 is a Saturday")


def test_every_bad_row_is_named_at_once(officer):
    days = [(D(2027, 2, 6), False, ""), (D(2027, 3, 3), False, ""), (D(2026, 5, 4), False, "")]
    with pytest.raises(ValidationFailed) as excinfo:
        calendar_year_save(actor=officer, year=2027, source="", days=days)
    assert set(excinfo.value.fields) == {"source", "days.0", "days.2"}
    assert not CalendarYear.objects.exists()


def test_only_a_role_that_keeps_the_calendar_may_save_list_or_remove(operator, entered_2027):
    with pytest.raises(PermissionDenied):
        calendar_year_save(actor=operator, year=2027, source=NOTICE_2027, days=DAYS_2027[:1])
    with pytest.raises(PermissionDenied):
        calendar_year_list(actor=operator)
    with pytest.raises(PermissionDenied):
        calendar_year_delete(actor=operator, year=2027)
    assert _stored(2027) == (NOTICE_2027, sorted(DAYS_2027))


# --- the lines officers type -------------------------------------------------------------------


def test_lines_are_read_in_each_spelling_of_the_flag():
    assert sorted(calendar_year_parse(LINES_2027)) == sorted(DAYS_2027)
    assert calendar_year_parse("2027-02-20 work\n2027-2-21 1 调休 上班") == [
        (D(2027, 2, 20), True, ""),
        (D(2027, 2, 21), True, "调休 上班"),
    ]


def test_parse_errors_name_each_bad_line():
    text = "2027-01-01 休 元旦\n2027-13-01 休 元旦\n\n2027-02-20 上午\n2027-02-21"
    with translation.override("en"), pytest.raises(ValidationFailed) as excinfo:
        calendar_year_parse(text)
    fields = {key: str(message) for key, message in excinfo.value.fields.items()}
    assert set(fields) == {"lines.2", "lines.4", "lines.5"}
    assert fields["lines.2"].startswith("Line 2: 2027-13-01 is not a date")
    assert fields["lines.4"].startswith("Line 4:")
    assert fields["lines.5"].startswith("Line 5:")


# --- the pages ---------------------------------------------------------------------------------


pages = pytest.mark.urls(__name__)


@pages
def test_officer_sees_the_years_with_their_sources(client, officer, entered_2027):
    client.force_login(officer)
    response = client.get(reverse("calendar:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-year="2027"' in html and NOTICE_2027 in html
    # a built-in year says where it comes from in words, not by the package's name
    assert 'data-year="2026"' in html and "国务院节假日安排（内置）" in html
    assert "chinesecalendar" not in html
    assert reverse("calendar:edit", args=[2027]) in html


@pages
def test_officer_enters_next_year_on_the_page(client, officer):
    # given 2027 not entered, the page offers an empty form
    client.force_login(officer)
    url = reverse("calendar:edit", args=[2027])
    assert client.get(url).status_code == 200
    # when the officer pastes the notice
    response = client.post(url, {"source": NOTICE_2027, "days": LINES_2027})
    # then it is stored and counts
    assert response.status_code == 302
    assert _stored(2027) == (NOTICE_2027, sorted(DAYS_2027))
    assert is_workday(D(2027, 2, 20)) is True
    # and the page shows the lines back
    assert "2027-02-20 班 调休上班" in client.get(url).content.decode()


@pages
def test_a_package_year_starts_from_the_package_days(client, officer):
    client.force_login(officer)
    html = client.get(reverse("calendar:edit", args=[2026])).content.decode()
    assert "2026-02-14 班 调休上班" in html
    assert "2026-02-16 休 春节" in html


@pages
def test_the_page_shows_each_error_beside_its_field_and_stores_nothing(
    client, officer, entered_2027
):
    client.force_login(officer)
    url = reverse("calendar:edit", args=[2027])
    # a bad line: the parse error is shown by the days
    response = client.post(
        url, {"source": NOTICE_2027, "days": "2027-01-01 休 元旦\n2027-02-3x 班"}
    )
    assert response.status_code == 200
    assert 'class="error" data-field="days"' in response.content.decode()
    # a weekend marked as rest: the service's reason is shown by the days too
    response = client.post(url, {"source": NOTICE_2027, "days": "2027-02-06 休 春节"})
    assert response.status_code == 200
    assert 'data-field="days">2027-02-06' in response.content.decode()
    # a missing notice: shown by the source, in Chinese
    response = client.post(url, {"source": "", "days": LINES_2027})
    html = response.content.decode()
    assert 'data-field="source">这个字段是必填项。' in html
    # and 2027 is as it was
    assert _stored(2027) == (NOTICE_2027, sorted(DAYS_2027))


@pages
def test_officer_removes_an_entered_year(client, officer, entered_2027):
    client.force_login(officer)
    response = client.post(reverse("calendar:delete", args=[2027]))
    assert response.status_code == 302
    assert not CalendarYear.objects.exists()
    assert not calendar_covers(2027)


@pages
def test_a_year_out_of_range_is_not_found(client, officer):
    client.force_login(officer)
    assert client.get(reverse("calendar:edit", args=[1999])).status_code == 404


@pages
def test_the_pages_are_forbidden_without_calendar_manage(client, operator, entered_2027):
    client.force_login(operator)
    assert client.get(reverse("calendar:list")).status_code == 403
    url = reverse("calendar:edit", args=[2027])
    assert client.get(url).status_code == 403
    assert client.post(url, {"source": "x", "days": "2027-03-03 休"}).status_code == 403
    assert client.post(reverse("calendar:delete", args=[2027])).status_code == 403
    assert _stored(2027) == (NOTICE_2027, sorted(DAYS_2027))
