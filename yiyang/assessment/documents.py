"""The documents of an assessment case: the conclusion letter (评定结论书) and the public notice
list (公示名单) as PDF, and a workbook of cases (standards/assessment.md §1.8 steps 6 and 7).

The PDFs render in the active language from `templates/assessment/pdf/`, in Noto Sans CJK SC,
which WeasyPrint subsets and embeds so the file reads the same on a machine without it. No
document ever carries a full ID number: they take `Elder.id_number_masked` and never decrypt.
The callers check scope; these functions only render what they are given.
"""

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from yiyang.core.pdf import render_pdf
from yiyang.core.sheets import neutralise
from yiyang.core.timeutils import LOCAL_TZ, age_on, local_today
from yiyang.people.models import Elder

from .errors import TransitionRefused, UnknownInstrument
from .grading import Instrument, instrument_load
from .models import Assessment

# -- PDF -------------------------------------------------------------------------------------


def _generic_issuer(instrument: Instrument | None) -> str:
    """A heading for a document issued without a named body: the LTC agency's assessment, or
    the civil-affairs assessment of older people's ability."""
    if instrument is not None and instrument.registry_field == "ability_level":
        return _("Assessment of older people's ability")
    return _("Long-term care insurance assessment")


def conclusion_letter_pdf(assessment: Assessment, *, issuer: str = "") -> bytes:
    """The 评定结论书 of a concluded case, issued in the name of `issuer` (the agency or
    bureau), or under a generic title when none is given."""
    result = assessment.result
    if not result:
        raise TransitionRefused(_("This case has no conclusion yet."))
    elder = assessment.elder
    instrument = _instrument(result.get("instrument") or assessment.instrument)
    concluded_on = _local_date(assessment.concluded_at) or local_today()
    context = {
        "issuer": issuer or _generic_issuer(instrument),
        "assessment": assessment,
        "elder": elder,
        # Age on the day of the conclusion, so a letter printed again later says the same.
        "age": age_on(elder.birth_date, concluded_on),
        "instrument_title": instrument.title if instrument else assessment.instrument,
        "instrument_version": result.get("version") or assessment.instrument_version,
        "grade_label": assessment.grade_label or result.get("label", ""),
        "explanation": _explanation(result, instrument),
        "issued_on": local_today(),
    }
    return render_pdf("assessment/pdf/conclusion_letter.html", context)


def notice_list_pdf(
    assessments: Iterable[Assessment],
    *,
    title: str,
    region_name: str,
    notice_from: dt.date,
    notice_to: dt.date,
    issuer: str = "",
    contact: str = "",
) -> bytes:
    """The 公示名单 of one notice period: who was graded what, and how to object.

    Names are shown as `public_name` gives them (张*华) and ID numbers masked, as public lists
    in China usually are: enough for a person to find their own line, not enough to identify
    a stranger. `contact` is where objections go (an address or a phone number), if given."""
    if isinstance(assessments, QuerySet):
        assessments = assessments.select_related("elder__region")
    rows = [
        {
            "number": a.number,
            "name": public_name(a.elder.name),
            "id_number": a.elder.id_number_masked,
            "community": a.elder.region.name,
            "grade_label": a.grade_label or (a.result or {}).get("label", ""),
            "instrument": _instrument_title(a.instrument),
        }
        for a in assessments
    ]
    context = {
        "title": title,
        "issuer": issuer or _("Long-term care insurance assessment"),
        "region_name": region_name,
        "notice_from": notice_from,
        "notice_to": notice_to,
        "contact": contact,
        "rows": rows,
        "issued_on": local_today(),
    }
    return render_pdf("assessment/pdf/notice_list.html", context)


