"""Publishing domain events: the outbox rows are written in the publisher's transaction, and
delivered only once it commits (core/events.py)."""

import pytest
from django.db import transaction

from yiyang.core import events
from yiyang.core.models import EventDelivery, HandledEvent, OutboxEvent

EVENT = "tests.published"


@pytest.fixture
def heard():
    """What a listener subscribed for this test received."""
    got = []
    off = events.subscribe(EVENT, got.append, listener_name="tests.heard")
    yield got
    off()


def test_the_event_and_a_delivery_per_listener_are_written_in_the_publishers_transaction(
    heard, django_capture_on_commit_callbacks
):
    # given a second listener, of another event
    off = events.subscribe("tests.other", heard.append, listener_name="tests.other")
    try:
        # when a service publishes inside its transaction
        with django_capture_on_commit_callbacks() as queued, transaction.atomic():
            event = events.publish(EVENT, aggregate="elder:7", elder_id=7, grade=3)
            # then the rows are there before the commit, one delivery for this event's listener
            row = OutboxEvent.objects.get()
            deliveries = list(EventDelivery.objects.values_list("listener", "aggregate", "status"))
    finally:
        off()
    assert (row.name, row.aggregate, row.payload) == (EVENT, "elder:7", {"elder_id": 7, "grade": 3})
    assert (event.id, event.aggregate, event.payload) == (row.pk, "elder:7", row.payload)
    assert deliveries == [("tests.heard", "elder:7", EventDelivery.Status.PENDING)]
    # and nothing reached the listener yet: delivery is queued for the commit
    assert heard == []
    assert len(queued) == 1


def test_once_the_publisher_commits_the_listener_receives_the_event(
    heard, django_capture_on_commit_callbacks
):
    # when a publisher commits
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        published = events.publish(EVENT, aggregate="elder:7", elder_id=7, valid_to=None)

    # then its listener received it as it was stored, and it is marked handled
    assert heard == [published]
    assert heard[0].payload == {"elder_id": 7, "valid_to": None}
    assert EventDelivery.objects.get().status == EventDelivery.Status.DONE
    assert HandledEvent.objects.filter(listener="tests.heard", event_id=published.id).exists()


def test_a_rolled_back_publisher_publishes_nothing(heard, django_capture_on_commit_callbacks):
    # when the publisher's transaction rolls back after publishing
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        events.publish(EVENT, aggregate="elder:7", elder_id=7)
        raise RuntimeError("the service refused at the last step")

    # then there is no event, nothing to deliver and nothing delivered
    assert not OutboxEvent.objects.exists()
    assert not EventDelivery.objects.exists()
    assert queued == [] and heard == []


def test_a_lost_delivery_task_is_made_up_by_the_sweep(heard, django_capture_on_commit_callbacks):
    # given an event committed whose queued delivery never ran (the queue lost it)
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        published = events.publish(EVENT, aggregate="elder:7", elder_id=7)
    assert heard == []

    # when the worker's sweep of the minute runs
    from yiyang.core.tasks import outbox_sweep

    outbox_sweep()

    # then the listener has the event
    assert heard == [published]


def test_an_event_nobody_listens_to_is_kept_and_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued, transaction.atomic():
        events.publish("tests.unheard", aggregate="elder:7", elder_id=7)
    assert OutboxEvent.objects.filter(name="tests.unheard").exists()
    assert not EventDelivery.objects.exists()
    assert queued == []


def test_a_batch_is_published_in_one_insert_of_events_and_one_of_deliveries(
    heard, django_assert_num_queries
):
    # (100 rows: SQLite splits a bulk insert beyond 999 parameters)
    batch = [
        events.Event(name=EVENT, aggregate=f"elder:{n}", payload={"elder_id": n})
        for n in range(100)
    ]
    with django_assert_num_queries(4):  # savepoint, events, deliveries, release
        published = events.publish_many(batch)
    assert [e.aggregate for e in published] == [f"elder:{n}" for n in range(100)]
    assert EventDelivery.objects.count() == 100


@pytest.mark.parametrize("aggregate", ["", "x" * 101])
def test_an_event_must_say_what_it_is_about(aggregate):
    with pytest.raises(ValueError, match="aggregate"):
        events.publish(EVENT, aggregate=aggregate, elder_id=7)
    assert not OutboxEvent.objects.exists()


def test_two_functions_cannot_listen_under_one_name(heard):
    # a name keeps the record of what was handled: sharing one would mix two listeners' records
    with pytest.raises(ValueError, match="already listens"):
        events.subscribe(EVENT, print, listener_name="tests.heard")
    # subscribing the same listener again changes nothing
    events.subscribe(EVENT, heard.append, listener_name="tests.heard")
    assert events.listener_names(EVENT) == ["tests.heard"]


def test_a_listener_is_named_by_its_dotted_path_unless_given_a_name():
    assert events.listener_name_of(events.publish) == "yiyang.core.events.publish"
