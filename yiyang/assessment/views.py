"""Console pages of the assessment procedure. Each view parses input, calls one selector or
service, and renders; every rule lives in assessment.services."""

import datetime as dt
import json

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiyang.core import audit
from yiyang.core.console import (
    add_domain_errors,
    domain_errors_as_http,
    page_number,
    peek_page,
    wants_fragment,
)
from yiyang.core.exceptions import DomainError, NotFound, PermissionDenied
from yiyang.core.http import client_ip
from yiyang.core.scoping import SELF, require, scoped_get
from yiyang.core.timeutils import local_today
from yiyang.core.validation import parse_id
from yiyang.people.models import Elder
from yiyang.regions.models import Region

from . import documents, evidence, selectors, services
from .forms import (
    ApplicationForm,
    AssessmentFilterForm,
    DrawForm,
    EvidenceForm,
    NoteForm,
    ObjectionForm,
    PolicyForm,
    ReconcileForm,
    RefuseForm,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _issuer(user) -> str:
    """The body a document is issued by: the officer's bureau, when the account names one."""
    organisation = getattr(user, "organisation", None)
    return organisation.name if organisation is not None else ""


@require_GET
@domain_errors_as_http
def assessment_list(request):
    require(request.user, "assessments.view")
    form = AssessmentFilterForm(request.GET, actor=request.user)
    qs = selectors.assessment_list(actor=request.user, filters=form.filters())
    page = peek_page(qs, page=page_number(request.GET.get("page")))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "query_string": params.urlencode(),
        "can_manage": request.user.has_capability("assessments.manage"),
        "can_export": request.user.has_capability("exports.run"),
        "today": local_today(),
    }
    if wants_fragment(request, "results"):
        return render(request, "assessment/_results.html", context)
    return render(request, "assessment/list.html", context)


@require_GET
@domain_errors_as_http
def assessment_export(request):
    require(request.user, "exports.run")
    form = AssessmentFilterForm(request.GET, actor=request.user)
    qs = selectors.assessment_list(actor=request.user, filters=form.filters())
    rows = list(qs.select_related("elder")[:100_000])
    audit.record_read(
        actor=request.user,
        kind="export",
        entity_type="assessment.assessment",
        reason=f"assessments export ({len(rows)} rows)",
        region_code=getattr(request.user, "region_code", "") or "",
        ip=client_ip(request),
    )
    response = HttpResponse(documents.assessments_workbook(rows), content_type=XLSX)
    name = f"assessments-{local_today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_GET
@domain_errors_as_http
def assessment_detail(request, pk: int):
    if request.user.scope_kind == SELF:
        # The person and their family see where their case stands, in plain words.
        progress = selectors.case_progress(actor=request.user, assessment_id=pk)
        return render(request, "assessment/mine.html", {"p": progress, "case": progress.case})
    d = selectors.assessment_detail(actor=request.user, assessment_id=pk)
    return render(
        request,
        "assessment/detail.html",
        {
            "d": d,
            "case": d.case,
            "evidence_form": EvidenceForm(),
            "refuse_form": RefuseForm(),
            "draw_form": DrawForm(case=d.case) if "draw" in d.steps else None,
            "objection_form": ObjectionForm() if "objection" in d.steps else None,
            "can_manage": request.user.has_capability("assessments.manage"),
        },
    )


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def application_new(request, elder_id: int):
    require(request.user, "assessments.manage")
    elder = scoped_get(Elder.objects.select_related("region"), request.user, pk=elder_id)
    form = ApplicationForm(request.POST or None, initial={"applicant_name": elder.name})
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            case = services.application_file(
                actor=request.user,
                data=services.ApplicationData(
                    elder_id=elder.pk,
                    instrument=c["instrument"],
                    trigger=c["trigger"],
                    channel=c["channel"],
                    applicant_name=c["applicant_name"],
                    applicant_relation=c["applicant_relation"],
                    applicant_phone=c["applicant_phone"],
                    note=c["note"],
                    applied_on=c["applied_on"],
                ),
            )
        except DomainError as exc:
            add_domain_errors(form, exc, aliases={"elder": "applicant_name"})
        else:
            messages.success(
                request, _("Application %(number)s is filed.") % {"number": case.number}
            )
            return redirect("assessment:detail", pk=case.pk)
    return render(request, "assessment/apply.html", {"form": form, "elder": elder})


def _report_refusal(request, exc: DomainError) -> None:
    """A refused step comes back as a message on the page; a case outside the caller's scope
    or right stays a 404 or 403 (domain_errors_as_http)."""
    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
    messages.error(request, "; ".join(str(m) for m in exc.fields.values()) or str(exc.message))


def _step(request, pk: int, action, success: str):
    """Run one procedure step from a button and go back to the case."""
    try:
        action()
    except DomainError as exc:
        _report_refusal(request, exc)
    else:
        messages.success(request, success)
    return redirect("assessment:detail", pk=pk)


