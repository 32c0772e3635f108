"""Writing stored result rows in bulk, the fastest way each database offers (``obligations.stored``).

Rows are plain tuples in ``COLUMNS`` order (no model instances: building 236,000 ``StoredResult`` objects and
``bulk_create``'s SQL took most of a full recomputation's time). PostgreSQL receives them through ``COPY … FROM
STDIN`` (psycopg's ``cursor.copy``), SQLite through ``executemany`` of one prepared ``INSERT`` in large batches.
Both run on the caller's connection, inside its transaction. ``take`` deletes rows and hands back what the
replacement needs of them (their order) in one statement (``DELETE … RETURNING``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import QuerySet

from .models import StoredResult

COLUMNS = [f for f in StoredResult._meta.concrete_fields if not f.primary_key]
NAMES = [f.attname for f in COLUMNS]
INDEX = {name: i for i, name in enumerate(NAMES)}
BATCH = 5000  # SQLite: rows per executemany (one prepared statement; bounded memory for the parameters)


def _table() -> str:
    return connection.ops.quote_name(StoredResult._meta.db_table)


def _columns() -> str:
    return ", ".join(connection.ops.quote_name(f.column) for f in COLUMNS)


def _log(sql: str, count: int) -> None:
    """Make the statement visible to query counting (``CaptureQueriesContext``, ``DEBUG``), like Django's own."""
    if connection.queries_logged:
        connection.queries_log.append({"sql": f"{sql} -- {count} rows", "time": "0.000"})


def _sqlite_values(row: Sequence) -> tuple:
    """Dates and times as Django stores them on SQLite (ISO text; aware times in UTC), not the sqlite3 module's
    deprecated default adapters."""
    out = []
    for v in row:
        if isinstance(v, dt.datetime):
            v = connection.ops.adapt_datetimefield_value(v)
        elif isinstance(v, dt.date):
            v = v.isoformat()
        out.append(v)
    return tuple(out)


def insert(rows: Iterable[Sequence]) -> int:
    """Append the rows (tuples in ``COLUMNS`` order) to the stored table in the current transaction."""
    n = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            sql = f"COPY {_table()} ({_columns()}) FROM STDIN"
            with cur.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            _log(sql, n)
            return n
        sql = f"INSERT INTO {_table()} ({_columns()}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(_sqlite_values(row) if connection.vendor == "sqlite" else tuple(row))
            if len(batch) >= BATCH:
                cur.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    return n


def take(rows: QuerySet, *fields: str) -> list[tuple]:
    """Delete these stored rows and return ``fields`` of each (one ``DELETE … RETURNING``)."""
    inner, params = rows.order_by().values("pk").query.sql_with_params()
    qn = connection.ops.quote_name
    column = {f.attname: f.column for f in StoredResult._meta.concrete_fields}
    cols = ", ".join(qn(column[f]) for f in fields)
    sql = f"DELETE FROM {_table()} WHERE {qn('id')} IN ({inner}) RETURNING {cols}"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def analyze() -> None:
    """Fresh planner statistics after many rows changed (PostgreSQL; SQLite's planner does without), and outside a
    transaction the dead rows of the replaced ones reclaimed too (a full recomputation replaces every row: the
    board's grouped scan read twice the pages until autovacuum came by)."""
    if connection.vendor == "postgresql":
        from .models import StoredCount

        with connection.cursor() as cur:
            for table in (_table(), connection.ops.quote_name(StoredCount._meta.db_table)):
                cur.execute(f"ANALYZE {table}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {table}")