def public_name(name: str) -> str:
    """A name as public lists show it: first and last character, the middle starred
    (张华 → 张*, 张秀华 → 张*华, 欧阳秀华 → 欧**华)."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _instrument(instrument_id: str) -> Instrument | None:
    # A case keeps its instrument id for good; a definition file retired since must not make
    # its letter unprintable, so the letter falls back to what the case itself stored.
    try:
        return instrument_load(instrument_id)
    except UnknownInstrument:
        return None


def _instrument_title(instrument_id: str) -> str:
    instrument = _instrument(instrument_id)
    return instrument.title if instrument else instrument_id


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment, LOCAL_TZ).date() if moment else None


def _explanation(result: dict[str, Any], instrument: Instrument | None) -> dict[str, Any]:
    """The grading explanation stored on the case, put in words: each form's score and level,
    what decided the grade, and which rules raised it."""
    forms = instrument.form_by_id if instrument else {}
    total_name = instrument.grading.get("score") if instrument else None
    level_labels = result.get("level_labels", {})

    def form_label(form_id: str) -> str:
        if form_id in forms:
            return forms[form_id].label
        return _("Total score") if form_id == total_name else form_id

    scores = [
        {
            "label": form_label(form_id),
            "score": score,
            "max_score": forms[form_id].max_score if form_id in forms else None,
            "level_label": level_labels.get(form_id, ""),
        }
        for form_id, score in result.get("scores", {}).items()
    ]
    reasons = {r["rule"]: r for r in result.get("reasons", [])}
    raised_by = result.get("raised_by", [])
    # The grader's own line for the initial grade, shown where the sentence of `_decided` does
    # not already say it: after a rule table (its levels) or an override (the grade it replaced).
    working = ""
    if result.get("decided_by", {}).get("rule") not in {"matrix", "total"}:
        working = (result.get("reasons") or [{}])[0].get("text", "")
    return {
        "scores": scores,
        "decided": _decided(result, form_label, reasons),
        "working": working,
        "initial_label": result.get("initial_label", ""),
        "is_changed": result.get("initial_grade") != result.get("grade"),
        "raises": [_rule_reason(reasons.get(rule_id, {"rule": rule_id})) for rule_id in raised_by],
    }


def _decided(result: dict[str, Any], form_label, reasons: dict[str, dict]) -> str:
    decided = result.get("decided_by", {})
    rule = decided.get("rule")
    level_labels = result.get("level_labels", {})
    if rule == "matrix":
        columns = decided.get("columns", [])
        column_from = decided.get("column_from") or columns
        worst = level_labels.get(column_from[0], "") if column_from else ""
        if set(column_from) != set(columns):
            # Name the forms that set the column when only some of them are that bad.
            worst = f"{'、'.join(form_label(f) for f in column_from)} {worst}"
        return _(
            "Combination matrix, cell %(cell)s: %(row)s %(row_level)s, against the worst of "
            "%(columns)s: %(worst)s"
        ) % {
            "cell": ", ".join(str(n) for n in decided.get("cell", [])),
            "row": form_label(decided["row"]),
            "row_level": level_labels.get(decided["row"], ""),
            "columns": "、".join(form_label(f) for f in columns),
            "worst": worst,
        }
    if rule == "first_match":
        return _("Rule %(rule)s of the grading table") % {"rule": decided.get("id", "")}
    if rule == "total":
        low, high = decided.get("band", ["", ""])
        name = decided.get("score", "")
        return _("%(score_name)s %(score)s, in the band %(low)s–%(high)s") % {
            "score_name": form_label(name),
            "score": result.get("scores", {}).get(name, ""),
            "low": low,
            "high": high,
        }
    # An override rule (coma under GB/T 42195 C.4 a) decides outright.
    reason = _rule_reason(reasons.get(rule, {"rule": rule, "clause": decided.get("clause")}))
    return _("Rule %(clause)s: %(text)s") % reason


def _rule_reason(reason: dict[str, Any]) -> dict[str, str]:
    details = []
    if reason.get("diagnoses"):
        details.append(_("diagnoses: %(codes)s") % {"codes": ", ".join(reason["diagnoses"])})
    if reason.get("risk_events"):
        events = sum(reason["risk_events"].values())
        details.append(_("care risk events in the last 30 days: %(n)s") % {"n": events})
    return {
        "rule": reason.get("rule") or "",
        "clause": reason.get("clause") or reason.get("rule") or "",
        "text": reason.get("text") or "",
        "details": "; ".join(details),
    }


# -- Workbook --------------------------------------------------------------------------------

# Assessment fields after the person's name and ID number, with column widths.
_ASSESSMENT_COLUMNS = (
    ("region_code", 14),
    ("instrument", 28),
    ("trigger", 22),
    ("channel", 22),
    ("status", 12),
    ("applied_on", 12),
    ("due_on", 12),
    ("grade_label", 16),
    ("concluded_at", 12),
    ("valid_from", 12),
    ("valid_to", 12),
)


def assessments_workbook(rows: Iterable[Assessment]) -> bytes:
    """An .xlsx of cases, one a row; every value goes through the exports' `neutralise`, so a
    name such as "=HYPERLINK(…)" stays text."""
    if isinstance(rows, QuerySet):
        rows = rows.select_related("elder")
    field = Assessment._meta.get_field
    elder_field = Elder._meta.get_field
    columns = [
        (capfirst(field("number").verbose_name), 20),
        (capfirst(elder_field("name").verbose_name), 12),
        (capfirst(elder_field("id_number_masked").verbose_name), 22),
        *((capfirst(field(name).verbose_name), width) for name, width in _ASSESSMENT_COLUMNS),
    ]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Assessments"))
    for index, (_text, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text, _width in columns:
        cell = WriteOnlyCell(ws, value=neutralise(str(text)))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    titles: dict[str, str] = {}
    for a in rows:
        if a.instrument not in titles:
            titles[a.instrument] = _instrument_title(a.instrument)
        values = [
            a.number,
            a.elder.name,
            a.elder.id_number_masked,
            a.region_code,
            titles[a.instrument],
            a.get_trigger_display(),
            a.get_channel_display(),
            a.get_status_display(),
            a.applied_on,
            a.due_on,
            a.grade_label,
            _local_date(a.concluded_at),
            a.valid_from,
            a.valid_to,
        ]
        ws.append([neutralise(v) for v in values])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
