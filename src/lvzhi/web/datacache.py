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
"""

from __future__ import annotations

import functools
import hashlib
import threading
from pathlib import Path
from typing import Callable, TypeVar

from django.core.cache import caches
from django.core.paginator import Paginator as DjangoPaginator
from django.utils.functional import cached_property
from rest_framework import pagination

from lvzhi.web import clock, datachange

T = TypeVar("T")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
stats = {"hits": 0, "misses": 0}  # per process; read by tests and the benchmark's notes


def database_version() -> str | None:
    """The data version, or None where results must not be reused."""
    return datachange.version()


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


def cached(name: str, parts: tuple, compute: Callable[[], T], *, scope=None, timeout: int = 3600) -> T:
    """``compute()``, or its result for the same name, parts, reader and database state."""
    version = database_version()
    if version is None:
        return compute()
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
