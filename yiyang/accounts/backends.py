from django.contrib.auth.backends import ModelBackend

from yiyang.core.exceptions import DomainError
from yiyang.core.http import client_ip

from .services import user_authenticate


class LockoutBackend(ModelBackend):
    """Django's backend with the lockout rule of accounts.services in front."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        try:
            user = user_authenticate(username=username, password=password, ip=client_ip(request))
        except DomainError as exc:
            if request is not None:
                request.auth_error = exc
            return None
        return user

    def user_can_authenticate(self, user):
        return user.is_active and not user.is_locked
