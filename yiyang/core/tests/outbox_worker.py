"""A publisher in a process of its own, for test_events_deliver: it publishes an event, commits,
and its listener stops in the middle of its work (after writing, before the commit), so that the
test can kill the process right there.

Run as `python -m yiyang.core.tests.outbox_worker` with DATABASE_URL naming the test database;
it prints `inside <event id>` once the listener has done its work.
"""

import os
import sys
import time

EVENT = "tests.something_happened"
LISTENER = "tests.record_work"
WORK = "tests.work"  # the entity type of the listener's own rows


def record_work(event) -> None:
    """The listener's own work: one row per event it handled, in its delivery's transaction."""
    from yiyang.core.models import ChangeLog

    ChangeLog.objects.create(
        actor_label=LISTENER,
        entity_type=WORK,
        entity_id=event.id,
        action="create",
        note=event.name,
    )


def work_done(event_id: int) -> int:
    from yiyang.core.models import ChangeLog

    return ChangeLog.objects.filter(entity_type=WORK, entity_id=event_id).count()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiyang.settings.test")
    import django

    django.setup()
    from django.db import transaction

    from yiyang.core import events

    def stops_inside(event) -> None:
        record_work(event)
        sys.stdout.write(f"inside {event.id}\n")
        sys.stdout.flush()
        time.sleep(120)  # killed here

    events.subscribe(EVENT, stops_inside, listener_name=LISTENER)
    # Committing queues the delivery, which Huey (immediate here) runs at once in this process.
    with transaction.atomic():
        events.publish(EVENT, aggregate="tests:1", step=1)


if __name__ == "__main__":
    main()
