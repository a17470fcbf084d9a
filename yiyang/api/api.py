"""The REST API: /api/v1/..., with the OpenAPI document at /api/openapi.json and docs at /api/docs
(both for a key or a staff session; only health is public).

Every endpoint requires a session or an API key unless it is listed as public; every
endpoint reads through the same scoped selectors as the pages. The docs page and its
Swagger UI assets are served by the platform itself (government intranets have no internet).
"""

from django.urls import re_path
from ninja import NinjaAPI, Swagger

from yiyang.core.error_codes import error_codes_table

from . import errors, me, regions, routers
from .auth import AUTH, staff_or_key

DESCRIPTION = """\
Regions, organisations, the elder registry, the service catalogue and the assessments of the
Yiyang platform.

**Authentication.** Send `X-API-Key: yy_<prefix>_<secret>` (third parties; the key's *scopes*
are the capabilities it may use and its *region* the data it may see) or call from a signed-in
console session (the role's capabilities; unsafe methods need the `X-CSRFToken` header).
Each operation names its capability as `x-capability`; `null` means any authenticated
caller. `GET /api/v1/health` is the only public endpoint; this document and the docs page
need a key or a signed-in staff session too.

**Scoping.** A caller sees only rows inside its region (provider staff: their organisation).
A row outside it answers 404, exactly like a row that does not exist.

**Pagination.** Lists take `?limit=` (1-200, default 50) and `?cursor=`; each page returns
`{"items": [...], "next": <cursor or null>}`. Pages are in id order and never counted.

**Errors.** Every refusal has the body `{"code", "message", "fields"}`; `fields` maps an
input field's path to the reason. The codes, read from the platform's refusal classes:

""" + error_codes_table()


class YiyangAPI(NinjaAPI):
    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = errors.json_refusals(errors.throttled(pattern.callback))
        # Last, so it shadows nothing: any other address under /api/ is a JSON 404.
        patterns.append(re_path(r"^.*$", errors.throttled(errors.unknown_path), name="unknown"))
        return patterns


api = YiyangAPI(
    title="Yiyang API",
    version="1",
    description=DESCRIPTION,
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # The document and the docs page need a key or a staff session, as the endpoints do.
    docs_decorator=staff_or_key,
    # The bundled Swagger UI (ninja's static files); no validator badge from swagger.io.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
errors.install(api)

api.add_router("/v1/regions", regions.router)
# Each app's own endpoints, declared in its declarations (routers.declare_router).
for mounted in routers.declared():
    api.add_router(mounted.prefix, mounted.router)
api.add_router("/v1/me", me.router)


@api.get("/v1/health", auth=None, tags=["public"], summary="Liveness check (public)")
def health(request):
    """Public: answers without credentials so that load balancers can probe it."""
    return {"status": "ok"}
