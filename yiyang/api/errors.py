"""One exception handler: every refusal becomes {"code", "message", "fields"}."""

from django.http import Http404
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from yiyang.core.exceptions import DomainError


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in {"body", "query", "path", "payload", "form"}]
    return ".".join(parts) or "body"


def install(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        fields = {}
        for err in exc.errors:
            fields.setdefault(_field_name(err.get("loc", ())), err.get("msg", "invalid"))
        body = {"code": "invalid", "message": "Some fields are not valid.", "fields": fields}
        return api.create_response(request, body, status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        body = {
            "code": "unauthenticated",
            "message": "Sign in or send a valid X-API-Key.",
            "fields": {},
        }
        return api.create_response(request, body, status=401)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request, {"code": "not_found", "message": "Not found.", "fields": {}}, status=404
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(
            request,
            {"code": "http_error", "message": str(exc), "fields": {}},
            status=exc.status_code,
        )
