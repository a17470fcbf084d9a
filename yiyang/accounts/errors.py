from django.utils.translation import gettext_lazy as _

from yiyang.core.exceptions import DomainError


class AccountLocked(DomainError):
    code = "account_locked"
    status = 403
    default_message = _("Too many failed sign-ins: the account is locked for a while.")


class BadCredentials(DomainError):
    code = "bad_credentials"
    status = 401
    default_message = _("The user name or password is wrong.")
