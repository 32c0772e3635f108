"""Bulk writing for synthetic data: rows as tuples, ids allocated here, COPY on PostgreSQL, executemany on SQLite.

Generating millions of rows through the ORM (one Python object and one INSERT parameter list per row) costs
more than producing them; here a row is a tuple in the table's column order and the database sees one COPY
stream (PostgreSQL) or one prepared statement (SQLite) per table and batch. Ids are allocated by the writer, so
later rows can point at earlier ones without reading anything back; the identity sequences are moved past them
at the end (``finish``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, models

from lvzhi.audit.actors import Actor
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, log_changes
from lvzhi.records.numbering import Sequence

BATCH = 50_000  # rows buffered per table before they are sent


class Table:
    """One table: its columns (attnames in model order), defaults, and the rows waiting to be written."""

    def __init__(self, writer: "Writer", model_or_through, label: str = ""):
        self.writer = writer
        self.model = model_or_through
        meta = model_or_through._meta
        self.name = meta.db_table
        self.label = label or str(meta.verbose_name)
        fields = [f for f in meta.concrete_fields]
        self.columns = [f.column for f in fields]
        self.attnames = [f.attname for f in fields]
        self.defaults = {}
        for f in fields:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                self.defaults[f.attname] = writer.created_at
            elif f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            elif isinstance(f, (models.CharField, models.TextField)):
                self.defaults[f.attname] = ""
        self.index = {a: i for i, a in enumerate(self.attnames)}
        self.rows: list[tuple] = []
        self.next_id = writer.next_id(self.name)
        self.first_id: int | None = None
        self.count = 0
        prefix = getattr(model_or_through, "NUMBER_PREFIX", "")
        self.numbers = Sequence(model_or_through) if prefix else None  # visible numbers (JC-2022-0012 …)

    def add(self, **values) -> int:
        """Queue one row; returns its id."""
        pk = self.next_id
        self.next_id += 1
        values["id"] = pk
        if self.numbers is not None and not values.get("number"):
            values["number"] = self.numbers.number(values.get(self.model.NUMBER_DATE_FIELD))
        d = self.defaults
        try:
            row = tuple(values[a] if a in values else d[a] for a in self.attnames)
        except KeyError as exc:  # a required column without a value: a bug in the generator
            raise ValueError(f"{self.name}: no value for {exc}") from None
        self.rows.append(row)
        if self.first_id is None:
            self.first_id = pk
        self.count += 1
        if len(self.rows) >= BATCH:
            self.flush()
        return pk

    def flush(self) -> None:
        if self.rows:
            self.writer.send(self, self.rows)
            self.writer.progress(len(self.rows))
            self.rows = []


class Writer:
    """All tables of one generation run; ``finish`` flushes them, fixes sequences and writes the audit entries."""

    def __init__(self, progress=lambda n: None):
        self.vendor = connection.vendor
        self.tables: dict[object, Table] = {}
        self.progress = progress
        self.created_at = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
        self.after: list[tuple[str, dict]] = []  # (column, {id: value}) updates of rows written earlier

    def table(self, model, label: str = "") -> Table:
        if model not in self.tables:
            self.tables[model] = Table(self, model, label)
        return self.tables[model]

    def next_id(self, table: str) -> int:
        with connection.cursor() as cur:
            cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            return cur.fetchone()[0] + 1

    # --- sending ----------------------------------------------------------------------------------------
    def send(self, table: Table, rows: list[tuple]) -> None:
        cols = ", ".join(f'"{c}"' for c in table.columns)
        if self.vendor == "postgresql":
            with connection.cursor() as cur:
                raw = cur.cursor  # psycopg 3: COPY streams rows without one statement per row
                with raw.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in table.columns)
            with connection.cursor() as cur:
                cur.executemany(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})',
                                [tuple(_sqlite(v) for v in row) for row in rows])

    def finish(self, actor: Actor, note: dict) -> int:
        """Flush everything, move sequences past the ids used, and audit one entry per table written."""
        for t in self.tables.values():
            t.flush()
        self._updates()
        if self.vendor == "postgresql":
            with connection.cursor() as cur:
                for t in self.tables.values():
                    if t.count:
                        cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{t.name}\"', 'id'), %s)", [t.next_id - 1])
        changes = [
            Change(AuditAction.IMPORT, None, after={**note, "table": t.name, "rows": t.count, "first_id": t.first_id,
                                                   "last_id": t.next_id - 1},
                   model=t.model._meta.label_lower, object_id=f"{t.first_id}-{t.next_id - 1}",
                   object_repr=f"规模测试数据：{t.label} {t.count} 条（批量写入）")
            for t in self.tables.values() if t.count
        ]
        log_changes(actor, changes)
        if self.vendor == "postgresql":
            with connection.cursor() as cur:  # fresh statistics, or the planner guesses on empty-table estimates
                for t in self.tables.values():
                    if t.count:
                        cur.execute(f'ANALYZE "{t.name}"')
        return sum(t.count for t in self.tables.values())

    def _updates(self) -> None:
        """Columns known only after later rows exist (a unit's child count, an organisation's secretary)."""
        from lvzhi.org.models import PartyOrg, Person, Unit

        tables = {"numchild": Unit._meta.db_table, "secretary": PartyOrg._meta.db_table,
                  "member_since": Person._meta.db_table}
        columns = {"numchild": "numchild", "secretary": "secretary_id", "member_since": "member_since"}
        with connection.cursor() as cur:
            for name, values in self.after:
                pairs = list(values.items())
                for i in range(0, len(pairs), 5000):
                    chunk = pairs[i:i + 5000]
                    if self.vendor == "postgresql" and name == "member_since":
                        cur.executemany(f'UPDATE "{tables[name]}" SET "{columns[name]}" = %s WHERE id = %s',
                                        [(v, k) for k, v in chunk])
                    elif self.vendor == "postgresql":
                        rows = ", ".join(f"({int(k)}, {int(v)})" for k, v in chunk)
                        cur.execute(f'UPDATE "{tables[name]}" AS t SET "{columns[name]}" = v.val '
                                    f"FROM (VALUES {rows}) AS v(id, val) WHERE t.id = v.id")
                    else:
                        cur.executemany(f'UPDATE "{tables[name]}" SET "{columns[name]}" = ? WHERE id = ?',
                                        [(_sqlite(v), k) for k, v in chunk])
        self.after = []


def _sqlite(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