def _version(request) -> int | None:
    """The version the page was read at; garbage never matches, so it is refused as stale."""
    raw = request.POST.get("version")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return -1


@require_POST
@domain_errors_as_http
def accept(request, pk: int):
    return _step(
        request,
        pk,
        lambda: services.application_accept(
            actor=request.user, assessment_id=pk, version=_version(request)
        ),
        _("The application is accepted."),
    )


@require_POST
@domain_errors_as_http
def refuse(request, pk: int):
    form = RefuseForm(request.POST)
    reason = form.data.get("refusal_reason", "")
    return _step(
        request,
        pk,
        lambda: services.application_refuse(
            actor=request.user,
            assessment_id=pk,
            reason=reason,
            note=form.data.get("refusal_note", ""),
            version=_version(request),
        ),
        _("The application is refused."),
    )


@require_POST
@domain_errors_as_http
def withdraw(request, pk: int):
    form = NoteForm(request.POST)
    return _step(
        request,
        pk,
        lambda: services.application_withdraw(
            actor=request.user, assessment_id=pk, note=form.data.get("note", "")
        ),
        _("The case is withdrawn."),
    )


@require_POST
@domain_errors_as_http
def draw(request, pk: int):
    org_id = parse_id(request.POST.get("organisation")) or 0
    return _step(
        request,
        pk,
        lambda: services.assessors_draw(
            actor=request.user, assessment_id=pk, organisation_id=org_id
        ),
        _("The assessors are drawn."),
    )


@require_POST
@domain_errors_as_http
def conclude(request, pk: int):
    return _step(
        request,
        pk,
        lambda: services.assessment_conclude(
            actor=request.user, assessment_id=pk, version=_version(request)
        ),
        _("The conclusion is recorded."),
    )


@require_POST
@domain_errors_as_http
def notice(request, pk: int):
    return _step(
        request,
        pk,
        lambda: services.notice_publish(actor=request.user, assessment_ids=[pk]),
        _("The conclusion is on public notice."),
    )


@require_POST
@domain_errors_as_http
def effective(request, pk: int):
    return _step(
        request,
        pk,
        lambda: services.assessment_make_effective(actor=request.user, assessment_id=pk),
        _("The conclusion is effective."),
    )


@require_POST
@domain_errors_as_http
def objection(request, pk: int):
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {errors[0]}")
        return redirect("assessment:detail", pk=pk)
    c = form.cleaned_data
    return _step(
        request,
        pk,
        lambda: services.objection_file(
            actor=request.user,
            assessment_id=pk,
            filed_on=c["filed_on"],
            filed_by=c["filed_by"],
            reason=c["reason"],
        ),
        _("The objection is recorded; draw different assessors for the re-assessment."),
    )


def _value_choices(d, item: str):
    if item == "coma":
        return [("true", _("Yes")), ("false", _("No"))]
    instrument_item = d.instrument.items.get(item)
    if instrument_item is not None:
        return [(str(o.score), f"{o.score} · {o.text or ''}") for o in instrument_item.options]
    return []


def _parse_value(item: str, raw: str):
    if item == "coma":
        return raw == "true"
    if item == "diagnoses":
        return [c.strip().upper() for c in raw.replace("，", ",").split(",") if c.strip()]
    try:
        return int(raw)
    except ValueError:
        return raw


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def reconcile(request, pk: int, discrepancy_id: int):
    d = selectors.assessment_detail(actor=request.user, assessment_id=pk)
    row = next((x for r in d.rounds for x in r.discrepancies if x.pk == discrepancy_id), None)
    if row is None:
        raise Http404()
    choices = _value_choices(d, row.item)
    form = ReconcileForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.discrepancy_resolve(
                actor=request.user,
                discrepancy_id=row.pk,
                value=_parse_value(row.item, form.cleaned_data["value"]),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The item is reconciled."))
            return redirect("assessment:detail", pk=pk)
    return render(
        request,
        "assessment/reconcile.html",
        {"d": d, "case": d.case, "row": row, "form": form, "label": d.item_labels.get(row.item)},
    )


@require_POST
@domain_errors_as_http
def evidence_upload(request, pk: int):
    form = EvidenceForm(request.POST, request.FILES)
    upload = request.FILES.get("file")
    return _step(
        request,
        pk,
        lambda: evidence.evidence_add(
            actor=request.user,
            assessment_id=pk,
            upload=upload,
            note=form.data.get("note", ""),
        ),
        _("The file is attached."),
    )


@require_GET
@domain_errors_as_http
def evidence_download(request, pk: int, evidence_id: int):
    try:
        row, handle = evidence.evidence_open(
            actor=request.user, evidence_id=evidence_id, ip=client_ip(request)
        )
    except DomainError as exc:
        _report_refusal(request, exc)
        return redirect("assessment:detail", pk=pk)
    if row.assessment_id != pk:
        handle.close()
        raise Http404()
    inline = row.kind in ("photo", "video") or row.content_type == "application/pdf"
    return FileResponse(
        handle,
        as_attachment=not inline,
        filename=evidence.served_name(row.original_name, row.content_type),
        content_type=row.content_type,
    )


@require_GET
@domain_errors_as_http
def conclusion_letter(request, pk: int):
    d = selectors.assessment_detail(actor=request.user, assessment_id=pk)
    if d.case.grade is None:
        raise Http404()
    audit.record_read(
        actor=request.user,
        kind="export",
        entity=d.case,
        reason="conclusion letter",
        ip=client_ip(request),
    )
    pdf = documents.conclusion_letter_pdf(d.case, issuer=_issuer(request.user))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"{d.case.number}-conclusion.pdf"
    )
    return response


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def notices(request):
    """Concluded cases waiting for the public notice, and the cases on notice now."""
    require(request.user, "assessments.manage")
    if request.method == "POST":
        ids = [i for i in map(parse_id, request.POST.getlist("case")) if i is not None]
        if not ids:
            messages.error(request, _("Tick the cases to put on public notice."))
        else:
            try:
                n = services.notice_publish(actor=request.user, assessment_ids=ids)
            except DomainError as exc:
                _report_refusal(request, exc)
            else:
                messages.success(request, _("%(n)s cases are on public notice.") % {"n": n})
        return redirect("assessment:notices")
    waiting = list(selectors.notice_candidates(actor=request.user)[:500])
    current = list(selectors.on_notice(actor=request.user)[:500])
    periods = sorted({c.notice_from for c in current})
    return render(
        request,
        "assessment/notices.html",
        {"waiting": waiting, "current": current, "periods": periods},
    )


