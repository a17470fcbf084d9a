from dataclasses import dataclass

from django.db.models import Q, QuerySet

from yiyang.core.pinyin import looks_like_pinyin
from yiyang.core.scoping import require, scoped, scoped_get

from .models import Organisation


@dataclass
class OrganisationFilters:
    q: str = ""
    kind: str = ""
    ownership: str = ""
    region_code: str = ""
    is_active: bool | None = None


def organisation_list(
    *, actor, filters: OrganisationFilters | None = None
) -> QuerySet[Organisation]:
    require(actor, "orgs.view")
    f = filters or OrganisationFilters()
    qs = scoped(Organisation.objects.select_related("region"), actor)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.ownership:
        qs = qs.filter(ownership=f.ownership)
    if f.region_code:
        qs = qs.filter(region_code__startswith=f.region_code)
    if f.is_active is not None:
        qs = qs.filter(is_active=f.is_active)
    q = f.q.strip()
    if q:
        if looks_like_pinyin(q):
            key = q.replace(" ", "").lower()
            qs = qs.filter(Q(name_pinyin__contains=key) | Q(name_initials__startswith=key))
        else:
            qs = qs.filter(Q(name__contains=q) | Q(credit_code=q.upper()))
    return qs.order_by("region_code", "name")


def organisation_get(*, actor, organisation_id: int) -> Organisation:
    require(actor, "orgs.view")
    return scoped_get(Organisation.objects.select_related("region"), actor, pk=organisation_id)
