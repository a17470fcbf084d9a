"""One base for every refusal the platform gives: a stable code, an HTTP status and a message.

Pages show `message` beside `field`; the API answers `{"code", "message", "fields"}` through
`core.refusals`, the one place a refusal becomes an HTTP answer. Unexpected exceptions are bugs,
never answers to bad input.

Each class documents itself for third parties: `code`, `status`, and the first paragraph of
its docstring, in English, saying what the code means. `yiyang error-codes` lists them all (the table in
docs/api.md and the OpenAPI description); a refusal class lives in this module or in an app's
`errors.py`, where that list looks for it.
"""

import inspect
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """The request could not be completed."""

    code = "error"
    status = 400
    default_message = _("The request could not be completed.")
    # For the rare class whose code is chosen when it is raised (the graders' problem codes):
    # every code it may answer with, and what each means. `code=` must be one of them.
    codes: Mapping[str, str] = {}

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
        if code is not None:
            if code not in self.codes:
                # An undeclared code would reach clients without appearing in the documented list.
                raise ValueError(f"{type(self).__name__} does not declare the code {code!r}")
            self.code = code
        super().__init__(str(self.message))

    @classmethod
    def description(cls) -> str:
        """The first paragraph of the class's own docstring (not an inherited one): what its code
        means, for third parties."""
        doc = inspect.cleandoc(cls.__dict__.get("__doc__") or "")
        return " ".join(doc.split("\n\n", 1)[0].split())

    @classmethod
    def answer_codes(cls) -> dict[str, str]:
        """Every code this class may answer with, and what each means."""
        return dict(cls.codes) if cls.codes else {cls.code: cls.description()}

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: str(v) for k, v in self.fields.items()},
        }


class ValidationFailed(DomainError):
    """Input that fits the schema but breaks a rule (a bad ID-number check character, a
    duplicate credit code, a region outside yours); `fields` names each bad field and the reason.
    """

    code = "invalid"
    default_message = _("Some fields are not valid.")


class NotFound(DomainError):
    """No such row, or a row outside the caller's scope: the two look alike on purpose. Also any
    address under `/api/` that is not an endpoint."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    """The account's role or the key's scopes do not allow this action."""

    code = "forbidden"
    status = 403
    default_message = _("You do not have permission to do this.")


class Conflict(DomainError):
    """The record changed since you read it (version mismatch); nothing was written."""

    code = "conflict"
    status = 409
    default_message = _("The record was changed by someone else; reload and try again.")


# --- Refusals of the request itself, before any service has looked at it ---------------------


class Unauthenticated(DomainError):
    """No session and no valid `X-API-Key`."""

    code = "unauthenticated"
    status = 401
    default_message = _("Sign in or send a valid X-API-Key header.")


class CsrfFailed(DomainError):
    """A session request that changes data came without the CSRF token."""

    code = "csrf_failed"
    status = 403
    default_message = _("The CSRF token is missing or wrong; reload the page and try again.")


class MethodNotAllowed(DomainError):
    """The address exists but not with this HTTP method (`Allow` lists the methods)."""

    code = "method_not_allowed"
    status = 405
    default_message = _("This address does not take this method.")


class MalformedJson(DomainError):
    """The request body is not JSON."""

    code = "malformed_json"
    status = 400
    default_message = _("The request body is not valid JSON.")

    def __init__(self, message=None):
        super().__init__(message, field="body")


class SchemaInvalid(ValidationFailed):
    """Input that does not fit the schema (a missing field, a word where a number belongs, an
    unknown choice); `fields` names each bad field and the reason."""

    # The same code as a rule's refusal, deliberately: clients mark the fields either way.
    status = 422


class BadRequest(DomainError):
    """Any other refusal of the request as sent."""

    code = "bad_request"
    status = 400
    default_message = _("The request could not be understood.")


class ServerError(DomainError):
    """A fault on the platform's side, written to its log; never an answer to bad input. Please
    report it."""

    code = "server_error"
    status = 500
    default_message = _("Something went wrong on our side; it has been recorded.")
