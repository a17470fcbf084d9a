import pytest
from django.urls import reverse

from yiyang.accounts.models import SecurityPolicy
from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory


@pytest.fixture
def policy():
    """The policy row in force (the initial migration files one); tests edit it to prove the
    numbers are data."""
    row = SecurityPolicy.objects.order_by("-effective_from", "-id").first()
    if row is None:
        import datetime as dt

        row = SecurityPolicy.objects.create(
            effective_from=dt.date(2020, 1, 1),
            max_failed_logins=5,
            lockout_minutes=15,
            password_max_age_days=90,
        )
    return row


@pytest.fixture
def panlong_admin(city):
    return UserFactory(username="sys_panlong", role=Role.SYSTEM_ADMIN, region=city.panlong)


@pytest.fixture
def wuhua_admin(city):
    return UserFactory(username="sys_wuhua", role=Role.SYSTEM_ADMIN, region=city.wuhua)


@pytest.fixture
def security_admin(city):
    return UserFactory(username="sec_city", role=Role.SECURITY_ADMIN, region=city.city)


@pytest.fixture
def audit_admin(city):
    return UserFactory(username="audit_panlong", role=Role.AUDIT_ADMIN, region=city.panlong)


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def login_error_code(response) -> str | None:
    """The code of the sign-in form's error: the same in every language."""
    form = response.context["form"]
    errors = form.non_field_errors().as_data()
    return errors[0].code if errors else None


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session
