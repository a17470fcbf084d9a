"""One base for every refusal the platform gives: a stable code, an HTTP status and a message.

Pages show `message` beside `field`; the API answers `{"code", "message", "fields"}`.
Unexpected exceptions are bugs, never answers to bad input.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = _("The request could not be completed.")

    def __init__(
        self,
        message=None,
        *,
        field: str | None = None,
        fields: dict | None = None,
        code: str | None = None,
    ):
        self.message = message if message is not None else self.default_message
        self.field = field
        self.fields = dict(fields or {})
        if field and field not in self.fields:
            self.fields[field] = self.message
        if code:
            self.code = code
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: str(v) for k, v in self.fields.items()},
        }


class ValidationFailed(DomainError):
    code = "invalid"
    default_message = _("Some fields are not valid.")


class NotFound(DomainError):
    """Raised for rows that do not exist and for rows outside the caller's scope alike."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403
    default_message = _("You do not have permission to do this.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("The record was changed by someone else; reload and try again.")