@require_GET
@domain_errors_as_http
def notice_pdf(request):
    require(request.user, "assessments.manage")
    raw = request.GET.get("from", "")
    try:
        start = dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise Http404() from exc
    cases = list(selectors.on_notice(actor=request.user, notice_from=start))
    if not cases:
        raise Http404()
    region = Region.objects.filter(code=request.user.region_code).first()
    audit.record_read(
        actor=request.user,
        kind="export",
        entity_type="assessment.assessment",
        reason=f"public notice list {start.isoformat()} ({len(cases)} cases)",
        region_code=request.user.region_code or "",
        ip=client_ip(request),
    )
    pdf = documents.notice_list_pdf(
        cases,
        title=_("Public notice of assessment conclusions"),
        region_name=region.full_name if region else "",
        notice_from=start,
        notice_to=max(c.notice_to for c in cases),
        issuer=_issuer(request.user),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"public-notice-{start:%Y%m%d}.pdf"
    )
    return response


@require_GET
@domain_errors_as_http
def reminders(request):
    """Overdue cases and conclusions due for re-assessment."""
    require(request.user, "assessments.manage")
    today = local_today()
    overdue = list(
        selectors.overdue(services.visible_assessments(request.user), today)
        .select_related("elder")
        .order_by("due_on", "id")[:500]
    )
    return render(
        request,
        "assessment/reminders.html",
        {
            "overdue": overdue,
            "expiring": selectors.expiring(actor=request.user, today=today)[:500],
            "today": today,
        },
    )


@require_POST
@domain_errors_as_http
def reassess(request, pk: int):
    """Open a re-assessment of an effective conclusion: before expiry, or on a change of
    condition (hospital discharge, a new diagnosis, a relative's request)."""
    d = selectors.assessment_detail(actor=request.user, assessment_id=pk)
    trigger = request.POST.get("trigger", "expiry")
    try:
        case = services.application_file(
            actor=request.user,
            data=services.ApplicationData(
                elder_id=d.case.elder_id,
                instrument=d.case.instrument,
                trigger=trigger,
                channel=request.POST.get("channel", "agency"),
                applicant_name=request.POST.get("applicant_name", "") or d.case.elder.name,
                note=request.POST.get("note", ""),
            ),
        )
    except DomainError as exc:
        _report_refusal(request, exc)
        return redirect("assessment:detail", pk=pk)
    messages.success(request, _("Re-assessment %(number)s is filed.") % {"number": case.number})
    return redirect("assessment:detail", pk=case.pk)


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def policy_list(request):
    rows = list(selectors.policies(actor=request.user))
    form = PolicyForm(request.POST or None, initial={"region_code": request.user.region_code})
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_add(actor=request.user, values=form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The policy is saved."))
            return redirect("assessment:policies")
    return render(request, "assessment/policies.html", {"rows": rows, "form": form})


@require_GET
@domain_errors_as_http
def explanation_json(request, pk: int):
    """The grading explanation as JSON, for auditors comparing with `yiyang grade`."""
    d = selectors.assessment_detail(actor=request.user, assessment_id=pk)
    if d.case.result is None:
        raise Http404()
    body = {"answers": d.case.answers, "result": d.case.result}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json"
    )
