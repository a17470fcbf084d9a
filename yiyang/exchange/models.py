from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded workbook and what became of it.

    `upload` and `error_report` hold ID numbers in clear inside the workbook, so both are
    sealed with the field cipher (see exchange.sealing); the upload is emptied once processed.
    """

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("Import only if every row is valid")
        VALID_ONLY = "valid", _("Import the valid rows, skip the others")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected: errors found")
        FAILED = "failed", _("Failed")

    class Phase(models.TextChoices):
        CHECKING = "checking", _("Checking every row")
        WRITING = "writing", _("Saving rows")

    # One of the kinds the apps declare (exchange.kinds): a new kind needs no migration.
    kind = models.CharField(_("data"), max_length=32)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file_name = models.CharField(_("file"), max_length=200)
    upload = models.BinaryField(editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=12, db_index=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed"), default=0)
    created_count = models.PositiveIntegerField(_("rows created"), default=0)
    updated_count = models.PositiveIntegerField(_("rows updated"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    error_report = models.BinaryField(null=True, editable=False)
    message = models.CharField(_("message"), max_length=500, blank=True)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, blank=True)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    # The first errors, to show on the page; the full list is in the error workbook.
    error_preview = models.JSONField(default=list, blank=True, editable=False)
    is_background = models.BooleanField(_("ran in the background"), default=False)
    language = models.CharField(max_length=10, blank=True, editable=False)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind_label} {self.file_name}"

    @property
    def kind_label(self) -> str:
        from .kinds import kind_get

        data_kind = kind_get(self.kind)
        return str(data_kind.label) if data_kind else self.kind

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.REJECTED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in {"queued", "running"} else 100
        return min(100, round(100 * self.processed_rows / self.total_rows))
