"""Excel import and export.

An import is an `ImportJob`: `import_create` checks the file's shape and either processes it at
once (small files) or queues `import_process` on Huey (files of at least
IMPORT_BACKGROUND_THRESHOLD rows). `import_process` validates every row with the services'
own cleaners, so a row is refused for exactly the reasons the form would refuse it, and then:

* mode "all": checks every row first; if any is bad nothing is written (status "rejected"),
  otherwise writes them all in one transaction;
* mode "valid": writes the valid rows batch by batch and skips the bad ones.

Either way the bad rows come back as a workbook with row number, column and reason.
"""

import logging
import pickle
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yiyang.core import audit
from yiyang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from yiyang.core.scoping import require, scoped_get
from yiyang.regions.selectors import regions_for_actor

from . import kinds
from .errors import FILE_REASONS, KIND_REASON, MODE_REASON
from .importers import BatchResult, Importer
from .models import ImportJob
from .sealing import seal, unseal
from .workbooks import (
    build_error_report,
    build_template,
    data_rows,
    filled_rows,
    open_upload,
    write_export,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
PREVIEW_ERRORS = 50
TEMPLATE_MAX_CODES = 50_000
MAX_UPLOAD_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 60 * 1024 * 1024)
MAX_ROWS = getattr(settings, "IMPORT_MAX_ROWS", 500_000)


def _require_import(actor, kind: str) -> type[Importer]:
    """The kind's importer, if it may be imported at all and by this actor (every capability
    the kind needs)."""
    data_kind = kinds.kind_get(kind)
    if data_kind is None or data_kind.importer is None:
        raise ValidationFailed(fields={"kind": str(KIND_REASON)})
    for capability in data_kind.import_capabilities:
        require(actor, capability)
    return data_kind.importer


def _file_error(reason: str, **params) -> ValidationFailed:
    return ValidationFailed(
        fields={"file": str(FILE_REASONS[reason]) % params if params else str(FILE_REASONS[reason])}
    )


def import_create(*, actor, kind: str, mode: str, file_name: str, content: bytes) -> ImportJob:
    """Accept an uploaded workbook: run it now when small, queue it when large."""
    errors = {}
    if kinds.kind_get(kind) is None:
        errors["kind"] = str(KIND_REASON)
    if mode not in ImportJob.Mode.values:
        errors["mode"] = str(MODE_REASON)
    if errors:
        raise ValidationFailed(fields=errors)
    _require_import(actor, kind)
    name = PurePath(str(file_name or "").replace("\\", "/")).name
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xls":
        raise _file_error("old_format")
    if suffix not in (".xlsx", ".xlsm"):
        raise _file_error("extension")
    if len(content) > MAX_UPLOAD_BYTES:
        raise _file_error("too_big", mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    threshold = settings.IMPORT_BACKGROUND_THRESHOLD
    # Count the filled rows on the sheet's XML before openpyxl reads it: a sheet over the limit
    # is refused in a second or two, not after a minute inside the request. The count includes
    # the one or two header rows.
    bound = filled_rows(content, kind, stop_after=MAX_ROWS + 2)
    if bound is not None and bound > MAX_ROWS + 2:
        raise _file_error("too_many_rows", rows=MAX_ROWS)
    with open_upload(content, kind) as (ws, layout):
        if bound is not None:
            bound = max(0, bound - (layout.data_start - 1))
            if bound > MAX_ROWS:
                raise _file_error("too_many_rows", rows=MAX_ROWS)
        rows = layout.estimated_rows
        if bound is not None and bound >= threshold:
            # Bound for the background: the file's own size record when it is plausible (it
            # may count formatted empty rows), else the count; the job counts as it reads.
            if rows is None or rows < threshold or rows > bound:
                rows = bound
        elif bound is not None or rows is None or rows < threshold or rows > MAX_ROWS:
            # Few rows, or the file's own size record is missing, too small, or swollen by
            # formatted empty rows: then count what is there.
            rows = sum(1 for _ in islice(data_rows(ws, layout), MAX_ROWS + 1))
    if rows == 0:
        raise _file_error("no_rows")
    if rows > MAX_ROWS:
        raise _file_error("too_many_rows", rows=MAX_ROWS)
    background = rows >= threshold
    job = ImportJob.objects.create(
        kind=kind,
        mode=mode,
        file_name=name[:200],
        upload=seal(content),
        actor=actor,
        region_code=actor.region_code or "",
        total_rows=rows,
        is_background=background,
        language=translation.get_language() or "",
    )
    if background:
        transaction.on_commit(lambda: _enqueue(job.pk))
        return job
    return import_process(job_id=job.pk)


def _enqueue(job_id: int) -> None:
    from .tasks import import_run  # tasks imports this module

    try:
        import_run(job_id)
    except Exception:  # the queue (Redis) is down: say so on the job rather than leave it queued
        logger.exception("could not queue import job %s", job_id)
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.FAILED,
            message=_("The background worker could not be reached; upload the file again later."),
            finished_at=timezone.now(),
            upload=b"",
        )


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(rows, size)):
        yield batch


