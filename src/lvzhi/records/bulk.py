"""Inserting many new rows at once, below the ORM: one executemany per batch on SQLite, COPY on PostgreSQL.

``bulk_create`` spent most of an import's writing time preparing each value through the SQL compiler's layers (five
calls a value). Here a value goes through its field's own ``pre_save`` and ``get_db_prep_save`` only where the field
needs them (dates, decimals, JSON, auto_now …); text, integers, booleans and foreign key ids are stored as they are.
Ids are drawn before the insert — PostgreSQL: from the table's sequence; SQLite: after the highest id ever given,
under the write lock the IMMEDIATE transaction holds — so the objects get their pk, as from ``bulk_create``.
Anything this does not cover (inherited models, pks already set) goes through ``bulk_create``.
"""

from __future__ import annotations

import datetime as dt
import decimal
from itertools import islice
from operator import itemgetter
from typing import Iterable

from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

BATCH = 5000
_HASHABLE = (dt.date, dt.time, decimal.Decimal, str, int, float, type(None))
# Field types whose attribute value is what the database stores (their pre_save and get_db_prep_save change nothing
# for a value of the right type — which is what cell parsing and the model's own defaults give).
PLAIN = {models.CharField, models.TextField, models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
         models.PositiveIntegerField, models.PositiveSmallIntegerField, models.PositiveBigIntegerField,
         models.BooleanField, models.ForeignKey, models.OneToOneField}


def insert(model: type[models.Model], objs: list, ids: list[int] | None = None) -> None:
    """Insert new ``objs`` of ``model`` (inside the caller's transaction) and set their pks: drawn here, or
    ``ids`` drawn earlier by the caller (``draw_ids``; rows written level by level keep the file's id order)."""
    if not objs:
        return
    if getattr(model, "NUMBER_PREFIX", ""):  # as Numbered's bulk_create: numbers the rows lack, for the year
        from .numbering import assign_numbers, note_numbers

        assign_numbers(model, objs)
        note_numbers(model, objs)
    meta = model._meta
    pk = meta.pk
    files = any(isinstance(f, models.FileField) for f in meta.concrete_fields)  # their pre_save stores the file
    if meta.parents or files or not isinstance(pk, models.AutoField) or any(o.pk is not None for o in objs):
        for obj, pk_value in zip(objs, ids or (), strict=False):
            obj.pk = pk_value
        model._default_manager.bulk_create(objs, batch_size=2000)
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("records.bulk.insert must run inside transaction.atomic()")
    fields = [f for f in meta.concrete_fields if f is not pk]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in [pk.column, *(f.column for f in fields)])
    table = qn(meta.db_table)
    step = len(objs) if connection.vendor == "postgresql" else BATCH  # one COPY streams them all
    for start in range(0, len(objs), step):
        batch = objs[start:start + step]
        batch_ids = ids[start:start + step] if ids is not None else draw_ids(meta.db_table, pk.column, len(batch))
        _stamp(batch, fields, add=True)
        # a generator: on PostgreSQL each row goes out while the next is prepared (see _write_rows)
        _write_rows(table, columns, ([pk_value, *values] for pk_value, values in
                                     zip(batch_ids, _values(batch, fields), strict=True)))
        alias = connection.alias
        pk_attname = pk.attname
        for obj, pk_value in zip(batch, batch_ids, strict=True):
            obj.__dict__[pk_attname] = pk_value  # what obj.pk = … sets (a plain auto field)
            obj._state.adding = False
            obj._state.db = alias


def insert_links(field, pairs) -> None:
    """Rows of a many-to-many field's through table, (record pk, related pk) each, without model objects."""
    through = field.remote_field.through
    meta = through._meta
    src = meta.get_field(field.m2m_field_name()).column
    dst = meta.get_field(field.m2m_reverse_field_name()).column
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        _write_rows(qn(meta.db_table), f"{qn(src)}, {qn(dst)}", pairs)
        return
    pairs = iter(pairs)
    while batch := list(islice(pairs, BATCH)):
        _write_rows(qn(meta.db_table), f"{qn(src)}, {qn(dst)}", batch)


def write_rows(model: type[models.Model], attnames: list[str], rows: Iterable) -> None:
    """Rows of values already prepared for the database (``attnames`` in order, the pk among them) into
    ``model``'s table, inside the caller's transaction. ``rows`` may be a generator (see _write_rows)."""
    meta = model._meta
    qn = connection.ops.quote_name
    by_attname = {f.attname: f.column for f in meta.concrete_fields}
    columns = ", ".join(qn(by_attname[n]) for n in attnames)
    if connection.vendor == "postgresql":
        _write_rows(qn(meta.db_table), columns, rows)  # one COPY streams any number of rows
        return
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        _write_rows(qn(meta.db_table), columns, batch)


