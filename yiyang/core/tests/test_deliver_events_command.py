"""`yiyang deliver-events`: an operator drains the outbox by hand."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from yiyang.core import events, outbox
from yiyang.core.models import EventDelivery

from .outbox_worker import EVENT, LISTENER, record_work, work_done

S = EventDelivery.Status


@pytest.fixture
def broken_listener():
    """A listener that raises until `broken[0]` is set False."""
    broken = [True]

    def entitlement_update(event):
        if broken[0]:
            raise KeyError("grade_rule")
        record_work(event)

    off = events.subscribe(EVENT, entitlement_update, listener_name=LISTENER)
    yield broken
    off()


def publish() -> events.Event:
    with transaction.atomic():
        return events.publish(EVENT, aggregate="elder:42", elder_id=42)


def test_the_command_delivers_what_is_due(capsys):
    # given an event whose queued delivery was lost, when the operator runs the command
    off = events.subscribe(EVENT, record_work, listener_name=LISTENER)
    try:
        event = publish()
        call_command("deliver_events")
    finally:
        off()
    assert work_done(event.id) == 1
    assert "delivered: 1" in capsys.readouterr().out


def test_the_command_with_retry_gives_failed_deliveries_new_attempts(broken_listener, capsys):
    # given a delivery that failed for good
    event = publish()
    with override_settings(EVENTS_MAX_ATTEMPTS=1):
        outbox.outbox_deliver()
    assert EventDelivery.objects.get(event_id=event.id).status == S.FAILED

    # when the cause is fixed and the operator runs the command with --retry
    broken_listener[0] = False
    call_command("deliver_events", "--retry")

    # then it is delivered
    assert work_done(event.id) == 1
    out = capsys.readouterr().out
    assert "re-queued: 1" in out and "delivered: 1" in out
