"""Cursor pagination: stable under inserts, cheap on a million rows (a keyset on id)."""

import base64
import json

from django.db.models import QuerySet

from yiyang.core.exceptions import ValidationFailed

MAX_LIMIT = 200


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"id": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["id"]
        if not isinstance(value, int):
            raise ValueError
        return value
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(
            fields={"cursor": "not a cursor this API issued"}, code="bad_cursor"
        ) from exc


def paginate(qs: QuerySet, *, cursor: str | None, limit: int) -> dict:
    """Rows ordered by id after the cursor; `next` is null on the last page."""
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationFailed(fields={"limit": f"between 1 and {MAX_LIMIT}"}, code="bad_limit")
    qs = qs.order_by("id")
    if cursor:
        qs = qs.filter(id__gt=decode_cursor(cursor))
    rows = list(qs[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next": encode_cursor(rows[-1].id) if has_more and rows else None}
