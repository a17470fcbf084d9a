"""The columns of the Excel templates: each app lists its own (exchange.kinds).

The Chinese header is part of the file format (districts fill these sheets in and know them by
these names), so it is written here as data, not as a translatable string; the explanations on
the instructions sheet are translatable. Row 1 holds the headers (a trailing * marks a required
column), row 2 the English field keys and is hidden, and data starts on row 3. The importer
finds columns by key when row 2 is present and by header otherwise, so columns may be
reordered, and extra columns (such as those of the error workbook) are ignored.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TEXT = "text"
ID_NUMBER = "id_number"
REGION = "region"
DECIMAL = "decimal"
INTEGER = "integer"
BOOL = "bool"
DATE = "date"
CHOICE = "choice"

YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: str = TEXT
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, label in the file)
    default: str = ""
    help: Promise | str = ""
    width: int = 14
    # Cleaner error keys reported under this column (the key itself is always one).
    fields: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else self.header

    @property
    def labels(self) -> list[str]:
        if self.type == BOOL:
            return [YES, NO]
        return [label for _value, label in self.choices]

    def reports(self, field: str) -> bool:
        return field == self.key or field in self.fields


PHONE_HELP = _("Digits, at least 7; a landline may have an area code and a hyphen.")

# How a boolean and a stored choice read in a file.
YES_NO = {True: YES, False: NO}


def label_of(choices, value) -> str:
    """A stored value's label in the file, from a column's (value, label) choices."""
    return dict(choices).get(value, value or "")
