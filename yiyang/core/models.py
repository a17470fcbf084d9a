"""The audit trail: history of changes and the read log of sensitive data. Append-only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit rows cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit rows cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("audit rows cannot be changed")


class AppendOnly(models.Model):
    """Rows are written once; updating or deleting one is refused in Python and, on
    PostgreSQL, by a trigger (see the migration), so nobody can edit the trail."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit rows cannot be deleted")


class ChangeLog(AppendOnly):
    """Who changed what on a person, an organisation or an account, and when."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        STATUS = "status", _("Status changed")
        IMPORT = "import", _("Imported")
        DELETE = "delete", _("Deleted")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    entity_type = models.CharField(_("record type"), max_length=40)
    entity_id = models.BigIntegerField(_("record id"))
    entity_label = models.CharField(_("record"), max_length=200, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, blank=True)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id", "-at"])]
        verbose_name = _("change")
        verbose_name_plural = _("change history")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.entity_label}"


class AccessLog(AppendOnly):
    """Every read of sensitive data: a revealed ID number, a health profile, an export."""

    class Kind(models.TextChoices):
        ID_NUMBER = "id_number", _("National ID number")
        HEALTH = "health", _("Health data")
        EXPORT = "export", _("Export")
        CONTACT = "contact", _("Contact details")
        EVIDENCE = "evidence", _("Assessment evidence")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    kind = models.CharField(_("data read"), max_length=16, choices=Kind.choices)
    entity_type = models.CharField(_("record type"), max_length=40)
    entity_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    entity_label = models.CharField(_("record"), max_length=200, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    channel = models.CharField(_("channel"), max_length=20, default="web")
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id", "-at"])]
        verbose_name = _("sensitive read")
        verbose_name_plural = _("sensitive-data read log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} read {self.kind} {self.entity_label}"


class CalendarYear(models.Model):
    """A year of the State Council's holiday notice, entered by an officer because the installed
    `chinesecalendar` does not cover it yet (or got it wrong). While a year is entered here it
    takes precedence over the package for that whole year; see core/workdays.py."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("notice"),
        max_length=300,
        help_text=_(
            "Title or number of the notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知"
        ),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="calendar_year_in_range"
            )
        ]
        verbose_name = _("holiday calendar year")
        verbose_name_plural = _("holiday calendar years")

    def __str__(self) -> str:
        return f"{self.year} {self.source}"


class CalendarDay(models.Model):
    """A day the notice changes: a weekday off (is_workday False) or a weekend worked (调休上班,
    is_workday True). Days not listed follow the week: Monday to Friday worked, weekends off."""

    year = models.ForeignKey(
        CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("year")
    )
    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'班' if self.is_workday else '休'} {self.name}".rstrip()
