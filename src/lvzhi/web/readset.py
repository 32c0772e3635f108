"""The tables a computation read, found by watching its SQL — what a reused result (``datacache``) is then keyed by.

A result declared on every table is thrown away by any write anywhere: the workbench's counts of twenty record
types by a 支部活动 saved, the report preview's every figure by one record of one type. Declaring tables by hand
(``reused(tables=…)``) is a list that goes wrong silently when the code changes. So while a reused result is
computed, every statement its thread sends is read for the names of the site's tables; the entry keeps that set
and is fresh while the versions of those tables (``datachange.Snapshot``) are. Whatever the computation knew
without a statement of its own counts too: a reused result found inside it adds the tables that one read
(``note``), so an outer result never outlives the data of an inner one.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re

from django.db import connection

ALL = None  # "every table": a computation whose reads cannot be told (or that asked for every table's version)
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_reading: contextvars.ContextVar[list | None] = contextvars.ContextVar("lvzhi_readset", default=None)


@functools.cache
def site_tables() -> frozenset[str]:
    """The database tables of the site's models, with their many-to-many tables."""
    from django.apps import apps

    names = set()
    for model in apps.get_models(include_auto_created=True):
        names.add(model._meta.db_table)
    return frozenset(names)


def tables_in(sql: str) -> set[str]:
    """The site's tables a statement names (quoted or not; aliases and columns are not table names)."""
    known = site_tables()
    return {word for word in _IDENTIFIER.findall(sql.lower()) if word in known}


@contextlib.contextmanager
def watching():
    """Within the block, collect the tables this thread's statements read; yields a one-element list whose item
    is the set (or ``ALL``) once the block ends."""
    found: list = [set()]
    token = _reading.set(found)

    def observe(execute, sql, params, many, context):
        if found[0] is not ALL:
            found[0] |= tables_in(sql)
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(observe):
            yield found
    finally:
        _reading.reset(token)


def observed(sql: str) -> None:
    """A statement sent elsewhere to run (a render process's, run by its parent: ``reports.bounded``) — not through
    this process's connection, whose wrapper would see it: its tables count for the computation under way."""
    found = _reading.get()
    if found is not None and found[0] is not ALL:
        found[0] |= tables_in(sql)


def of_arguments(values) -> frozenset[str]:
    """The tables of the model instances among a computation's arguments and of the related rows loaded with
    them: data read before the computation began (a report's writer text, its template, a unit's name), which
    its own statements never show."""
    from django.db import models

    found: set[str] = set()
    stack = [v for v in values if isinstance(v, models.Model)]
    seen: set[int] = set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        found.add(obj._meta.db_table)
        stack += [v for v in obj._state.fields_cache.values() if isinstance(v, models.Model)]
    return frozenset(found)


def note(tables: frozenset[str] | None) -> None:
    """A result used inside a watched computation without running its statements there: its tables count."""
    found = _reading.get()
    if found is None or found[0] is ALL:
        return
    if tables is ALL:
        found[0] = ALL
    else:
        found[0] |= tables
