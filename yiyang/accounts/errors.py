from django.utils.translation import gettext_lazy as _

from yiyang.core.exceptions import DomainError, PermissionDenied


class AccountLocked(DomainError):
    """Sign-in: too many failed attempts; the account is locked for the security policy's
    minutes (said only to whoever gives its right password)."""

    code = "account_locked"
    status = 403
    default_message = _("Too many failed sign-ins: the account is locked for a while.")


class BadCredentials(DomainError):
    """Sign-in: the user name or the password is wrong, or the account is locked (said alike,
    so that nobody learns which user names exist)."""

    code = "bad_credentials"
    status = 401
    default_message = _(
        "The user name or password is wrong. After repeated failures an account is locked for "
        "a while."
    )


class AccountDisabled(BadCredentials):
    """Sign-in: the account is disabled (said only to whoever knows its password)."""

    code = "account_disabled"
    default_message = _("This account is disabled. Ask your system administrator.")


class SecondPersonRequired(PermissionDenied):
    """An administrator's account (system, security or audit administrator) is changed only
    with a second person: ask for the change and have it approved, or use the emergency
    procedure when nobody can approve."""

    code = "second_person_required"
    default_message = _(
        "An administrator's account is not changed by one person alone: ask for the change, and "
        "a security administrator approves it."
    )
