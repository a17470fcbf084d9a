"""The audit administrator's search of the change history and the sensitive-read log, and the
index of the figures the apps declare. Read-only: these pages answer GET only, and the rows
themselves refuse to change."""

import csv
import json

from django import forms
from django.apps import apps
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from yiyang.core import audit
from yiyang.core.console import change_rows, domain_errors_as_http, page_number, peek_page
from yiyang.core.http import client_ip
from yiyang.core.scoping import require
from yiyang.core.timeutils import LOCAL_TZ
from yiyang.core.validation import BoundedDateField
from yiyang.regions.models import Region

from . import figures, selectors

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
    date_from = BoundedDateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = BoundedDateField(
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


def _in_words(rows) -> None:
    """Each row's record kind, changes and region in words, the codes kept for a tooltip."""
    codes = {row.region_code for row in rows if row.region_code}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    for row in rows:
        try:
            model = apps.get_model(row.entity_type) if row.entity_type else None
        except (LookupError, ValueError):
            model = None
        row.entity_kind = str(model._meta.verbose_name) if model else row.entity_type
        row.region_name = names.get(row.region_code, row.region_code)
        row.change_items = change_rows(model, getattr(row, "changes", None))


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
    _in_words(page.object_list)
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
        ip=client_ip(request),
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


@require_GET
@domain_errors_as_http
def figures_index(request):
    """The figures the apps declare, those this officer may open."""
    require(request.user, "supervision.view")
    return render(
        request,
        "supervision/index.html",
        {"figure_sets": figures.figure_sets_for(request.user)},
    )
