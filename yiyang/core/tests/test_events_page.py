"""The events page: the system administrator sees failed and stuck deliveries and retries them;
nobody else opens it (core/events_views.py, core/outbox.py)."""

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core import events, outbox
from yiyang.core.exceptions import PermissionDenied
from yiyang.core.models import ChangeLog, EventDelivery, OutboxEvent

from .outbox_worker import EVENT, LISTENER, record_work, work_done

S = EventDelivery.Status


@pytest.fixture
def admin(city):
    return UserFactory(role=Role.SYSTEM_ADMIN, region=city.city)


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


def publish(**payload) -> events.Event:
    with transaction.atomic():
        return events.publish(EVENT, aggregate="elder:42", elder_id=42, **payload)


def fail_for_good(event) -> EventDelivery:
    """Deliver until the attempts run out."""
    with override_settings(EVENTS_MAX_ATTEMPTS=2):
        for _attempt in range(2):
            EventDelivery.objects.filter(status=S.PENDING).update(next_attempt_at=timezone.now())
            outbox.outbox_deliver()
    row = EventDelivery.objects.get(event_id=event.id)
    assert row.status == S.FAILED
    return row


def test_the_administrator_sees_a_failed_delivery_and_retry_delivers_it(
    client, admin, broken_listener, django_capture_on_commit_callbacks
):
    # given a delivery that failed for good
    event = publish(grade=3)
    row = fail_for_good(event)

    # when the system administrator opens the events page
    client.force_login(admin)
    response = client.get(reverse("events:list"))

    # then it is listed with its event, aggregate, listener, attempts and error, in Chinese
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-delivery="{row.pk}"' in html
    assert EVENT in html and "elder:42" in html
    assert LISTENER.replace(".", ".<wbr>") in html  # may break at its dots
    assert "KeyError: &#x27;grade_rule&#x27;" in html
    assert "失败" in html and "重试" in html

    # when the cause is fixed and they press Retry
    broken_listener[0] = False
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:retry", args=[row.pk]))

    # then the event is delivered, the page says so, and the retry is in the history
    assert response.status_code == 302
    assert work_done(event.id) == 1
    assert EventDelivery.objects.get(pk=row.pk).status == S.DONE
    page = client.get(reverse("events:list")).content.decode()
    assert f'data-delivery="{row.pk}"' not in page
    assert f"事件 #{event.id}" in page
    retried = ChangeLog.objects.get(entity_type="core.eventdelivery", entity_id=row.pk)
    assert (retried.actor, retried.note) == (admin, "event delivery retried")
    assert retried.changes == {"attempts": [2, 0], "status": ["failed", "pending"]}


def test_the_page_shows_no_payload(client, admin, broken_listener):
    # payloads name ids, never people; the page does not show them anyway
    publish(marker="不应显示的内容")
    outbox.outbox_deliver()
    client.force_login(admin)
    html = client.get(reverse("events:list")).content.decode()
    assert "elder:42" in html
    assert "不应显示的内容" not in html


def test_a_delivery_not_made_long_after_its_event_is_listed_as_stuck(client, admin):
    # given two deliveries never attempted (no worker), one of an event published long ago
    off = events.subscribe(EVENT, record_work, listener_name=LISTENER)
    try:
        old, new = publish(step=1), publish(step=2)
    finally:
        off()
    OutboxEvent.objects.filter(pk=old.id).update(created_at=timezone.now() - dt.timedelta(hours=1))

    # when the administrator opens the page
    client.force_login(admin)
    html = client.get(reverse("events:list")).content.decode()

    # then only the old one is listed, as not delivered yet
    rows = {d.event_id: d.pk for d in EventDelivery.objects.all()}
    assert f'data-delivery="{rows[old.id]}"' in html
    assert f'data-delivery="{rows[new.id]}"' not in html
    assert "尚未投递" in html


def test_a_later_event_is_listed_as_waiting_for_the_failed_one(client, admin, broken_listener):
    first = publish(step=1)
    fail_for_good(first)
    later = publish(step=2)
    outbox.outbox_deliver()
    OutboxEvent.objects.filter(pk=later.id).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    client.force_login(admin)
    html = client.get(reverse("events:list")).content.decode()
    assert f"等待事件 #{first.id}" in html


def test_retrying_a_delivered_event_is_refused_with_a_message(client, admin):
    # given a delivery that was made
    off = events.subscribe(EVENT, record_work, listener_name=LISTENER)
    try:
        event = publish()
        outbox.outbox_deliver()
    finally:
        off()
    row = EventDelivery.objects.get(event_id=event.id)

    # when the administrator posts Retry for it (an old page)
    client.force_login(admin)
    response = client.post(reverse("events:retry", args=[row.pk]), follow=True)

    # then the page says why, and nothing runs again
    assert response.status_code == 200
    assert "已经处理过" in response.content.decode()
    assert work_done(event.id) == 1


def test_retrying_a_delivery_that_does_not_exist_is_not_found(client, admin):
    client.force_login(admin)
    assert client.post(reverse("events:retry", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.CIVIL_AFFAIRS, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.OPERATOR]
)
def test_roles_without_events_manage_are_refused(client, city, broken_listener, role):
    # given a failed delivery and a user of another role
    row = fail_for_good(publish())
    user = UserFactory(role=role, region=city.city)
    client.force_login(user)

    # then the page and its button are forbidden, and nothing is re-queued
    assert client.get(reverse("events:list")).status_code == 403
    assert client.post(reverse("events:retry", args=[row.pk])).status_code == 403
    assert EventDelivery.objects.get(pk=row.pk).status == S.FAILED
    with pytest.raises(PermissionDenied):
        outbox.delivery_retry(actor=user, delivery_id=row.pk)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("events:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_page_reads_a_fixed_number_of_queries_however_many_rows(
    client, admin, broken_listener, django_assert_max_num_queries
):
    # given 30 deliveries an hour old: 5 retrying, 25 waiting behind them
    for n in range(30):
        with transaction.atomic():
            events.publish(EVENT, aggregate=f"elder:{n % 5}", step=n)
    OutboxEvent.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    outbox.outbox_deliver()
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("events:list"))
    assert response.content.decode().count("data-delivery=") == 30
