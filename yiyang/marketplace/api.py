"""The city's service catalogue (the "menu" of 点菜式 services), read-only."""

from ninja import Field, Query, Router, Schema

from yiyang.api.auth import needs
from yiyang.api.pagination import PageParams, page_schema, paginate
from yiyang.api.schemas import Money, answers
from yiyang.marketplace.models import ServiceItem
from yiyang.marketplace.selectors import ServiceItemFilters, service_item_list

router = Router(tags=["service items"])


class ServiceItemOut(Schema):
    id: int
    code: str
    name: str
    category: ServiceItem.Category
    unit: str
    duration_minutes: int
    price: Money
    qualification: str
    is_ltci: bool
    description: str


ServiceItemPage = page_schema("ServiceItemPage", ServiceItemOut)


class ServiceItemQuery(PageParams):
    category: ServiceItem.Category | None = None
    is_ltci: bool | None = None
    q: str | None = Field(None, max_length=40, description="Item code prefix or part of the name.")


@router.get("", response=answers(ServiceItemPage), **needs("service_items.view"))
def service_items(request, params: Query[ServiceItemQuery]):
    """Items in use, in id order; prices are guide prices in yuan, as strings ("30.00")."""
    filters = ServiceItemFilters(
        q=params.q or "", category=params.category or "", is_ltci=params.is_ltci, is_active=True
    )
    return paginate(
        service_item_list(actor=request.auth, filters=filters),
        kind="service-items",
        cursor=params.cursor,
        limit=params.limit,
    )
