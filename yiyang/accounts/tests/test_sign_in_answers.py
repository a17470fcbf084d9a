"""Sign-in tells nobody which user names exist, and one address cannot keep guessing: an
unknown name and a locked account answer alike after the same hashing work, and the dated
security policy caps sign-ins and API calls per address and minute."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import RequestFactory, override_settings
from django.utils import timezone

from yiyang.accounts.models import User
from yiyang.accounts.services import api_key_create
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.core.http import client_ip

from .conftest import login_error_code, sign_in, signed_in

WRONG = "Not-The-Password-1!"
CALLS = []


class CountingHasher(MD5PasswordHasher):
    """The test suite's own hasher, counting how often a password is hashed."""

    def encode(self, password, salt):
        CALLS.append("hash")
        return super().encode(password, salt)


@pytest.fixture
def hashes():
    CALLS.clear()
    with override_settings(
        PASSWORD_HASHERS=["yiyang.accounts.tests.test_sign_in_answers.CountingHasher"]
    ):
        yield CALLS


def _message(response) -> str:
    return str(response.context["form"].non_field_errors()[0])


def test_an_unknown_name_and_a_locked_account_answer_alike(client, city, policy, hashes):
    # given a locked account
    UserFactory(username="li", region=city.panlong)
    User.objects.filter(username="li").update(locked_until=timezone.now() + dt.timedelta(minutes=9))
    # when someone without its password tries it, and a name that does not exist
    hashes.clear()
    locked = sign_in(client, "li", WRONG)
    locked_work = len(hashes)
    hashes.clear()
    unknown = sign_in(client, "nobody_here", WRONG)
    unknown_work = len(hashes)
    # then both get the same code and message, after the same hashing work
    assert login_error_code(locked) == login_error_code(unknown) == "bad_credentials"
    assert _message(locked) == _message(unknown)
    assert locked_work == unknown_work == 1
    # and only the right password hears of the lock
    assert login_error_code(sign_in(client, "li", PASSWORD)) == "account_locked"
    assert not signed_in(client)


def test_the_guess_that_locks_an_account_answers_like_any_wrong_one(client, city, policy):
    policy.max_failed_logins = 2
    policy.save()
    UserFactory(username="wu", region=city.panlong)
    first = sign_in(client, "wu", WRONG)
    second = sign_in(client, "wu", WRONG)
    assert User.objects.get(username="wu").is_locked
    assert _message(first) == _message(second) == _message(sign_in(client, "ghost", WRONG))


def test_one_address_gets_the_policys_sign_ins_a_minute_whatever_names_it_tries(
    client, city, policy
):
    # given a policy of three sign-ins per address and minute
    policy.sign_ins_per_ip_minute = 3
    policy.save()
    UserFactory(username="zhao", region=city.panlong)
    for name in ("a1", "a2", "a3"):
        assert login_error_code(sign_in(client, name, WRONG)) == "bad_credentials"
    # when the fourth comes from the same address, even with the right password
    response = sign_in(client, "zhao", PASSWORD)
    # then it is refused without a check, and nothing is counted against the account
    assert login_error_code(response) == "too_many_requests"
    assert not signed_in(client)
    assert User.objects.get(username="zhao").failed_logins == 0
    # while another address may sign in
    response = sign_in(client, "zhao", PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302 and signed_in(client)


def test_a_forged_forwarding_header_is_ignored_unless_the_deployment_names_it(client, city, policy):
    policy.sign_ins_per_ip_minute = 1
    policy.save()
    # without the setting, changing X-Forwarded-For does not escape the limit
    sign_in(client, "x", WRONG, HTTP_X_FORWARDED_FOR="1.1.1.1")
    response = sign_in(client, "x", WRONG, HTTP_X_FORWARDED_FOR="2.2.2.2")
    assert login_error_code(response) == "too_many_requests"
    # with it, the address the proxy appended (the last) is the client's
    with override_settings(CLIENT_IP_HEADER="X-Forwarded-For"):
        first = sign_in(client, "x", WRONG, HTTP_X_FORWARDED_FOR="9.9.9.9, 3.3.3.3")
        again = sign_in(client, "x", WRONG, HTTP_X_FORWARDED_FOR="8.8.8.8, 3.3.3.3")
        other = sign_in(client, "x", WRONG, HTTP_X_FORWARDED_FOR="9.9.9.9, 4.4.4.4")
    assert login_error_code(first) == "bad_credentials"
    assert login_error_code(again) == "too_many_requests"
    assert login_error_code(other) == "bad_credentials"


def test_client_ip_reads_the_named_header_only():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6", HTTP_X_REAL_IP="5.5.5.5"
    )
    assert client_ip(request) == "127.0.0.1"
    with override_settings(CLIENT_IP_HEADER="X-Real-IP"):
        assert client_ip(request) == "5.5.5.5"
    with override_settings(CLIENT_IP_HEADER="X-Forwarded-For"):
        assert client_ip(request) == "6.6.6.6"
        garbage = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="x")
        assert client_ip(garbage) == "127.0.0.1"
    assert client_ip(None) is None


def test_the_api_answers_429_past_the_policys_calls_a_minute(client, city, policy):
    policy.api_calls_per_ip_minute = 2
    policy.save()
    officer = UserFactory(region=city.panlong)
    _key, token = api_key_create(
        actor=officer, name="社区系统", scopes=["elders.view"], region=city.panlong
    )
    headers = {"X-API-Key": token}
    assert client.get("/api/v1/elders", headers=headers).status_code == 200
    assert client.get("/api/v1/health").status_code == 200
    response = client.get("/api/v1/elders", headers=headers)
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_requests"
    assert 1 <= int(response["Retry-After"]) <= 61
    # another address is not held back
    assert client.get("/api/v1/elders", headers=headers, REMOTE_ADDR="10.0.0.8").status_code == 200


def test_the_throttles_are_filed_with_the_policy_and_carry_over_when_left_out(
    city, policy, security_admin
):
    from yiyang.accounts.rules import security_policy_for
    from yiyang.accounts.services import security_policy_file
    from yiyang.core.timeutils import local_today

    day = local_today() + dt.timedelta(days=3)
    security_policy_file(
        actor=security_admin,
        max_failed_logins=5,
        lockout_minutes=15,
        password_max_age_days=90,
        effective_from=day,
        sign_ins_per_ip_minute=7,
        api_calls_per_ip_minute=70,
    )
    later = day + dt.timedelta(days=1)
    security_policy_file(
        actor=security_admin,
        max_failed_logins=4,
        lockout_minutes=15,
        password_max_age_days=90,
        effective_from=later,
    )
    assert security_policy_for(on=later).sign_ins_per_ip_minute == 7
    assert security_policy_for(on=later).api_calls_per_ip_minute == 70
    assert security_policy_for().sign_ins_per_ip_minute == policy.sign_ins_per_ip_minute
