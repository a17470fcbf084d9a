"""The REST API's routers that apps declare: each app keeps its endpoints in its own `api.py`
(schema in, one service or selector call, schema out) and declares the router with its prefix
in its `declarations`; the API mounts every declared router (api.py)."""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from ninja import Router


@dataclass(frozen=True)
class Mounted:
    prefix: str
    router: Router
    order: int


_routers: dict[str, Mounted] = {}


def declare_router(prefix: str, router: Router, *, order: int = 100) -> None:
    """`declare_router("/v1/elders", router)`: the paths a third party sees are a contract."""
    if prefix in _routers and _routers[prefix].router is not router:
        raise ImproperlyConfigured(f"two routers declared for {prefix}")
    _routers[prefix] = Mounted(prefix, router, order)


def declared() -> list[Mounted]:
    return sorted(_routers.values(), key=lambda m: (m.order, m.prefix))
