"""Delivering domain events from the outbox: exactly once across a crash, retries with back-off,
order per aggregate, and one failing listener holding up nobody else (core/outbox.py)."""

import datetime as dt
import os
import select
import signal
import subprocess
import sys

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core import events, outbox, tasks
from yiyang.core.models import EventDelivery, HandledEvent, OutboxEvent

from .outbox_worker import EVENT, LISTENER, record_work, work_done

S = EventDelivery.Status


class WorkerKilled(BaseException):
    """What a process sees of SIGKILL: nothing after this line runs, no handler, no commit."""


@pytest.fixture
def listen():
    """listen(fn, name=...) subscribes fn to EVENT for this test only; returns unsubscribe."""
    offs = []

    def subscribe(fn, name=None, event=EVENT):
        offs.append(events.subscribe(event, fn, listener_name=name))
        return offs[-1]

    yield subscribe
    for off in offs:
        off()


def publish(aggregate="tests:1", **payload) -> events.Event:
    """Publish and commit, without delivering: as if the queue had lost the task."""
    with transaction.atomic():
        return events.publish(EVENT, aggregate=aggregate, **payload)


def time_passes() -> None:
    """Every retry's back-off is over."""
    EventDelivery.objects.filter(status=S.PENDING).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


def delivery(event, listener=LISTENER) -> EventDelivery:
    return EventDelivery.objects.get(event_id=event.id, listener=listener)


# --- exactly once across a crash -------------------------------------------------------------


