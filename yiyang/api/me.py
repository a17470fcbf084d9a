"""Who is calling: lets a third party check its key's scopes and region."""

from typing import Literal

from ninja import Router, Schema

from yiyang.accounts.models import ApiKey
from yiyang.core import registry

from .auth import needs
from .schemas import answers

router = Router(tags=["me"])


class RegionRef(Schema):
    code: str
    name: str


class MeOut(Schema):
    kind: Literal["api_key", "user"]
    name: str
    username: str | None = None
    key_prefix: str | None = None
    role: str | None = None
    capabilities: list[str]
    region: RegionRef
    organisation_id: int | None = None


@router.get("", response=answers(MeOut), **needs(None))
def me(request):
    """The caller: an API key (its scopes) or a signed-in account (its role's capabilities)."""
    actor = request.auth
    if isinstance(actor, ApiKey):
        return {
            "kind": "api_key",
            "name": actor.name,
            "key_prefix": actor.prefix,
            "capabilities": sorted(actor.scopes or []),
            "region": actor.region,
        }
    return {
        "kind": "user",
        "name": str(actor),
        "username": actor.username,
        "role": actor.role,
        "capabilities": sorted(registry.role_capabilities(actor.role)),
        "region": actor.region,
        "organisation_id": actor.organisation_id,
    }
