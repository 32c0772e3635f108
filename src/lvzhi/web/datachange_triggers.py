"""The triggers that move the change counter (``web/datachange.py``), installed after every ``migrate`` (the
``post_migrate`` signal: a table added by a later migration is covered as soon as it exists): on PostgreSQL a
statement-level trigger on every table, per unit on the tables of ``narrowed_tables()``, and the compaction; on
SQLite row triggers adding to a per table × unit counter."""

from __future__ import annotations

from lvzhi.web.datachange import (
    COMPACT_EVERY,
    COMPACTED,
    FOLDED,
    LOCK,
    RESULTS_TABLE,
    SEQUENCE,
    TABLE,
    TRIGGER,
    UNTRACKED,
    narrowed_tables,
)

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION lvzhi_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    seen text := coalesce(current_setting('lvzhi.changed', true), '');
BEGIN
    IF position(',' || TG_TABLE_NAME || ',' IN seen) > 0 THEN
        RETURN NULL;  -- this transaction has already announced a change of this table
    END IF;
    PERFORM set_config('lvzhi.changed', seen || ',' || TG_TABLE_NAME || ',', true);
    PERFORM lvzhi_compact_changes();
    INSERT INTO {TABLE} (number_, table_name) VALUES (nextval('{SEQUENCE}'), TG_TABLE_NAME);
    RETURN NULL;
END $$;
"""

# Every COMPACT_EVERY numbers the rows announced so far move into FOLDED, one row per table × unit path carrying
# their number of changes (``weight``) and highest number: every version (the sum of the weights and the highest
# number of its tables, over both tables) is the same after as before, so a compaction throws no result away, and
# the table of recent changes stays small. One compaction at a time (an advisory lock; a writer that finds it
# taken leaves the compaction to the next), so the compactions commit in the order of their numbers and the
# latest one's number tells what FOLDED holds — readers keep FOLDED's sums by that number (``_folded``).
_COMPACT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION lvzhi_compact_changes() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    number bigint := nextval('{SEQUENCE}');
BEGIN
    IF number / {COMPACT_EVERY} <= (SELECT coalesce(max(number_), 0) FROM {TABLE}
                                    WHERE table_name = '{COMPACTED}') / {COMPACT_EVERY} THEN
        RETURN;  -- (the usual case: no lock taken)
    END IF;
    IF NOT pg_try_advisory_xact_lock({LOCK}) THEN
        RETURN;
    END IF;
    -- read again under the lock: another compaction may have committed since
    IF number / {COMPACT_EVERY} <= (SELECT coalesce(max(number_), 0) FROM {TABLE}
                                    WHERE table_name = '{COMPACTED}') / {COMPACT_EVERY} THEN
        RETURN;
    END IF;
    WITH moved AS (DELETE FROM {TABLE} WHERE number_ < number AND table_name <> '{COMPACTED}'
                   RETURNING table_name, unit_path, weight, number_)
    INSERT INTO {FOLDED} AS f (table_name, unit_path, weight, number_)
    SELECT table_name, coalesce(unit_path, ''), sum(weight), max(number_) FROM moved GROUP BY 1, 2
    ON CONFLICT (table_name, unit_path) DO UPDATE SET weight = f.weight + EXCLUDED.weight,
                                                      number_ = greatest(f.number_, EXCLUDED.number_);
    DELETE FROM {TABLE} WHERE table_name = '{COMPACTED}';
    INSERT INTO {TABLE} (number_, table_name) VALUES (number, '{COMPACTED}');
END $$;
"""

# One row per unit a statement touched (the unit's path; NULL for rows without a unit: a change of everything).
_UNIT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION lvzhi_note_unit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- a statement that touched no row announces nothing (and takes no number: it never starts a compaction,
    -- which would move every version)
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (SELECT 1 FROM lvzhi_new) THEN
            RETURN NULL;
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM lvzhi_old) THEN
        RETURN NULL;
    END IF;
    PERFORM lvzhi_compact_changes();
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {TABLE} (number_, table_name, unit_path)
        SELECT nextval('{SEQUENCE}'), TG_TABLE_NAME, u.path
        FROM (SELECT DISTINCT unit_id FROM lvzhi_new) r LEFT JOIN {{unit_table}} u ON u.id = r.unit_id;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO {TABLE} (number_, table_name, unit_path)
        SELECT nextval('{SEQUENCE}'), TG_TABLE_NAME, u.path
        FROM (SELECT unit_id FROM lvzhi_new UNION SELECT unit_id FROM lvzhi_old) r
        LEFT JOIN {{unit_table}} u ON u.id = r.unit_id;
    ELSE
        INSERT INTO {TABLE} (number_, table_name, unit_path)
        SELECT nextval('{SEQUENCE}'), TG_TABLE_NAME, u.path
        FROM (SELECT DISTINCT unit_id FROM lvzhi_old) r LEFT JOIN {{unit_table}} u ON u.id = r.unit_id;
    END IF;
    RETURN NULL;
