"""Strong passwords, changing one's own, and the policy's maximum password age."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from yiyang.accounts import services
from yiyang.accounts.models import User
from yiyang.accounts.passwords import CharacterClassValidator
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.core.exceptions import ValidationFailed

from .conftest import sign_in

NEW = "Kunming-Spring-2027#"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!xyz", "password_too_short"),  # under ten characters
        ("1234567890123", "password_entirely_numeric"),
        ("abcdefghijkl", "password_too_simple"),  # one character class
        ("abcdefgh1234", "password_too_simple"),  # two classes
        ("Password123", "password_too_common"),
        ("zhangxiuying1X", "password_too_similar"),  # like the user name
    ],
)
def test_weak_passwords_are_refused_with_a_reason(city, password, code):
    user = User(username="zhangxiuying", display_name="张秀英")
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert code in {e.code for e in exc.value.error_list}


def test_a_long_password_mixing_three_kinds_of_character_is_accepted(city):
    validate_password(PASSWORD, User(username="someone", display_name="某人"))


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_the_character_class_rule_accepts_exactly_three_or_four_classes(password):
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    try:
        CharacterClassValidator().validate(password)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (classes >= 3)


def _expire(user, *, days_ago: int) -> None:
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_an_expired_password_sends_the_user_to_change_it_until_they_do(client, city, policy):
    # given a policy of 30 days and a password changed 31 days ago
    policy.password_max_age_days = 30
    policy.save()
    officer = UserFactory(username="ma", region=city.panlong)
    _expire(officer, days_ago=31)
    # when they sign in
    response = sign_in(client, "ma")
    assert response.status_code == 302
    # then every page sends them to the change-password page
    password_url = reverse("accounts:password")
    for url in (reverse("home"), reverse("accounts:login") + "x/", "/elders/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == password_url, url
    assert client.get(password_url).context["expired"] is True
    # and an htmx call is redirected the htmx way
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == password_url
    # when they choose a new password
    response = client.post(
        password_url,
        {"old_password": PASSWORD, "new_password": NEW, "new_password2": NEW},
    )
    # then they stay signed in and may work again
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    assert timezone.now() - officer.password_changed_at < dt.timedelta(minutes=1)


def test_a_password_younger_than_the_policy_allows_is_left_alone(client, city, policy):
    policy.password_max_age_days = 30
    policy.save()
    officer = UserFactory(username="hu", region=city.panlong)
    _expire(officer, days_ago=29)
    sign_in(client, "hu")
    assert client.get(reverse("home")).status_code == 200


def test_the_age_check_covers_every_way_of_signing_in(client, city, policy):
    # given an expired password and a session opened without the sign-in form
    policy.password_max_age_days = 30
    policy.save()
    officer = UserFactory(region=city.panlong)
    _expire(officer, days_ago=40)
    client.force_login(User.objects.get(pk=officer.pk))
    # then the session is still sent to change the password
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password")


def test_an_account_never_given_a_password_date_counts_from_its_creation(city, policy):
    policy.password_max_age_days = 30
    policy.save()
    user = UserFactory(region=city.panlong)
    User.objects.filter(pk=user.pk).update(
        password_changed_at=None, date_joined=timezone.now() - dt.timedelta(days=31)
    )
    user.refresh_from_db()
    assert services.password_deadline(user=user) < timezone.now()


def test_a_damaged_session_note_fails_closed(city):
    session = {services.PASSWORD_DEADLINE_KEY: "not a date"}
    assert services.session_password_expired(session=session) is True
    assert services.session_password_expired(session={}) is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"old_password": "wrong-One-1!", "new_password": NEW, "new_password2": NEW},
            "old_password",
        ),
        (
            {"old_password": PASSWORD, "new_password": PASSWORD, "new_password2": PASSWORD},
            "new_password",
        ),
        (
            {
                "old_password": PASSWORD,
                "new_password": "abcdefgh1234",
                "new_password2": "abcdefgh1234",
            },
            "new_password",
        ),
        (
            {"old_password": PASSWORD, "new_password": NEW, "new_password2": NEW + "x"},
            "new_password2",
        ),
        ({"old_password": PASSWORD, "new_password": "", "new_password2": ""}, "new_password"),
    ],
)
def test_a_bad_password_change_is_refused_by_the_field(client, city, data, field):
    officer = UserFactory(region=city.panlong)
    client.force_login(officer)
    response = client.post(reverse("accounts:password"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_changing_ones_password_is_written_to_the_history(city):
    from yiyang.core.models import ChangeLog

    officer = UserFactory(region=city.panlong)
    services.user_change_password(actor=officer, old_password=PASSWORD, new_password=NEW)
    row = ChangeLog.objects.get(entity_type="accounts.user", entity_id=officer.pk)
    assert row.changes == {"password": ["***", "***"]}
    assert NEW not in str(row.changes) and NEW not in row.note


def test_the_service_refuses_a_weak_new_password(city):
    officer = UserFactory(region=city.panlong)
    with pytest.raises(ValidationFailed) as exc:
        services.user_change_password(actor=officer, old_password=PASSWORD, new_password="short")
    assert "new_password" in exc.value.fields
