"""The database's change counter on PostgreSQL: what `datacache` keys its results by.

Every table of the site carries a statement-level trigger that, once per transaction and table, adds a row to
``lvzhi_datachange`` numbered from a sequence. The row becomes visible when its transaction commits, together with
the data it announces, whatever wrote it — the services, an import, ``scale-data``, a ``psql`` session. The version
of the data is then the pair (changes, highest number) read in one statement: every commit that wrote adds a row,
so the pair changes with each, and neither part ever goes down, so no pair ever comes back. Every
``COMPACT_EVERY`` numbers (checked by both kinds of trigger) a compaction moves the rows into ``FOLDED``, one per
table × unit path carrying their number of changes (``weight``) and their highest number: the table of recent
changes stays small, every version is the same after as before (a compaction throws no result away), and readers
keep ``FOLDED``'s sums by the compaction's number, so a reading scans the recent changes only. Transactions in *other*
databases on the same server (which moved ``pg_current_snapshot()``, the key used before) change nothing here. The
database's oid is part of the version: a restore swaps in a new database whose counter may have started anywhere.

A result that reads only some tables is keyed by the version of those tables (``version(tables)``): the changes
and highest number announcing those tables.

**By unit.** The record tables and the stored obligation results (``narrowed_tables()``: the tables whose rows
belong to a unit through ``unit_id``) announce a change once per unit a statement touched, with that unit's path
(PostgreSQL: statement-level triggers with transition tables; SQLite: a row trigger adding to a per table × unit
counter). ``version(tables, under=path)`` then counts only the changes of those tables in the subtree under
``path`` (and every change that names no unit, and the changes of its ancestors' own rows — a declaration or a
list of a unit above counts below it): a 支部活动 saved in one company leaves another company's dashboard as it
was. A ``TRUNCATE`` names no unit, so it moves every version.

**SQLite** (the embedded default: one process) has the same counter as rows ``(table, unit path, changes)``
moved by row triggers, so results are reused there as well; inside an atomic block nothing is reused (SQLite
cannot tell whether it has written).

The triggers are installed after every ``migrate`` (``web/datachange_triggers.py``), so a table added by a later
migration is covered as soon as it exists; dumps and restores carry the tables, the sequence and the triggers.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from collections.abc import Iterable

from django.db import connection

TABLE = "lvzhi_datachange"
SEQUENCE = "lvzhi_datachange_seq"
TRIGGER = "lvzhi_datachange"
RESULTS_TABLE = "lvzhi_results_cache"  # the shared results cache on PostgreSQL (settings.CACHES["results"])
COMPACT_EVERY = 1000
COMPACTED = "(compacted)"  # the table_name of a compaction's own row
FOLDED = "lvzhi_datachange_folded"  # the changes compacted: one row per table × unit path ('' for none)
LOCK = 7_305_117  # the advisory lock of a compaction (per database)
# Written on every login or request (or, the numbering counters, on every numbered record), read by no result:
# would only throw results away.
UNTRACKED = {TABLE, FOLDED, RESULTS_TABLE, "django_session", "django_migrations", "axes_accessattempt",
             "axes_accesslog", "axes_accessfailurelog", "records_numbercounter"}

@functools.cache
def narrowed_tables() -> frozenset[str]:
    """Tables whose rows belong to a unit (``unit_id``) and whose changes are announced per unit: the records of
    every registered record type, the stored obligation results and the audit log."""
    from django.apps import apps

    from lvzhi.org.models import Unit
    from lvzhi.records import registry

    models = [rt.model for rt in registry.all_types()] + [apps.get_model("obligations", "StoredResult"),
                                                               apps.get_model("obligations", "StoredCount"),
                                                               apps.get_model("audit", "AuditEntry")]
    names = set()
    for model in models:
        field = next((f for f in model._meta.concrete_fields if f.attname == "unit_id"), None)
        if field is not None and field.related_model is Unit and not model._meta.proxy:
            names.add(model._meta.db_table)
    return frozenset(names)


def db_tables(labels) -> list[str]:
    """The tables behind model labels ("org.Unit"), with their many-to-many tables."""
    from django.apps import apps

    names = []
    for label in labels:
        model = apps.get_model(label)
        names.append(model._meta.db_table)
        names += [f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many]
    return sorted(set(names))


def version(tables=None, under: str | None = None) -> str | None:
    """The committed data's version — of every table, or of the models labelled in ``tables``; of the record
    tables and stored results (``narrowed_tables``) only their rows under the unit path ``under`` — or None where
    results must not be reused: no counter (a database not migrated by this version), or a transaction that has
    itself written (its uncommitted rows must not reach another request)."""
    seen = snapshot(under)
    return None if seen is None else seen.version(db_tables(tables) if tables is not None else None)


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """The counter as one statement read it: per table (changes, highest number — SQLite: rows, changes) within a
    unit path, so the version of any set of tables can be told afterwards — of the tables a computation turned
    out to read (``readset``), known only once it has run."""

    head: str  # the database: part of every version
    tables: dict[str, tuple[int, int]]
    # (under,): read by ``snapshot(under)`` — a computation keyed by it shares it with its parts
    reading: tuple = dataclasses.field(default=(), compare=False)

    def version(self, names: Iterable[str] | None = None) -> str:
        pairs = self.tables.values() if names is None else [self.tables[n] for n in names if n in self.tables]
        return f"{self.head}:{sum(p[0] for p in pairs)}:{max((p[1] for p in pairs), default=0)}" \
            if self.head != "sqlite" else f"sqlite:{sum(p[0] for p in pairs)}:{sum(p[1] for p in pairs)}"


def snapshot(under: str | None = None) -> Snapshot | None:
    """The counter per table (see ``Snapshot``), or None where results must not be reused (see ``version``)."""
    if connection.vendor == "sqlite":
        return _sqlite_snapshot(under)
    if connection.vendor != "postgresql":
        return None
    # the subtree's changes, and its ancestors' own (a declaration or a list of a unit above counts below it)
    within = "" if under is None else \
        " AND (unit_path IS NULL OR starts_with(unit_path, %s) OR starts_with(%s, unit_path))"
    folded_within = "" if under is None else " WHERE starts_with(unit_path, %s) OR starts_with(%s, unit_path)"
    params = [] if under is None else [under, under]
    read = _pg_reading(
        f"""SELECT coalesce(json_agg(json_build_array(table_name, n, h)), '[]')
            FROM (SELECT table_name, sum(weight) AS n, max(number_) AS h FROM {TABLE}
                  WHERE table_name <> '{COMPACTED}'{within} GROUP BY table_name) s""",
        f"""SELECT coalesce(json_agg(json_build_array(table_name, n, h)), '[]')
            FROM (SELECT table_name, sum(weight) AS n, max(number_) AS h FROM {FOLDED}{folded_within}
                  GROUP BY table_name) s""", params)
    if read is None:
        return None
    head, rows = read
    return Snapshot(head, {name: pair for (name,), pair in rows.items()}, (under,))


_folded_kept: OrderedDict[tuple, list] = OrderedDict()  # FOLDED's sums by ((oid, compaction), query, params)
_folded_guard = threading.Lock()
_last_compaction: dict[str, tuple] = {}  # per database name: (oid, latest compaction) this process has read
FOLDED_KEPT = 512


def _pg_reading(live: str, folded: str, params: list) -> tuple[str, dict[tuple, tuple[int, int]]] | None:
    """The database (every version's head) and the counter's sums — ``live`` over the recent changes, ``folded``
    over the compacted ones, each rows of (key…, changes, highest number), added up per key — in one statement:
    FOLDED changes only with a compaction, so its sums are kept by the latest compaction's number, read in the
    same statement as the recent ones (a second statement only when a compaction has happened since).
    None: no counter, or this transaction has written (its uncommitted rows must not be reused)."""
    with connection.cursor() as cur:
        if not _counter_present(cur):
            return None
        head = f"""SELECT pg_current_xact_id_if_assigned(),
                          (SELECT oid FROM pg_database WHERE datname = current_database()),
                          (SELECT coalesce(max(number_), 0) FROM {TABLE} WHERE table_name = '{COMPACTED}')"""
        database = connection.settings_dict["NAME"]
        with _folded_guard:  # (a restore swaps in another database, its oid part of the key)
            last = _last_compaction.get(database)
            kept = _folded_kept.get((last, folded, *params)) if last is not None else None
        if kept is not None:
            cur.execute(f"{head}, ({live})", params)
            own_xid, oid, compacted, recent = cur.fetchone()
            if (oid, compacted) != last:
                kept = None
        if kept is None:
            cur.execute(f"{head}, ({live}), ({folded})", params + params)
            own_xid, oid, compacted, recent, kept = cur.fetchone()
            with _folded_guard:
                _last_compaction[database] = (oid, compacted)
                _folded_kept[((oid, compacted), folded, *params)] = kept
                while len(_folded_kept) > FOLDED_KEPT:
                    _folded_kept.popitem(last=False)
    if own_xid is not None:
        return None
    sums: dict[tuple, tuple[int, int]] = {}
    for *key, n, h in (*recent, *kept):
        seen = sums.get(tuple(key))
        sums[tuple(key)] = (int(n), int(h)) if seen is None else (seen[0] + int(n), max(seen[1], int(h)))
    return str(oid), sums


_present: set[str] = set()  # databases (by name) whose change counter this process has seen


def _counter_present(cur) -> bool:
    database = connection.settings_dict["NAME"]
    if database not in _present:  # once the counter exists it stays: one statement per version after that
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE])
        if not cur.fetchone()[0]:
            return False
        _present.add(database)
    return True


@dataclasses.dataclass(frozen=True)
class Split:
    """The counter under a unit path as one statement read it, split by piece of the subtree: the unit's own rows
    (its path) and each child's subtree (the child's path) — ``of(piece)`` is what ``snapshot(piece)`` would have
    read for a child at that moment (for the unit's own piece: the changes of the unit itself), so a result
    computed per piece is kept while its piece is unchanged."""

    head: str
    base: dict[str, tuple[int, int]]  # changes that name no unit: part of every piece
    pieces: dict[str, dict[str, tuple[int, int]]]

    def of(self, piece: str) -> Snapshot:
        tables = dict(self.base)
        for name, (n, h) in self.pieces.get(piece, {}).items():
            b = tables.get(name)
            # PostgreSQL: (rows, highest number) — rows add up, the highest is the larger; SQLite: (rows, changes)
            tables[name] = (n, h) if b is None else \
                (b[0] + n, b[1] + h if self.head == "sqlite" else max(b[1], h))
        return Snapshot(self.head, tables)


def split_snapshot(under: str, width: int) -> Split | None:
    """The counter under the unit path ``under`` per piece: changes grouped by the first ``width`` characters of
    their unit path (a child's path; the unit's own path for its own rows); those of no unit or of an ancestor's
    own rows are part of every piece. One statement, whatever the number of pieces. None where results must not be
    reused (see ``version``)."""
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:
            return None
        with connection.cursor() as cur:
            if not _sqlite_counter_present(cur):
                return None
            cur.execute("SELECT CASE WHEN length(unit_path) < %s THEN NULL ELSE substr(unit_path, 1, %s) END, "
                        f"table_name, count(*), coalesce(sum(changes), 0) FROM {TABLE} "
                        "WHERE substr(unit_path, 1, %s) = %s OR substr(%s, 1, length(unit_path)) = unit_path "
                        "GROUP BY 1, 2", [len(under), width, len(under), under, under])
            return _split("sqlite", cur.fetchall())
    if connection.vendor != "postgresql":
        return None
    read = _pg_reading(
        f"""SELECT coalesce(json_agg(json_build_array(piece, table_name, n, h)), '[]')
            FROM (SELECT CASE WHEN length(unit_path) < %s THEN NULL ELSE left(unit_path, %s) END AS piece,
                         table_name, sum(weight) AS n, max(number_) AS h
                  FROM {TABLE} WHERE table_name <> '{COMPACTED}'
                   AND (unit_path IS NULL OR starts_with(unit_path, %s) OR starts_with(%s, unit_path))
                  GROUP BY 1, 2) s""",
        f"""SELECT coalesce(json_agg(json_build_array(piece, table_name, n, h)), '[]')
            FROM (SELECT CASE WHEN length(unit_path) < %s THEN NULL ELSE left(unit_path, %s) END AS piece,
                         table_name, sum(weight) AS n, max(number_) AS h
                  FROM {FOLDED} WHERE starts_with(unit_path, %s) OR starts_with(%s, unit_path)
                  GROUP BY 1, 2) s""", [len(under), width, under, under])
    return None if read is None else _split(read[0], [(*key, n, h) for key, (n, h) in read[1].items()])


def _split(head: str, rows) -> Split:
    base: dict[str, tuple[int, int]] = {}
    pieces: dict[str, dict[str, tuple[int, int]]] = {}
    for piece, name, n, h in rows:
        (base if piece is None else pieces.setdefault(piece, {}))[name] = (int(n), int(h))
    return Split(head, base, pieces)


def _sqlite_snapshot(under: str | None) -> Snapshot | None:
    if connection.in_atomic_block:
        return None
    where: str = "1"
    params: list[int | str] = []
    if under is not None:
        # as on PostgreSQL: the subtree's changes and its ancestors' own ('' is every path's prefix)
        where = "(substr(unit_path, 1, %s) = %s OR substr(%s, 1, length(unit_path)) = unit_path)"
        params = [len(under), under, under]
    with connection.cursor() as cur:
        if not _sqlite_counter_present(cur):
            return None
        cur.execute(f"SELECT table_name, count(*), coalesce(sum(changes), 0) FROM {TABLE} WHERE {where} "
                    "GROUP BY table_name", params)
        return Snapshot("sqlite", {name: (rows, changes) for name, rows, changes in cur.fetchall()}, (under,))


def _sqlite_counter_present(cur) -> bool:
    cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
    return cur.fetchone() is not None
