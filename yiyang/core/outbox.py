"""Delivering the outbox's events to their listeners, and the operator's view of deliveries
that are failing or stuck (core/events.py publishes; docs/events.md, ADR 0006).

One attempt at one delivery goes in two transactions:

1. The claim: the delivery row, if it is due and no other worker holds it, gets its attempt
   counted and its next attempt scheduled, and that commits before the listener starts. A
   worker killed inside the listener has therefore used up an attempt like one that raised: a
   listener that kills its worker every time ends up failed on the page, not retried forever.
   The scheduled time doubles as a lease: no sweep takes the row again before it.
2. The run: under the row's lock, the listener's work, its `HandledEvent` mark and the
   delivery's "done" commit together. If the listener raises, all of it rolls back and the
   error is noted; after the last attempt the delivery is marked failed.

A delivery waits while an earlier event of the same aggregate has not reached the same listener
(order per aggregate); the other listeners of that event, and other aggregates, go on.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import audit, events
from .console import PeekPage, peek_page
from .errors import AlreadyDelivered
from .exceptions import NotFound
from .models import EventDelivery, HandledEvent
from .scoping import require

log = logging.getLogger(__name__)

S = EventDelivery.Status
ERROR_MAX = EventDelivery._meta.get_field("last_error").max_length
# Due deliveries are read this many ids at a time; any number works, this keeps a list small.
BATCH = 500

audit.register_notes({"event delivery retried": gettext_lazy("Event delivery retried")})


class ListenerMissing(LookupError):
    """No listener of that name in this process: renamed, removed, or not installed here."""


# --- delivering ---------------------------------------------------------------------------------

DELIVERED = "delivered"
RETRYING = "retrying"  # raised; tried again after its back-off
FAILED = "failed"  # raised on its last attempt
WAITING = "waiting"  # an earlier event of its aggregate has not reached this listener yet
TAKEN = "taken"  # another worker has it, or it is no longer due


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0
    taken: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def max_attempts() -> int:
    return settings.EVENTS_MAX_ATTEMPTS


def retry_delay(attempts: int) -> dt.timedelta:
    """After the n-th failed attempt: the base delay doubled n-1 times, capped."""
    seconds = settings.EVENTS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.EVENTS_RETRY_MAX_SECONDS))


def outbox_deliver(*, event_ids: list[int] | None = None) -> DeliveryReport:
    """Try every delivery that is due (of these events only, when given), earliest event first.

    Safe to run in any number of workers at once, and again at any time: a delivery is taken by
    one of them only, and one that was handled is never run again.
    """
    report = DeliveryReport()
    due = EventDelivery.objects.filter(status=S.PENDING, next_attempt_at__lte=timezone.now())
    if event_ids is not None:
        due = due.filter(event_id__in=event_ids)
    due = due.order_by("event_id", "pk").values_list("event_id", "pk")
    after: tuple[int, int] | None = None
    handed_on: set[int] = set()
    while True:
        page = due if after is None else due.filter(_after(after))
        batch = list(page[:BATCH])
        for _event_id, first in batch:
            pk = None if first in handed_on else first
            while pk is not None:  # a delivered one hands on to the next of its aggregate
                outcome, pk = _deliver_one(pk)
                report.add(outcome)
                if pk is not None:
                    handed_on.add(pk)
        if len(batch) < BATCH:
            return report
        after = batch[-1]


def _after(key: tuple[int, int]) -> Q:
    event_id, pk = key
    return Q(event_id__gt=event_id) | Q(event_id=event_id, pk__gt=pk)


def _deliver_one(pk: int) -> tuple[str, int | None]:
    """One attempt; returns its outcome and, once delivered, the next delivery of the same
    listener and aggregate that was waiting for it."""
    delivery = _claim(pk)
    if not isinstance(delivery, EventDelivery):
        return delivery, None
    outcome = _run(delivery)
    if outcome != DELIVERED:
        return outcome, None
    follower = (
        EventDelivery.objects.filter(
            listener=delivery.listener,
            aggregate=delivery.aggregate,
            event_id__gt=delivery.event_id,
        )
        .exclude(status=S.DONE)
        .order_by("event_id")
        .values_list("pk", "status")
        .first()
    )
    return outcome, follower[0] if follower and follower[1] == S.PENDING else None


def _claim(pk: int) -> EventDelivery | str:
    now = timezone.now()
    with transaction.atomic():
        # skip_locked: a row another worker is running stays its own; SQLite has no row locks
        # and lets one writer at a time anyway.
        delivery = (
            EventDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event")
            .filter(pk=pk, status=S.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return TAKEN
        if earlier_undone(delivery) is not None:
            return WAITING
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return delivery


def earlier_undone(delivery: EventDelivery) -> int | None:
    """The earliest event of the delivery's aggregate not yet handled by its listener, if any.
    Delivered is final, so once this is None it stays None."""
    return (
        EventDelivery.objects.filter(
            listener=delivery.listener,
            aggregate=delivery.aggregate,
            event_id__lt=delivery.event_id,
        )
        .exclude(status=S.DONE)
        .order_by("event_id")
        .values_list("event_id", flat=True)
        .first()
    )


def _run(delivery: EventDelivery) -> str:
    event = events.event_of(delivery.event)
    try:
        with transaction.atomic():
            # Still the attempt we claimed? An operator's retry or a worker that took over after
            # the lease ran out has counted another one since.
            mine = (
                EventDelivery.objects.select_for_update()
                .filter(pk=delivery.pk, status=S.PENDING, attempts=delivery.attempts)
                .values_list("pk", flat=True)
                .first()
            )
            if mine is None:
                return TAKEN
            handled = HandledEvent.objects.filter(
                listener=delivery.listener, event_id=delivery.event_id
            ).exists()
            if not handled:
                listener = events.listener_get(event.name, delivery.listener)
                if listener is None:
                    raise ListenerMissing(
                        f"{delivery.listener} is not subscribed to {event.name} in this process"
                    )
                listener(event)
                HandledEvent.objects.create(listener=delivery.listener, event_id=event.id)
            EventDelivery.objects.filter(pk=delivery.pk).update(
                status=S.DONE, handled_at=timezone.now()
            )
    except Exception as exc:  # the listener's bug; its work is rolled back, the error kept
        log.exception("%s failed on event #%s (%s)", delivery.listener, event.id, event.name)
        return _note_failure(delivery, exc)
    return DELIVERED


def _note_failure(delivery: EventDelivery, exc: Exception) -> str:
    gave_up = delivery.attempts >= max_attempts()
    EventDelivery.objects.filter(
        pk=delivery.pk, status=S.PENDING, attempts=delivery.attempts
    ).update(status=S.FAILED if gave_up else S.PENDING, last_error=error_text(exc))
    return FAILED if gave_up else RETRYING


def error_text(exc: BaseException) -> str:
    """The exception's class and the first line of its message, for the page. The traceback goes
    to the log only: the page is an administrator's, and a database error's detail lines can
    quote a row."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text[:ERROR_MAX]


