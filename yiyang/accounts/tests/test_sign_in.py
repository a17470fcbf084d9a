"""Signing in: lockout by the dated policy, unlocking, disabled accounts, idle sessions."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from yiyang.accounts import services
from yiyang.accounts.models import User
from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.core.models import ChangeLog

from .conftest import login_error_code, sign_in, signed_in

WRONG = "Not-The-Password-1!"


@pytest.mark.parametrize("limit", [3, 5])
def test_an_account_locks_after_the_number_of_failures_the_policy_row_says(
    client, city, policy, limit
):
    # given the policy row set to `limit` failures and 10 minutes
    policy.max_failed_logins, policy.lockout_minutes = limit, 10
    policy.save()
    officer = UserFactory(username="wang", region=city.panlong)
    # when one guess short of the limit is made
    for _ in range(limit - 1):
        response = sign_in(client, "wang", WRONG)
        assert login_error_code(response) == "bad_credentials"
    # then the account is not yet locked
    officer.refresh_from_db()
    assert officer.failed_logins == limit - 1 and not officer.is_locked
    # when the last allowed guess fails too
    response = sign_in(client, "wang", WRONG)
    # then the account locks for the policy's minutes; the guesser is told nothing new (only
    # the right password hears of the lock)
    assert response.status_code == 200
    assert login_error_code(response) == "bad_credentials"
    officer.refresh_from_db()
    assert officer.is_locked
    remaining = officer.locked_until - timezone.now()
    assert dt.timedelta(minutes=9) < remaining <= dt.timedelta(minutes=10)
    assert not signed_in(client)


def test_a_locked_account_is_refused_even_with_the_right_password(client, city, policy):
    # given a locked account
    policy.max_failed_logins = 2
    policy.save()
    UserFactory(username="li", region=city.panlong)
    sign_in(client, "li", WRONG)
    sign_in(client, "li", WRONG)
    # when the right password is given
    response = sign_in(client, "li", PASSWORD)
    # then the lock still holds, with its message on the form
    assert response.status_code == 200
    assert login_error_code(response) == "account_locked"
    assert response.context["form"].non_field_errors()
    assert not signed_in(client)


def test_the_lock_lifts_once_its_time_has_passed(client, city, policy):
    # given an account locked by failures
    policy.max_failed_logins = 2
    policy.save()
    officer = UserFactory(username="zhao", region=city.panlong)
    sign_in(client, "zhao", WRONG)
    sign_in(client, "zhao", WRONG)
    officer.refresh_from_db()
    assert officer.is_locked
    # when the lockout period is over
    User.objects.filter(pk=officer.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    response = sign_in(client, "zhao", PASSWORD)
    # then the right password signs in and the lock is cleared
    assert response.status_code == 302
    assert signed_in(client)
    officer.refresh_from_db()
    assert officer.locked_until is None and officer.failed_logins == 0


def test_a_successful_sign_in_resets_the_failure_counter(client, city, policy):
    # given two failures under a limit of three
    policy.max_failed_logins = 3
    policy.save()
    officer = UserFactory(username="chen", region=city.panlong)
    sign_in(client, "chen", WRONG)
    sign_in(client, "chen", WRONG)
    # when the right password is given
    assert sign_in(client, "chen", PASSWORD).status_code == 302
    client.logout()
    # then the count starts again: two more failures do not lock the account
    sign_in(client, "chen", WRONG)
    response = sign_in(client, "chen", WRONG)
    assert login_error_code(response) == "bad_credentials"
    officer.refresh_from_db()
    assert not officer.is_locked and officer.failed_logins == 2


def test_a_disabled_account_cannot_sign_in(client, city):
    # given a disabled account
    UserFactory(username="zhou", region=city.panlong, is_active=False)
    # when its owner gives the right password
    response = sign_in(client, "zhou", PASSWORD)
    # then they are refused and told the account is disabled
    assert login_error_code(response) == "account_disabled"
    assert not signed_in(client)
    # and a wrong password learns nothing about the account
    assert login_error_code(sign_in(client, "zhou", WRONG)) == "bad_credentials"


def test_an_unknown_user_name_gets_the_same_answer_as_a_wrong_password(client, city):
    response = sign_in(client, "nobody-here", WRONG)
    assert response.status_code == 200
    assert login_error_code(response) == "bad_credentials"


def test_empty_or_oversized_sign_in_input_is_refused_without_an_error_page(client, city):
    assert sign_in(client, "", "").status_code == 200
    assert sign_in(client, "x" * 5000, "y" * 5000).status_code == 200


def test_sign_in_goes_only_to_a_next_page_on_this_site(client, city):
    UserFactory(username="wu", region=city.panlong)
    url = reverse("accounts:login") + "?next=https://evil.example/steal"
    response = client.post(url, {"username": "wu", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_sign_in_events_and_lockouts_are_kept_for_the_audit_administrator(client, city, policy):
    # given a lockout and a later successful sign-in of a Panlong account
    policy.max_failed_logins = 2
    policy.save()
    officer = UserFactory(username="sun", region=city.panlong)
    sign_in(client, "sun", WRONG)
    sign_in(client, "sun", WRONG)
    User.objects.filter(pk=officer.pk).update(locked_until=None)
    sign_in(client, "sun", PASSWORD)
    # then the account's history holds each event, with the IP address
    notes = list(
        ChangeLog.objects.filter(entity_type="accounts.user", entity_id=officer.pk)
        .order_by("id")
        .values_list("note", flat=True)
    )
    assert notes[0].startswith(services.SIGN_IN_FAILED)
    assert notes[1].startswith(services.SIGN_IN_LOCKED)
    assert notes[2].startswith(services.SIGN_IN_OK)
    assert "127.0.0.1" in notes[1]
    lockout = ChangeLog.objects.get(note__startswith=services.SIGN_IN_LOCKED)
    assert lockout.region_code == city.panlong.code
    assert lockout.actor is None and lockout.actor_label == services.ANONYMOUS
    # and the audit administrator finds the lockout, while Wuhua's does not
    audit = UserFactory(role=Role.AUDIT_ADMIN, region=city.panlong)
    outsider = UserFactory(role=Role.AUDIT_ADMIN, region=city.wuhua)
    client.force_login(audit)
    response = client.get(reverse("supervision:audit"), {"kind": "lockout"})
    assert [row.pk for row in response.context["page_obj"]] == [lockout.pk]
    client.force_login(outsider)
    response = client.get(reverse("supervision:audit"), {"kind": "lockout"})
    assert list(response.context["page_obj"]) == []


def test_locking_an_account_ends_its_open_sessions(client, city):
    # given a signed-in officer
    officer = UserFactory(region=city.panlong)
    client.force_login(officer)
    assert client.get(reverse("home")).status_code == 200
    # when the account is locked (by someone guessing its password elsewhere)
    User.objects.filter(pk=officer.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=5))
    # then the open session no longer works
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_idle_sessions_expire(client, city):
    # given the settings: a short idle timeout renewed on every request
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60
    officer = UserFactory(region=city.panlong)
    assert sign_in(client, officer.username).status_code == 302
    # when the session has been idle past its age
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    # then the next request is sent to sign in again
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_htmx_requests_are_told_to_go_to_the_sign_in_page(client, city):
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:login")


def test_signing_out_needs_a_post(client, city):
    officer = UserFactory(region=city.panlong)
    client.force_login(officer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not signed_in(client)


def test_a_password_set_by_an_administrator_must_be_replaced_at_first_sign_in(client, city):
    from django.urls import reverse

    from yiyang.accounts.roles import Role
    from yiyang.accounts.services import user_change_password, user_create

    # given an account whose password the system administrator chose
    admin = UserFactory(region=city.panlong, role=Role.SYSTEM_ADMIN)
    user = user_create(
        actor=admin,
        username="newofficer",
        password="Temp@2026pass",
        display_name="新同事",
        role=Role.CIVIL_AFFAIRS,
        region=city.panlong,
    )
    # when its owner signs in
    client.post(reverse("accounts:login"), {"username": "newofficer", "password": "Temp@2026pass"})
    # then every page sends them to choose their own password
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:password"))
    # and once they have, the console opens
    user_change_password(actor=user, old_password="Temp@2026pass", new_password="Mine@2026secret")
    client.post(
        reverse("accounts:login"), {"username": "newofficer", "password": "Mine@2026secret"}
    )
    assert client.get(reverse("home")).status_code == 200
