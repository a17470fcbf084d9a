"""Call-backs: a press of the service button on someone's safety bell asks the call centre to
call them back. The devices capability publishes `device.service_press`; this listens, opens a
task for the person's region, and the operator turns it into an order or closes it."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.models import account_of
from yiyang.core import audit
from yiyang.core.events import Event
from yiyang.core.exceptions import ValidationFailed
from yiyang.core.scoping import Actor, require, scoped, scoped_get
from yiyang.people.models import Elder

from .models import CallbackTask, Order

EVENT_SERVICE_PRESS = "device.service_press"
T = CallbackTask.Status

audit.register_notes(
    {
        "call-back ordered": gettext_lazy("Called back and ordered"),
        "call-back closed": gettext_lazy("Call-back closed"),
    }
)


def on_service_press(event: Event) -> None:
    """Listener: one task per event (a redelivered event finds its task and stops)."""
    payload = event.payload
    elder = Elder.objects.filter(pk=payload.get("elder_id")).only("pk", "region_code").first()
    if elder is None:
        return  # a bell not bound to anyone: the devices capability reports it
    raw = payload.get("pressed_at")
    pressed = parse_datetime(raw) if isinstance(raw, str) else None
    try:
        with transaction.atomic():
            CallbackTask.objects.create(
                elder=elder,
                region_code=elder.region_code,
                source="bell",
                device_ref=str(payload.get("device_ref", ""))[:64],
                raised_at=pressed or event.created_at or timezone.now(),
                event_id=event.id,
            )
    except IntegrityError:
        pass


def open_callbacks(*, actor: Actor):
    require(actor, "callbacks.handle")
    return (
        scoped(CallbackTask.objects.filter(status=T.OPEN), actor)
        .select_related("elder")
        .order_by("raised_at", "id")
    )


def callback_get(*, actor: Actor, task_id: int) -> CallbackTask:
    require(actor, "callbacks.handle")
    return scoped_get(CallbackTask.objects.select_related("elder"), actor, pk=task_id)


def callback_ordered(*, actor: Actor, task_id: int, order: Order) -> CallbackTask:
    """The operator called back and placed `order` for the same person."""
    with transaction.atomic():
        task = callback_get(actor=actor, task_id=task_id)
        task = CallbackTask.objects.select_for_update().get(pk=task.pk)
        if task.status != T.OPEN or task.elder_id != order.elder_id:
            return task
        task.status, task.order = T.ORDERED, order
        task.handled_by, task.handled_at = account_of(actor), timezone.now()
        task.save(update_fields=["status", "order", "handled_by", "handled_at"])
        audit.record_change(
            actor=actor,
            entity=task,
            action="status",
            note="call-back ordered",
            changes={"order": [None, order.number]},
        )
    return task


def callback_close(*, actor: Actor, task_id: int, reason: str) -> CallbackTask:
    if reason not in CallbackTask.CloseReason.values:
        raise ValidationFailed(fields={"reason": _("Choose a reason.")})
    with transaction.atomic():
        task = callback_get(actor=actor, task_id=task_id)
        task = CallbackTask.objects.select_for_update().get(pk=task.pk)
        if task.status != T.OPEN:
            raise ValidationFailed(fields={"reason": _("This call-back is already handled.")})
        task.status, task.close_reason = T.CLOSED, reason
        task.handled_by, task.handled_at = account_of(actor), timezone.now()
        task.save(update_fields=["status", "close_reason", "handled_by", "handled_at"])
        audit.record_change(
            actor=actor,
            entity=task,
            action="status",
            note="call-back closed",
            changes={"close_reason": [None, reason]},
        )
    return task
