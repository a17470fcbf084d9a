"""Values safe to put in a spreadsheet cell: every workbook the platform hands out (exports,
error reports, the public-notice list) writes its cells through `neutralise`."""

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# OWASP's list for formula injection: these lead characters make Excel, LibreOffice and
# Sheets evaluate a cell (and tab / carriage return can hide one).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32767  # Excel's limit for one cell


def neutralise(value: Any) -> Any:
    """A value safe to put in a cell: text that starts like a formula gets a leading
    apostrophe and stays text; characters XML cannot carry are dropped."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if not isinstance(value, str):
        if hasattr(value, "isoformat") or hasattr(value, "as_tuple"):  # dates, Decimal
            return value
        value = str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text[:MAX_CELL_CHARS]
