"""Domain events: how one app tells the others that something happened, without importing them.

An app publishes an `Event` from its service function; `publish()` writes it to the outbox
tables in the publisher's own transaction, with one delivery row for each listener subscribed to
its name at that moment. Nothing is announced for a change that is rolled back, and nothing is
lost when a process dies after the commit: once the transaction commits, a Huey task delivers the
event (core/outbox.py), a sweep every minute picks up whatever a lost task or a killed worker
left, and a listener that raises is tried again with back-off and finally shown to an operator.

A listener receives the event inside a transaction that also records that it handled it
(`HandledEvent`), so its database work and that mark commit together: a listener runs to
completion at most once per event, and at least once if it ever succeeds. It must not reach
outside the database directly; work like an SMS goes through `transaction.on_commit`, which
runs only once its delivery has committed.

Listeners subscribe in their app's `AppConfig.ready()` under a stable name (by default the
function's dotted path), because deliveries and handled marks are kept by that name; renaming a
listener leaves its pending deliveries failing on the events page.

The events and their payloads are a contract, listed in docs/events.md.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from .models import EventDelivery, OutboxEvent

NAME_MAX = OutboxEvent._meta.get_field("name").max_length
AGGREGATE_MAX = OutboxEvent._meta.get_field("aggregate").max_length
LISTENER_MAX = EventDelivery._meta.get_field("listener").max_length

Listener = Callable[["Event"], None]

# event name -> listener name -> listener
_listeners: dict[str, dict[str, Listener]] = defaultdict(dict)


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    aggregate: str = ""
    id: int | None = None
    created_at: dt.datetime | None = None


def listener_name_of(listener: Callable) -> str:
    """A function's dotted path, `yiyang.ltci.listeners.entitlement_update`."""
    qualname = getattr(listener, "__qualname__", None)
    if not qualname:
        raise ValueError(f"{listener!r} has no name of its own: subscribe it with listener_name")
    module = getattr(listener, "__module__", None) or "builtins"
    return f"{module}.{qualname}"


def subscribe(
    name: str, listener: Listener, *, listener_name: str | None = None
) -> Callable[[], None]:
    """Register a listener for events called `name`; returns a function that unregisters it.

    Events published from then on get a delivery for it. Subscribing the same listener again
    changes nothing; another function under a name already taken is refused, since the two
    would share one record of what was handled.
    """
    key = listener_name or listener_name_of(listener)
    if len(key) > LISTENER_MAX:
        raise ValueError(f"listener name longer than {LISTENER_MAX}: {key}")
    current = _listeners[name].get(key)
    if current is not None and current != listener:
        raise ValueError(f"{key} already listens to {name}: give the new one a listener_name")
    _listeners[name][key] = listener

    def unsubscribe() -> None:
        if _listeners[name].get(key) == listener:
            del _listeners[name][key]

    return unsubscribe


def listener_names(name: str) -> list[str]:
    return list(_listeners.get(name, {}))


def listener_get(name: str, listener_name: str) -> Listener | None:
    return _listeners.get(name, {}).get(listener_name)


def publish(name: str, *, aggregate: str, **payload: Any) -> Event:
    """Write the event in the current transaction; it is delivered once that transaction commits
    (at once outside a transaction).

    `aggregate` names what the event is about (`elder:123`): each listener receives the events
    of one aggregate in the order they were published. That order is the order of the event ids,
    which is the order of the commits only if publishers of one aggregate take turns: publish
    while holding the lock on the aggregate's row (`select_for_update`), as services do anyway
    before they change it.
    """
    return publish_many([Event(name=name, aggregate=aggregate, payload=payload)])[0]


def publish_many(events: Iterable[Event]) -> list[Event]:
    """publish() for a batch (an import): one insert for the events and one for their
    deliveries, however many there are."""
    pending = list(events)
    for event in pending:
        _check(event)
    if not pending:
        return []
    with transaction.atomic():
        rows = [OutboxEvent(name=e.name, aggregate=e.aggregate, payload=e.payload) for e in pending]
        if connection.features.can_return_rows_from_bulk_insert:
            OutboxEvent.objects.bulk_create(rows)
        else:  # pragma: no cover - SQLite before 3.35 returns no ids from a bulk insert
            for row in rows:
                row.save()
        deliveries = [
            EventDelivery(
                event=row,
                listener=listener,
                aggregate=row.aggregate,
                next_attempt_at=row.created_at,
            )
            for row in rows
            for listener in listener_names(row.name)
        ]
        EventDelivery.objects.bulk_create(deliveries)
    if deliveries:
        deliver_after_commit(sorted({d.event_id for d in deliveries}))
    return [event_of(row) for row in rows]


def _check(event: Event) -> None:
    """A bad name or aggregate is a bug in the publisher, not bad input: refuse it loudly."""
    if not event.name or len(event.name) > NAME_MAX:
        raise ValueError(f"an event needs a name of 1 to {NAME_MAX} characters: {event.name!r}")
    if not event.aggregate or len(event.aggregate) > AGGREGATE_MAX:
        raise ValueError(
            f"{event.name} needs an aggregate of 1 to {AGGREGATE_MAX} characters, "
            f"such as elder:123: {event.aggregate!r}"
        )


def deliver_after_commit(event_ids: list[int]) -> None:
    """Queue the delivery of these events once the current transaction commits."""

    def enqueue() -> None:
        from .tasks import outbox_deliver_events  # the tasks import the delivery code

        outbox_deliver_events(event_ids)

    # robust: the change is committed whatever happens here; should the queue be unreachable,
    # the sweep of the minute delivers instead.
    transaction.on_commit(enqueue, robust=True)


def event_of(row: OutboxEvent) -> Event:
    return Event(
        name=row.name,
        payload=row.payload,
        aggregate=row.aggregate,
        id=row.pk,
        created_at=row.created_at,
    )
