"""Reads of the registry, always through the caller's scope."""

import datetime as dt
import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Reverse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yiyang.core import crypto, registry
from yiyang.core.console import HistoryEntry, PeekPage, change_history, peek_page, url_for
from yiyang.core.pinyin import looks_like_pinyin
from yiyang.core.registry import Tile
from yiyang.core.scoping import Actor, code_prefix_lookup, require, scoped, scoped_get
from yiyang.core.timeutils import age_on, local_today, years_before
from yiyang.core.validation import PHONE_CHARS, is_ascii_digits, phone_digits
from yiyang.institutions.models import Organisation
from yiyang.regions.models import Region

from . import idnumbers
from .models import Elder, Fact, Guardian


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
    # When given, the community, status, living arrangement and economic situation filters read
    # what held on that day (the dated facts), not today's columns.
    as_of: dt.date | None = None


# A search with at most this many matches in scope is answered from the ids its index finds;
# with more, walking the scope in id order finds a page of them within a few thousand rows.
FEW_MATCHES = 2000


def _search(qs: QuerySet[Elder], q: str) -> QuerySet[Elder]:
    """By ID number (exact, through the keyed hash), by characters, by full pinyin or initials,
    by the first or last digits of the phone."""
    q = q.strip()
    if not q:
        return qs
    compact = idnumbers.normalise(q)
    if len(compact) == 18 and is_ascii_digits(compact[:17]):
        return qs.filter(id_number_hash=crypto.search_hash(compact))
    if looks_like_pinyin(q):
        key = q.replace(" ", "").lower()
        return _matching(qs, [Q(name_pinyin__startswith=key), Q(name_initials__startswith=key)])
    if set(q) <= PHONE_CHARS and (digits := phone_digits(q)):
        return _by_phone(qs, digits)
    # Names are searched from their first character (surname first), which an index serves.
    return _matching(qs, [Q(name__startswith=q)])


def _matching(qs: QuerySet[Elder], alternatives: list[Q]) -> QuerySet[Elder]:
    """The rows of `qs` matching any of `alternatives`, each a prefix range of one index.

    Lists are read in id order (the API's keyset) or region order, a page at a time. Asked
    for `name LIKE '单%' ... ORDER BY id LIMIT 51`, PostgreSQL guesses how many rows match
    and, for a rare surname, guesses high: it then walks the scope in id order for 51 of them
    and reads nearly all of it (单 in a district: ~130 of 115,583 people, 270 ms). So the ids
    are fetched first, from each search index alone, which has the region code and the id in
    it (people migration 0007: an index-only scan, whatever the guess), at most FEW_MATCHES
    + 1 of them. Few: the list is those ids, which the primary key serves in any order, with
    any cursor. Many: the matches are dense enough that the walk in id order finds a page
    quickly, and the plain filter is left to the planner."""
    ids: set[int] = set()
    for alternative in alternatives:
        found = qs.filter(alternative).order_by().values_list("pk", flat=True)
        ids.update(found[: FEW_MATCHES + 1])
        if len(ids) > FEW_MATCHES:
            return qs.filter(reduce(operator.or_, alternatives))
    return qs.filter(pk__in=sorted(ids))


def _by_phone(qs: QuerySet[Elder], digits: str) -> QuerySet[Elder]:
    """A phone number by its first digits (the whole number, or its start: 139 8765) or by its
    last ones (尾号 4321, the way numbers are read out over the phone).

    Both are prefix ranges of a b-tree: the first of `phone_digits`, the second of
    `reverse(phone_digits)` (PostgreSQL expression index, migration 0007), so a search reads
    the matching rows only. Digits from the middle of a number are not searched: `LIKE
    '%8765%'` can use no b-tree and read every row in scope, a district's 115,000 on the
    million-person city (bench/README.md). A trigram index would serve it, but needs the
    pg_trgm extension and narrows little on digits: each of the 1,000 trigrams is in about one
    number in a hundred, so a short query still reads thousands of rows."""
    return _matching(
        qs.alias(phone_reversed=Reverse("phone_digits")),
        [Q(phone_digits__startswith=digits), Q(phone_reversed__startswith=digits[::-1])],
    )


def elder_list(*, actor: Actor, filters: ElderFilters | None = None) -> QuerySet[Elder]:
    require(actor, "elders.view")
    f = filters or ElderFilters()
    qs = scoped(Elder.objects.select_related("region"), actor)
    if f.as_of is not None:
        if f.region_code:
            qs = qs.filter(fact_holds(Fact.Kind.RESIDENCE, on=f.as_of, value_prefix=f.region_code))
        for name in ("status", "living_arrangement", "economic_status"):
            if getattr(f, name):
                qs = qs.filter(fact_holds(name, [getattr(f, name)], on=f.as_of))
        if f.sex:
            qs = qs.filter(sex=f.sex)
    else:
        if f.region_code:
            qs = qs.filter(**code_prefix_lookup("region_code", f.region_code))
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


