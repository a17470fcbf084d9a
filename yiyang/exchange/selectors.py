"""Reads of import jobs, scoped like everything else."""

from django.db.models import QuerySet

from yiyang.core.exceptions import PermissionDenied
from yiyang.core.scoping import scoped, scoped_get

from .models import ImportJob


def _require_any(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or not (
        actor.has_capability("imports.run") or actor.has_capability("service_items.edit")
    ):
        raise PermissionDenied()


def import_job_list(*, actor) -> QuerySet[ImportJob]:
    """The jobs uploaded in the actor's region and below, newest first."""
    _require_any(actor)
    return (
        scoped(ImportJob.objects.select_related("actor"), actor)
        .defer("upload", "error_report")
        .order_by("-created_at", "-id")
    )


def import_job_get(*, actor, job_id: int) -> ImportJob:
    _require_any(actor)
    return scoped_get(ImportJob.objects.defer("upload", "error_report"), actor, pk=job_id)
