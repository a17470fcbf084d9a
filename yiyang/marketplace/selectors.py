"""Reads of the service catalogue. The catalogue is city-wide reference data: everyone with
the right capability sees all of it, so there is no region scoping here."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from yiyang.core.exceptions import NotFound
from yiyang.core.scoping import Actor, require

from .models import ServiceItem


@dataclass
class ServiceItemFilters:
    q: str = ""
    category: str = ""
    is_ltci: bool | None = None
    is_active: bool | None = None


def service_item_list(
    *, actor: Actor, filters: ServiceItemFilters | None = None
) -> QuerySet[ServiceItem]:
    require(actor, "service_items.view")
    f = filters or ServiceItemFilters()
    qs = ServiceItem.objects.all()
    if f.category:
        qs = qs.filter(category=f.category)
    if f.is_ltci is not None:
        qs = qs.filter(is_ltci=f.is_ltci)
    if f.is_active is not None:
        qs = qs.filter(is_active=f.is_active)
    q = f.q.strip()
    if q:
        qs = qs.filter(Q(code__istartswith=q) | Q(name__contains=q))
    return qs.order_by("code")


def service_item_get(*, actor: Actor, item_id: int) -> ServiceItem:
    require(actor, "service_items.view")
    try:
        return ServiceItem.objects.get(pk=item_id)
    except (ServiceItem.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
