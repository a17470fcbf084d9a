"""Field checks every app's cleaners share: numbers in a range, phone numbers.

Each adds its reason to `errors[field]` (so a form or an import row shows them all at once)
and returns the clean value, or None when the field is empty or wrong.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

PHONE_CHARS = frozenset("0123456789-+ ")
PHONE_MAX = 20


def is_phone(text: str) -> bool:
    """Digits with optional separators, at least 7 digits (a landline without area code)."""
    return (
        bool(text)
        and set(text) <= PHONE_CHARS
        and sum(c.isdigit() for c in text) >= 7
        and len(text) <= PHONE_MAX
    )


def phone_digits(phone: str) -> str:
    """A phone number's digits alone ("0871-6512345" -> "08716512345"), as the registry keeps
    them for its phone search."""
    return "".join(c for c in phone or "" if "0" <= c <= "9")


def clean_phone(raw, *, field: str, errors: dict, required: bool = False) -> str:
    phone = str(raw or "").strip()
    if not phone and not required:
        return ""
    if not is_phone(phone):
        errors[field] = _("Enter a phone number of digits (7 or more).")
    return phone


def clean_decimal(
    raw, *, field: str, errors: dict, low: Decimal, high: Decimal, places: str = "0.01"
) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw)).quantize(Decimal(places))
        if not value.is_finite():  # "NaN" parses, and then refuses every comparison
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter a number.")
        return None
    if not (low <= value <= high):
        errors[field] = _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high}
        return None
    return value
