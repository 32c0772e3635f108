"""Results of whole-subtree computations, reused while the database has not changed.

The compliance dashboard, the report preview with its evidence, the workbench counts and the metric API each
read every record of a subtree; at the province scale that is 0.1–3 s per request (BENCHMARKS.md, 4). Their
results are kept in Django's "results" cache under a key holding the *data version* (``datachange.version()``):
on PostgreSQL a counter that every committed write to any of the site's tables moves — through the services,
imports, ``scale-data``, ``restore`` or a ``psql`` session alike — and that nothing else moves (not a transaction
in another database on the same server). A result is therefore only ever served for the state it was computed
from, with nothing to invalidate and no write path that could forget to. The cache may be each worker's memory
(default) or Redis shared by every worker on every machine (``LVZHI_RESULTS_CACHE_URL``).

Never cached: on SQLite (one company on a PC, where these computations take milliseconds), and inside a
transaction that has written (its uncommitted rows must not reach another request). The key also holds what the
reader may see (their readable and confidential subtrees) and "today".

The reuse lives in the selectors whose results it holds: ``@reused("name")`` on the selector (one line), keyed by
its arguments (a unit or any model by its id, a query by its SQL, a record type or metric by its key, a date as
is; a ``scope`` argument by what it may see) and by the version of every table — or, with
``tables=("org.Unit", …)``, of just the tables it reads. A view calls the selector and cannot forget the reuse.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import inspect
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator as DjangoPaginator
from django.db import models
from django.utils.functional import cached_property
from rest_framework import pagination

from lvzhi.web import clock, datachange

T = TypeVar("T")
P = ParamSpec("P")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
stats = {"hits": 0, "misses": 0}  # per process; read by tests and the benchmark's notes


def database_version(tables: Iterable[str] | None = None) -> str | None:
    """The data version (of every table, or of the models labelled in ``tables``), or None where results must not
    be reused."""
    return datachange.version(tables)


@functools.cache
def release() -> str:
    """A digest of the code and templates: a result cached by another release (a shared cache outlives a
    deployment) is never served."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        if path.suffix in {".py", ".html", ".txt", ".md", ".json", ".yaml"} and "static" not in path.parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def scope_key(scope) -> tuple:
    """What a reader may see decides what a result contains; readers who see the same share results."""
    return (tuple(sorted(scope.read_paths)), tuple(sorted(scope.confidential_paths))) if scope is not None else ()


def cached(name: str, parts: tuple, compute: Callable[[], T], *, scope=None, timeout: int = 3600,
           tables: Iterable[str] | None = None) -> T:
    """``compute()``, or its result for the same name, parts, reader and database state (of ``tables`` if given:
    model labels of every table ``compute`` reads)."""
    version = database_version(tables)
    if version is None:
        return compute()
    return _reuse(version, name, parts, compute, scope, timeout)


def _reuse(version: str, name: str, parts: tuple, compute: Callable[[], T], scope, timeout: int) -> T:
    raw = repr((release(), name, parts, scope_key(scope), version, clock.today().isoformat()))
    key = f"lvzhi:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"
    cache = caches["results"]
    hit = cache.get(key)
    if hit is not None:
        stats["hits"] += 1
        return hit[0]
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:  # the threads of one worker asking for the same result compute it once
        hit = cache.get(key)
        if hit is None:
            stats["misses"] += 1
            hit = (compute(),)
            cache.set(key, hit, timeout)
        else:
            stats["hits"] += 1
    with _locks_guard:
        _locks.pop(key, None)
    return hit[0]


class Unkeyable(TypeError):
    """An argument ``reused`` cannot turn into a key: the selector must not be reused as declared."""


def key_part(value: Any) -> Any:
    """What an argument of a reused selector contributes to the key."""
    if value is None or isinstance(value, (str, int, float, bool, dt.date)):
        return value
    if isinstance(value, models.Model):
        return (value._meta.label, value.pk)
    if isinstance(value, models.QuerySet):
        return (value.model._meta.label, str(value.query))  # the SQL holds the reader's scope
    if isinstance(value, (tuple, list, frozenset, set)):
        parts = [key_part(v) for v in value]
        return tuple(sorted(parts, key=repr)) if isinstance(value, (set, frozenset)) else tuple(parts)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for name in ("key", "id"):  # a record type, a metric: declared once, named by their key
            if isinstance(getattr(value, name, None), str):
                return (type(value).__name__, getattr(value, name))
        return (type(value).__name__,) + tuple(key_part(getattr(value, f.name)) for f in dataclasses.fields(value))
    raise Unkeyable(f"{type(value).__name__} cannot be part of a result's key")


def reused(name: str, *, tables: Iterable[str] | None = None,
           timeout: int = 3600) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a selector so its result is reused for the same arguments, reader and data (see the module).
    ``tables``: model labels of every table it reads, if fewer than all; a write elsewhere then keeps the result.
    """
    tables = tuple(tables) if tables is not None else None

    def decorate(fn: Callable[P, T]) -> Callable[P, T]:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def selector(*args: P.args, **kwargs: P.kwargs) -> T:
            version = database_version(tables)
            if version is None:  # SQLite, or a transaction that wrote: nothing to key
                return fn(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            scope = bound.arguments.get("scope")
            try:
                parts = tuple((k, key_part(v)) for k, v in bound.arguments.items() if k != "scope")
            except EmptyResultSet:  # a query that can match nothing has no SQL: just computed
                return fn(*args, **kwargs)
            return _reuse(version, name, parts, lambda: fn(*args, **kwargs), scope, timeout)

        return selector  # the selector without reuse, for comparisons: ``.__wrapped__``

    return decorate


def count(queryset) -> int:
    """``queryset.count()`` reused like any result: a list page's total over a province is a scan of 300,000 rows
    (27 ms), its page of 50 rows an index read. The key is the query's SQL, which holds the reader's scope."""
    try:
        sql = str(queryset.query)
    except Exception:  # a query Django cannot print (e.g. one that can match nothing) is just counted
        return queryset.count()
    return cached("count", (queryset.model._meta.label, sql), queryset.count)


class Paginator(DjangoPaginator):
    """Django's paginator with the total from ``count()`` above."""

    @cached_property
    def count(self) -> int:
        return count(self.object_list) if hasattr(self.object_list, "query") else len(self.object_list)


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """The API's pagination (REST_FRAMEWORK's default) with the total from ``count()`` above."""

    def get_count(self, queryset) -> int:
        return count(queryset) if hasattr(queryset, "query") else len(queryset)
