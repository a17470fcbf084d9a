from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yiyang.core.console import HistoryEntry, PeekPage, change_history, peek_page, url_for
from yiyang.core.pinyin import looks_like_pinyin
from yiyang.core.registry import Tile
from yiyang.core.scoping import Actor, code_prefix_lookup, require, scoped, scoped_get

from .models import Organisation


@dataclass
class OrganisationFilters:
    q: str = ""
    kind: str = ""
    ownership: str = ""
    region_code: str = ""
    is_active: bool | None = None


def organisation_list(
    *, actor: Actor, filters: OrganisationFilters | None = None
) -> QuerySet[Organisation]:
    require(actor, "orgs.view")
    f = filters or OrganisationFilters()
    qs = scoped(Organisation.objects.select_related("region"), actor)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.ownership:
        qs = qs.filter(ownership=f.ownership)
    if f.region_code:
        qs = qs.filter(**code_prefix_lookup("region_code", f.region_code))
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


def organisation_get(*, actor: Actor, organisation_id: int) -> Organisation:
    require(actor, "orgs.view")
    return scoped_get(Organisation.objects.select_related("region"), actor, pk=organisation_id)


# --- console pages ---------------------------------------------------------------------------

# Organisations a person can live in or attend by day (the living-arrangement chooser).
RESIDENTIAL_KINDS = (
    Organisation.Kind.CARE_HOME,
    Organisation.Kind.COMMUNITY_CENTRE,
    Organisation.Kind.COMMUNITY_STATION,
    Organisation.Kind.MEDICAL,
)


def organisation_page(
    *, actor: Actor, filters: OrganisationFilters | None = None, page: int = 1, per_page: int = 50
) -> PeekPage:
    return peek_page(organisation_list(actor=actor, filters=filters), page=page, per_page=per_page)


@dataclass
class OrganisationDetail:
    organisation: Organisation
    residents: int
    history: list[HistoryEntry]
    can_edit: bool


def organisation_detail(*, actor: Actor, organisation_id: int) -> OrganisationDetail:
    org = organisation_get(actor=actor, organisation_id=organisation_id)
    return OrganisationDetail(
        organisation=org,
        # Elder.institution's reverse accessor; "active" is Elder.Status.ACTIVE (people sits
        # above institutions and is not imported here).
        residents=org.residents.filter(status="active").count(),
        history=change_history(org),
        can_edit=actor.has_capability("orgs.edit"),
    )


def organisation_choices(actor: Actor, *, kinds=RESIDENTIAL_KINDS) -> list[tuple[str, str]]:
    """Organisations in the actor's scope that a registry form may point at."""
    if not actor.has_capability("orgs.view"):
        return []
    qs = scoped(Organisation.objects.filter(kind__in=kinds, is_active=True), actor)
    return [
        (str(pk), name) for pk, name in qs.order_by("region_code", "name").values_list("pk", "name")
    ]


def organisation_get_for_edit(*, actor: Actor, organisation_id: int) -> Organisation:
    """The record behind an edit form: the right to edit first, then the scope."""
    require(actor, "orgs.edit")
    return organisation_get(actor=actor, organisation_id=organisation_id)


# --- landing cards ---------------------------------------------------------------------------


def organisation_tiles(actor: Actor) -> list[Tile]:
    """An officer's figures of the organisations in operation in their region: one query."""
    orgs = scoped(Organisation.objects.filter(is_active=True), actor).aggregate(
        n=Count("id"),
        beds=Sum("beds"),
        homes=Count("id", filter=Q(kind=Organisation.Kind.CARE_HOME)),
    )
    url = reverse("institutions:list")
    homes = url_for("institutions:list", kind=Organisation.Kind.CARE_HOME)
    return [
        Tile("organisations", _("Organisations in operation"), orgs["n"], url),
        Tile("care_homes", _("Elderly-care institutions"), orgs["homes"], homes),
        Tile("beds", _("Beds"), orgs["beds"] or 0, url),
    ]


def own_organisation(actor: Actor) -> dict | None:
    """Provider staff's own organisation, for the head of their landing page."""
    if not actor.organisation_id:
        return None
    organisation = (
        scoped(Organisation.objects.select_related("region"), actor)
        .filter(pk=actor.organisation_id)
        .first()
    )
    if organisation is None:
        return None
    return {
        "organisation": organisation,
        "url": reverse("institutions:detail", args=[organisation.pk]),
    }