def elder_get(*, actor: Actor, elder_id: int) -> Elder:
    require(actor, "elders.view")
    return scoped_get(Elder.objects.select_related("region", "institution"), actor, pk=elder_id)


def guardian_list(*, actor: Actor, elder_id: int) -> QuerySet[Guardian]:
    elder = elder_get(actor=actor, elder_id=elder_id)
    return elder.guardians.select_related("account").all()


# --- console pages ---------------------------------------------------------------------------


def elder_page(
    *, actor: Actor, filters: ElderFilters | None = None, page: int = 1, per_page: int = 50
) -> PeekPage:
    """One page of the scoped list in two queries at most, without counting the whole table;
    each row carries its `age` today."""
    rows = elder_list(actor=actor, filters=filters).defer("id_number_cipher", "id_number_hash")
    result = peek_page(rows, page=page, per_page=per_page)
    today = local_today()
    for elder in result.object_list:
        elder.age = age_on(elder.birth_date, today)
    return result


@dataclass
class ElderDetail:
    elder: Elder
    age: int
    guardians: list[Guardian]
    history: list[HistoryEntry]
    can_edit: bool
    can_reveal: bool
    can_read_health: bool
    # What other apps show on the page (registry.declare_panel("people.elder", ...)).
    panels: list = field(default_factory=list)


def elder_detail(*, actor: Actor, elder_id: int) -> ElderDetail:
    """Everything the record page shows except the sensitive parts, which are separate reads."""
    elder = elder_get(actor=actor, elder_id=elder_id)
    return ElderDetail(
        elder=elder,
        age=age_on(elder.birth_date, local_today()),
        guardians=list(elder.guardians.select_related("account").all()),
        history=change_history(elder),
        can_edit=actor.has_capability("elders.edit"),
        can_reveal=actor.has_capability("elders.reveal_id"),
        can_read_health=actor.has_capability("elders.health"),
        panels=registry.panels_for("people.elder", actor, elder),
    )


def elder_get_for_edit(*, actor: Actor, elder_id: int) -> Elder:
    """The record behind an edit form: the right to edit first, then the scope."""
    require(actor, "elders.edit")
    return elder_get(actor=actor, elder_id=elder_id)


# --- landing cards ---------------------------------------------------------------------------


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def registry_figures(actor: Actor) -> dict:
    """An officer's landing: active people on record and how they live, in one query."""
    active = Elder.Status.ACTIVE
    arrangements = list(Elder.Living)
    counts = scoped(Elder.objects.filter(status=active), actor).aggregate(
        total=Count("id"),
        **{a.value: Count("id", filter=Q(living_arrangement=a.value)) for a in arrangements},
    )
    total = counts["total"]
    return {
        # the card counts active records, so its link lists exactly those
        "tiles": [
            Tile(
                "elders", _("Older people on record"), total, url_for("people:list", status=active)
            )
        ],
        "living": [
            {
                "key": a.value,
                "label": a.label,
                "value": counts[a.value],
                "share": _share(counts[a.value], total),
                "url": url_for("people:list", status=active, living_arrangement=a.value),
            }
            for a in arrangements
        ],
    }


def care_tiles(actor: Actor) -> list[Tile]:
    """Provider staff's landing: the people in their organisation's care and its beds."""
    organisation = (
        Organisation.objects.filter(pk=actor.organisation_id).only("beds").first()
        if actor.organisation_id
        else None
    )
    if organisation is None:
        return []
    residents = scoped(Elder.objects.filter(status=Elder.Status.ACTIVE), actor).count()
    tiles = [
        Tile("residents", _("People in our care"), residents, url_for("people:list")),
        Tile("beds", _("Beds"), organisation.beds or 0),
    ]
    if organisation.beds:
        tiles.append(
            Tile("occupancy", _("Beds occupied (%)"), _share(residents, organisation.beds))
        )
    return tiles


def my_people(actor: Actor) -> dict:
    """An older person's own record and their wards', in large print."""
    today = local_today()
    people = [
        {
            "name": elder.name,
            "age": age_on(elder.birth_date, today),
            "sex": elder.get_sex_display(),
            "status": elder.get_status_display(),
            "status_code": elder.status,
            "community": elder.region.name,
            "is_self": elder.pk == getattr(actor, "elder_id", None),
            "url": reverse("people:detail", args=[elder.pk]),
        }
        for elder in scoped(Elder.objects.select_related("region"), actor).order_by("id")
    ]
    # Shown even when empty: the page then says how to get the record linked.
    return {"elders": people}


# --- dated facts (docs/decisions/0011-facts-about-people-are-dated.md) ---------------------------


