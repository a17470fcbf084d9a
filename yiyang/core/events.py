"""Domain events: how one app tells the others that something happened, without importing them.

An app publishes an `Event` from its service function; listeners that other apps register with
`subscribe()` run after the surrounding transaction commits, so they never see a change that was
rolled back. Listeners run in-process and in order; one that raises is logged and does not stop
the others or undo the change that was published (it has already been committed).

The events and their payloads are a contract, listed in docs/events.md.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)

_listeners: dict[str, list[Callable[["Event"], None]]] = defaultdict(list)


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any] = field(default_factory=dict)


def subscribe(name: str, listener: Callable[[Event], None]) -> Callable[[], None]:
    """Register a listener for events called `name`; returns a function that unregisters it."""
    _listeners[name].append(listener)

    def unsubscribe() -> None:
        if listener in _listeners[name]:
            _listeners[name].remove(listener)

    return unsubscribe


def _deliver(event: Event) -> None:
    for listener in list(_listeners.get(event.name, ())):
        try:
            listener(event)
        except Exception:  # a listener's bug must not break the publisher's committed work
            log.exception("listener %r failed on %s", listener, event.name)


def publish(name: str, **payload: Any) -> Event:
    """Deliver the event once the current transaction commits (at once outside a transaction)."""
    event = Event(name=name, payload=payload)
    transaction.on_commit(lambda: _deliver(event))
    return event
