"""Building upload files for the tests, the way a district officer fills in the template."""

import io

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
