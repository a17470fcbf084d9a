"""The one place that decides which rows an actor may see.

Every selector that reads people, organisations or their records passes its queryset through
`scoped(qs, actor)`. Each account is scoped in one *kind* (its role's, accounts.roles):

* `region`: staff bound to a region see rows whose denormalised region code starts with
  theirs (the statistical codes are hierarchical: 53 > 5301 > 530103 > 530103001 >
  530103001001);
* `organisation`: provider staff see rows of their own organisation;
* `self`: an older person or a guardian sees their own and their wards' rows;
* relationship kinds (`assessor`, `caregiver`, ...): a person sees what they have a relation to
  (the cases they were drawn for, the people on their visits), declared by the app that owns
  the relation.

A model's rule is stated per kind, in the `declarations` module of any app, as a function of
the actor returning a `Q` (to-many relations as a subquery, `pk__in=...`, so that rows are not
repeated). Several apps may give rules for one model and kind (a care home sees its residents,
the marketplace adds the people it has orders for): a row is visible when any rule admits it.
A kind without a rule for a model sees none of its rows; a model without any rule is an error.

An actor is a `User` or an API key: anything with `is_authenticated`, `scope_kind`,
`region_code`, `organisation_id`, `visible_elder_ids()` and `has_capability()`.

The cost: a region rule is one indexed range scan of the region code (see code_prefix_lookup);
a relationship rule is one semi-join on its relation's index.
"""

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet

from .exceptions import NotFound, PermissionDenied
from .validation import is_ascii_digits

REGION = "region"
ORGANISATION = "organisation"
SELF = "self"
ASSESSOR = "assessor"
CAREGIVER = "caregiver"
KINDS = (REGION, ORGANISATION, SELF, ASSESSOR, CAREGIVER)

M = TypeVar("M", bound=Model)


class Actor(Protocol):
    """Who is asking: a signed-in account or a third party's API key."""

    pk: Any
    is_active: bool
    region_code: str

    # Read-only here: a User's is_authenticated is a property, an API key's organisation_id
    # is always None, and scoping never sets either.
    @property
    def is_authenticated(self) -> bool: ...

    @property
    def organisation_id(self) -> int | None: ...

    @property
    def scope_kind(self) -> str | None: ...

    def has_capability(self, capability: str) -> bool: ...

    def visible_elder_ids(self) -> set[int]: ...


Rule = Callable[[Actor], Q | None]

_rules: dict[tuple[str, str], list[Rule]] = {}
_via: dict[str, str] = {}


def code_prefix_lookup(field: str, prefix: str) -> dict:
    """`field LIKE 'prefix%'`, spelt as a range that a plain b-tree index serves.

    Division codes are digits of fixed width per level, so the codes under '530129' are
    exactly those with '530129' <= code < '530130'. PostgreSQL turns a LIKE prefix into an
    index range only under the C collation; and given both forms it multiplies their
    selectivities and picks a worse plan. The range alone took a county's list from 32 ms to
    7 ms on a million people (bench/README.md).
    """
    if not is_ascii_digits(prefix):
        return {f"{field}__startswith": prefix}
    upper = str(int(prefix) + 1).zfill(len(prefix))
    if len(upper) != len(prefix):  # '99...9' has no same-width successor
        return {f"{field}__gte": prefix}
    return {f"{field}__gte": prefix, f"{field}__lt": upper}


# --- declaring rules ------------------------------------------------------------------------


def _label(model: type[Model] | str) -> str:
    return model if isinstance(model, str) else model._meta.label_lower


def rule(model: type[Model] | str, kind: str) -> Callable[[Rule], Rule]:
    """Decorator: `@rule(Elder, ASSESSOR)` on a function of the actor returning a Q."""
    if kind not in KINDS:
        raise ImproperlyConfigured(f"unknown scope kind {kind!r}")

    def register(fn: Rule) -> Rule:
        _rules.setdefault((_label(model), kind), []).append(fn)
        return fn

    return register


def region_rule(path: str) -> Rule:
    def by_region(actor: Actor) -> Q | None:
        code = getattr(actor, "region_code", "") or ""
        return Q(**code_prefix_lookup(path, code)) if code else None

    return by_region


