from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import Conflict, DomainError


class CalendarNotPublished(DomainError):
    """A deadline reaches a year whose official holiday calendar is not entered yet, so its
    working days cannot be counted.

    Neither entered by an officer nor in `chinesecalendar` (core/workdays.py)."""

    code = "calendar_not_published"
    status = 409

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "The official holiday calendar for %(year)s is not available yet, so working "
                "days in %(year)s cannot be counted. Once the State Council notice for "
                "%(year)s is published, enter it in the holiday calendar."
            )
            % {"year": year}
        )


class TransitionRefused(DomainError):
    """A step taken out of order: the record is at another step of its life cycle (`fields.status`).

    Accepting a refused assessment case, concluding before the on-site work (core.transitions)."""

    code = "bad_transition"
    status = 409
    default_message = gettext_lazy("This step cannot be taken now.")


class AlreadyDelivered(Conflict):
    """An event delivery asked to be retried has already been handled by its listener."""

    code = "already_delivered"
    default_message = gettext_lazy("The listener has already handled this event.")


class TooManyRequests(DomainError):
    """Too many sign-ins or API calls from this address within the security policy's window;
    wait and try again (`Retry-After` says how many seconds)."""

    code = "too_many_requests"
    status = 429
    default_message = gettext_lazy(
        "Too many requests from your address: wait a minute and try again."
    )

    def __init__(self, message=None, *, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