END $$;
"""


def install(using: str = "default", **_) -> None:
    """Create the counter and its triggers on every table (idempotent)."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor == "sqlite":
        _install_sqlite(conn)
        return
    if conn.vendor != "postgresql":
        return
    from lvzhi.org.models import Unit

    narrowed = narrowed_tables()
    with conn.cursor() as cur:
        cur.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
        cur.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (number_ bigint PRIMARY KEY, table_name text NOT NULL)")
        cur.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS unit_path text")
        cur.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS weight bigint NOT NULL DEFAULT 1")
        cur.execute(f"""CREATE TABLE IF NOT EXISTS {FOLDED} (table_name text NOT NULL, unit_path text NOT NULL,
                        weight bigint NOT NULL, number_ bigint NOT NULL, PRIMARY KEY (table_name, unit_path))""")
        cur.execute(f"""CREATE UNLOGGED TABLE IF NOT EXISTS {RESULTS_TABLE} (cache_key varchar(255) PRIMARY KEY,
                        value text NOT NULL, expires timestamp with time zone NOT NULL)""")
        cur.execute(f"CREATE INDEX IF NOT EXISTS {RESULTS_TABLE}_expires ON {RESULTS_TABLE} (expires)")
        cur.execute(_COMPACT_FUNCTION)
        cur.execute(_FUNCTION)
        cur.execute(_UNIT_FUNCTION.replace("{unit_table}", Unit._meta.db_table))
        cur.execute("""SELECT c.relname, array(SELECT t.tgname::text FROM pg_trigger t WHERE t.tgrelid = c.oid
                                            AND t.tgname LIKE %s)
                       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()""", [TRIGGER + "%"])
        for table, triggers in cur.fetchall():
            if table in UNTRACKED:
                for name in triggers:  # announced before it was known to be read by no result
                    cur.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
                continue
            if table not in narrowed:
                if TRIGGER not in triggers:
                    cur.execute(f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                                f"FOR EACH STATEMENT EXECUTE FUNCTION lvzhi_note_change()")
                continue
            if f"{TRIGGER}_insert" in triggers:
                continue
            cur.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
            cur.execute(f'CREATE TRIGGER {TRIGGER} AFTER TRUNCATE ON "{table}" '
                        f"FOR EACH STATEMENT EXECUTE FUNCTION lvzhi_note_change()")
            for event, refs in (("insert", "NEW TABLE AS lvzhi_new"),
                                ("update", "NEW TABLE AS lvzhi_new OLD TABLE AS lvzhi_old"),
                                ("delete", "OLD TABLE AS lvzhi_old")):
                cur.execute(f'CREATE TRIGGER {TRIGGER}_{event} AFTER {event.upper()} ON "{table}" '
                            f"REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION lvzhi_note_unit_change()")


def _install_sqlite(conn) -> None:
    from lvzhi.org.models import Unit

    units = Unit._meta.db_table
    narrowed = narrowed_tables()
    with conn.cursor() as cur:
        cur.execute(f"""CREATE TABLE IF NOT EXISTS {TABLE} (table_name text NOT NULL, unit_path text NOT NULL,
                        changes integer NOT NULL, PRIMARY KEY (table_name, unit_path))""")
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [t for (t,) in cur.fetchall()]
        cur.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                    [TRIGGER + "%"])
        present = {}
        for name, table in cur.fetchall():
            present[name] = table
            if table in UNTRACKED:
                cur.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        tables = [t for t in tables if t not in UNTRACKED]
        for table in tables:
            for event, row in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
                name = f"{TRIGGER}_{table}_{event}"
                if name in present:
                    continue
                paths = [f"(SELECT path FROM {units} WHERE id = {row}.unit_id)"] if table in narrowed else ["''"]
                if table in narrowed and event == "update":
                    paths.append(f"(SELECT path FROM {units} WHERE id = OLD.unit_id)")
                inserts = "".join(
                    f"INSERT INTO {TABLE} (table_name, unit_path, changes) VALUES ('{table}', coalesce({p}, ''), 1) "
                    f"ON CONFLICT (table_name, unit_path) DO UPDATE SET changes = changes + 1; " for p in paths)
                cur.execute(f'CREATE TRIGGER "{name}" AFTER {event.upper()} ON "{table}" BEGIN {inserts}END')
