"""The REST API: /api/v1/..., with the OpenAPI document at /api/openapi.json and docs at /api/docs.

Every endpoint requires a session or an API key unless it is listed as public; every
endpoint reads through the same scoped selectors as the pages.
"""

from ninja import NinjaAPI

from . import errors
from .auth import AUTH

api = NinjaAPI(
    title="Yiyang API",
    version="1",
    description="Regions, organisations and the elder registry of the Yiyang platform. "
    "Authenticate with `X-API-Key` (third parties) or a console session.",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)


@api.get("/v1/health", auth=None, tags=["public"], summary="Liveness check (public)")
def health(request):
    return {"status": "ok"}