def _progress(job: ImportJob, **fields) -> None:
    for key, value in fields.items():
        setattr(job, key, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


class _Rejected(Exception):
    """Raised inside the all-or-nothing transaction to roll it back."""


@dataclass
class _Totals:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, result: BatchResult) -> None:
        self.created += result.created
        self.updated += result.updated
        self.unchanged += result.unchanged


def import_process(*, job_id: int) -> ImportJob:
    """Process a queued job; safe to call twice (the second call finds it claimed)."""
    # Claim the job with a conditional update: two workers cannot both run it.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, phase=ImportJob.Phase.CHECKING
    )
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    if not claimed:
        return job
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            _require_import(job.actor, job.kind)
            _run(job)
        except PermissionDenied:
            _finish(job, ImportJob.Status.FAILED, _("Your account may no longer import this data."))
        except ValidationFailed as exc:
            # The file became unreadable part-way; in "valid" mode earlier batches stay saved.
            job.refresh_from_db(fields=["created_count", "updated_count"])
            message = exc.fields.get("file") or str(exc.message)
            if job.created_count or job.updated_count:
                message = f"{message} " + _("The rows before it were imported.")
            _finish(job, ImportJob.Status.FAILED, message)
        except Exception:
            logger.exception("import job %s failed", job_id)
            _finish(
                job,
                ImportJob.Status.FAILED,
                _("The import stopped because of an internal error; rows saved before it stay."),
            )
    job.refresh_from_db()
    return job


def _finish(job: ImportJob, status: str, message: str = "", **fields) -> None:
    _progress(
        job,
        status=status,
        message=str(message)[:500],
        finished_at=timezone.now(),
        upload=b"",  # the file held ID numbers in clear; it is not kept once processed
        **fields,
    )


def _run(job: ImportJob) -> None:
    content = unseal(job.upload)
    importer_class = _require_import(job.actor, job.kind)
    bad_rows: list = []
    errors: list = []
    totals = _Totals()
    done = 0  # rows read so far; job.total_rows (counted or estimated at upload) is the goal

    def collect(result: BatchResult) -> None:
        bad_rows.extend(result.bad_rows)
        errors.extend(result.errors)

    if job.mode == ImportJob.Mode.VALID_ONLY:
        _progress(job, phase=ImportJob.Phase.WRITING, processed_rows=0)
        with open_upload(content, job.kind) as (ws, layout):
            importer = importer_class(actor=job.actor, job=job, layout=layout)
            for batch in _batches(data_rows(ws, layout), BATCH_SIZE):
                result = _write_batch(importer, batch)
                totals.add(result)
                collect(result)
                done += len(batch)
                _progress(
                    job,
                    processed_rows=min(done, job.total_rows),
                    created_count=totals.created,
                    updated_count=totals.updated,
                    unchanged_count=totals.unchanged,
                    error_count=len(bad_rows),
                )
    else:
        # Reading the workbook is a third of the work, so the checking pass keeps the rows
        # (pickled and compressed, in memory: a 100,000-row sheet takes a few MB) for the
        # writing pass instead of parsing the XML twice.
        spool: list[bytes] = []
        with open_upload(content, job.kind) as (ws, layout):
            checker = importer_class(actor=job.actor, job=job, layout=layout)
            for batch in _batches(data_rows(ws, layout), BATCH_SIZE):
                collect(checker.process(batch, write=False))
                if not bad_rows:
                    spool.append(zlib.compress(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL), 1))
                else:
                    spool.clear()
                done += len(batch)
                _progress(job, processed_rows=min(done, job.total_rows), error_count=len(bad_rows))
        if not bad_rows:
            _progress(job, phase=ImportJob.Phase.WRITING, processed_rows=0)
            written = 0
            try:
                with transaction.atomic():
                    writer = importer_class(actor=job.actor, job=job, layout=layout)
                    while spool:
                        # our own bytes from a moment ago, never user-supplied pickles
                        batch = pickle.loads(zlib.decompress(spool.pop(0)))  # noqa: S301
                        result = writer.process(batch, write=True)
                        totals.add(result)
                        collect(result)
                        if result.bad_rows:
                            # Someone changed the records since the check: keep the promise.
                            raise _Rejected()
                        written += len(batch)
                        _progress(job, processed_rows=min(written, job.total_rows))
            except (_Rejected, IntegrityError):
                totals = _Totals()
                if not bad_rows:
                    bad_rows.append((0, (), _("The records changed during the import.")))
                    errors.append((0, "", _("The records changed during the import.")))
    total = done

    report = None
    if bad_rows:
        report = seal(build_error_report(layout=layout, bad_rows=bad_rows, errors=errors))
    preview = [list(e) for e in errors[:PREVIEW_ERRORS]]
    rejected = job.mode == ImportJob.Mode.ALL_OR_NOTHING and bool(bad_rows)
    n = len(bad_rows)
    if rejected:
        message = ngettext(
            "Nothing was imported: %(n)s row has errors.",
            "Nothing was imported: %(n)s rows have errors.",
            n,
        ) % {"n": n}
    elif bad_rows:
        message = ngettext(
            "%(n)s row with errors was skipped.", "%(n)s rows with errors were skipped.", n
        ) % {"n": n}
    else:
        message = ""
    _finish(
        job,
        ImportJob.Status.REJECTED if rejected else ImportJob.Status.DONE,
        message,
        total_rows=total,
        processed_rows=total,
        created_count=totals.created,
        updated_count=totals.updated,
        unchanged_count=totals.unchanged,
        error_count=len(bad_rows),
        error_report=report,
        error_preview=preview,
    )


