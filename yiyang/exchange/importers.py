"""The base of every kind's importer (each app writes its own, exchange.kinds). An importer takes
a batch of rows, validates every row with the same cleaner the form uses, and (when asked to
write) saves the valid rows with the same builders as the single-record services, in bulk.

A batch costs a handful of queries whatever its size: the existing records of the batch are
fetched by their keys in one query, regions and organisations come from caches, and creates,
updates and history rows are bulk-inserted. The caller owns the transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router
from django.db.models import Model
from django.utils.translation import gettext as _

from yiyang.core.exceptions import ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.regions.models import Region

from .columns import Column
from .workbooks import Layout


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (row number, raw values, reasons joined) of each bad row
    bad_rows: list[tuple[int, tuple, str]] = field(default_factory=list)
    # (row number, column header, reason) of each error
    errors: list[tuple[int, str, str]] = field(default_factory=list)


class RegionCache:
    """Regions by code, fetched once per code: `load` takes a batch's codes in one query and
    the cleaners call `.get(code)` as they would on a dict."""

    def __init__(self):
        self._cache: dict[str, Region | None] = {}

    def load(self, codes: set[str]) -> None:
        missing = {c for c in codes if c and c not in self._cache}
        if missing:
            for region in Region.objects.filter(code__in=missing):
                self._cache[region.code] = region
            for code in missing:
                self._cache.setdefault(code, None)

    def get(self, code, default=None):
        if code not in self._cache:
            self._cache[code] = Region.objects.filter(code=code).first()
        return self._cache[code] or default


def bulk_update(model: type[Model], objs: Sequence[Model], names: Sequence[str]) -> None:
    """Write `names` of every object with one UPDATE statement sent through executemany.

    QuerySet.bulk_update builds a CASE WHEN expression per row and field, which costs about
    three milliseconds a row in Python and made re-imports ten times slower than first
    imports; executemany is the same single round trip per batch without that cost. Values
    are converted exactly as the ORM converts them (get_db_prep_save).
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    # The identifiers come from the model's own meta and are quoted; values are parameters.
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def too_long(model: type[Model], values: dict, errors: dict, column_of: dict) -> None:
    """The cleaners trust the form's max_length; an import cell can hold 32,767 characters."""
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        value = " ".join(value.split())
        try:
            limit = model._meta.get_field(name).max_length
        except FieldDoesNotExist:
            continue
        if limit and len(value) > limit:
            errors.setdefault(
                column_of.get(name, name), _("At most %(n)s characters.") % {"n": limit}
            )


class Importer:
    kind = ""
    model: type[Model]
    columns: tuple[Column, ...] = ()

    def __init__(self, *, actor, job, layout: Layout):
        self.actor = actor
        self.job = job
        self.layout = layout
        self.header_of = {c.key: c.header for c in self.columns}
        self.note = f"import #{job.pk}: {job.file_name}"[:500]
        self.seen: dict[Any, int] = {}  # in-file key -> first row number

    # -- shared helpers --------------------------------------------------------------------

    def column_for(self, name: str) -> str:
        for column in self.columns:
            if column.reports(name):
                return column.key
        return name

    def merge(self, errors: dict, exc: ValidationFailed) -> None:
        for name, reason in exc.fields.items():
            errors.setdefault(self.column_for(name), str(reason))

    def first_seen(self, key, number: int) -> int | None:
        """The earlier row with the same key, or None (a retried batch sees itself)."""
        if key is None:
            return None
        first = self.seen.setdefault(key, number)
        return first if first != number else None

    def reject(self, result: BatchResult, number: int, raw: tuple, errors: dict) -> None:
        order = {c.key: i for i, c in enumerate(self.columns)}
        items = sorted(errors.items(), key=lambda kv: order.get(kv[0], len(order)))
        for key, reason in items:
            result.errors.append((number, self.header_of.get(key, key), reason))
        reasons = "；".join(f"{self.header_of.get(k, k)}：{r}" for k, r in items)
        result.bad_rows.append((number, raw, reasons))

    def change(self, entity, action: str, changes: dict, region_code: str = "") -> ChangeLog:
        return ChangeLog(
            actor=self.job.actor,
            actor_label=self.actor.audit_label[:150],
            entity_type=entity._meta.label_lower,
            entity_id=entity.pk,
            entity_label=str(entity)[:200],
            region_code=region_code,
            action=action,
            changes=changes,
            note=self.note,
        )

    def process(self, rows: Sequence[tuple[int, tuple]], *, write: bool) -> BatchResult:
        raise NotImplementedError
