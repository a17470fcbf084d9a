"""Bulk writes: COPY on PostgreSQL (psycopg's cursor.copy), bulk_create in batches on SQLite.

Rows arrive as dicts keyed by attribute name; columns a row leaves out get the field's
default, and auto_now fields the build's timestamp, the same on every row.
"""

import datetime as dt
import json
from contextlib import contextmanager

from django.db import connection, models

SQLITE_BATCH = 500


class BulkWriter:
    def __init__(self, *, now: dt.datetime):
        self.now = now
        self.is_postgresql = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}
        self._columns: dict[type, list[tuple[str, str, object, bool]]] = {}

    def write(self, model: type[models.Model], rows: list[dict]) -> None:
        if not rows:
            return
        if self.is_postgresql:
            self._copy(model, rows)
        else:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=SQLITE_BATCH)
        label = model._meta.label_lower
        self.counts[label] = self.counts.get(label, 0) + len(rows)

    def _layout(self, model, with_pk: bool) -> list[tuple[str, str, object, bool]]:
        """(attname, column, default, is_json) for every column COPY fills."""
        key = (model, with_pk)
        if key not in self._columns:
            layout = []
            for f in model._meta.concrete_fields:
                if f.primary_key and not with_pk:
                    continue
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    default = self.now
                elif f.has_default():
                    default = f.get_default()
                else:
                    default = None
                layout.append((f.attname, f.column, default, isinstance(f, models.JSONField)))
            self._columns[key] = layout
        return self._columns[key]

    def _copy(self, model, rows: list[dict]) -> None:
        layout = self._layout(model, with_pk="id" in rows[0])
        qn = connection.ops.quote_name
        sql = "COPY {} ({}) FROM STDIN".format(
            qn(model._meta.db_table), ", ".join(qn(column) for _a, column, _d, _j in layout)
        )
        with (
            connection.cursor() as cursor,
            cursor.connection.cursor() as raw,
            raw.copy(sql) as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row.get(attname, default), ensure_ascii=False)
                        if is_json
                        else row.get(attname, default)
                        for attname, _c, default, is_json in layout
                    ]
                )

    def reset_sequence(self, model: type[models.Model]) -> None:
        """After rows with explicit ids, move the id sequence past them (PostgreSQL)."""
        if not self.is_postgresql:
            return
        table = model._meta.db_table
        # The table name comes from the model, never from input.
        sql = (
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {}), 1))"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql.format(connection.ops.quote_name(table)), [table])


@contextmanager
def indexes_deferred(models_: list[type[models.Model]]):
    """On PostgreSQL, drop the secondary indexes and foreign keys of these tables while a
    bulk load runs, and build them again at the end from their own definitions.

    Maintaining sixteen indexes of the elder table row by row, and queueing a deferred
    foreign-key check for every row, cost more than the load itself; one CREATE INDEX and
    one ALTER TABLE ... ADD CONSTRAINT per object afterwards are far cheaper and check the
    same things. Primary keys and unique constraints stay in place throughout. DDL is
    transactional in PostgreSQL: if the build fails, everything comes back as it was.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models_]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Foreign-key checks still queued from earlier in the transaction would block the DDL.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        for name, _ddl in indexes:
            cursor.execute(f"DROP INDEX {name}")
        for table, name, _ddl in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, ddl in indexes:
            cursor.execute(ddl)
        for table, name, ddl in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {ddl}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
