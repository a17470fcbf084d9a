"""Orders from other systems and for the provider's own: place one (safe to send again with an
`Idempotency-Key`), read them, and take the steps of their life cycle."""

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Header, Path, Query, Router, Schema
from ninja.responses import Status

from yiyang.api.auth import needs
from yiyang.api.pagination import PageParams, page_schema, paginate
from yiyang.api.schemas import InputSchema, Moment, Money, answers
from yiyang.marketplace import ordering
from yiyang.marketplace.models import Order

router = Router(tags=["orders"])

ORDER_ID = Path(..., ge=1, le=2**31 - 1)


class OrderIn(InputSchema):
    elder: int = Field(..., ge=1, le=2**31 - 1, description="The older person's id.")
    offer: int = Field(..., ge=1, le=2**31 - 1, description="An approved menu line's id.")
    window_start: Moment = Field(..., description="ISO 8601; without an offset, Kunming time.")
    window_end: Moment
    quantity: int = Field(1, ge=1, le=20)
    note: str = Field("", max_length=300)


class OrderOut(Schema):
    id: int
    number: str
    status: Order.Status
    elder: int = Field(..., alias="elder_id")
    region_code: str
    provider: int = Field(..., alias="provider_id")
    item: int = Field(..., alias="item_id")
    offer: int = Field(..., alias="offer_id")
    caregiver: int | None = Field(None, alias="caregiver_id")
    channel: Order.Channel
    quantity: int
    window_start: dt.datetime
    window_end: dt.datetime
    unit_price: Money
    total: Money
    subsidy_amount: Money
    ltci_amount: Money
    self_amount: Money
    created_at: dt.datetime
    accept_due: dt.datetime
    closed_at: dt.datetime | None
    rating: int | None


OrderPage = page_schema("OrderPage", OrderOut)


class OrderQuery(PageParams):
    status: Order.Status | None = None


class StepIn(InputSchema):
    note: str = Field("", max_length=300)
    reason: Order.CancelReason | None = None
    caregiver: int | None = Field(None, ge=1, le=2**31 - 1)
    stars: int | None = None
    text: str = Field("", max_length=300)


Step = Literal[
    "accept", "refuse", "assign", "depart", "start", "complete", "no_show", "confirm", "dispute",
    "rate", "cancel", "withdraw", "settle",
]  # fmt: skip


@router.post("", response=answers(OrderOut, 400, 404, 409, status=201), **needs("orders.place"))
def order_new(
    request,
    response: HttpResponse,
    payload: OrderIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=80),
):
    """Place an order on an approved menu line. Send an `Idempotency-Key` header (up to 80
    letters, digits, `.`, `-`, `_`): sending the same request again with it returns the order the
    first one made, with `Idempotent-Replayed: true`; another request under the same key is
    refused with `idempotency_key_reused`. The funding split is worked out when it is placed."""
    values = payload.dict()
    data = ordering.OrderData(
        elder_id=values["elder"],
        offer_id=values["offer"],
        window_start=values["window_start"],
        window_end=values["window_end"],
        quantity=values["quantity"],
        note=values["note"],
    )
    order = ordering.order_place(
        actor=request.auth, data=data, channel=Order.Channel.API, idempotency_key=idempotency_key
    )
    if getattr(order, "replayed", False):
        response["Idempotent-Replayed"] = "true"
    return Status(201, order)


@router.get("", response=answers(OrderPage), **needs("orders.view"))
def orders(request, params: Query[OrderQuery]):
    """The orders the key or account may see, in id order."""
    qs = ordering.visible_orders(request.auth).order_by("-id")
    if params.status:
        qs = qs.filter(status=params.status)
    return paginate(qs, kind="orders", cursor=params.cursor, limit=params.limit)


@router.get("/{order_id}", response=answers(OrderOut, 404), **needs("orders.view"))
def order_detail(request, order_id: int = ORDER_ID):
    return ordering.order_get(actor=request.auth, order_id=order_id)


@router.post(
    "/{order_id}/{step}", response=answers(OrderOut, 400, 404, 409), **needs("orders.view")
)
def order_take_step(request, payload: StepIn, step: Step, order_id: int = ORDER_ID):
    """Take one step of the order's life cycle (docs/api.md lists who may take which). A step
    the order's status does not allow is refused with `bad_transition`."""
    values = payload.dict()
    return ordering.order_step(
        request.auth,
        order_id,
        step,
        note=values["note"],
        reason=values["reason"] or "",
        caregiver_id=values["caregiver"],
        stars=values["stars"],
        text=values["text"],
    )
