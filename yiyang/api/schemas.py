"""Types every router shares: decimals that leave as strings, and the error responses."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, PlainSerializer, field_validator
from pydantic_core import PydanticCustomError

from yiyang.core.validation import date_range_message, is_date_in_range

from .errors import ErrorOut


def _unstorable(c: str) -> bool:
    code = ord(c)
    return (code < 32 and c not in "\t\n\r") or code == 0x7F or 0xD800 <= code <= 0xDFFF


class InputSchema(Schema):
    """Base of every input schema: text with control characters or lone surrogates is refused
    by field.

    PostgreSQL cannot store a NUL character, and a lone surrogate (valid as a JSON escape,
    "\\ud800") cannot be encoded to UTF-8: either would fail the query. The other control
    characters have no business in a name, an address or a search either (tab and newline
    are allowed, for notes)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value):
        if isinstance(value, str) and any(_unstorable(c) for c in value):
            raise ValueError("Control characters and lone surrogates are not allowed.")
        return value


def _fixed(places: int):
    def render(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.{places}f}"

    return render


# Money leaves as a string with two places ("30.00"): a JSON number would be read as a float
# by most clients, and money is never a float (DESIGN.md §4).
Money = Annotated[Decimal, PlainSerializer(_fixed(2), return_type=str)]
# Coordinates and areas keep their stored places, as strings for the same reason.
Coordinate = Annotated[Decimal, PlainSerializer(_fixed(6), return_type=str)]
Area = Annotated[Decimal, PlainSerializer(_fixed(2), return_type=str)]


def _date_in_range(value: dt.date) -> dt.date:
    if not is_date_in_range(value):
        raise PydanticCustomError("date_range", date_range_message())
    return value


# Every date the API takes, in a body or a query: the same bound as the console's forms
# (core.validation), named by field in the refusal like any other schema error.
Day = Annotated[dt.date, AfterValidator(_date_in_range)]

# A date and time the API takes: the same bound on its day.
Moment = Annotated[dt.datetime, AfterValidator(_date_in_range)]

# Every endpoint may answer these; each adds its own (404, 409, ...).
_ALWAYS = (401, 403, 422)


def answers(ok, *codes: int, status: int = 200) -> dict:
    """The `response=` mapping: the success schema and an ErrorOut for each refusal."""
    result: dict = {status: ok}
    for code in (*_ALWAYS, *codes):
        result[code] = ErrorOut
    return result
