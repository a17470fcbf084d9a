"""Reading the division tree. Regions are public reference data; scoping narrows the choices."""

from django.db.models import QuerySet

from yiyang.core.exceptions import NotFound

from .models import Region


def region_get(*, code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist as exc:
        raise NotFound() from exc


def region_children(*, code: str | None) -> QuerySet[Region]:
    if code is None:
        return Region.objects.filter(parent__isnull=True)
    return Region.objects.filter(parent__code=code)


def region_subtree(*, code: str, level: int | None = None) -> QuerySet[Region]:
    qs = Region.objects.filter(code__startswith=code)
    if level is not None:
        qs = qs.filter(level=level)
    return qs


def regions_for_actor(actor, *, level: int | None = None) -> QuerySet[Region]:
    """The nodes an actor may file records under: their own region and everything beneath."""
    code = getattr(actor, "region_code", "") or ""
    if not code:
        return Region.objects.none()
    return region_subtree(code=code, level=level)


def region_path(region: Region) -> list[Region]:
    """Ancestors from the province down to this node, in one query."""
    prefixes = [region.code[:n] for n in (2, 4, 6, 9, 12) if n <= len(region.code)]
    return list(Region.objects.filter(code__in=prefixes).order_by("level"))
