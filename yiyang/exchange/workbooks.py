"""Reading and writing the Excel files of imports and exports (openpyxl).

Every cell this module writes goes through `core.sheets.neutralise`, including the values of an uploaded
file echoed back in an error report: text that a spreadsheet would evaluate as a formula is
kept as text.
"""

import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from defusedxml import ElementTree
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from yiyang.core.exceptions import ValidationFailed
from yiyang.core.sheets import neutralise

from . import kinds
from .columns import BOOL, CHOICE, DATE, ID_NUMBER, REGION, TEXT, Column

LAST_ROW = 1048576
INSTRUCTIONS_TITLE = "填写说明"
CODES_TITLE = "区划代码"
ERROR_ROWS_TITLE = "错误行"
ERROR_LIST_TITLE = "错误明细"
ERROR_HEADERS = ("行号", "列", "原因")

HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="B3261E")
HEADER_FILL = PatternFill("solid", fgColor="EEF2F7")
_HEADER_JUNK = re.compile(r"[\s*＊]")


def _header_key(value: Any) -> str:
    text = _HEADER_JUNK.sub("", str(value or ""))
    return text.replace("（", "(").replace("）", ")").lower()


def _style_header(ws, columns: Sequence[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = column.width


# -- templates -------------------------------------------------------------------------------


def build_template(*, kind: str, regions: Iterable[tuple[str, str]] = ()) -> bytes:
    """The empty workbook a district fills in: data sheet, instructions, and a code list."""
    data_kind = kinds.kind_get(kind)
    columns = data_kind.columns
    wb = Workbook()
    ws = wb.active
    ws.title = data_kind.sheet_title
    ws.append([c.title for c in columns])
    ws.append([c.key for c in columns])
    ws.row_dimensions[2].hidden = True
    ws.freeze_panes = "A3"
    _style_header(ws, columns)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cells = f"{letter}3:{letter}{LAST_ROW}"
        if column.type in (TEXT, ID_NUMBER, REGION):
            # Text format keeps Excel from turning ID numbers into 5.30103E+17.
            ws.column_dimensions[letter].number_format = "@"
        if column.type in (CHOICE, BOOL):
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(column.labels) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.header,
                error=_("Choose one of the listed options."),
            )
            rule.add(cells)
            ws.add_data_validation(rule)
        elif column.type == DATE:
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"

    notes = wb.create_sheet(INSTRUCTIONS_TITLE)
    for line in (
        _("Fill in one record per row on the first sheet, starting at row 3."),
        _("Row 2 is hidden and holds the field keys the importer reads; do not change it."),
        _("Columns marked * are required. Lists show the allowed values."),
        _("Importing the same file again updates the records instead of adding them twice."),
        _(
            "When you upload, choose whether to import only if every row is valid or to "
            "import the valid rows; a workbook listing each bad row, column and reason can "
            "then be downloaded."
        ),
    ):
        notes.append([line])
    notes.append([])
    notes.append(
        [_("Column"), _("Field key"), _("Required"), _("What to enter"), _("Allowed values")]
    )
    for cell in notes[notes.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for column in columns:
        notes.append(
            [
                column.title,
                column.key,
                _("Yes") if column.required else "",
                str(column.help),
                "、".join(column.labels),
            ]
        )
    for letter, width in zip("ABCDE", (18, 22, 8, 70, 40), strict=True):
        notes.column_dimensions[letter].width = width

    regions = list(regions)
    if regions:
        codes = wb.create_sheet(CODES_TITLE)
        codes.append([_("Code"), pgettext("thing", "Name")])
        for cell in codes[1]:
            cell.font = HEADER_FONT
        for code, name in regions:
            codes.append([code, neutralise(name)])
        codes.column_dimensions["A"].width = 16
        codes.column_dimensions["A"].number_format = "@"
        codes.column_dimensions["B"].width = 50
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- reading an upload -----------------------------------------------------------------------


@dataclass
class Layout:
    """Where the columns of an uploaded sheet are."""

    index: dict[str, int]  # field key -> 0-based column position
    headers: tuple  # the header row as uploaded (echoed in the error report)
    keys: tuple | None  # the hidden key row, when the file has one
    data_start: int  # first data row, numbered as Excel numbers it
    estimated_rows: int | None


def _bad_file(message) -> ValidationFailed:
    return ValidationFailed(fields={"file": str(message)})


def _load(content: bytes):
    if not content:
        raise _bad_file(_("The file is empty."))
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise _bad_file(_("This is not an Excel workbook: save it as .xlsx and upload it again."))
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign zip
        raise _bad_file(
            _("The workbook could not be read: save it again as .xlsx and upload it again.")
        ) from exc


def _layout(wb, kind: str) -> tuple[Any, Layout]:
    data_kind = kinds.kind_get(kind)
    columns = data_kind.columns
    sheets = wb.worksheets
    if not sheets:
        raise _bad_file(_("The workbook has no sheet."))
    title = data_kind.sheet_title
    ws = wb[title] if title in wb.sheetnames else sheets[0]
    if not hasattr(ws, "iter_rows"):
        raise _bad_file(_("The first sheet is a chart, not a table."))
    try:
        declared = ws.max_row  # from the file's own dimension record; may be absent or wrong
    except (TypeError, ValueError):
        declared = None
    ws.reset_dimensions()  # so that reading does not stop at a wrong dimension record
    head = list(ws.iter_rows(min_row=1, max_row=2, values_only=True))
    if not head or not any(v not in (None, "") for v in head[0]):
        raise _bad_file(_("The first row must hold the column headers of the template."))
    header_row = tuple(head[0])
    key_row = tuple(head[1]) if len(head) > 1 else ()
    known_keys = {c.key for c in columns}
    by_header = {}
    for column in columns:
        by_header[_header_key(column.header)] = column.key
        by_header[column.key] = column.key
    index: dict[str, int] = {}
    has_keys = sum(1 for v in key_row if isinstance(v, str) and v.strip() in known_keys) >= min(
        2, len(columns)
    )
    if has_keys:
        for position, value in enumerate(key_row):
            key = value.strip() if isinstance(value, str) else None
            if key in known_keys and key not in index:
                index[key] = position
    else:
        for position, value in enumerate(header_row):
            key = by_header.get(_header_key(value))
            if key is not None:
                if key in index:
                    header = next(c.header for c in columns if c.key == key)
                    raise _bad_file(_("The column %(column)s appears twice.") % {"column": header})
                index[key] = position
    missing = [c.header for c in columns if c.required and c.key not in index]
    if missing:
        raise _bad_file(
            _("Columns missing from the sheet: %(columns)s. Start from the template.")
            % {"columns": "、".join(missing)}
        )
    data_start = 3 if has_keys else 2
    estimated = max(0, declared - data_start + 1) if isinstance(declared, int) else None
    return ws, Layout(
        index=index,
        headers=header_row,
        keys=key_row if has_keys else None,
        data_start=data_start,
        estimated_rows=estimated,
    )


@contextmanager
def open_upload(content: bytes, kind: str) -> Iterator[tuple[Any, Layout]]:
    """The data sheet of an uploaded workbook and its layout; ValidationFailed on "file"
    when it is not a workbook or lacks required columns."""
    wb = _load(content)
    try:
        yield _layout(wb, kind)
    finally:
        wb.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def data_rows(ws, layout: Layout) -> Iterator[tuple[int, tuple]]:
    """(Excel row number, values) of every non-empty data row. A sheet damaged part-way
    raises ValidationFailed on "file" naming the last row read."""
    number = layout.data_start - 1
    rows = ws.iter_rows(min_row=layout.data_start, values_only=True)
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # XML or zip damage surfaces as many exception types
            raise _bad_file(
                _("The workbook could not be read after row %(row)s.") % {"row": number}
            ) from exc
        number += 1
        if all(_blank(v) for v in values):
            continue
        yield number, values


# The start of a row element and of a cell's value (<v> or an inline string's <is>), with or
# without a namespace prefix. `row\b` does not match <rowBreaks>; text inside cells is escaped.
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b")
_VALUE_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is)[\s>]")
_CHUNK = 1 << 20
_OVERLAP = 64  # longer than any marker, so that none is lost between two chunks


def _data_sheet_part(archive: zipfile.ZipFile, title: str) -> str | None:
    """The zip part of the sheet openpyxl would read as the data sheet: the one of the kind's
    title, else the first. Read from the package's own relationships (small XML parts)."""
    package = ElementTree.fromstring(archive.read("_rels/.rels"))
    book = next(
        (r.get("Target") for r in package if (r.get("Type") or "").endswith("/officeDocument")),
        None,
    )
    if not book:
        return None
    book = book.lstrip("/")
    folder, name = posixpath.split(book)
    rels = ElementTree.fromstring(archive.read(posixpath.join(folder, "_rels", name + ".rels")))
    targets = {r.get("Id"): r.get("Target") or "" for r in rels}
    sheets = []
    for element in ElementTree.fromstring(archive.read(book)).iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet":
            rid = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
            sheets.append((element.get("name"), targets.get(rid)))
    target = next((t for n, t in sheets if n == title), sheets[0][1] if sheets else None)
    if not target:
        return None
    return (
        target.lstrip("/")
        if target.startswith("/")
        else posixpath.normpath(posixpath.join(folder, target))
    )


def filled_rows(content: bytes, kind: str, *, stop_after: int) -> int | None:
    """How many rows of the data sheet hold a value (the header rows included), counted on its
    XML as it is unzipped, before openpyxl reads anything: a 600,000-row sheet takes a second
    or two here against a minute through openpyxl. Stops once past `stop_after`.

    An upper bound of the rows `data_rows` yields (a cell holding an empty string counts
    here). None when the package cannot be read this way; opening it then says why."""
    count = 0
    in_row = filled = False
    buffer = b""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            part = _data_sheet_part(archive, kinds.kind_get(kind).sheet_title)
            if part is None:
                return None
            with archive.open(part) as stream:
                while True:
                    chunk = stream.read(_CHUNK)
                    buffer += chunk
                    # Markers that start in the overlap are read with the next chunk.
                    end = len(buffer) if not chunk else len(buffer) - _OVERLAP
                    position = 0
                    for match in _ROW_START.finditer(buffer):
                        if match.start() >= end:
                            break
                        if in_row and (
                            filled or _VALUE_START.search(buffer, position, match.start())
                        ):
                            count += 1
                            if count > stop_after:
                                return count
                        in_row, filled, position = True, False, match.end()
                    if in_row and not filled:
                        # A value in the rest of this row, if it starts before the overlap.
                        value = _VALUE_START.search(buffer, position)
                        filled = value is not None and value.start() < end
                    if not chunk:
                        return count + (1 if in_row and filled else 0)
                    buffer = buffer[max(end, position) :]
    except (KeyError, OSError, EOFError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        return None


def count_rows(content: bytes, kind: str) -> int:
    with open_upload(content, kind) as (ws, layout):
        return sum(1 for _ in data_rows(ws, layout))


# -- writing ---------------------------------------------------------------------------------


def build_error_report(
    *,
    layout: Layout,
    bad_rows: Sequence[tuple[int, tuple, str]],
    errors: Sequence[tuple[int, str, str]],
) -> bytes:
    """Sheet 错误行: the bad rows as uploaded, with 行号 and 原因 appended, so they can be
    corrected and uploaded again; sheet 错误明细: one line per error (行号, 列, 原因)."""
    wb = Workbook(write_only=True)
    rows_ws = wb.create_sheet(ERROR_ROWS_TITLE)
    width = len(layout.headers)
    rows_ws.append([neutralise(v) for v in layout.headers] + ["行号", "原因"])
    if layout.keys is not None:
        keys = list(layout.keys) + [None] * (width - len(layout.keys))
        rows_ws.append([neutralise(v) for v in keys[:width]] + ["row", "reason"])
        rows_ws.row_dimensions[2].hidden = True
    for number, values, reason in bad_rows:
        padded = list(values[:width]) + [None] * (width - len(values))
        rows_ws.append([neutralise(v) for v in padded] + [number, neutralise(reason)])
    list_ws = wb.create_sheet(ERROR_LIST_TITLE)
    list_ws.append(list(ERROR_HEADERS))
    list_ws.column_dimensions["B"].width = 18
    list_ws.column_dimensions["C"].width = 60
    for number, header, reason in errors:
        list_ws.append([number, neutralise(header), neutralise(reason)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_export(
    *, target: IO[bytes], title: str, columns: Sequence[Column], rows: Iterable[Sequence]
) -> int:
    """Stream rows into a write-only workbook (constant memory) and return how many."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A3"
    ws.append([c.header for c in columns])
    ws.append([c.key for c in columns])
    ws.row_dimensions[2].hidden = True
    count = 0
    for row in rows:
        ws.append([neutralise(v) for v in row])
        count += 1
    wb.save(target)
    return count