def facts_in_force(*, on: dt.date | None = None, start=None, end=None, throughout=False) -> Q:
    """Facts not superseded that held on a day, or on some day from `start` to `end`
    (inclusive), or, with `throughout`, on every day of it."""
    live = Q(superseded_at__isnull=True)
    if on is not None:
        start = end = on
    if start is None or end is None or end < start:
        raise ValueError("a day, or a first and last day in order")
    if throughout:
        return live & Q(valid_from__lte=start) & (Q(valid_to__isnull=True) | Q(valid_to__gt=end))
    return live & Q(valid_from__lte=end) & (Q(valid_to__isnull=True) | Q(valid_to__gt=start))


def fact_holds(
    kind: str,
    values: list[str] | None = None,
    *,
    on: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    throughout: bool = False,
    value_prefix: str = "",
) -> Exists:
    """A filter for Elder querysets: the person's fact of `kind` had one of `values` (or a value
    starting with `value_prefix`: a residence inside a region) on the day or in the period, as
    facts_in_force reads them. "Was 低保 in March 2026":
    `Elder.objects.filter(fact_holds("economic_status", ["dibao"], **month(2026, 3)))`."""
    facts = Fact.objects.filter(
        facts_in_force(on=on, start=start, end=end, throughout=throughout),
        elder_id=OuterRef("pk"),
        kind=kind,
    )
    if values is not None:
        facts = facts.filter(value__in=values)
    if value_prefix:
        facts = facts.filter(**code_prefix_lookup("value", value_prefix))
    return Exists(facts)


def month(year: int, month_: int) -> dict:
    """The first and last day of a calendar month, as fact_holds takes them."""
    first = dt.date(year, month_, 1)
    after = dt.date(year + month_ // 12, month_ % 12 + 1, 1)
    return {"start": first, "end": after - dt.timedelta(days=1)}


def facts_on(*, actor: Actor, elder_id: int, on: dt.date) -> dict[str, str]:
    """What held of a person on a day, kind -> value (a kind with no fact then is absent)."""
    elder = elder_get(actor=actor, elder_id=elder_id)
    return dict(
        Fact.objects.filter(facts_in_force(on=on), elder=elder).values_list("kind", "value")
    )


@dataclass
class FactRow:
    kind: str
    kind_label: str
    value: str
    value_label: str
    valid_from: dt.date
    valid_to: dt.date | None
    source_label: str
    reference: str
    recorded_at: dt.datetime
    recorded_by: str
    superseded_at: dt.datetime | None

    @property
    def last_day(self) -> dt.date | None:
        """The last day it held (valid_to is the first day it no longer did)."""
        return self.valid_to - dt.timedelta(days=1) if self.valid_to else None


def _value_label(kind: str, value: str, regions: dict[str, str]) -> str:
    choices: dict[str, type[models.TextChoices]] = {
        Fact.Kind.ECONOMIC: Elder.Economic,
        Fact.Kind.INSURANCE: Elder.Insurance,
        Fact.Kind.LIVING: Elder.Living,
        Fact.Kind.STATUS: Elder.Status,
    }
    if kind in choices:
        labels = dict(choices[kind].choices)
        return str(labels.get(value, value))
    if kind == Fact.Kind.RESIDENCE:
        return regions.get(value, value)
    return value


def fact_rows(*, actor: Actor, elder_id: int, on: dt.date | None = None) -> QuerySet[Fact]:
    """A person's facts, superseded ones included, or those that held on a day."""
    elder = elder_get(actor=actor, elder_id=elder_id)
    facts = Fact.objects.filter(elder=elder)
    if on is not None:
        facts = facts.filter(facts_in_force(on=on))
    return facts.order_by("kind", "valid_from", "id")


def fact_history(*, actor: Actor, elder_id: int) -> list[FactRow]:
    """A person's facts, kind by kind, newest first, with the ones a later statement
    superseded; for the record page."""
    facts = list(
        fact_rows(actor=actor, elder_id=elder_id)
        .select_related("recorded_by")
        .order_by("kind", "-valid_from", "-id")
    )
    codes = {f.value for f in facts if f.kind == Fact.Kind.RESIDENCE}
    regions = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    order = {k: i for i, k in enumerate(Fact.Kind.values)}
    facts.sort(key=lambda f: order.get(f.kind, len(order)))
    kinds = dict(Fact.Kind.choices)
    sources = dict(Fact.Source.choices)
    return [
        FactRow(
            kind=f.kind,
            kind_label=str(kinds.get(f.kind, f.kind)),
            value=f.value,
            value_label=_value_label(f.kind, f.value, regions),
            valid_from=f.valid_from,
            valid_to=f.valid_to,
            source_label=str(sources.get(f.source, f.source)),
            reference=f.reference,
            recorded_at=f.recorded_at,
            recorded_by=str(f.recorded_by) if f.recorded_by else "",
            superseded_at=f.superseded_at,
        )
        for f in facts
    ]


def facts_panel(actor: Actor, elder: Elder) -> dict | None:
    """The record page's table of what held when (people.declarations declares it)."""
    rows = fact_history(actor=actor, elder_id=elder.pk)
    if not rows:
        return None
    return {"facts": rows}