def _write_batch(importer, batch) -> BatchResult:
    """One batch in its own transaction. A clash with a concurrent writer (a unique key taken
    meanwhile) rolls the batch back; the retry then sees the new record and updates it."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                return importer.process(batch, write=True)
        except IntegrityError:
            if attempt:
                break
    result = BatchResult()
    reason = _("Could not be saved: the record was changed meanwhile. Import the file again.")
    for number, raw in batch:
        importer.reject(result, number, raw, {"": reason})
    return result


def import_template(*, actor, kind: str) -> bytes:
    """The empty template, with a sheet of the division codes the actor may file under."""
    data_kind = kinds.kind_get(kind)
    if data_kind is None or data_kind.importer is None:
        raise NotFound()
    _require_import(actor, kind)
    regions: Iterable[tuple[str, str]] = ()
    if data_kind.template_levels:
        regions = (
            regions_for_actor(actor)
            .filter(level__in=data_kind.template_levels)
            .order_by("code")
            .values_list("code", "full_name")[:TEMPLATE_MAX_CODES]
        )
    return build_template(kind=kind, regions=regions)


def import_error_report(*, actor, job_id: int, ip: str | None = None) -> tuple[str, bytes]:
    """The error workbook of a job. It echoes the uploaded rows, ID numbers included, so
    reading it is logged like an export."""
    job = scoped_get(ImportJob.objects.defer("upload"), actor, pk=job_id)
    _require_import(actor, job.kind)
    if not job.error_report:
        raise NotFound()
    audit.record_read(
        actor=actor,
        kind="export",
        entity_type="exchange.importjob",
        label=f"error report of import #{job.pk}: {job.error_count} rows",
        reason=f"import #{job.pk} {job.file_name}",
        region_code=job.region_code,
        ip=ip,
    )
    stem = PurePath(job.file_name).stem or "import"
    return f"{stem}-errors.xlsx", unseal(job.error_report)


# -- export ----------------------------------------------------------------------------------


@dataclass
class ExportFile:
    file: IO[bytes]
    file_name: str
    rows: int


def export_workbook(*, actor, kind: str, query=None, ip: str | None = None) -> ExportFile:
    """A workbook of the rows the actor may see under the list page's filters (read from its
    query string by the kind's own export). ID numbers are masked, formulas neutralised, and
    the export is written to the read log."""
    require(actor, "exports.run")
    data_kind = kinds.kind_get(kind)
    if data_kind is None or data_kind.export is None:
        raise NotFound()  # the address names no list that can be exported
    export = data_kind.export
    require(actor, export.capability)
    filters = export.filters(query or {}, actor=actor)
    qs = export.queryset(actor, filters)
    target = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response that streams it)
    count = write_export(
        target=target, title=data_kind.sheet_title, columns=export.columns(), rows=export.rows(qs)
    )
    target.seek(0)
    described = (
        ", ".join(f"{k}={v}" for k, v in vars(filters).items() if v not in ("", None))
        if filters
        else ""
    )
    audit.record_read(
        actor=actor,
        kind="export",
        entity_type=export.entity,
        label=f"{kind} export: {count} rows",
        reason=f"rows={count}; {described}".strip("; "),
        region_code=getattr(actor, "region_code", "") or "",
        ip=ip,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(file=target, file_name=f"{data_kind.file_stem}-{stamp}.xlsx", rows=count)
