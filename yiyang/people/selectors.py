"""Reads of the registry, always through the caller's scope."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from yiyang.core import crypto
from yiyang.core.pinyin import looks_like_pinyin
from yiyang.core.scoping import require, scoped, scoped_get
from yiyang.core.timeutils import local_today, years_before

from . import idnumbers
from .models import Elder, Guardian


@dataclass
class ElderFilters:
    q: str = ""
    region_code: str = ""
    status: str = ""
    living_arrangement: str = ""
    economic_status: str = ""
    sex: str = ""
    age_min: int | None = None
    age_max: int | None = None
    lives_alone: bool | None = None


def _search(qs: QuerySet[Elder], q: str) -> QuerySet[Elder]:
    """By ID number (exact, through the keyed hash), by characters, by full pinyin or initials."""
    q = q.strip()
    if not q:
        return qs
    compact = idnumbers.normalise(q)
    if len(compact) == 18 and compact[:17].isdigit():
        return qs.filter(id_number_hash=crypto.search_hash(compact))
    if looks_like_pinyin(q):
        key = q.replace(" ", "").lower()
        return qs.filter(Q(name_pinyin__startswith=key) | Q(name_initials__startswith=key))
    if q.isdigit():
        return qs.filter(phone__contains=q)
    return qs.filter(name__contains=q)


def elder_list(*, actor, filters: ElderFilters | None = None) -> QuerySet[Elder]:
    require(actor, "elders.view")
    f = filters or ElderFilters()
    qs = scoped(Elder.objects.select_related("region"), actor)
    if f.region_code:
        qs = qs.filter(region_code__startswith=f.region_code)
    for name in ("status", "living_arrangement", "economic_status", "sex"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.lives_alone is not None:
        qs = qs.filter(lives_alone=f.lives_alone)
    if f.age_min is not None or f.age_max is not None:
        today = local_today()
        if f.age_min is not None:
            qs = qs.filter(birth_date__lte=years_before(today, f.age_min))
        if f.age_max is not None:
            qs = qs.filter(birth_date__gt=years_before(today, f.age_max + 1))
    return _search(qs, f.q).order_by("region_code", "id")


def elder_get(*, actor, elder_id: int) -> Elder:
    require(actor, "elders.view")
    return scoped_get(Elder.objects.select_related("region", "institution"), actor, pk=elder_id)


def guardian_list(*, actor, elder_id: int) -> QuerySet[Guardian]:
    elder = elder_get(actor=actor, elder_id=elder_id)
    return elder.guardians.select_related("account").all()
