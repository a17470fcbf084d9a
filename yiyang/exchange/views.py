from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yiyang.core.console import add_domain_errors, domain_errors_as_http
from yiyang.core.exceptions import DomainError
from yiyang.core.http import client_ip

from . import completeness, kinds, selectors, services
from .forms import ImportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def imports(request):
    jobs = selectors.import_job_list(actor=request.user)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                mode=form.cleaned_data["mode"],
                file_name=upload.name,
                content=upload.read(),
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            if job.is_background:
                messages.info(request, _("The file is being imported in the background."))
            return redirect("exchange:job", job_id=job.pk)
    return render(
        request,
        "exchange/imports.html",
        {
            "form": form,
            "page_obj": Paginator(jobs, 20).get_page(request.GET.get("page")),
            "kinds": form.fields["kind"].choices,
            "exports": kinds.labels(kinds.exportable(request.user)),
        },
    )


@require_GET
@domain_errors_as_http
def job(request, job_id: int):
    job = selectors.import_job_get(actor=request.user, job_id=job_id)
    return render(request, "exchange/job.html", {"job": job})


@require_GET
@domain_errors_as_http
def job_progress(request, job_id: int):
    """The htmx fragment: it polls itself every second until the job is finished."""
    job = selectors.import_job_get(actor=request.user, job_id=job_id)
    return render(request, "exchange/_progress.html", {"job": job})


@require_GET
@domain_errors_as_http
def errors(request, job_id: int):
    name, content = services.import_error_report(
        actor=request.user, job_id=job_id, ip=client_ip(request)
    )
    return _xlsx(content, name)


@require_GET
@domain_errors_as_http
def template(request, kind: str):
    content = services.import_template(actor=request.user, kind=kind)
    return _xlsx(content, f"{kind}-template.xlsx")


@require_GET
@domain_errors_as_http
def export(request, kind: str):
    result = services.export_workbook(
        actor=request.user, kind=kind, query=request.GET, ip=client_ip(request)
    )
    return FileResponse(
        result.file, as_attachment=True, filename=result.file_name, content_type=XLSX
    )


@require_GET
@domain_errors_as_http
def completeness_page(request):
    report = completeness.completeness_report(
        actor=request.user, region_code=request.GET.get("region", "")
    )
    return render(request, "exchange/completeness.html", {"report": report})
