"""A copy of every table of the test database, kept in the test process and put back in place of whatever the
tables hold then: how transactional tests get the demo company back without loading it again.

Exact on both databases: PostgreSQL through COPY (text format, every type as PostgreSQL writes it), SQLite
through an attached in-memory database (rows copied by SQL, never converted by Python). Foreign keys are
deferred (Django creates them so on both), so the tables are refilled in any order inside one transaction.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

SNAPSHOT_SCHEMA = "lvzhi_test_copy"


def _tables() -> list[str]:
    # the tables `flush` empties between transactional tests: every table of an installed model
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def copy() -> dict:
    """Copy every table; returns what ``restore`` needs."""
    tables = _tables()
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            data = {}
            for table in tables:
                with cur.cursor.copy(f"COPY {qn(table)} TO STDOUT") as pipe:
                    data[table] = b"".join(bytes(chunk) for chunk in pipe)
            return {"tables": tables, "data": data}
        if connection.vendor != "sqlite":
            return {}
        cur.execute("PRAGMA database_list")
        if SNAPSHOT_SCHEMA not in {row[1] for row in cur.fetchall()}:
            cur.execute(f"ATTACH DATABASE ':memory:' AS {SNAPSHOT_SCHEMA}")
        for table in tables:
            cur.execute(f"DROP TABLE IF EXISTS {SNAPSHOT_SCHEMA}.{qn(table)}")
            cur.execute(f"CREATE TABLE {SNAPSHOT_SCHEMA}.{qn(table)} AS SELECT * FROM main.{qn(table)}")
    return {"tables": tables}


def restore(saved: dict) -> bool:
    """Put the copied rows back (every copied table emptied first); False when there is no usable copy."""
    if not saved or saved["tables"] != _tables():
        return False
    tables, qn = saved["tables"], connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE " + ", ".join(qn(t) for t in tables))
            for table in tables:
                if saved["data"][table]:
                    with cur.cursor.copy(f"COPY {qn(table)} FROM STDIN") as pipe:
                        pipe.write(saved["data"][table])
            models = apps.get_models(include_auto_created=True)
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cur.execute(sql)
        else:
            cur.execute("PRAGMA database_list")
            if SNAPSHOT_SCHEMA not in {row[1] for row in cur.fetchall()}:
                return False
            for table in tables:
                cur.execute(f"DELETE FROM main.{qn(table)}")
                cur.execute(f"INSERT INTO main.{qn(table)} SELECT * FROM {SNAPSHOT_SCHEMA}.{qn(table)}")
    return True
