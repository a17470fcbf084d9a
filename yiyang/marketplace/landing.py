"""What the marketplace puts on each role's landing page: the work waiting for them today."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiyang.core.console import url_for
from yiyang.core.registry import Tile
from yiyang.core.scoping import scoped
from yiyang.core.timeutils import LOCAL_TZ, local_today

from .models import CallbackTask, Complaint, Order, ProviderOffer

S = Order.Status


def provider_tiles(actor) -> list[Tile]:
    """A provider's staff: orders to answer (late ones urgent), to assign, complaints open."""
    now = timezone.now()
    counts = scoped(Order.objects.all(), actor).aggregate(
        to_answer=Count("id", filter=Q(status=S.CREATED)),
        late=Count("id", filter=Q(status=S.CREATED, accept_due__lt=now)),
        to_assign=Count("id", filter=Q(status=S.ACCEPTED)),
    )
    complaints = scoped(Complaint.objects.filter(status=Complaint.Status.OPEN), actor).count()
    return [
        Tile(
            "orders_late",
            _("Orders not answered in time"),
            counts["late"],
            url_for("orders:list", status=S.CREATED),
            is_task=True,
            is_urgent=counts["late"] > 0,
        ),
        Tile(
            "orders_to_answer",
            _("Orders to accept or refuse"),
            counts["to_answer"],
            url_for("orders:list", status=S.CREATED),
            is_task=True,
        ),
        Tile(
            "orders_to_assign",
            _("Orders to assign a caregiver"),
            counts["to_assign"],
            url_for("orders:list", status=S.ACCEPTED),
            is_task=True,
        ),
        Tile(
            "complaints_to_answer",
            _("Complaints to answer"),
            complaints,
            reverse("orders:complaints"),
            is_task=True,
            is_urgent=complaints > 0,
        ),
    ]


def caregiver_tiles(actor) -> list[Tile]:
    today = local_today()
    # A caregiver holds a handful of current orders: count today's in local time.
    starts = scoped(
        Order.objects.filter(status__in=(S.ASSIGNED, S.ON_THE_WAY, S.IN_SERVICE)), actor
    ).values_list("window_start", flat=True)
    visits = sum(1 for start in starts if start.astimezone(LOCAL_TZ).date() == today)
    return [
        Tile(
            "my_visits_today",
            _("My visits today"),
            visits,
            reverse("orders:list"),
            is_task=True,
        )
    ]


def operator_tiles(actor) -> list[Tile]:
    waiting = scoped(CallbackTask.objects.filter(status=CallbackTask.Status.OPEN), actor).count()
    return [
        Tile(
            "callbacks_waiting",
            _("People to call back"),
            waiting,
            reverse("orders:callbacks"),
            is_task=True,
            is_urgent=waiting > 0,
        )
    ]


def officer_tiles(actor) -> list[Tile]:
    today = local_today()
    complaints = scoped(Complaint.objects.exclude(status=Complaint.Status.CLOSED), actor)
    counts = complaints.aggregate(overdue=Count("id", filter=Q(due_on__lt=today)), open=Count("id"))
    disputed = scoped(Order.objects.filter(status=S.DISPUTED), actor).count()
    menus = scoped(
        ProviderOffer.objects.filter(status=ProviderOffer.Status.PROPOSED), actor
    ).count()
    return [
        Tile(
            "complaints_overdue",
            _("Complaints past their day"),
            counts["overdue"],
            reverse("orders:complaints"),
            is_task=True,
            is_urgent=counts["overdue"] > 0,
        ),
        Tile(
            "complaints_open",
            _("Complaints to settle"),
            counts["open"],
            reverse("orders:complaints"),
            is_task=True,
        ),
        Tile(
            "orders_disputed",
            _("Disputed services to settle"),
            disputed,
            url_for("orders:list", status=S.DISPUTED),
            is_task=True,
        ),
        Tile(
            "menus_waiting",
            _("Menu lines to approve"),
            menus,
            reverse("marketplace:menus"),
            is_task=True,
        ),
    ]


def family_tiles(actor) -> list[Tile]:
    """An older person or family: services coming, and finished ones to confirm."""
    orders = scoped(Order.objects.all(), actor)
    counts = orders.aggregate(
        coming=Count("id", filter=Q(status__in=(S.CREATED, S.ACCEPTED, S.ASSIGNED, S.ON_THE_WAY))),
        to_confirm=Count("id", filter=Q(status=S.COMPLETED)),
    )
    return [
        Tile(
            "services_to_confirm",
            _("Services to confirm"),
            counts["to_confirm"],
            reverse("orders:list"),
            is_task=True,
            is_urgent=counts["to_confirm"] > 0,
        ),
        Tile("services_coming", _("Services coming"), counts["coming"], reverse("orders:list")),
    ]
