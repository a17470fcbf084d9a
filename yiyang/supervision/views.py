"""The audit administrator's search of the change history and the sensitive-read log, and the
officers' figures of assessment. Read-only: these pages answer GET only, and the rows themselves
refuse to change."""

import csv
import json

from django import forms
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from yiyang.assessment.grading import instrument_ids, instrument_load
from yiyang.core import audit
from yiyang.core.console import domain_errors_as_http, page_number, peek_page
from yiyang.core.scoping import require
from yiyang.core.timeutils import LOCAL_TZ

from . import assessments, selectors

# An export is a sensitive read in its own right and is capped, like every export.
EXPORT_LIMIT = 50_000


class AuditFilterForm(forms.Form):
    log = forms.ChoiceField(
        label=_("Trail"),
        required=False,
        choices=[
            (selectors.CHANGES, _("History of changes")),
            (selectors.READS, _("Sensitive-data reads")),
        ],
    )
    actor = forms.CharField(label=_("Who (user name)"), required=False, max_length=150)
    entity_type = forms.ChoiceField(label=_("Record type"), required=False)
    entity_id = forms.IntegerField(
        label=_("Record id"), required=False, min_value=1, max_value=2**62
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(label=_("Text in record, note or reason"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity_type"].choices = [
            ("", _("All types")),
            *selectors.record_type_choices(),
        ]
        log = self.data.get("log") if self.is_bound else selectors.CHANGES
        kinds = (
            selectors.read_kind_choices()
            if log == selectors.READS
            else selectors.change_kind_choices()
        )
        self.fields["kind"].choices = [("", _("All kinds")), *kinds]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date lies before the start date."))
        return data

    def filters(self) -> selectors.AuditFilters:
        """The search as far as it was understood: fields with errors are left out."""
        if not self.is_bound:
            return selectors.AuditFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return selectors.AuditFilters(
            log=data.get("log") or selectors.CHANGES,
            actor=data.get("actor") or "",
            entity_type=data.get("entity_type") or "",
            entity_id=data.get("entity_id"),
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
        )


def _change_items(changes) -> list[tuple[str, object, object]]:
    """{field: [old, new]} as rows; any other shape is shown as the new value."""
    if not isinstance(changes, dict):
        return []
    items = []
    for name, pair in sorted(changes.items()):
        if isinstance(pair, list | tuple) and len(pair) == 2:
            items.append((name, pair[0], pair[1]))
        else:
            items.append((name, None, pair))
    return items


def _query_string(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@domain_errors_as_http
def audit_trail(request):
    require(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    page = peek_page(
        selectors.audit_search(actor=request.user, filters=filters),
        page=page_number(request.GET.get("page")),
        per_page=50,
    )
    for row in page.object_list:
        row.change_items = _change_items(getattr(row, "changes", None))
    return render(
        request,
        "supervision/audit.html",
        {
            "form": form,
            "filters": filters,
            "is_reads": filters.log == selectors.READS,
            "page_obj": page,
            "query_string": _query_string(request),
        },
    )


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ (or a tab / CR) is text."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


@require_GET
@domain_errors_as_http
def audit_export(request):
    """The current search as CSV (UTF-8 with BOM, so Excel opens the Chinese right)."""
    require(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    rows = selectors.audit_search(actor=request.user, filters=filters)[:EXPORT_LIMIT]
    is_reads = filters.log == selectors.READS
    audit.record_read(
        actor=request.user,
        kind="export",
        entity_type="core.accesslog" if is_reads else "core.changelog",
        reason=f"audit export: {_query_string(request)}"[:500],
        region_code=request.user.region_code,
        ip=request.META.get("REMOTE_ADDR") or None,
        label=str(_("Audit trail export")),
    )
    if is_reads:
        header = [
            "time",
            "actor",
            "kind",
            "record type",
            "record id",
            "record",
            "reason",
            "channel",
            "ip",
            "region",
        ]

        def line(r):
            return [
                r.at.astimezone(LOCAL_TZ).isoformat(),
                r.actor_label,
                r.kind,
                r.entity_type,
                r.entity_id,
                r.entity_label,
                r.reason,
                r.channel,
                r.ip,
                r.region_code,
            ]
    else:
        header = [
            "time",
            "actor",
            "action",
            "record type",
            "record id",
            "record",
            "changes",
            "note",
            "region",
        ]

        def line(r):
            return [
                r.at.astimezone(LOCAL_TZ).isoformat(),
                r.actor_label,
                r.action,
                r.entity_type,
                r.entity_id,
                r.entity_label,
                json.dumps(r.changes, ensure_ascii=False),
                r.note,
                r.region_code,
            ]

    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"
        yield writer.writerow(header)
        for r in rows.iterator(chunk_size=2000):
            yield writer.writerow([_cell(v) for v in line(r)])

    stamp = timezone.localtime(timezone.now(), LOCAL_TZ).strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    name = "audit-reads" if is_reads else "audit-changes"
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


# --- assessment figures ----------------------------------------------------------------------


def _instrument_choices() -> list[tuple[str, str]]:
    """The shipped instrument definitions, read from their files (cached): no query."""
    return [(i, f"{instrument_load(i).title} ({i})") for i in instrument_ids()]


class AssessmentFiguresForm(forms.Form):
    date_from = forms.DateField(
        label=_("Applied from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, such as 2025-01-01.")},
    )
    date_to = forms.DateField(
        label=_("Applied to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, such as 2025-12-31.")},
    )
    instrument = forms.ChoiceField(label=_("Instrument"), required=False)
    min_cases = forms.IntegerField(
        label=_("Minimum shared cases"),
        required=False,
        initial=assessments.DEFAULT_MIN_CASES,
        min_value=0,
        max_value=100_000,
        error_messages={
            "invalid": _("Enter the minimum number of shared cases as a whole number, e.g. 10."),
            "min_value": _("The minimum number of shared cases cannot be negative."),
            "max_value": _("The minimum number of shared cases can be at most 100000."),
        },
    )
    gap = forms.DecimalField(
        label=_("Grade gap"),
        required=False,
        initial=assessments.DEFAULT_GAP,
        min_value=0,
        max_value=10,
        max_digits=4,
        decimal_places=2,
        error_messages={
            "invalid": _("Enter the grade gap as a number, e.g. 0.5."),
            "min_value": _("The grade gap cannot be negative."),
            "max_value": _("The grade gap can be at most 10."),
            "max_digits": _("The grade gap can be at most 10, with up to two decimals."),
            "max_decimal_places": _("The grade gap can have at most two decimals."),
            "max_whole_digits": _("The grade gap can be at most 10."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [("", _("All instruments")), *_instrument_choices()]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date lies before the start date."))
        return data

    def choices(self) -> tuple[assessments.FigureFilters, int, object]:
        """The filter and thresholds as far as they were understood: a field with an error
        falls back to its default, and its message stands beside it."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        filters = assessments.FigureFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            instrument=data.get("instrument") or "",
        )
        min_cases = data.get("min_cases")
        gap = data.get("gap")
        return (
            filters,
            assessments.DEFAULT_MIN_CASES if min_cases is None else min_cases,
            assessments.DEFAULT_GAP if gap is None else gap,
        )


def _grade_charts(grades: list[dict]) -> list[dict]:
    """One stacked bar chart per instrument: districts along the axis, one series per grade."""
    return [
        {
            "id": table["instrument"],
            "title": table["title"],
            "districts": [line["name"] for line in table["districts"]],
            "series": [
                {
                    "name": grade["label"],
                    "data": [line["counts"][i] for line in table["districts"]],
                }
                for i, grade in enumerate(table["grades"])
            ],
        }
        for table in grades
    ]


@require_GET
@domain_errors_as_http
def assessment_figures(request):
    require(request.user, assessments.CAPABILITY)
    form = AssessmentFiguresForm(request.GET or None)
    filters, min_cases, gap = form.choices()
    figures = assessments.assessment_figures(
        actor=request.user, filters=filters, min_cases=min_cases, gap=gap
    )
    return render(
        request,
        "supervision/assessments.html",
        {
            "form": form,
            "filters": filters,
            "min_cases": min_cases,
            "gap": gap,
            "charts": _grade_charts(figures["grades"]),
            **figures,
        },
    )
