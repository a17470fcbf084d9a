"""Who is calling, and may they call this endpoint?

Two ways in: an API key (`X-API-Key`, third parties) or a console session (the pages' own
calls). Either way the caller becomes `request.auth`, an actor that the scoped selectors
accept: `accounts.models.ApiKey` behaves like a region-bound account whose capabilities are its
scopes.

Each endpoint names one capability with `needs("elders.view")`; the check runs right after
authentication and before the input is parsed, so a key without the scope learns nothing
(not even whether an id exists). `needs(None)` admits any authenticated caller.
"""

import re
from functools import wraps

from django.conf import settings
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, APIKeyHeader
from ninja.utils import check_csrf

from yiyang.accounts.services import api_key_authenticate
from yiyang.core.exceptions import CsrfFailed, PermissionDenied, Unauthenticated
from yiyang.core.refusals import refusal_json
from yiyang.core.scoping import SELF, require

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# What accounts.services.api_key_create issues; anything else is refused before a query.
TOKEN_SHAPE = re.compile(r"yy_[0-9a-f]{1,12}_[A-Za-z0-9_-]{1,200}")


def _admit(request, actor, capability: str | None):
    if capability:
        require(actor, capability)  # PermissionDenied -> 403 "forbidden"
    request.actor = actor
    return actor


class KeyAuth(APIKeyHeader):
    """`X-API-Key: yy_<prefix>_<secret>`; only a hash of the secret is stored."""

    param_name = "X-API-Key"

    def __init__(self, capability: str | None = None):
        self.capability = capability
        super().__init__()

    def authenticate(self, request, key):
        if not key:
            return None
        if not TOKEN_SHAPE.fullmatch(key):
            raise AuthenticationError()
        api_key = api_key_authenticate(token=key)
        if api_key is None:
            # A wrong, revoked or expired key is refused outright rather than falling back to
            # the session: a third party must learn that its key no longer works.
            raise AuthenticationError()
        return _admit(request, api_key, self.capability)


class StaffSession(APIKeyCookie):
    """The console's session cookie. Changes need the CSRF token, as on the pages.

    ninja's own SessionAuth checks CSRF before it knows whether anyone is signed in, which
    turns an anonymous POST into a 403; we authenticate first so that it stays a 401.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, capability: str | None = None):
        self.capability = capability
        super().__init__(csrf=True)

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed()
        return _admit(request, user, self.capability)


def needs(capability: str | None) -> dict:
    """Keyword arguments for `@router.get(...)`: the auth schemes and, in the OpenAPI
    document, the capability (`x-capability`) a key's scopes or a role must include."""
    extra = {"x-capability": capability} if capability else {"x-capability": None}
    return {
        "auth": [KeyAuth(capability), StaffSession(capability)],
        "openapi_extra": extra,
    }


AUTH = [KeyAuth(), StaffSession()]


def staff_or_key(view):
    """The OpenAPI document and the docs page: for a valid API key or a signed-in staff
    account (not an older person's or a family's), like every endpoint but health. They list
    every endpoint, field and capability, which is nobody's business outside."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(KeyAuth.param_name)
        user = getattr(request, "user", None)
        if key:
            if not TOKEN_SHAPE.fullmatch(key) or api_key_authenticate(token=key) is None:
                return refusal_json(Unauthenticated())
        elif user is None or not user.is_authenticated:
            return refusal_json(Unauthenticated())
        elif user.scope_kind == SELF:
            return refusal_json(PermissionDenied())
        return view(request, *args, **kwargs)

    return wrapper
