"""The audit trail: history of changes and the read log of sensitive data. Append-only."""

from django.conf import settings
from django.db import models
from django.utils import timezone
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


# --- Domain events: the transactional outbox (core/events.py, core/outbox.py, ADR 0006) --------


class OutboxEvent(models.Model):
    """An event as its publisher wrote it, in the publisher's own transaction: the row exists
    exactly when the change it announces was committed. Ids number the events of one aggregate in
    the order their transactions committed, because publishers of one aggregate hold its row
    (docs/events.md); each listener receives them in that order."""

    name = models.CharField(_("event"), max_length=100)
    aggregate = models.CharField(
        _("about"),
        max_length=100,
        help_text=_("What the event is about, e.g. elder:123; its events arrive in order."),
    )
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")

    def __str__(self) -> str:
        return f"#{self.pk} {self.name} {self.aggregate}"


class EventDelivery(models.Model):
    """One event on its way to one listener: written with the event for every listener subscribed
    at that moment, then tried until the listener has handled it or the attempts run out."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Delivered")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(
        OutboxEvent, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    listener = models.CharField(_("listener"), max_length=200)
    # The event's aggregate again, so that "is an earlier event of this aggregate still on its
    # way to this listener?" is one index lookup on this table, asked before every attempt.
    aggregate = models.CharField(_("about"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["event_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "listener"], name="event_delivery_one_per_listener"
            )
        ]
        # Both partial: delivered rows pile up, the ones still to do stay few.
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="event_delivery_due",
            ),
            models.Index(
                fields=["listener", "aggregate", "event"],
                condition=~models.Q(status="done"),
                name="event_delivery_open",
            ),
        ]
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")

    def __str__(self) -> str:
        return f"#{self.event_id} → {self.listener}"

    @property
    def listener_parts(self) -> list[str]:
        """The listener's dotted path in pieces, for a page to break the long name at dots."""
        return self.listener.split(".")


class HandledEvent(models.Model):
    """A listener's mark that it has handled an event, written in the same transaction as the
    listener's own work: the work and the mark commit together or not at all, and the unique
    pair refuses a second mark, so a delivery repeated after a crash does nothing."""

    listener = models.CharField(_("listener"), max_length=200)
    event = models.ForeignKey(
        OutboxEvent, on_delete=models.CASCADE, related_name="+", verbose_name=_("event")
    )
    handled_at = models.DateTimeField(_("handled at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listener", "event"], name="handled_event_once")
        ]
        verbose_name = _("handled event")
        verbose_name_plural = _("handled events")

    def __str__(self) -> str:
        return f"#{self.event_id} ✓ {self.listener}"


class ThrottleCount(models.Model):
    """How many requests one key (a kind of request and a client address) made in one fixed
    window; core.throttle counts here so that every web process sees the same numbers."""

    key = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="throttle_one_row")
        ]
        indexes = [models.Index(fields=["window_start"], name="throttle_window_idx")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
