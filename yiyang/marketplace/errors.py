from django.utils.translation import gettext_lazy as _

from yiyang.core.exceptions import DomainError

SERVICE_ITEM_REASONS = {
    "code_required": _("Enter the item code."),
    "code_format": _("Use letters, digits, dots, hyphens or underscores (at most 20)."),
    "code_duplicate": _("Another service item already has this code."),
    "name_required": _("Enter the name."),
    "name_length": _("At most 100 characters."),
    "unit_required": _("Enter the unit (e.g. 次, 小时)."),
    "unit_length": _("At most 20 characters."),
    "duration": _("Enter whole minutes, 1 or more."),
    "price": _("Enter a price in yuan, 0 or more."),
    "price_places": _("A price has at most two decimal places."),
    "price_range": _("The price is too large."),
    "qualification_length": _("At most 60 characters."),
    "description_length": _("At most 2,000 characters."),
    "choice": _("Choose one of the listed options."),
}


class IdempotencyKeyReused(DomainError):
    """Orders: this Idempotency-Key was used before with a different request; nothing was made."""

    code = "idempotency_key_reused"
    status = 409
    default_message = _("This Idempotency-Key was already used for a different order.")


class NoOrderPolicy(DomainError):
    """Orders: no order policy is in force for the person's region on this day."""

    code = "no_order_policy"
    status = 409
    default_message = _("No order policy is in force here yet; ask the civil-affairs bureau.")


ORDER_REASONS = {
    "offer": _("Choose a service from a provider's approved menu."),
    "area": _("This provider does not serve the person's community."),
    "window": _("Choose a time window."),
    "window_order": _("The end of the time window must be after its start."),
    "window_short": _("The window is shorter than the service (%(minutes)s minutes)."),
    "window_day": _("A visit starts and ends on the same day."),
    "lead": _("The visit can start %(minutes)s minutes from now at the earliest."),
    "ahead": _("Orders can be placed at most %(days)s days ahead."),
    "hours": _("The provider serves from %(opens)s to %(closes)s."),
    "weekday": _("The provider does not serve on this day of the week."),
    "quantity": _("Enter a whole number from 1 to 20."),
    "note": _("At most 300 characters."),
    "reason": _("Choose a reason."),
    "reason_note": _("Say in a few words why (at most 200 characters)."),
    "late_cancel": _("The visit is less than %(hours)s hours away: choose a reason."),
    "caregiver": _("Choose a caregiver of this provider."),
    "stars": _("Choose 1 to 5 stars."),
    "text": _("At most 300 characters."),
    "dispute": _("Say what went wrong (at most 300 characters)."),
    "idempotency_key": _("Up to 80 letters, digits, dots, hyphens or underscores."),
    "last_day": _("The last visit cannot be before the first."),
}
