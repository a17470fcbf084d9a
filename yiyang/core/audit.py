"""Writing the audit trail. Services call these explicitly; nothing is written by signals."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from .models import AccessLog, ChangeLog

# Notes are written in English as stable keys (searchable, never changing with the reader's
# language); each app registers how its notes read to people, and pages show note_label().
_NOTE_LABELS: dict[str, object] = {}


def register_notes(labels: dict) -> None:
    _NOTE_LABELS.update(labels)


# Keys a service writes into a change that are not fields of the changed model ("evidence_file"
# on a case), per model label, as each app names them; fields are named by the model itself.
_CHANGE_LABELS: dict[str, dict[str, object]] = {}


def register_change_labels(model_label: str, labels: dict) -> None:
    _CHANGE_LABELS.setdefault(model_label.lower(), {}).update(labels)


def change_labels(model_label: str) -> dict[str, object]:
    return _CHANGE_LABELS.get(model_label.lower(), {})


def note_label(note: str) -> str:
    """A note as people read it: 'sign-in succeeded (ip 10.0.0.1)' -> '登录成功（IP 10.0.0.1）'."""
    base, sep, rest = (note or "").partition(" (ip ")
    label = _NOTE_LABELS.get(base)
    if label is None:
        if base.startswith("import #"):
            return str(_NOTE_LABELS.get("import", "import")) + base[len("import") :]
        return note
    return f"{label} (IP {rest.rstrip(')')})" if sep else str(label)


def _actor_fields(actor) -> dict:
    user = actor if getattr(actor, "_meta", None) and actor._meta.label == "accounts.User" else None
    label = getattr(actor, "audit_label", None) or str(actor or "system")
    return {"actor": user, "actor_label": label[:150]}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Model):
        return str(value)
    return str(value)


def diff(before: dict, after: dict, *, hidden: Iterable[str] = ()) -> dict:
    """Field-by-field [old, new] of what changed; hidden fields show only that they changed."""
    hidden = set(hidden)
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = ["***", "***"] if key in hidden else [_plain(old), _plain(new)]
    return changes


def record_change(
    *,
    actor,
    entity: Model,
    action: str,
    changes: dict | None = None,
    note: str = "",
    region_code: str = "",
) -> ChangeLog:
    return ChangeLog.objects.create(
        **_actor_fields(actor),
        entity_type=entity._meta.label_lower,
        entity_id=entity.pk,
        entity_label=str(entity)[:200],
        region_code=region_code or getattr(entity, "region_code", "") or "",
        action=action,
        changes=changes or {},
        note=note[:500],
    )


def record_read(
    *,
    actor,
    kind: str,
    entity: Model | None = None,
    entity_type: str = "",
    reason: str = "",
    region_code: str = "",
    channel: str = "web",
    ip: str | None = None,
    label: str = "",
) -> AccessLog:
    return AccessLog.objects.create(
        **_actor_fields(actor),
        kind=kind,
        entity_type=entity._meta.label_lower if entity is not None else entity_type,
        entity_id=entity.pk if entity is not None else None,
        entity_label=(label or (str(entity) if entity is not None else ""))[:200],
        region_code=region_code or getattr(entity, "region_code", "") or "",
        reason=reason[:500],
        channel=channel,
        ip=ip,
    )