def _write_rows(table: str, columns: str, rows: Iterable) -> None:
    """Rows into a table (quoted name, quoted column list): COPY on PostgreSQL, one executemany on SQLite.

    PostgreSQL takes a COPY's rows as they arrive (psycopg sends every 32 KB), so rows given by a generator are
    stored by the server on the other core while the next ones are prepared here; a list made first left the
    server idle while it was built and this process idle while the server caught up at the end. The generator must
    not touch the database: the connection cannot take a query while the COPY is open (psycopg would wait for
    itself for ever) — lazy loads of deferred fields or related objects included."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            rows = iter(rows)
            first = next(rows, None)
            if first is None:
                return  # no statement: an empty COPY would still fire the tables' statement triggers
            with cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write_row(first)
                for row in rows:
                    copy.write_row(row)
            return
        rows = list(rows)
        if rows:
            marks = ", ".join(["%s"] * len(rows[0]))
            cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def update(model: type[models.Model], objs: list, names: list[str], versions: list[int]) -> int:
    """Write fields ``names`` (plus version and the auto_now stamps) of ``objs`` where each row still has the
    version it was read at (``versions``); returns how many rows were written (fewer: someone changed one)."""
    if not objs:
        return 0
    meta = model._meta
    wanted = set(names)
    fields = [f for f in meta.concrete_fields if f.name in wanted or getattr(f, "auto_now", False)]
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    sql = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s AND {qn('version')} = %s"
    written = 0
    for start in range(0, len(objs), BATCH):
        batch = objs[start:start + BATCH]
        _stamp(batch, fields, add=False)
        rows = [[*values, obj.pk, version] for obj, values, version in
                zip(batch, _values(batch, fields), versions[start:start + BATCH], strict=True)]
        with connection.cursor() as cur:
            cur.executemany(sql, rows)
            written += cur.rowcount
    return written


def _stamp(objs: list, fields, *, add: bool) -> None:
    """auto_now (and, for new rows, auto_now_add) fields: one moment for the whole batch, as one write."""
    stamped = [f for f in fields if getattr(f, "auto_now", False) or (add and getattr(f, "auto_now_add", False))]
    if not stamped:
        return
    for f in stamped:
        now = f.pre_save(objs[0], add)  # timezone.now() (today, for a DateField)
        for obj in objs:
            setattr(obj, f.attname, now)


def _values(objs: list, fields):
    """Each object's database values of ``fields``; a value needing preparation (dates, decimals …) is prepared
    once per distinct value, as a year's records share a few hundred dates. The values are taken from each
    object's ``__dict__`` by one itemgetter (in C), then the few fields needing preparation are prepared."""
    attnames = [f.attname for f in fields]
    if not attnames:
        yield from ([] for _ in objs)
        return
    take = itemgetter(*attnames) if len(attnames) > 1 else (lambda values: (values[attnames[0]],))
    special: list[tuple[int, models.Field, dict]] = [(i, f, {}) for i, f in enumerate(fields) if type(f) not in PLAIN]
    for obj in objs:
        values = obj.__dict__  # each field's value as getattr() gives it, without a descriptor call per value
        try:
            row = list(take(values))
        except KeyError:  # a deferred field: getattr() loads it
            row = [values[a] if a in values else getattr(obj, a) for a in attnames]
        for i, f, seen in special:
            value = row[i]
            if isinstance(value, _HASHABLE):
                key = (type(value), value)
                if key not in seen:
                    seen[key] = f.get_db_prep_save(value, connection)
                row[i] = seen[key]
            else:
                row[i] = f.get_db_prep_save(value, connection)
        yield row


_ATTNAMES: dict = {}


def plain_attnames(model) -> list[str]:
    """The attnames of ``model``'s concrete fields, in order, when ``model(*values)`` (a value for every concrete
    field) would only put the values into the object's ``__dict__`` — no init signal receivers, every field's
    attribute a plain Django one (a foreign key id's ``__set__`` also clears a cached object, which a new object
    has none of); else []. Such objects are built directly (an import's rows, ``fetch``): Model.__init__ cost ~8 %
    of an import's CPU, mostly one descriptor call per foreign key and row."""
    plain = _ATTNAMES.get(model)
    if plain is None:
        ok = not (model._meta.abstract or pre_init.has_listeners(model) or post_init.has_listeners(model))
        attnames = [f.attname for f in model._meta.concrete_fields]
        for attname in attnames:
            attr = next((k.__dict__[attname] for k in model.__mro__ if attname in k.__dict__), None)
            ok = ok and type(attr) in (DeferredAttribute, ForeignKeyDeferredAttribute)
        plain = _ATTNAMES[model] = attnames if ok else []
    return plain


def fetch(qs) -> list:
    """``list(qs)``, the objects built as ``from_db`` would, without Model.__init__ where that only fills
    ``__dict__`` (``plain_attnames``): an import resolves a province's people chunk by chunk, ~300,000 objects.
    A queryset that selects anything but every concrete field (related objects, annotations, deferred or
    chosen fields) goes through the ORM's own path."""
    model = qs.model
    attnames = plain_attnames(model)
    query = qs.query
    if (not attnames or query.select_related or query.annotations or query.extra or query.deferred_loading[0]
            or qs._fields is not None or qs._iterable_class is not ModelIterable or qs._prefetch_related_lookups):
        return list(qs)
    db = qs.db
    out = []
    new = model.__new__
    for values in qs.values_list(*attnames).iterator(chunk_size=2000):  # not all rows as tuples, then objects
        obj = new(model)
        state = obj._state = ModelState()
        state.adding = False
        state.db = db
        obj.__dict__.update(zip(attnames, values, strict=True))
        out.append(obj)
    return out


def draw_ids(table: str, column: str, n: int) -> list[int]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                        [connection.ops.quote_name(table), column, n])
            return [r[0] for r in cur.fetchall()]
        qn = connection.ops.quote_name
        cur.execute(f"SELECT MAX({qn(column)}) FROM {qn(table)}")
        highest = cur.fetchone()[0] or 0
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])  # ids of deleted rows stay unused
        seq = cur.fetchone()
        first = max(highest, seq[0] if seq else 0) + 1
        return list(range(first, first + n))
