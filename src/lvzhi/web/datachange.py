"""The database's change counter on PostgreSQL: what `datacache` keys its results by.

Every table of the site carries a statement-level trigger that, once per transaction and table, adds a row to
``lvzhi_datachange`` numbered from a sequence. The row becomes visible when its transaction commits, together with
the data it announces, whatever wrote it — the services, an import, ``scale-data``, a ``psql`` session. The version
of the data is then the pair (rows, highest number) read in one statement: every commit that wrote adds a row, so
the pair changes with each; a compaction (every ``COMPACT_EVERY`` numbers) deletes old rows but its own row carries
a number never seen before, so no pair ever comes back. Transactions in *other* databases on the same server
(which moved ``pg_current_snapshot()``, the key used before) change nothing here. The database's oid is part of
the version: a restore swaps in a new database whose counter may have started anywhere.

A result that reads only some tables is keyed by the version of those tables (``version(tables)``): the latest
compaction's number (every compaction row's number is a multiple of ``COMPACT_EVERY``), and the rows and highest
number announcing those tables. Between two compactions rows are only added, so each commit that wrote one of
the tables adds one and moves the count; a compaction moves the first part, which never comes back.

Installed after every ``migrate`` (the ``post_migrate`` signal), so a table added by a later migration is covered
as soon as it exists; dumps and restores carry the table, the sequence and the triggers with the rest.
"""

from __future__ import annotations

from django.db import connection

TABLE = "lvzhi_datachange"
SEQUENCE = "lvzhi_datachange_seq"
TRIGGER = "lvzhi_datachange"
COMPACT_EVERY = 1000
# Written on every login or request, read by no result: would only throw results away.
UNTRACKED = {TABLE, "django_session", "django_migrations", "axes_accessattempt", "axes_accesslog",
             "axes_accessfailurelog"}

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION lvzhi_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    seen text := coalesce(current_setting('lvzhi.changed', true), '');
    number bigint;
BEGIN
    IF position(',' || TG_TABLE_NAME || ',' IN seen) > 0 THEN
        RETURN NULL;  -- this transaction has already announced a change of this table
    END IF;
    PERFORM set_config('lvzhi.changed', seen || ',' || TG_TABLE_NAME || ',', true);
    number := nextval('{SEQUENCE}');
    IF number % {COMPACT_EVERY} = 0 THEN
        DELETE FROM {TABLE} WHERE number_ < number;
    END IF;
    INSERT INTO {TABLE} (number_, table_name) VALUES (number, TG_TABLE_NAME);
    RETURN NULL;
END $$;
"""


def install(using: str = "default", **_) -> None:
    """Create the counter and a trigger on every table (idempotent; PostgreSQL only)."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cur:
        cur.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
        cur.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (number_ bigint PRIMARY KEY, table_name text NOT NULL)")
        cur.execute(_FUNCTION)
        cur.execute("""SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
                       AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = %s)""",
                    [TRIGGER])
        for (table,) in cur.fetchall():
            if table in UNTRACKED:
                continue
            cur.execute(f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                        f"FOR EACH STATEMENT EXECUTE FUNCTION lvzhi_note_change()")


def db_tables(labels) -> list[str]:
    """The tables behind model labels ("org.Unit"), with their many-to-many tables."""
    from django.apps import apps

    names = []
    for label in labels:
        model = apps.get_model(label)
        names.append(model._meta.db_table)
        names += [f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many]
    return sorted(set(names))


def version(tables=None) -> str | None:
    """The committed data's version — of every table, or of the models labelled in ``tables`` — or None where
    results must not be reused: not PostgreSQL, no counter (a database not migrated by this version), or a
    transaction that has itself written (its uncommitted rows must not reach another request)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL, pg_current_xact_id_if_assigned()", [TABLE])
        present, own_xid = cur.fetchone()
        if not present or own_xid is not None:
            return None
        if tables is None:
            cur.execute(f"""SELECT (SELECT oid FROM pg_database WHERE datname = current_database()),
                                   count(*), coalesce(max(number_), 0) FROM {TABLE}""")
            oid, rows, highest = cur.fetchone()
            return f"{oid}:{rows}:{highest}"
        cur.execute(f"""SELECT (SELECT oid FROM pg_database WHERE datname = current_database()),
                               coalesce(max(number_) FILTER (WHERE number_ %% {COMPACT_EVERY} = 0), 0),
                               count(*) FILTER (WHERE table_name = ANY(%s)),
                               coalesce(max(number_) FILTER (WHERE table_name = ANY(%s)), 0) FROM {TABLE}""",
                    [db_tables(tables)] * 2)
        oid, compacted, rows, highest = cur.fetchone()
    return f"{oid}:{compacted}:{rows}:{highest}"
