"""Turning the cells of one uploaded row into typed values, by column type.

What a cell can hold is the spreadsheet's business, not the registry's: a number where text was
meant (an ID number that Excel rounded), a date in a number column, 是/否 spelled many ways.
This module settles those and leaves every registry rule to the services' cleaners.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from yiyang.core.divisions import BadDivisionCode, normalise_code

from .columns import BOOL, CHOICE, DATE, DECIMAL, ID_NUMBER, INTEGER, REGION, Column
from .workbooks import Layout

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "无"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    # Control characters (a NUL pasted from another system) carry nothing a person typed, and
    # PostgreSQL refuses NUL in text outright: they go, tabs and line breaks stay.
    return "".join(c for c in str(value) if c >= " " or c in "\t\n").strip()


def _number(value: Any, errors: dict, key: str) -> str | None:
    """Numbers go to the cleaners as text, which parse them with their own rules."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        errors[key] = _("Enter a number, not a date.")
        return None
    if isinstance(value, bool):
        errors[key] = _("Enter a number.")
        return None
    text = repr(value) if isinstance(value, float) else str(value).strip().replace(",", "")
    try:
        finite = Decimal(text).is_finite()
    except ArithmeticError:
        return text  # not a number at all: the cleaner says so in its own words
    if not finite:
        # "NaN" and "Infinity" parse as Decimals but break every comparison.
        errors[key] = _("Enter a number.")
        return None
    return text


def _date(value: Any, errors: dict, key: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        # A date cell that lost its date format arrives as Excel's day serial.
        return from_excel(value).date()
    if isinstance(value, str):
        text = value.strip()
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
            except ValueError:
                continue
    errors[key] = _("Enter a date such as 2024-01-31.")
    return None


def _bool(value: Any, errors: dict, key: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text == "" or text in FALSE_WORDS:
        return False
    if text in TRUE_WORDS:
        return True
    errors[key] = _("Enter 是 or 否.")
    return False


def _choice(column: Column, value: Any) -> str:
    text = _text(value)
    if not text:
        return column.default
    for stored, label in column.choices:
        if text == label or text.lower() == stored:
            return stored
    return text  # the cleaner refuses it with its own message


def parse_row(columns: tuple[Column, ...], layout: Layout, raw: tuple) -> tuple[dict, dict]:
    """Typed values by field key, and the cell-level errors by field key."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    width = len(raw)
    for column in columns:
        position = layout.index.get(column.key)
        cell = raw[position] if position is not None and position < width else None
        key = column.key
        kind = column.type
        if kind == ID_NUMBER:
            if isinstance(cell, float) and abs(cell) >= 1e15:
                errors[key] = _(
                    "Excel has stored the ID number as a number and lost its last digits; "
                    "format the column as text and type it again."
                )
                values[key] = ""
            else:
                values[key] = _text(cell)
        elif kind == REGION:
            text = _text(cell)
            try:
                values[key] = normalise_code(text)
            except BadDivisionCode:
                values[key] = text
        elif kind in (DECIMAL, INTEGER):
            values[key] = _number(cell, errors, key)
        elif kind == BOOL:
            values[key] = _bool(cell, errors, key)
        elif kind == DATE:
            values[key] = _date(cell, errors, key)
        elif kind == CHOICE:
            values[key] = _choice(column, cell)
        else:
            values[key] = _text(cell) or column.default
    return values, errors