def organisation_rule(path: str) -> Rule:
    def by_organisation(actor: Actor) -> Q | None:
        org = getattr(actor, "organisation_id", None)
        return Q(**{path: org}) if org else None

    return by_organisation


def elder_rule(path: str) -> Rule:
    def by_elder(actor: Actor) -> Q | None:
        ids = actor.visible_elder_ids()
        return Q(**{f"{path}__in": sorted(ids)}) if ids else None

    return by_elder


def declare(
    model: type[Model] | str,
    *,
    region: str | None = None,
    organisation: str | None = None,
    elder: str | None = None,
    caregiver_organisation: str | None = None,
    via: str | None = None,
) -> None:
    """The field-path rules of one model: `region` is the path of its region code (region-bound
    staff), `organisation` of its organisation (provider staff, and caregivers when
    `caregiver_organisation` says so), `elder` of the older person it belongs to (an older
    person and their guardians). `via="elder"` instead scopes a model exactly as the model its
    foreign key points to, in every kind, including rules other apps add to that model."""
    label = _label(model)
    if via is not None:
        if any((region, organisation, elder, caregiver_organisation)):
            raise ImproperlyConfigured(f"{label}: `via` stands alone")
        _via[label] = via
        return
    if region:
        rule(label, REGION)(region_rule(region))
    if organisation:
        rule(label, ORGANISATION)(organisation_rule(organisation))
    if caregiver_organisation:
        rule(label, CAREGIVER)(organisation_rule(caregiver_organisation))
    if elder:
        rule(label, SELF)(elder_rule(elder))


def _prefixed(q: Q, prefix: str) -> Q:
    """The same condition seen from a model whose `prefix` relation leads to the original."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    out.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}__{child[0]}", child[1])
        for child in q.children
    ]
    return out


def _parent(model: type[Model], path: str) -> type[Model]:
    related = model._meta.get_field(path).related_model
    if related is None:
        raise ImproperlyConfigured(f"{model._meta.label}.{path} is not a relation")
    return related


def is_scoped(model: type[Model]) -> bool:
    label = model._meta.label_lower
    if label in _via:
        return is_scoped(_parent(model, _via[label]))
    return any(key[0] == label for key in _rules)


def condition(model: type[Model], actor: Actor) -> Q | None:
    """The condition a row of `model` must meet for this actor, or None for no rows."""
    label = model._meta.label_lower
    if label in _via:
        path = _via[label]
        inner = condition(_parent(model, path), actor)
        return _prefixed(inner, path) if inner is not None else None
    kind = getattr(actor, "scope_kind", None)
    result = None
    for fn in _rules.get((label, kind), ()):
        part = fn(actor)
        if part is not None:
            result = part if result is None else result | part
    return result


# --- reading --------------------------------------------------------------------------------


def scoped(qs: QuerySet[M], actor) -> QuerySet[M]:
    if not is_scoped(qs.model):
        raise ImproperlyConfigured(f"{qs.model.__name__} declares no scope rule")
    if actor is None or not getattr(actor, "is_authenticated", False):
        return qs.none()
    if not getattr(actor, "is_active", True):
        return qs.none()
    q = condition(qs.model, actor)
    return qs.none() if q is None else qs.filter(q)


def scoped_get(qs: QuerySet[M], actor, **lookup) -> M:
    """One row inside the actor's scope, or NotFound: outsiders cannot tell 'hidden' from 'absent'."""
    try:
        return scoped(qs, actor).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def region_in_scope(actor, region_code: str) -> bool:
    """May this actor place a record in the region with this code? Only region-bound staff
    file records, and only inside their region."""
    return (
        getattr(actor, "scope_kind", None) == REGION
        and bool(actor.region_code)
        and region_code.startswith(actor.region_code)
    )


def filing_root(actor) -> str:
    """The region code under which an actor files records, '' for actors who file none."""
    if getattr(actor, "scope_kind", None) != REGION:
        return ""
    return getattr(actor, "region_code", "") or ""


def require(actor, capability: str) -> None:
    from . import registry

    registry.capability_get(capability)  # a capability nobody declared is a bug, not a refusal
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    if not actor.has_capability(capability):
        raise PermissionDenied()


def declared_models() -> Iterable[str]:
    """Labels of the models that have rules (for tests that walk them)."""
    return sorted({key[0] for key in _rules} | set(_via))
