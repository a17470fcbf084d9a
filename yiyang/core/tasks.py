"""Delivering domain events in the Huey worker (immediately in tests)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .outbox import outbox_deliver


@db_task()
def outbox_deliver_events(event_ids: list[int]) -> None:
    """Queued when a publisher's transaction commits."""
    outbox_deliver(event_ids=event_ids)


@db_periodic_task(crontab(minute="*"))
def outbox_sweep() -> None:
    """Whatever a lost task or a killed worker left, and the retries that have come due."""
    outbox_deliver()
