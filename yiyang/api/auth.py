"""Who is calling: a signed-in session (pages' own htmx calls) or an API key (third parties)."""

from ninja.security import APIKeyHeader, SessionAuth

from yiyang.accounts.services import api_key_authenticate


class KeyAuth(APIKeyHeader):
    """`X-API-Key: yy_<prefix>_<secret>`; only a hash of the secret is stored."""

    param_name = "X-API-Key"

    def authenticate(self, request, key):
        if not key:
            return None
        api_key = api_key_authenticate(token=key)
        if api_key is not None:
            request.actor = api_key
        return api_key


class StaffSession(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            request.actor = user
        return user


AUTH = [KeyAuth(), StaffSession()]
