"""The security administrator files dated policy rows; nothing is overwritten."""

import datetime as dt

import pytest
from django.urls import reverse

from yiyang.accounts import services
from yiyang.accounts.models import SecurityPolicy
from yiyang.accounts.rules import security_policy_for
from yiyang.core.exceptions import PermissionDenied, ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.core.timeutils import local_today


def _file(actor, **over):
    values = {
        "max_failed_logins": 3,
        "lockout_minutes": 30,
        "password_max_age_days": 60,
        "effective_from": local_today(),
    }
    values.update(over)
    return services.security_policy_file(actor=actor, **values)


def test_a_policy_filed_for_today_applies_at_once_and_closes_the_old_one(
    city, policy, security_admin
):
    # when the security administrator files a policy for today
    new = _file(security_admin)
    # then it is the one in force, and the old row ends yesterday
    assert security_policy_for() == security_policy_for(on=local_today())
    assert security_policy_for().max_failed_logins == 3
    policy.refresh_from_db()
    assert policy.effective_to == local_today() - dt.timedelta(days=1)
    assert new.created_by == security_admin
    # and the filing is in the change history, in the administrator's region
    row = ChangeLog.objects.get(entity_type="accounts.securitypolicy", entity_id=new.pk)
    assert row.region_code == security_admin.region_code
    assert row.changes["max_failed_logins"] == [None, 3]


def test_a_policy_filed_for_a_later_day_waits_for_it(city, policy, security_admin):
    day = local_today() + dt.timedelta(days=10)
    _file(security_admin, effective_from=day, max_failed_logins=7)
    assert security_policy_for().max_failed_logins == policy.max_failed_logins
    assert security_policy_for(on=day).max_failed_logins == 7
    assert security_policy_for(on=day - dt.timedelta(days=1)).max_failed_logins == (
        policy.max_failed_logins
    )


def test_a_policy_filed_between_two_others_is_bounded_by_the_later(city, policy, security_admin):
    later = local_today() + dt.timedelta(days=20)
    _file(security_admin, effective_from=later, max_failed_logins=9)
    middle = _file(security_admin, effective_from=local_today() + dt.timedelta(days=5))
    assert middle.effective_to == later - dt.timedelta(days=1)
    assert security_policy_for(on=later).max_failed_logins == 9
    assert security_policy_for(on=later - dt.timedelta(days=1)).max_failed_logins == 3


def test_a_second_filing_for_the_same_day_wins_and_both_stay(city, policy, security_admin):
    day = local_today() + dt.timedelta(days=3)
    _file(security_admin, effective_from=day, max_failed_logins=4)
    _file(security_admin, effective_from=day, max_failed_logins=6)
    assert security_policy_for(on=day).max_failed_logins == 6
    assert security_policy_for(on=day + dt.timedelta(days=100)).max_failed_logins == 6
    assert SecurityPolicy.objects.filter(effective_from=day).count() == 2


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"max_failed_logins": 0}, "max_failed_logins"),
        ({"lockout_minutes": 0}, "lockout_minutes"),
        ({"password_max_age_days": 0}, "password_max_age_days"),
        ({"effective_from": dt.date(2020, 1, 2)}, "effective_from"),
    ],
)
def test_the_service_refuses_bad_numbers_and_past_dates(city, security_admin, over, field):
    with pytest.raises(ValidationFailed) as exc:
        _file(security_admin, **over)
    assert field in exc.value.fields


def test_only_the_security_administrator_files_policy(city, panlong_admin, audit_admin):
    for actor in (panlong_admin, audit_admin):
        with pytest.raises(PermissionDenied):
            _file(actor)


def test_the_security_page_shows_the_policy_and_files_a_new_one(
    client, city, policy, security_admin
):
    client.force_login(security_admin)
    page = client.get(reverse("accounts:security"))
    assert page.status_code == 200
    assert page.context["current"].max_failed_logins == policy.max_failed_logins
    response = client.post(
        reverse("accounts:security"),
        {
            "max_failed_logins": "4",
            "lockout_minutes": "20",
            "password_max_age_days": "45",
            "effective_from": local_today().isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("accounts:security"))
    assert page.context["current"].max_failed_logins == 4
    assert len(page.context["history"]) == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"max_failed_logins": "0"}, "max_failed_logins"),
        ({"max_failed_logins": "many"}, "max_failed_logins"),
        ({"lockout_minutes": "-5"}, "lockout_minutes"),
        ({"password_max_age_days": ""}, "password_max_age_days"),
        ({"effective_from": "2020-01-01"}, "effective_from"),
        ({"effective_from": "2026-02-30"}, "effective_from"),
        ({"effective_from": "9999-12-31"}, "effective_from"),
        ({"effective_from": "2101-01-01"}, "effective_from"),
    ],
)
def test_bad_policy_input_on_the_page_is_refused_by_the_field(
    client, city, policy, security_admin, data, field
):
    client.force_login(security_admin)
    payload = {
        "max_failed_logins": "4",
        "lockout_minutes": "20",
        "password_max_age_days": "45",
        "effective_from": local_today().isoformat(),
        **data,
    }
    response = client.post(reverse("accounts:security"), payload)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert SecurityPolicy.objects.count() == 1


def test_the_service_refuses_a_policy_starting_beyond_the_date_range(city, policy, security_admin):
    with pytest.raises(ValidationFailed) as caught:
        _file(security_admin, effective_from=dt.date(9999, 12, 31))
    assert list(caught.value.fields) == ["effective_from"]
    assert SecurityPolicy.objects.count() == 1