# --- the operator's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryCounts:
    pending: int
    failed: int


def delivery_trouble_list(*, actor, page: int = 1) -> PeekPage:
    """Deliveries an operator should look at, oldest event first: failed ones, ones that raised
    and wait for their next attempt, and ones not made long after their event. Each row carries
    `waiting_for`, the earlier event of its aggregate it waits for, if any.

    Not scoped by region: deliveries are the platform's plumbing, and the page shows no payload,
    only event names, aggregate keys such as elder:123, listener names and errors."""
    require(actor, "events.manage")
    stuck_before = timezone.now() - dt.timedelta(seconds=settings.EVENTS_STUCK_AFTER_SECONDS)
    waiting_for = (
        EventDelivery.objects.filter(
            listener=OuterRef("listener"),
            aggregate=OuterRef("aggregate"),
            event_id__lt=OuterRef("event_id"),
        )
        .exclude(status=S.DONE)
        .order_by("event_id")
        .values("event_id")[:1]
    )
    rows = (
        EventDelivery.objects.exclude(status=S.DONE)
        .filter(Q(status=S.FAILED) | Q(attempts__gt=0) | Q(event__created_at__lt=stuck_before))
        .select_related("event")
        .annotate(waiting_for=Subquery(waiting_for))
        .order_by("event_id", "pk")
    )
    return peek_page(rows, page=page)


def delivery_counts(*, actor) -> DeliveryCounts:
    """How many deliveries are still to make and how many have failed, platform-wide."""
    require(actor, "events.manage")
    counts = dict(
        EventDelivery.objects.exclude(status=S.DONE)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return DeliveryCounts(pending=counts.get(S.PENDING, 0), failed=counts.get(S.FAILED, 0))


def delivery_retry(*, actor, delivery_id: int) -> EventDelivery:
    """Try a failed or waiting delivery again now, with a full set of attempts. Refuses one the
    listener has already handled. The change is in the history; the delivery runs once this
    commits (on the worker)."""
    require(actor, "events.manage")
    with transaction.atomic():
        delivery = EventDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound()
        if delivery.status == S.DONE:
            raise AlreadyDelivered()
        _requeue(actor, delivery)
        events.deliver_after_commit([delivery.event_id])
    return delivery


def deliveries_retry_all(*, actor=None) -> int:
    """delivery_retry() for every delivery not yet made: what an operator runs once the bug that
    failed them is fixed (`yiyang deliver-events --retry`)."""
    with transaction.atomic():
        open_ = list(EventDelivery.objects.select_for_update().exclude(status=S.DONE))
        for delivery in open_:
            _requeue(actor, delivery)
        if open_:
            events.deliver_after_commit(sorted({d.event_id for d in open_}))
    return len(open_)


def _requeue(actor, delivery: EventDelivery) -> None:
    before = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status = S.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit.record_change(
        actor=actor,
        entity=delivery,
        action="status",
        changes=audit.diff(before, {"status": delivery.status, "attempts": 0}),
        note="event delivery retried",
    )
