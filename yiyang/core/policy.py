"""Dated policy: the numbers a city sets (deadlines, lockouts, premiums, ratios, caps) as rows with
effective dates, one rule for all of them.

A policy model subclasses `DatedPolicy` and its app declares it as a kind
(`declare_kind("assessment", AssessmentPolicy, keys=("instrument",))`). Every kind follows
the same rules:

* **In force.** A row is in force from `effective_from` to `effective_to` (open-ended when
  empty), unless a later filing superseded it.
* **Region fallback.** The row that applies to a place is the one of the nearest region above
  it: community, street, district, city, province, then the national row (region code '').
* **Filing never rewrites the past.** A new row starts today or later. The row in force on that
  day for the same keys and region ends the day before; a row already filed for a later day
  bounds the new one; a row filed earlier for the *same* day is superseded by the new filing
  (the later filing wins; both stay on record, the first marked as superseded).

`policy_in_force(kind, region_code=..., on=..., **keys)` reads; `policy_file(...)` files.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .divisions import is_code, lineage
from .exceptions import ValidationFailed
from .scoping import region_in_scope
from .timeutils import local_today
from .validation import date_range_message, is_date_in_range

audit.register_notes(
    {
        "policy filed": gettext_lazy("Policy filed"),
        "policy superseded": gettext_lazy("Superseded by a later filing for the same day"),
    }
)


class DatedPolicy(models.Model):
    region_code = models.CharField(
        gettext_lazy("region code"),
        max_length=12,
        blank=True,
        help_text=gettext_lazy("Empty: the whole country."),
    )
    effective_from = models.DateField(gettext_lazy("effective from"))
    effective_to = models.DateField(gettext_lazy("effective to"), null=True, blank=True)
    source = models.CharField(gettext_lazy("source"), max_length=300, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("superseded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def is_superseded(self) -> bool:
        return self.superseded_by_id is not None


P = TypeVar("P", bound=DatedPolicy)


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[DatedPolicy]
    keys: tuple[str, ...] = ()
    # A regional kind may be filed for a region (inside the officer's own); a national one
    # only for the whole country.
    regional: bool = True


_kinds: dict[str, Kind] = {}


def declare_kind(
    name: str, model: type[DatedPolicy], *, keys: Iterable[str] = (), regional: bool = True
) -> Kind:
    if not issubclass(model, DatedPolicy):
        raise ImproperlyConfigured(f"{model.__name__} is not a DatedPolicy")
    if name in _kinds and _kinds[name].model is not model:
        raise ImproperlyConfigured(f"policy kind {name} is declared twice")
    kind = Kind(name=name, model=model, keys=tuple(keys), regional=regional)
    _kinds[name] = kind
    return kind


def kind_get(kind: str | type[DatedPolicy]) -> Kind:
    if isinstance(kind, str):
        try:
            return _kinds[kind]
        except KeyError:
            raise ImproperlyConfigured(f"no app declares the policy kind {kind!r}") from None
    found = next((k for k in _kinds.values() if k.model is kind), None)
    if found is None:
        raise ImproperlyConfigured(f"{kind.__name__} is not a declared policy kind")
    return found


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: k.name)


def _keyed(kind: Kind, keys: dict[str, Any]) -> dict[str, Any]:
    unknown = set(keys) - set(kind.keys)
    if unknown:
        raise ImproperlyConfigured(f"policy kind {kind.name} has no keys {sorted(unknown)}")
    return keys


def in_force_q(on: dt.date, prefix: str = "") -> Q:
    """Rows in force on `on`: started, not ended, not superseded."""
    return Q(**{f"{prefix}effective_from__lte": on, f"{prefix}superseded_by__isnull": True}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": on})
    )


def policies_in_force(kind: str | type[P], *, on: dt.date, **keys) -> list[P]:
    """Every row of a kind in force on `on` (for choosing among them many times, one query)."""
    k = kind_get(kind)
    return list(k.model.objects.filter(in_force_q(on), **_keyed(k, keys)))


def policy_choose(rows: Iterable[P], *, region_code: str, **keys) -> P | None:
    """Of rows in force, the one of the nearest region above `region_code` with these keys."""
    order = {code: rank for rank, code in enumerate(lineage(region_code or ""))}
    fitting = [
        r
        for r in rows
        if r.region_code in order and all(getattr(r, name) == value for name, value in keys.items())
    ]
    return min(
        fitting, key=lambda r: (order[r.region_code], -r.effective_from.toordinal()), default=None
    )


def policy_in_force(
    kind: str | type[P], *, region_code: str = "", on: dt.date | None = None, **keys
) -> P | None:
    """The row that applies on `on` (default today) to a place, or None when no row does."""
    k = kind_get(kind)
    on = on or local_today()
    rows = k.model.objects.filter(
        in_force_q(on), region_code__in=lineage(region_code or ""), **_keyed(k, keys)
    )
    return policy_choose(rows, region_code=region_code, **keys)


def _account(actor):
    return actor if getattr(getattr(actor, "_meta", None), "label", "") == "accounts.User" else None


def _check_region(kind: Kind, actor, region_code: str, errors: dict) -> str:
    code = (region_code or "").strip()
    if not kind.regional:
        if code:
            errors["region_code"] = _("This policy holds for the whole country.")
        return ""
    own = getattr(actor, "region_code", "") or ""
    if code and not is_code(code):
        errors["region_code"] = _("Enter a division code of 2, 4, 6, 9 or 12 digits.")
    elif not (code == own or (code and region_in_scope(actor, code))):
        errors["region_code"] = _("Enter a region code inside your own region (%(code)s).") % {
            "code": own or "—"
        }
    return code


@transaction.atomic
def policy_file(
    kind: str | type[P],
    *,
    actor,
    values: dict[str, Any],
    effective_from: dt.date | None,
    region_code: str = "",
    source: str = "",
    keys: dict[str, Any] | None = None,
    errors: dict | None = None,
    note: str = "policy filed",
) -> P:
    """File a new row of a kind: `values` are its own numbers (already checked by the app's
    service, whose field errors come in `errors` so that every mistake is named at once);
    `keys` say which policy of the kind it is (the instrument). The caller checked the right."""
    k = kind_get(kind)
    keys = _keyed(k, dict(keys or {}))
    errors = dict(errors or {})
    code = _check_region(k, actor, region_code, errors)
    if not isinstance(effective_from, dt.date):
        errors["effective_from"] = _("Enter the day the policy takes effect.")
    elif not is_date_in_range(effective_from):
        errors["effective_from"] = date_range_message()
    elif effective_from < local_today():
        errors["effective_from"] = _("A policy cannot start in the past; history is not rewritten.")
    if errors:
        raise ValidationFailed(fields=errors)
    model = k.model
    # Lock the rows this filing may close so that two officers filing at once serialise.
    same = list(
        model.objects.select_for_update()
        .filter(region_code=code, superseded_by__isnull=True, **keys)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from))
        .order_by("effective_from", "id")
    )
    later = [r.effective_from for r in same if r.effective_from > effective_from]
    # A national row is filed by someone of a region: their region's audit trail shows it.
    logged_in = code or getattr(actor, "region_code", "") or ""
    same_day = [r for r in same if r.effective_from == effective_from]
    for earlier in same_day:
        # Out of the way of the one-row-per-start-day constraint until the new row exists.
        earlier.superseded_by_id = earlier.pk
        earlier.save(update_fields=["superseded_by"])
    row = model.objects.create(
        region_code=code,
        effective_from=effective_from,
        effective_to=min(later) - dt.timedelta(days=1) if later else None,
        source=(source or "").strip()[:300],
        created_by=_account(actor),
        **keys,
        **values,
    )
    for earlier in same_day:
        earlier.superseded_by = row
        earlier.save(update_fields=["superseded_by"])
        audit.record_change(
            actor=actor,
            entity=earlier,
            action="status",
            region_code=logged_in,
            changes={"superseded_by": [None, row.pk]},
            note="policy superseded",
        )
    for earlier in same:
        if earlier.effective_from < effective_from:
            earlier.effective_to = effective_from - dt.timedelta(days=1)
            earlier.save(update_fields=["effective_to"])
    audit.record_change(
        actor=actor,
        entity=row,
        action="create",
        region_code=logged_in,
        changes={
            **{name: [None, _plain(value)] for name, value in {**keys, **values}.items()},
            "effective_from": [None, effective_from.isoformat()],
            "region_code": [None, code],
        },
        note=note,
    )
    return row


def _plain(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value if isinstance(value, bool | int | float | str) or value is None else str(value)


def policy_history(kind: str | type[P], **keys) -> models.QuerySet:
    """Every row of a kind, the newest filing first, superseded ones included."""
    k = kind_get(kind)
    return (
        k.model.objects.filter(**_keyed(k, keys))
        .select_related("created_by")
        .order_by("-effective_from", "-id")
    )
