"""Building upload files for the tests, the way a district officer fills in the template."""

import io
import re
import zipfile

from openpyxl import Workbook, load_workbook

from yiyang.exchange.kinds import kind_get, kinds

COLUMNS = {k.key: k.columns for k in kinds()}
SHEET_TITLES = {k.key: k.sheet_title for k in kinds()}


def make_workbook(kind: str, rows: list[dict], *, key_row: bool = True, drop=()) -> bytes:
    declared = kind_get(kind)
    columns = [c for c in declared.columns if c.key not in drop]
    wb = Workbook()
    ws = wb.active
    ws.title = declared.sheet_title
    ws.append([c.title for c in columns])
    if key_row:
        ws.append([c.key for c in columns])
    for row in rows:
        ws.append([row.get(c.key) for c in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_sheet(content: bytes, title: str | None = None) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[title] if title else wb.worksheets[0]
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def elder_row(n: int, community, **overrides) -> dict:
    from yiyang.people.tests.factories import id_number_for

    row = {
        "name": "王秀英",
        "id_number": id_number_for(n),
        "region_code": community.code,
        "address": f"拓东路{n}号",
        "phone": "13800000000",
        "living_arrangement": "居家",
        "economic_status": "低保",
        "guardian_name": "李明",
        "guardian_relation": "子女",
        "guardian_phone": "13900000000",
        "chronic_conditions": "高血压",
    }
    row.update(overrides)
    return row


def make_long_workbook(kind: str, rows: int, *, dimension: bool = True) -> bytes:
    """A template of `kind` with `rows` data rows of one filled cell each, written straight
    into the sheet's XML: openpyxl would take a minute to write what an office suite saves in
    seconds. With `dimension=False` the sheet has no size record, as some exporters write it."""
    template = make_workbook(kind, [])
    with zipfile.ZipFile(io.BytesIO(template)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    head, rest = sheet.split(b"<sheetData>", 1)
    header_rows, tail = rest.split(b"</sheetData>", 1)
    last = rows + 2
    if dimension:
        head = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:V%d"/>' % last, head)
    else:
        head = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", head)
    body = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n)
        for n in range(3, last + 1)
    )
    parts["xl/worksheets/sheet1.xml"] = (
        head + b"<sheetData>" + header_rows + body + b"</sheetData>" + tail
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()
