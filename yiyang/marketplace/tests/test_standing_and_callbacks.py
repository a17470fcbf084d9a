"""Standing orders place a visit every week, ahead of time and once; a press of the safety
bell's service button becomes a call-back the call centre turns into an order or closes."""

import datetime as dt

import pytest
from django.urls import reverse

from yiyang.core import events
from yiyang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from yiyang.core.timeutils import LOCAL_TZ
from yiyang.marketplace import callbacks, ordering
from yiyang.marketplace.models import CallbackTask, Order, RecurringOrder

from .factories import market, tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def m(city):
    return market(city)


def _weekly(m, **kw):
    return ordering.standing_order_create(
        actor=m.family,
        data=ordering.OrderData(m.elder.pk, m.offer.pk, tomorrow_at(9), tomorrow_at(11)),
        channel="mobile",
        **kw,
    )


def test_a_weekly_bath_places_its_visits_a_week_ahead_and_never_twice(m):
    standing = _weekly(m)
    first_day = tomorrow_at(9).date()
    # the first visit, and none more within the 7 days ahead but the first
    days = sorted(o.window_start.astimezone(LOCAL_TZ).date() for o in standing.orders.all())
    assert days == [first_day]
    # a week later the daily run places the next one, on the same weekday and time
    later = first_day + dt.timedelta(days=1)
    assert ordering.standing_orders_generate(today=later) == 1
    assert ordering.standing_orders_generate(today=later) == 0
    visit = standing.orders.order_by("-window_start").first()
    start = visit.window_start.astimezone(LOCAL_TZ)
    assert start.date() == first_day + dt.timedelta(days=7) and start.hour == 9
    assert visit.ordered_by == m.family and visit.status == Order.Status.CREATED
    # a cancelled visit is not placed again
    ordering.order_step(m.family, visit.pk, "cancel", reason="in_hospital")
    assert ordering.standing_orders_generate(today=later) == 0


def test_a_standing_order_stops_at_its_last_day_and_when_ended(m):
    first_day = tomorrow_at(9).date()
    standing = _weekly(m, last_day=first_day + dt.timedelta(days=10))
    assert ordering.standing_orders_generate(today=first_day + dt.timedelta(days=1)) == 1
    assert ordering.standing_orders_generate(today=first_day + dt.timedelta(days=8)) == 0
    other = _weekly(m)
    ordering.standing_order_end(actor=m.family, standing_id=other.pk)
    assert RecurringOrder.objects.get(pk=other.pk).status == RecurringOrder.Status.ENDED
    assert ordering.standing_orders_generate(today=first_day + dt.timedelta(days=1)) == 0
    assert standing.orders.count() == 2
    with pytest.raises(ValidationFailed):
        _weekly(m, last_day=first_day - dt.timedelta(days=1))


def test_the_daily_command_runs_both_and_refuses_a_bad_day(m):
    from io import StringIO

    from django.core.management import CommandError, call_command

    _weekly(m)
    out = StringIO()
    call_command(
        "orders_daily", today=(tomorrow_at(9) + dt.timedelta(days=1)).date().isoformat(), stdout=out
    )
    assert "standing visits placed: 1" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("orders_daily", today="2026-13-01")


@pytest.fixture
def press(django_capture_on_commit_callbacks):
    """Publish a service press as the devices capability will, and deliver it (after commit)."""

    def run(elder, device="PA-0001", **payload):
        with django_capture_on_commit_callbacks(execute=True):
            _press(elder, device, **payload)

    return run


def _press(elder, device="PA-0001", **payload):
    values = {
        "elder_id": elder.pk,
        "device_ref": device,
        "pressed_at": "2026-12-04T08:15:00+08:00",
        **payload,
    }
    events.publish(callbacks.EVENT_SERVICE_PRESS, aggregate=f"elder:{elder.pk}", **values)


def test_a_bell_press_becomes_one_call_back_for_the_call_centre(m, press):
    press(m.elder)
    task = CallbackTask.objects.get()
    assert (task.elder, task.device_ref, task.status) == (m.elder, "PA-0001", "open")
    assert list(callbacks.open_callbacks(actor=m.operator)) == [task]
    with pytest.raises(PermissionDenied):
        callbacks.open_callbacks(actor=m.officer)
    # an unbound bell makes no task
    press(m.elder, elder_id=None)
    assert CallbackTask.objects.count() == 1


def test_the_operator_orders_from_a_call_back_and_it_is_handled(client, m, press):
    press(m.elder)
    task = CallbackTask.objects.get()
    client.force_login(m.operator)
    page = client.get(reverse("orders:callbacks")).content.decode()
    assert m.elder.name in page and f"callback={task.pk}" in page
    order = ordering.order_place(
        actor=m.operator,
        data=ordering.OrderData(m.elder.pk, m.offer.pk, tomorrow_at(9), tomorrow_at(11)),
        channel="bell",
    )
    callbacks.callback_ordered(actor=m.operator, task_id=task.pk, order=order)
    task.refresh_from_db()
    assert (task.status, task.order, task.handled_by) == ("ordered", order, m.operator)
    assert not list(callbacks.open_callbacks(actor=m.operator))
    assert f'data-task="{task.pk}"' not in client.get(reverse("orders:callbacks")).content.decode()


def test_a_call_back_is_closed_with_a_reason_once(client, m, city, press):
    press(m.elder)
    task = CallbackTask.objects.get()
    client.force_login(m.operator)
    url = reverse("orders:callback_close", args=[task.pk])
    client.post(url, {"reason": ""})
    assert CallbackTask.objects.get().status == "open"
    client.post(url, {"reason": "no_need"})
    task.refresh_from_db()
    assert (task.status, task.close_reason) == ("closed", "no_need")
    with pytest.raises(ValidationFailed):
        callbacks.callback_close(actor=m.operator, task_id=task.pk, reason="no_need")
    # and another region's call centre does not see it
    from yiyang.accounts.roles import Role
    from yiyang.accounts.tests.factories import UserFactory

    wuhua = UserFactory(role=Role.OPERATOR, region=city.wuhua)
    with pytest.raises(NotFound):
        callbacks.callback_get(actor=wuhua, task_id=task.pk)
