"""Field checks every app's cleaners share: numbers in a range, phone numbers, ids, dates.

Each adds its reason to `errors[field]` (so a form or an import row shows them all at once)
and returns the clean value, or None when the field is empty or wrong.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import ValidationFailed

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


# --- ids ---------------------------------------------------------------------------------------

# The largest primary key the databases store (a signed 64-bit integer).
ID_MAX = 2**63 - 1


def is_ascii_digits(text: str) -> bool:
    """Only 0-9, at least one. Not `str.isdigit()` alone: it accepts '²', '①' and '٣', which
    `int()` then refuses or reads as another number, and which no code or id of ours holds."""
    return bool(text) and text.isascii() and text.isdigit()


def parse_whole(raw, *, max_digits: int = 19) -> int | None:
    """A whole number typed as ASCII digits (surrounding blanks ignored), or None."""
    text = str(raw if raw is not None else "").strip()
    if not is_ascii_digits(text) or len(text) > max_digits:
        return None
    return int(text)


def parse_id(raw) -> int | None:
    """A row id posted or typed as ASCII digits, or None: an id beyond the 64-bit range the
    databases store is no row's either, and must not reach a query."""
    value = parse_whole(raw)
    return value if value is not None and 1 <= value <= ID_MAX else None


class IdChoiceField(forms.ModelChoiceField):
    """A choice of row posted as its id: only ASCII digits are an id ('٣' is not row 3)."""

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, self.queryset.model):
            return super().to_python(value)
        if self.to_field_name is None:
            row_id = parse_id(value)
            if row_id is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
            value = row_id
        return super().to_python(value)


# --- dates -------------------------------------------------------------------------------------

# The days any date we are given may fall on. A field check, not policy: nobody in the
# registry was born before 1900, no licence or policy runs past 2100, and the edges of
# Python's own range (0001-01-01, 9999-12-31) overflow the moment a day is added to them.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
DATE_RANGE_MESSAGE = gettext_lazy("The date must be between %(low)s and %(high)s.")


def date_range_message() -> str:
    return str(DATE_RANGE_MESSAGE) % {"low": DATE_MIN.isoformat(), "high": DATE_MAX.isoformat()}


def is_date_in_range(value: dt.date) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return DATE_MIN <= day <= DATE_MAX


def clean_date(value, *, field: str, errors: dict) -> dt.date | None:
    """A date in range as it is; otherwise the reason in `errors[field]` and None."""
    if value is None:
        return None
    if not isinstance(value, dt.date) or not is_date_in_range(value):
        errors[field] = date_range_message()
        return None
    return value


def check_date(value, *, field: str) -> None:
    """For a service given one date: ValidationFailed naming the field when out of range."""
    errors: dict[str, str] = {}
    clean_date(value, field=field, errors=errors)
    if errors:
        raise ValidationFailed(fields=errors)


def _date_in_range(value) -> None:
    if value is not None and not is_date_in_range(value):
        raise forms.ValidationError(date_range_message(), code="date_range")


class BoundedDateField(forms.DateField):
    """Every date a form takes: a date between DATE_MIN and DATE_MAX, a date input by default."""

    default_validators = [_date_in_range]

    def __init__(self, *, widget=None, **kwargs):
        if widget is None:
            widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        super().__init__(widget=widget, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if (
            getattr(widget, "input_type", None) == "date"
        ):  # the browser's date picker keeps to the range
            attrs.update(min=DATE_MIN.isoformat(), max=DATE_MAX.isoformat())
        return attrs
