"""Dated policy, one rule for every kind (core.policy): region fallback from the community up to
the nation, filings that close, bound or supersede each other, and never the past rewritten.

The assessment policy (regional, one per instrument) and the security policy (national) are the
two kinds the platform has today; both are filed and read through the same functions."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiyang.accounts.models import SecurityPolicy
from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.assessment.models import AssessmentPolicy
from yiyang.core import policy
from yiyang.core.exceptions import ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.core.timeutils import local_today

NUMBERS = {
    "acceptance_workdays": 5,
    "onsite_workdays": 10,
    "notice_workdays": 5,
    "entitlement_workdays": 30,
    "validity_months": 24,
    "reminder_days": 60,
    "reapply_bar_months": 6,
    "assessors_required": 2,
}


def _row(region_code="", start=dt.date(2020, 1, 1), instrument="ltc-2021", **numbers):
    return AssessmentPolicy.objects.create(
        instrument=instrument,
        region_code=region_code,
        effective_from=start,
        **{**NUMBERS, **numbers},
    )


def _file(actor, *, start, region_code="", validity=24, instrument="ltc-2021"):
    return policy.policy_file(
        "assessment",
        actor=actor,
        values={**NUMBERS, "validity_months": validity},
        keys={"instrument": instrument},
        region_code=region_code,
        effective_from=start,
    )


def _in_force(region_code, on=None, instrument="ltc-2021"):
    return policy.policy_in_force(
        "assessment", region_code=region_code, on=on, instrument=instrument
    )


@pytest.fixture
def city_officer(city):
    return UserFactory(role=Role.CIVIL_AFFAIRS, region=city.city)


def test_the_nearest_region_above_a_place_gives_its_policy(city):
    # given national, city, district and street rows
    national = _row("", validity_months=12)
    kunming = _row(city.city.code, validity_months=24)
    panlong = _row(city.panlong.code, validity_months=36)
    street = _row(city.panlong_street.code, validity_months=48)
    # then each place takes the nearest row above it
    assert _in_force(city.panlong_community.code) == street
    assert _in_force(city.panlong_community2.code) in (street, panlong)
    assert _in_force(city.panlong.code) == panlong
    assert _in_force(city.wuhua_community.code) == kunming
    assert _in_force("110101001001") == national  # another province: the national row
    assert _in_force("") == national


def test_a_row_of_a_code_that_only_shares_digits_does_not_apply(city):
    # 530102 (Wuhua) is not above 530103 (Panlong): lookups climb levels, not any prefix
    _row(city.wuhua.code)
    assert _in_force(city.panlong_community.code) is None


def test_instruments_have_their_own_policies():
    ltc = _row(instrument="ltc-2021")
    gbt = _row(instrument="gbt-42195-2022", validity_months=12)
    assert _in_force("530103", instrument="ltc-2021") == ltc
    assert _in_force("530103", instrument="gbt-42195-2022") == gbt


def test_a_filing_closes_the_row_in_force_and_is_bounded_by_a_later_one(city, city_officer):
    today = local_today()
    old = _row(city.city.code, start=dt.date(2020, 1, 1))
    later = _file(city_officer, start=today + dt.timedelta(days=30), region_code=city.city.code)
    # when a row is filed between the two
    middle = _file(city_officer, start=today + dt.timedelta(days=10), region_code=city.city.code)
    old.refresh_from_db()
    # then the old row ends the day before it, and it ends the day before the later one
    assert old.effective_to == today + dt.timedelta(days=9)
    assert middle.effective_to == today + dt.timedelta(days=29)
    assert later.effective_to is None
    for day, expected in ((today, old), (today + dt.timedelta(days=15), middle)):
        assert _in_force(city.panlong.code, on=day) == expected
    assert _in_force(city.panlong.code, on=today + dt.timedelta(days=40)) == later


def test_a_second_filing_for_the_same_day_supersedes_the_first_and_both_stay(city, city_officer):
    day = local_today() + dt.timedelta(days=5)
    first = _file(city_officer, start=day, region_code=city.city.code, validity=24)
    second = _file(city_officer, start=day, region_code=city.city.code, validity=36)
    first.refresh_from_db()
    assert first.superseded_by == second and not second.is_superseded
    assert _in_force(city.panlong.code, on=day) == second
    assert _in_force(city.panlong.code, on=day + dt.timedelta(days=100)) == second
    assert set(policy.policy_history("assessment", instrument="ltc-2021")) == {first, second}
    notes = ChangeLog.objects.filter(entity_type="assessment.assessmentpolicy").values_list(
        "note", flat=True
    )
    assert "policy superseded" in notes


def test_the_past_is_never_rewritten(city, city_officer):
    with pytest.raises(ValidationFailed) as refused:
        _file(city_officer, start=local_today() - dt.timedelta(days=1), region_code=city.city.code)
    assert "effective_from" in refused.value.fields


def test_a_filing_outside_the_officers_region_is_refused(city):
    panlong = UserFactory(role=Role.CIVIL_AFFAIRS, region=city.panlong)
    for code in (city.wuhua.code, city.city.code, "", "5301031", "①②"):
        with pytest.raises(ValidationFailed) as refused:
            _file(panlong, start=local_today(), region_code=code)
        assert "region_code" in refused.value.fields, code
    # their own district and a street of it are theirs
    assert _file(panlong, start=local_today(), region_code=city.panlong.code)
    assert _file(panlong, start=local_today(), region_code=city.panlong_street.code)


def test_a_national_kind_takes_no_region(city):
    admin = UserFactory(role=Role.SECURITY_ADMIN, region=city.city)
    values = {"max_failed_logins": 3, "lockout_minutes": 5, "password_max_age_days": 30}
    with pytest.raises(ValidationFailed) as refused:
        policy.policy_file(
            SecurityPolicy,
            actor=admin,
            values=values,
            region_code=city.city.code,
            effective_from=local_today(),
        )
    assert "region_code" in refused.value.fields
    row = policy.policy_file(
        SecurityPolicy, actor=admin, values=values, effective_from=local_today()
    )
    assert policy.policy_in_force("security", region_code=city.panlong_community.code) == row


def test_every_mistake_is_named_at_once(city, city_officer):
    with pytest.raises(ValidationFailed) as refused:
        policy.policy_file(
            "assessment",
            actor=city_officer,
            values=NUMBERS,
            keys={"instrument": "ltc-2021"},
            region_code="99",
            effective_from=None,
            errors={"validity_months": "bad"},
        )
    assert set(refused.value.fields) == {"validity_months", "region_code", "effective_from"}
    assert not AssessmentPolicy.objects.exists()


def test_an_undeclared_kind_or_key_is_a_bug():
    with pytest.raises(ImproperlyConfigured):
        policy.policy_in_force("premium")
    with pytest.raises(ImproperlyConfigured):
        policy.policy_in_force("assessment", colour="red")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(starts=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=8))
def test_on_every_day_the_latest_filing_of_the_latest_start_applies(city, starts):
    """Whatever order filings come in, on day X the row in force is the one filed last among
    those with the latest start on or before X, and at most one row is in force."""
    with transaction.atomic():  # each example starts from an empty table
        officer = UserFactory(role=Role.CIVIL_AFFAIRS, region=city.city)
        today = local_today()
        filed = []
        for n, offset in enumerate(starts):
            start = today + dt.timedelta(days=offset)
            filed.append((offset, n, _file(officer, start=start, region_code=city.city.code)))
        for x in range(-1, 15):
            day = today + dt.timedelta(days=x)
            started = [f for f in filed if f[0] <= x]
            expected = max(started, key=lambda f: (f[0], f[1]))[2] if started else None
            assert _in_force("530103", on=day) == expected, (starts, x)
            assert AssessmentPolicy.objects.filter(policy.in_force_q(day)).count() <= 1
        transaction.set_rollback(True)
