from django.utils.translation import gettext_lazy as _

from yiyang.core.exceptions import DomainError


class AccountLocked(DomainError):
    """Sign-in: too many failed attempts; the account is locked for the security policy's
    minutes."""

    code = "account_locked"
    status = 403
    default_message = _("Too many failed sign-ins: the account is locked for a while.")


class BadCredentials(DomainError):
    """Sign-in: the user name or the password is wrong."""

    code = "bad_credentials"
    status = 401
    default_message = _("The user name or password is wrong.")


class AccountDisabled(BadCredentials):
    """Sign-in: the account is disabled (said only to whoever knows its password)."""

    code = "account_disabled"
    default_message = _("This account is disabled. Ask your system administrator.")