def test_delivery_killed_after_the_listeners_work_but_before_its_commit_arrives_once_later(
    listen, django_capture_on_commit_callbacks
):
    # given a listener whose process dies once it has done its work, before anything commits
    def dies_after_its_work(event):
        record_work(event)
        raise WorkerKilled

    dies = listen(dies_after_its_work, name=LISTENER)

    # when a publisher commits and the delivery it queued runs into that
    with (
        pytest.raises(WorkerKilled),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        event = events.publish(EVENT, aggregate="tests:1", step=1)

    # then the event is there, its listener's work is not, and the attempt was counted
    assert OutboxEvent.objects.filter(pk=event.id).exists()
    assert work_done(event.id) == 0
    assert not HandledEvent.objects.exists()
    killed = delivery(event)
    assert (killed.status, killed.attempts) == (S.PENDING, 1)
    assert killed.next_attempt_at > timezone.now()

    # and when the worker is back and the retry is due, the event arrives exactly once
    dies()
    listen(record_work, name=LISTENER)
    time_passes()
    tasks.outbox_sweep()
    assert work_done(event.id) == 1
    assert delivery(event).status == S.DONE
    assert HandledEvent.objects.filter(listener=LISTENER, event_id=event.id).count() == 1

    # and sweeping again changes nothing
    time_passes()
    assert outbox.outbox_deliver().delivered == 0
    assert work_done(event.id) == 1


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_publisher_killed_inside_its_listener_after_the_commit_loses_nothing(listen):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("another process cannot open an in-memory test database")
    # given the listener subscribed here too, so the event gets a delivery for it
    listen(record_work, name=LISTENER)

    # when a process publishes, commits, starts delivering, and is killed inside the listener
    worker = subprocess.Popen(
        [sys.executable, "-m", "yiyang.core.tests.outbox_worker"],
        env={**os.environ, "DATABASE_URL": _database_url(), "HUEY_URL": "immediate"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _w, _x = select.select([worker.stdout], [], [], 120)
        assert ready, "the worker never reached its listener"
        line = worker.stdout.readline()
        assert line.startswith("inside "), line
        event_id = int(line.split()[1])
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stdout.close()

    # then the event was committed, the listener's work was not
    assert OutboxEvent.objects.filter(pk=event_id).exists()
    assert work_done(event_id) == 0
    assert not HandledEvent.objects.filter(event_id=event_id).exists()
    assert EventDelivery.objects.get(event_id=event_id).attempts == 1

    # and when the minute's sweep comes after the back-off, the event arrives exactly once
    time_passes()  # (on PostgreSQL this also waits for the killed connection's rollback)
    report = outbox.outbox_deliver()
    assert report.delivered == 1
    assert work_done(event_id) == 1
    assert HandledEvent.objects.filter(event_id=event_id).count() == 1

    # and a second sweep does nothing
    time_passes()
    assert outbox.outbox_deliver().delivered == 0
    assert work_done(event_id) == 1


def test_a_second_delivery_of_a_handled_event_does_nothing(listen):
    # given an event its listener has handled
    listen(record_work, name=LISTENER)
    event = publish()
    outbox.outbox_deliver()
    assert work_done(event.id) == 1

    # when its delivery is run again, even one put back to pending by hand
    EventDelivery.objects.filter(event_id=event.id).update(status=S.PENDING)
    time_passes()
    report = outbox.outbox_deliver()

    # then the listener is not called again, and the delivery is done
    assert report.delivered == 1
    assert work_done(event.id) == 1
    assert delivery(event).status == S.DONE


# --- retries ---------------------------------------------------------------------------------


@override_settings(EVENTS_MAX_ATTEMPTS=3, EVENTS_RETRY_BASE_SECONDS=10, EVENTS_RETRY_MAX_SECONDS=15)
def test_a_failing_listener_is_retried_with_growing_delays_and_then_left_failed(listen):
    # given a listener that does its work and then raises, every time
    def breaks(event):
        record_work(event)
        raise ValueError("no entitlement rule for grade 3\nsecond line with details")

    listen(breaks, name=LISTENER)
    event = publish()
    delays = []

    # when it is delivered, and again after each back-off
    for _attempt in range(3):
        outbox.outbox_deliver()
        row = delivery(event)
        delays.append(row.next_attempt_at - row.last_attempt_at)
        time_passes()

    # then it waited 10 s, then 15 s (doubled, capped), and was left failed after 3 attempts
    assert delays[:2] == [dt.timedelta(seconds=10), dt.timedelta(seconds=15)]
    row = delivery(event)
    assert (row.status, row.attempts) == (S.FAILED, 3)
    assert row.last_error == "ValueError: no entitlement rule for grade 3"
    # and its work was rolled back each time
    assert work_done(event.id) == 0
    # and a failed delivery is not tried again by the sweep
    assert outbox.outbox_deliver().delivered == 0
    assert delivery(event).attempts == 3


def test_a_listener_that_raises_is_retried_and_arrives_once_it_works(listen):
    # given a listener that fails the first time only
    calls = []

    def fails_once(event):
        calls.append(event.id)
        if len(calls) == 1:
            raise RuntimeError("the ledger is being migrated")
        record_work(event)

    listen(fails_once, name=LISTENER)
    event = publish()

    # when it is delivered, fails, and its retry comes due
    assert outbox.outbox_deliver().retrying == 1
    assert outbox.outbox_deliver().delivered == 0  # not due yet
    time_passes()
    report = outbox.outbox_deliver()

    # then it arrives on the second attempt
    assert report.delivered == 1
    assert calls == [event.id, event.id]
    assert work_done(event.id) == 1
    assert delivery(event).attempts == 2


def test_a_listener_no_longer_subscribed_fails_visibly_instead_of_vanishing(listen):
    # given an event published while a listener was subscribed, which then went away
    off = events.subscribe(EVENT, record_work, listener_name=LISTENER)
    event = publish()
    off()

    # when it is delivered
    outbox.outbox_deliver()

    # then its delivery waits for a retry, saying why
    row = delivery(event)
    assert (row.status, row.attempts) == (S.PENDING, 1)
    assert row.last_error.startswith("ListenerMissing: tests.record_work is not subscribed")


def test_retry_delays_double_from_the_base_up_to_the_cap():
    with override_settings(EVENTS_RETRY_BASE_SECONDS=30, EVENTS_RETRY_MAX_SECONDS=3600):
        assert [outbox.retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 20)] == [
            30,
            60,
            120,
            1920,
            3600,
            3600,
        ]


# --- order per aggregate ---------------------------------------------------------------------


def test_an_earlier_failing_event_holds_back_the_later_ones_of_its_aggregate_only(listen):
    # given a listener that cannot handle step 1 of tests:1 yet, and one that handles anything
    broken = {"tests:1/1"}
    heard, audited = [], []

    def picky(event):
        key = f"{event.aggregate}/{event.payload['step']}"
        if key in broken:
            raise RuntimeError("not yet")
        heard.append(key)

    listen(picky, name="tests.picky")
    listen(lambda event: audited.append(event.id), name="tests.audit")
    first = publish("tests:1", step=1)
    second = publish("tests:1", step=2)
    other = publish("tests:2", step=1)

    # when they are delivered
    report = outbox.outbox_deliver()

    # then the picky listener got neither event of tests:1, but tests:2's
    assert heard == ["tests:2/1"]
    assert (report.retrying, report.waiting) == (1, 1)
    assert delivery(second, "tests.picky").attempts == 0
    # and the other listener got all three, in order
    assert audited == [first.id, second.id, other.id]

    # when the cause is fixed and the retry comes due
    broken.clear()
    time_passes()
    outbox.outbox_deliver()

    # then tests:1's events arrive in the order they were published
    assert heard == ["tests:2/1", "tests:1/1", "tests:1/2"]


def test_an_event_waiting_for_an_earlier_one_goes_as_soon_as_that_one_is_retried(
    city, listen, django_capture_on_commit_callbacks
):
    # given an earlier event that has failed for good, and a later one waiting for it
    broken = [True]
    heard = []

    def flaky(event):
        if broken[0] and event.payload["step"] == 1:
            raise RuntimeError("down")
        heard.append(event.payload["step"])

    listen(flaky, name=LISTENER)
    first = publish(step=1)
    publish(step=2)
    EventDelivery.objects.filter(event_id=first.id).update(status=S.FAILED, attempts=10)
    assert outbox.outbox_deliver().waiting == 1

    # when the operator retries the failed one after the fix
    broken[0] = False
    admin = UserFactory(role=Role.SYSTEM_ADMIN, region=city.city)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.delivery_retry(actor=admin, delivery_id=delivery(first).pk)

    # then both arrive, in order, without waiting for the sweep
    assert heard == [1, 2]
