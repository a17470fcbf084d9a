"""The audit administrator's search of the change history and the sensitive-read log, and
their landing card."""

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.services import SIGN_IN_LOCKED, SIGN_IN_OK
from yiyang.core.console import url_for
from yiyang.core.models import AccessLog, ChangeLog
from yiyang.core.registry import Tile
from yiyang.core.scoping import Actor, require, scoped
from yiyang.core.timeutils import local_day_range, local_today

# --- landing card ----------------------------------------------------------------------------


def audit_tiles(actor: Actor) -> list[Tile]:
    """The audit administrator's landing: today's changes, lockouts and sensitive reads."""
    start, end = local_day_range(local_today())
    changes = scoped(ChangeLog.objects.filter(at__gte=start, at__lt=end), actor).aggregate(
        n=Count("id"),
        lockouts=Count("id", filter=Q(note__startswith=SIGN_IN_LOCKED)),
    )
    reads = scoped(AccessLog.objects.filter(at__gte=start, at__lt=end), actor).count()
    today = local_today().isoformat()
    day = {"date_from": today, "date_to": today}
    return [
        Tile("audit_search", _("Search the audit trail"), None, url_for("supervision:audit"), True),
        Tile(
            "lockouts_today",
            _("Lockouts today"),
            changes["lockouts"],
            url_for("supervision:audit", **day, kind="lockout"),
            is_task=True,
            is_urgent=changes["lockouts"] > 0,
        ),
        Tile(
            "changes_today",
            _("Changes today"),
            changes["n"],
            url_for("supervision:audit", **day),
        ),
        Tile(
            "reads_today",
            _("Sensitive reads today"),
            reads,
            url_for("supervision:audit", **day, log="reads"),
        ),
    ]


# --- audit search ----------------------------------------------------------------------------

CHANGES, READS = "changes", "reads"
# Sign-in events are change rows of accounts with fixed notes (accounts.services).
SIGN_IN_KINDS = {
    "signin": Q(entity_type="accounts.user", note__startswith="sign-in"),
    "signin_ok": Q(entity_type="accounts.user", note__startswith=SIGN_IN_OK),
    "lockout": Q(entity_type="accounts.user", note__startswith=SIGN_IN_LOCKED),
}


def change_kind_choices() -> list[tuple[str, str | Promise]]:
    return [
        *ChangeLog.Action.choices,
        ("signin", _("Sign-in events")),
        ("signin_ok", _("Successful sign-ins")),
        ("lockout", _("Lockouts")),
    ]


def read_kind_choices() -> list[tuple[str, str | Promise]]:
    return list(AccessLog.Kind.choices)


def record_type_choices() -> list[tuple[str, str]]:
    """Every record type of the platform's own apps, from the model registry: no query. Each
    reads as its app and its name ("能力评估 · 佐证材料"), in the order people read them."""
    choices = []
    for model in apps.get_models():
        meta = model._meta
        if not meta.app_config.name.startswith("yiyang.") or meta.app_label == "core":
            continue
        choices.append((meta.label_lower, f"{meta.app_config.verbose_name} · {meta.verbose_name}"))
    return sorted(choices, key=lambda choice: choice[1])


@dataclass
class AuditFilters:
    log: str = CHANGES
    actor: str = ""
    entity_type: str = ""
    entity_id: int | None = None
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""


def audit_search(*, actor: Actor, filters: AuditFilters | None = None) -> QuerySet:
    """The change history or the sensitive-read log inside the audit administrator's region,
    newest first. Read-only: the rows refuse to change (core.models.AppendOnly)."""
    require(actor, "audit.view")
    f = filters or AuditFilters()
    model = AccessLog if f.log == READS else ChangeLog
    # Either log: the lookups below are on fields both have, or on the one chosen.
    qs: QuerySet = scoped(model.objects.all(), actor)
    if f.actor.strip():
        qs = qs.filter(actor_label__icontains=f.actor.strip())
    if f.entity_type:
        qs = qs.filter(entity_type=f.entity_type)
    if f.entity_id is not None:
        qs = qs.filter(entity_id=f.entity_id)
    if f.kind:
        if model is AccessLog:
            qs = qs.filter(kind=f.kind)
        elif f.kind in SIGN_IN_KINDS:
            qs = qs.filter(SIGN_IN_KINDS[f.kind])
        else:
            qs = qs.filter(action=f.kind)
    if f.date_from:
        qs = qs.filter(at__gte=local_day_range(f.date_from)[0])
    if f.date_to:
        qs = qs.filter(at__lt=local_day_range(f.date_to)[1])
    q = f.q.strip()
    if q:
        text = "reason" if model is AccessLog else "note"
        qs = qs.filter(Q(entity_label__icontains=q) | Q(**{f"{text}__icontains": q}))
    return qs.order_by("-at", "-id")
