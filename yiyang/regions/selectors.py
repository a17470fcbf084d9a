"""Reading the division tree. Regions are public reference data; scoping narrows the choices."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from yiyang.core.divisions import BadDivisionCode, level_of, lineage
from yiyang.core.exceptions import NotFound, PermissionDenied
from yiyang.core.scoping import Actor, filing_root, scoped, scoped_get

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


def regions_for_actor(actor: Actor, *, level: int | None = None) -> QuerySet[Region]:
    """The nodes inside an actor's scope: their own region and everything beneath."""
    qs = scoped(Region.objects.all(), actor)
    return qs if level is None else qs.filter(level=level)


def region_in_scope_get(*, actor: Actor, code: str) -> Region:
    """One node inside the actor's scope, or NotFound (outside it, or no such code)."""
    return scoped_get(Region.objects.all(), actor, code=(code or "").strip())


def region_path(region: Region) -> list[Region]:
    """Ancestors from the province down to this node, in one query."""
    return list(Region.objects.filter(code__in=lineage(region.code)).order_by("level"))


# --- choices and browsing for the console -------------------------------------------------


def community_choices(actor: Actor) -> list[tuple[str, list[tuple[str, str]]]]:
    """Communities an actor may file a person under, grouped by street: one query.
    A district holds about a hundred communities, a city about fifteen hundred."""
    root = filing_root(actor)
    if not root:
        return []
    qs = (
        region_subtree(code=root, level=Region.Level.COMMUNITY)
        .filter(is_active=True)
        .select_related("parent__parent")
        .order_by("code")
    )
    above_district = len(root) < 6
    groups: dict[str, list[tuple[str, str]]] = {}
    for community in qs:
        street = community.parent
        label = street.name if street else ""
        if above_district and street is not None and street.parent is not None:
            label = f"{street.parent.name} · {street.name}"
        groups.setdefault(label, []).append((community.code, community.name))
    return list(groups.items())


def region_filter_choices(actor: Actor) -> list[tuple[str, str]]:
    """The two levels below an actor's region, indented, for narrowing a list: a district
    officer picks streets and communities, a city officer districts and streets."""
    root = filing_root(actor)
    if not root:
        return []
    top = level_of_code(root)
    levels = [lvl for lvl in (top + 1, top + 2) if lvl <= Region.Level.COMMUNITY]
    if not levels:
        return []
    qs = region_subtree(code=root).filter(level__in=levels).order_by("code")
    return [
        (r.code, ("\u3000" if r.level == levels[-1] and len(levels) > 1 else "") + r.name)
        for r in qs.only("code", "name", "level")
    ]


def region_choices(
    actor: Actor, *, min_level: int = Region.Level.DISTRICT
) -> list[tuple[str, str]]:
    """Every node from `min_level` down inside the actor's region, indented by depth."""
    root = filing_root(actor)
    if not root:
        return []
    qs = region_subtree(code=root).filter(level__gte=min_level, is_active=True).order_by("code")
    base = max(level_of_code(root), min_level)
    return [
        (r.code, "\u3000" * max(r.level - base, 0) + r.name)
        for r in qs.only("code", "name", "level")
    ]


def level_of_code(code: str) -> int:
    try:
        return level_of(code)
    except BadDivisionCode:
        return Region.Level.COMMUNITY


def region_may_browse(actor: Actor) -> bool:
    """System administrators manage the tree; any region-bound staff member may read it."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return bool(filing_root(actor)) or actor.has_capability("regions.manage")


@dataclass
class RegionBrowse:
    node: Region
    path: list[tuple[Region, bool]]  # ancestors with "may open" flags, province first
    children: list[Region]  # each with `n_children`


def region_browse(*, actor: Actor, code: str | None = None) -> RegionBrowse:
    """One node of the tree and its children, never above the actor's own region."""
    if not region_may_browse(actor):
        raise PermissionDenied()
    root = getattr(actor, "region_code", "") or ""
    node = region_in_scope_get(actor=actor, code=code or root)
    path = [(r, len(r.code) >= len(root)) for r in region_path(node)]
    children: list[Region] = list(
        Region.objects.filter(parent=node).annotate(n_children=Count("children")).order_by("code")
    )
    return RegionBrowse(node=node, path=path, children=children)
