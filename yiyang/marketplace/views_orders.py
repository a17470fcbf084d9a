"""Order pages: ordering one screen at a time (an older person, a family member, the call
centre), the list of orders each role sees, and one order with the steps the viewer may take."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiyang.core.console import change_history, domain_errors_as_http
from yiyang.core.exceptions import DomainError, NotFound
from yiyang.core.scoping import scoped, scoped_get
from yiyang.core.timeutils import LOCAL_TZ
from yiyang.core.validation import parse_id
from yiyang.people.models import Elder

from . import callbacks, circle, complaints, ordering, payments
from .forms import WEEKDAYS
from .models import CallbackTask, Complaint, Order, Payment, RecurringOrder
from .transitions import COMPLAINT, ORDER

S = Order.Status
# Steps that ask for something before they are taken: the form under the button.
FORM_STEPS = {"refuse", "assign", "cancel", "withdraw", "dispute", "rate"}
OPEN = (S.CREATED, S.ACCEPTED, S.ASSIGNED, S.ON_THE_WAY, S.IN_SERVICE, S.COMPLETED, S.DISPUTED)


def _day(raw) -> dt.date | None:
    """A date from the query string, or None: never a 500 on 2026-13-45."""
    try:
        return parse_date(str(raw or ""))
    except ValueError:
        return None


def _moment(raw) -> dt.datetime | None:
    try:
        return parse_datetime(str(raw or ""))
    except ValueError:
        return None


def _int(value) -> int | None:
    return parse_id(value)


# --- Ordering, one decision per screen ---------------------------------------------------------


def _new_url(**query) -> str:
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return reverse("orders:new") + (f"?{urlencode(query)}" if query else "")


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def order_new(request):
    """The steps: whose order (a family with several wards, the call centre), which service,
    which provider when more than one serves it, which day, which time, then confirm."""
    people = ordering.elders_to_order_for(actor=request.user)
    elder_id = _int(request.GET.get("elder") or request.POST.get("elder"))
    for_themselves = ordering.orders_for_themselves(request.user)
    if elder_id is None and for_themselves:
        only = list(people[:2])
        if len(only) == 1:
            elder_id = only[0].pk
    if elder_id is None:
        if not for_themselves:
            messages.info(request, _("Find the person first, then order from their record."))
            return redirect("people:list")
        return render(request, "marketplace/orders/new_person.html", {"people": people})
    elder = scoped_get(people, request.user, pk=elder_id)
    offers = ordering.offers_for_elder(actor=request.user, elder=elder)
    callback = _int(request.GET.get("callback") or request.POST.get("callback"))
    context = {"elder": elder, "step_total": 5, "callback": callback}
    if request.method == "POST":
        return _place(request, elder, context)
    item_id = _int(request.GET.get("item"))
    if item_id is None:
        items = {}
        for offer in offers:
            items.setdefault(
                offer.item_id,
                {
                    "item": offer.item,
                    "from_price": offer.price,
                    "url": _new_url(elder=elder.pk, item=offer.item_id, callback=callback),
                },
            )
        context.update(items=list(items.values()), step=1)
        return render(request, "marketplace/orders/new_item.html", context)
    choices = [o for o in offers if o.item_id == item_id]
    if not choices:
        raise NotFound()
    offer_id = _int(request.GET.get("offer"))
    if offer_id is None and len(choices) == 1:
        offer_id = choices[0].pk
    offer = next((o for o in choices if o.pk == offer_id), None)
    context.update(
        item=choices[0].item,
        offers=[
            {
                "offer": o,
                "url": _new_url(elder=elder.pk, item=item_id, offer=o.pk, callback=callback),
            }
            for o in choices
        ],
        offer=offer,
        step=2,
        back=_new_url(elder=elder.pk, callback=callback),
    )
    if offer is None:
        return render(request, "marketplace/orders/new_offer.html", context)
    day = _day(request.GET.get("day"))
    days = ordering.visit_days(offer=offer, elder=elder)
    here = {"elder": elder.pk, "item": item_id, "offer": offer.pk, "callback": callback}
    if day not in days:
        context.update(
            days=[{"day": d, "url": _new_url(**here, day=d.isoformat())} for d in days],
            step=3,
            back=_new_url(elder=elder.pk)
            if len(choices) == 1
            else _new_url(elder=elder.pk, item=item_id),
        )
        return render(request, "marketplace/orders/new_day.html", context)
    slots = ordering.visit_slots(offer=offer, elder=elder, day=day)
    start = _moment(request.GET.get("start"))
    slot = next((s for s in slots if start and s[0] == start.astimezone(LOCAL_TZ)), None)
    context.update(
        day=day,
        slots=[
            {
                "start": a,
                "end": b,
                "url": _new_url(**here, day=day.isoformat(), start=a.isoformat()),
            }
            for a, b in slots
        ],
        step=4,
        back=_new_url(**here),
    )
    if slot is None:
        return render(request, "marketplace/orders/new_time.html", context)
    context.update(
        slot=slot,
        split=ordering.funding_preview(elder=elder, offer=offer, day=day),
        step=5,
        back=_new_url(**here, day=day.isoformat()),
    )
    return render(request, "marketplace/orders/new_confirm.html", context)


def _place(request, elder: Elder, context: dict):
    start = _moment(request.POST.get("window_start"))
    end = _moment(request.POST.get("window_end"))
    channel = ordering.channel_for(request.user)
    data = ordering.OrderData(
        elder_id=elder.pk,
        offer_id=_int(request.POST.get("offer")) or 0,
        window_start=start,
        window_end=end,
        note=request.POST.get("note", ""),
    )
    try:
        if request.POST.get("repeat") == "weekly":
            standing = ordering.standing_order_create(
                actor=request.user, data=data, channel=channel
            )
            order = standing.orders.order_by("window_start").first()
        else:
            order = ordering.order_place(actor=request.user, data=data, channel=channel)
    except DomainError as exc:
        if exc.status not in (400, 409):
            raise
        context["errors"] = [str(v) for v in exc.fields.values()] or [str(exc.message)]
        return render(request, "marketplace/orders/new_refused.html", context, status=400)
    if context.get("callback") and request.user.has_capability("callbacks.handle"):
        callbacks.callback_ordered(actor=request.user, task_id=context["callback"], order=order)
    messages.success(
        request,
        _("Ordered: %(item)s on %(day)s. The provider will answer soon.")
        % {
            "item": order.item.name,
            "day": date_format(order.window_start.astimezone(LOCAL_TZ), "MONTH_DAY_FORMAT"),
        },
    )
    return redirect("orders:detail", pk=order.pk)


# --- Lists --------------------------------------------------------------------------------------


def _standing(actor) -> list[RecurringOrder]:
    rows = list(
        scoped(RecurringOrder.objects.filter(status=RecurringOrder.Status.ACTIVE), actor)
        .select_related("offer__item", "offer__provider", "elder")
        .order_by("weekday", "starts_at")[:50]
    )
    names = dict(WEEKDAYS)
    for row in rows:
        row.weekday_text = names.get(row.weekday, "")
    return rows


@require_GET
@domain_errors_as_http
def order_list(request):
    qs = ordering.visible_orders(request.user)
    status = request.GET.get("status", "")
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status in S.values:
        qs = qs.filter(status=status)
    # Pages of ids first, the rows of one page after: a deep page of a provider's 24,000 orders
    # then skips index entries only, not joined rows (bench/README.md).
    page = Paginator(qs.order_by("-window_start", "-id").values_list("id", flat=True), 30).get_page(
        request.GET.get("page")
    )
    ids = list(page.object_list)
    rows = {
        o.pk: o
        for o in Order.objects.filter(pk__in=ids).select_related("elder", "item", "provider")
    }
    return render(
        request,
        "marketplace/orders/list.html",
        {
            "page_obj": page,
            "orders": [rows[pk] for pk in ids if pk in rows],
            "now": timezone.now(),
            "status": status,
            "statuses": S.choices,
            "can_order": request.user.has_capability("orders.place"),
            "standing": _standing(request.user),
            "query_string": urlencode({"status": status}) if status else "",
        },
    )


# --- One order ----------------------------------------------------------------------------------


def _detail_context(request, order: Order, errors: dict | None = None, failed: str = "") -> dict:
    steps = ORDER.offered(request.user, order)
    caregivers = []
    if any(s.name == "assign" for s in steps):
        caregivers = ordering.caregivers_of(order.provider_id).order_by("display_name")
    paid = payments.paid_of(order)
    return {
        "order": order,
        "payments": list(order.payments.order_by("id")),
        "paid": paid,
        "can_record": payments.can_record(request.user, order, paid),
        "methods": Payment.Method.choices,
        "can_complain": complaints.can_complain(request.user, order),
        "complaint_categories": Complaint.Category.choices,
        "complaints": list(order.complaints.order_by("id")),
        "steps": steps,
        "form_steps": FORM_STEPS,
        "caregivers": caregivers,
        "cancel_reasons": [
            c for c in Order.CancelReason.choices if c[0] != Order.CancelReason.PROVIDER_UNABLE
        ],
        "history": change_history(order),
        "errors": errors or {},
        "failed": failed,
        "values": request.POST if failed else {},
        "now": timezone.now(),
    }


@require_GET
@domain_errors_as_http
def order_detail(request, pk: int):
    order = ordering.order_get(actor=request.user, order_id=pk)
    return render(request, "marketplace/orders/detail.html", _detail_context(request, order))


@require_POST
@domain_errors_as_http
def order_take_step(request, pk: int, step: str):
    order = ordering.order_get(actor=request.user, order_id=pk)
    if step not in {s.name for s in ORDER.steps} or ORDER.step(step).by_platform:
        raise NotFound()
    values = {
        "note": request.POST.get("note", ""),
        "reason": request.POST.get("reason", ""),
        "caregiver_id": request.POST.get("caregiver"),
        "stars": _int(request.POST.get("stars")),
        "text": request.POST.get("text", ""),
    }
    try:
        order = ordering.order_step(request.user, order.pk, step, **values)
    except DomainError as exc:
        if exc.status != 400:
            raise
        context = _detail_context(request, order, errors=exc.fields, failed=step)
        return render(request, "marketplace/orders/detail.html", context, status=400)
    messages.success(request, _("%(step)s: done.") % {"step": ORDER.step(step).label})
    return redirect("orders:detail", pk=order.pk)


# --- Payments, receipts, the monthly statement --------------------------------------------------


@require_POST
@domain_errors_as_http
def payment_new(request, pk: int):
    order = ordering.order_get(actor=request.user, order_id=pk)
    try:
        payments.payment_record(
            actor=request.user,
            order_id=order.pk,
            amount=request.POST.get("amount", ""),
            method=request.POST.get("method", ""),
            reference=request.POST.get("reference", ""),
        )
    except DomainError as exc:
        if exc.status != 400:
            raise
        context = _detail_context(request, order, errors=exc.fields, failed="payment")
        return render(request, "marketplace/orders/detail.html", context, status=400)
    messages.success(request, _("The payment is recorded; its receipt can be printed."))
    return redirect("orders:detail", pk=order.pk)


@require_GET
@domain_errors_as_http
def receipt(request, payment_id: int):
    try:
        payment, pdf = payments.receipt_pdf(actor=request.user, payment_id=payment_id)
    except Payment.DoesNotExist as exc:
        raise NotFound() from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"{payment.receipt_number}.pdf"
    )
    return response


@require_GET
@domain_errors_as_http
def statement(request):
    raw = request.GET.get("month", "")
    today = timezone.now().astimezone(LOCAL_TZ).date()
    month = _day(f"{raw}-01") if raw else None
    if month is None or not (dt.date(2000, 1, 1) <= month <= dt.date(2100, 12, 1)):
        month = today.replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "marketplace/orders/statement.html",
        {
            "statement": payments.provider_statement(actor=request.user, month=month),
            "previous": previous,
            "following": following if following <= today.replace(day=1) else None,
        },
    )


# --- Standing orders and call-backs -----------------------------------------------------------------


@require_POST
@domain_errors_as_http
def standing_end(request, standing_id: int):
    standing = ordering.standing_order_end(actor=request.user, standing_id=standing_id)
    messages.success(
        request,
        _("No more visits of %(item)s will be placed.") % {"item": standing.offer.item.name},
    )
    return redirect("orders:list")


@require_GET
@domain_errors_as_http
def callback_list(request):
    return render(
        request,
        "marketplace/orders/callbacks.html",
        {
            "tasks": list(callbacks.open_callbacks(actor=request.user)[:200]),
            "reasons": CallbackTask.CloseReason.choices,
        },
    )


@require_POST
@domain_errors_as_http
def callback_close(request, task_id: int):
    try:
        callbacks.callback_close(
            actor=request.user, task_id=task_id, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        if exc.status != 400:
            raise
        for message in exc.fields.values():
            messages.error(request, message)
    else:
        messages.success(request, _("The call-back is closed."))
    return redirect("orders:callbacks")


# --- Complaints and satisfaction -------------------------------------------------------------------


@require_POST
@domain_errors_as_http
def complaint_new(request, pk: int):
    order = ordering.order_get(actor=request.user, order_id=pk)
    try:
        complaint = complaints.complaint_file(
            actor=request.user,
            order_id=order.pk,
            category=request.POST.get("category", ""),
            text=request.POST.get("text", ""),
        )
    except DomainError as exc:
        if exc.status != 400:
            raise
        context = _detail_context(request, order, errors=exc.fields, failed="complaint")
        return render(request, "marketplace/orders/detail.html", context, status=400)
    messages.success(
        request,
        _("Your complaint is filed; it will be settled by %(day)s.")
        % {"day": date_format(complaint.due_on, "MONTH_DAY_FORMAT")},
    )
    return redirect("orders:complaint", complaint_id=complaint.pk)


@require_GET
@domain_errors_as_http
def complaint_list(request):
    rows = list(
        complaints.visible_complaints(request.user)
        .select_related("order__item", "elder", "provider")
        .order_by("status", "due_on", "id")[:200]
    )
    for row in rows:
        row.overdue = complaints.is_overdue(row)
    return render(request, "marketplace/orders/complaints.html", {"complaints": rows})


def _complaint_context(request, complaint, errors=None, failed=""):
    return {
        "complaint": complaint,
        "overdue": complaints.is_overdue(complaint),
        "steps": [s.name for s in COMPLAINT.offered(request.user, complaint)],
        "outcomes": Complaint.Outcome.choices,
        "errors": errors or {},
        "failed": failed,
        "values": request.POST if failed else {},
    }


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def complaint_detail(request, complaint_id: int):
    complaint = scoped_get(
        complaints.visible_complaints(request.user).select_related(
            "order__item", "elder", "provider"
        ),
        request.user,
        pk=complaint_id,
    )
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in ("answer", "settle"):
            raise NotFound()
        try:
            complaints.complaint_step(
                request.user,
                complaint.pk,
                step,
                text=request.POST.get("text", ""),
                outcome=request.POST.get("outcome", ""),
            )
        except DomainError as exc:
            if exc.status != 400:
                raise
            context = _complaint_context(request, complaint, exc.fields, step)
            return render(request, "marketplace/orders/complaint.html", context, status=400)
        messages.success(request, _("Saved."))
        return redirect("orders:complaint", complaint_id=complaint.pk)
    return render(
        request, "marketplace/orders/complaint.html", _complaint_context(request, complaint)
    )


@require_GET
@domain_errors_as_http
def satisfaction(request):
    today = timezone.now().astimezone(LOCAL_TZ).date()
    days = parse_id(request.GET.get("days")) or 90
    days = min(days, 3660)
    providers, districts = complaints.satisfaction(
        actor=request.user, since=today - dt.timedelta(days=days)
    )
    return render(
        request,
        "marketplace/orders/satisfaction.html",
        {"providers": providers, "districts": districts, "days": days},
    )


@require_GET
@domain_errors_as_http
def service_circle(request):
    report = circle.service_circle(actor=request.user)
    return render(
        request,
        "marketplace/orders/circle.html",
        {"report": report, "svg": circle.coverage_svg(report)},
    )
