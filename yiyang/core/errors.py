from django.utils.translation import gettext as _

from .exceptions import DomainError


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
