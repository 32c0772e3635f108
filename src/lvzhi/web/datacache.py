"""Results of whole-subtree computations, reused while the data they read has not changed — shared by every
worker, refreshed by one request at a time, and shown with the time of their data.

The compliance dashboard, the report preview with its evidence, the workbench counts and the metric API each
read every record of a subtree; at the province scale that is 0.1–3 s per request (BENCHMARKS.md, 4). Their
results are kept in Django's "results" cache — a table of the database on PostgreSQL (``lvzhi_results_cache``,
shared by every worker process), Redis with ``LVZHI_RESULTS_CACHE_URL`` (every worker on every machine), the
process's memory on SQLite (one process) — as an *entry*: the result, the data version it was computed from
(``datachange.version()``: a counter every committed write to the site's tables moves, whatever wrote it) and the
time of that data. Each process also keeps the entries it last used in memory, so a hit costs one version query.

**Fresh**: the entry's version is the current one — served. **Out of date** (a write since): the first request
that finds it so takes the entry's lock (``cache.add``: atomic in the database table, Redis and memory alike) and
recomputes; requests meanwhile are served the previous result with its time (``Timed.stale``; the pages say
"数据截至 …"), for at most ``LVZHI_RESULTS_MAX_STALE`` seconds (60 by default; 0: never) after the entry was
found out of date — after that they wait for the refresh (never a second one at the same time). So one write costs one
recomputation in the whole site, not one per worker. The taker itself is served the previous result too while a
thread of its process recomputes (``LVZHI_RESULTS_REFRESH=background``, the default on PostgreSQL: nobody waits),
or recomputes before answering (``inline``, the default on SQLite).

**A writer sees their own write**: a request that wrote (a POST, PUT, PATCH or DELETE that succeeded) marks its
browser (``FreshAfterWriteMiddleware``, a signed cookie); for ``LVZHI_RESULTS_MAX_STALE`` seconds after, that browser's requests
are never served a stale entry — they wait for the refresh in progress (polling its entry) or recompute — so the
page a writer goes to next shows what they saved. ``fresh()`` does the same for a block of code.

Never cached: inside a transaction that has written (its uncommitted rows must not reach another request; on
SQLite inside any atomic block). The key holds what the reader may see (their readable and confidential
subtrees), "today" and the release; the entry's version is compared, not keyed, so a stale entry can be found.

The reuse lives in the selectors whose results it holds: ``@reused("name")`` on the selector (one line), keyed by
its arguments (a unit or any model by its id, a query by its SQL, a record type or metric by its key, a date as
is; a ``scope`` argument by what it may see); an entry is fresh while the version of the tables it read is
unchanged — those named with ``tables=("org.Unit", …)``, else the tables its statements named while it was
computed, the tables of the model instances among its arguments, and those of every reused result it used
(``readset``: nothing lists them by hand, so none can be forgotten); with ``subtree=`` (the argument holding the unit, or a
function of the arguments giving it) the record tables and stored results count only within that unit's subtree
(``datachange.version(under=…)``), so a write in one company leaves another's result fresh. A view calls the
selector (or ``selector.timed(...)`` for the result with its time) and cannot forget the reuse.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import functools
import hashlib
import inspect
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Generic, ParamSpec, TypeGuard, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import EmptyResultSet
from django.db import models
from django.utils import timezone

from lvzhi.web import clock, datachange, readset

T = TypeVar("T")
P = ParamSpec("P")
LOCAL_ENTRIES = 256  # entries each process keeps in memory (the shared cache holds them all)
REFRESHING = ":refresh"  # the refresh lock of an entry: its key + this
WAIT_STEP = 0.05  # seconds between looks at an entry being refreshed by another request
# per process; read by tests and the benchmark's notes: hits, misses (= recomputations), stale (served out of date)
stats = {"hits": 0, "misses": 0, "stale": 0}
_local: OrderedDict[str, Entry] = OrderedDict()
# key → when (time.monotonic()) this process last found the entry being refreshed by another request: until RECHECK
# later its requests are served this process's copy without asking the shared cache — during a refresh every
# request would otherwise fetch the whole entry (a report preview's 124 KB) and try its lock, one write costing
# hundreds of such round trips
_under_way: dict[str, float] = {}
RECHECK = 0.1
_local_guard = threading.Lock()
_must_be_fresh: contextvars.ContextVar[bool] = contextvars.ContextVar("lvzhi_results_fresh", default=False)
# within a computation: the counter as first read per unit path, for the reused results it uses inside (a report's
# sixty figures, the workbench's thirty counts) — one statement, not one each. An earlier reading is safe: the
# computation's own entry is keyed by the version read before it began, so newer data only makes it out of date.
_snapshots: contextvars.ContextVar[dict | None] = contextvars.ContextVar("lvzhi_results_snapshots", default=None)


@dataclasses.dataclass(frozen=True)
class Entry:
    version: str
    at: dt.datetime  # the time of the data: its version was read just before computing
    value: Any
    outdated_at: float | None = None  # time.time() when a request first found it out of date
    tables: frozenset[str] | None = None  # the tables it read (``readset``); None: every table


@dataclasses.dataclass(frozen=True)
class Timed(Generic[T]):
    """A result with the time of its data; ``stale``: the data has changed since (a refresh is under way)."""

    value: T
    at: dt.datetime | None
    stale: bool = False


def max_stale() -> float:
    return float(getattr(settings, "RESULTS_MAX_STALE", 60))


@contextlib.contextmanager
def fresh():
    """Within the block, results are never served out of date (a writer's next page)."""
    token = _must_be_fresh.set(True)
    try:
        yield
    finally:
        _must_be_fresh.reset(token)


def lock_seconds() -> int:
    """A refresh's lock expires after this long — its process died, or it is taking very long: another request
    may then take it (a second refresh at worst, never a site waiting for a process that is gone)."""
    return max(int(2 * max_stale()), 30)


def must_be_fresh() -> bool:
    """A writer's next page, no staleness allowed — or inside a computation: a result computed from an out-of-date
    part would be kept as current (keyed by the version read before it began), wrong until the next write."""
    return _must_be_fresh.get() or max_stale() <= 0 or _snapshots.get() is not None


_process_cache: list = []  # set in a report's render process (``reports.bounded``): its parent's cache, by message


def use_parent_cache(cache) -> None:
    """In a forked render process with no database connection of its own: read and keep results through the
    parent (``cache``: get and set), never serve one out of date, never take a refresh lock."""
    _process_cache[:] = [cache]


def _cache():
    """The shared results cache; inside an atomic block on the database's own table this process's memory instead
    (a write to the table would join the block's transaction: it would be undone with it, and would make the
    block one that has written, which reuses nothing)."""
    from django.db import connection

    if _process_cache:
        return _process_cache[0]
    if connection.in_atomic_block and isinstance(caches["results"], DatabaseCache):
        return caches["results_local"]
    return caches["results"]


def forget() -> None:
    """Drop every reused result (the shared cache and this process's copies)."""
    _cache().clear()
    caches["results_local"].clear()
    with _local_guard:
        _local.clear()


def database_version(tables: Iterable[str] | None = None, under: str | None = None) -> str | None:
    """The data version (of every table, or of the models labelled in ``tables``; of the record tables within the
    unit path ``under``), or None where results must not be reused."""
    return datachange.version(tables, under)


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
           tables: Iterable[str] | None = None, under: str | None = None) -> T:
    """``compute()``, or its result for the same name, parts, reader and data (of ``tables`` if given: model
    labels of every table ``compute`` reads; of the record tables within the unit path ``under``)."""
    return cached_timed(name, parts, compute, scope=scope, timeout=timeout, tables=tables, under=under).value


def cached_timed(name: str, parts: tuple, compute: Callable[[], T], *, scope=None, timeout: int = 3600,
                 tables: Iterable[str] | None = None, under: str | None = None) -> Timed[T]:
    seen = _snapshot(under)
    if seen is None:
        return Timed(compute(), None)
    return _reuse(seen, _declared(tables), name, parts, compute, scope, timeout)


def cached_pieces(name: str, parts: tuple, pieces: dict[Any, datachange.Snapshot], compute: Callable[[list], dict],
                  *, scope=None, timeout: int = 3600) -> dict:
    """Results kept each on its own (``web.pieces``: per piece of a subtree, ``pieces``: id → the counter as read
    for it) in one entry — as many entries as the whole result would take, however many pieces — and those missing
    or out of date computed together, ``compute(ids) → {id: value}`` (one grouped query). No refresh lock: pieces
    are computed inside a page's reused result, which has its own; two refreshes of different pieces at once may
    keep only one's, and the other piece is then recomputed next time."""
    key = _key(name, parts, scope)
    entry = _local.get(key)
    held: dict = entry.value if entry is not None else {}
    if any(not _fresh_piece(held.get(pid), seen) for pid, seen in pieces.items()):
        shared = _cache().get(key)
        held = shared.value if shared is not None else {}
    stale = [pid for pid, seen in pieces.items() if not _fresh_piece(held.get(pid), seen)]
    out = {pid: held[pid][2] for pid in pieces if pid not in stale}
    for pid in out:
        readset.note(held[pid][1])
    if not stale:
        stats["hits"] += 1  # the entry, as for a whole result
        if entry is None or entry.value is not held:
            _remember(key, Entry("", timezone.now(), held))
        return out
    stats["misses"] += 1  # one computation, however many pieces it counts
    token = _snapshots.set({})
    try:
        with readset.watching() as read:
            values = compute(stale)
    finally:
        _snapshots.reset(token)
    tables = None if read[0] is readset.ALL else frozenset(read[0])
    held = {pid: kept for pid, kept in held.items() if pid in pieces} | {
        pid: (pieces[pid].version(tables), tables, values[pid]) for pid in stale}
    made = Entry("", timezone.now(), held)  # its pieces carry their versions
    _cache().set(key, made, timeout)
    _remember(key, made)
    readset.note(tables)
    return out | {pid: values[pid] for pid in stale}


def _fresh_piece(kept: tuple | None, seen: datachange.Snapshot) -> bool:
    return kept is not None and kept[0] == seen.version(kept[1])


def once_per_computation(key: tuple, make: Callable[[], T]) -> T:
    """``make()``, read once for every part of the computation under way (the pieces' reading of the counter and
    the unit's children, for the workbench's thirty counts), else each time."""
    taken = _snapshots.get()
    if taken is None:
        return make()
    if key not in taken:
        taken[key] = make()
    return taken[key]


def within_computation() -> bool:
    """Whether this runs inside a reused result being computed (a page's): parts worth keeping on their own are
    kept there; a one-off computation (a year-end batch writing 1,716 reports) computes them and keeps nothing."""
    return _snapshots.get() is not None


def _snapshot(under: str | None) -> datachange.Snapshot | None:
    taken = _snapshots.get()
    if taken is not None and under in taken:
        return taken[under]
    seen = datachange.snapshot(under)
    if taken is not None and seen is not None:
        taken[under] = seen
    return seen


def _declared(tables: Iterable[str] | None) -> frozenset[str] | None:
    """The database tables behind declared model labels; None: none declared — the tables read are watched."""
    return _tables_of(tuple(tables)) if tables is not None else None


@functools.cache
def _tables_of(labels: tuple[str, ...]) -> frozenset[str]:
    return frozenset(datachange.db_tables(labels))


def entry(key: str) -> Entry | None:
    """The entry kept under ``key`` (this process's copy, or the shared cache's), fresh or not."""
    return _local.get(key) or _cache().get(key)


def keep(key: str, value: Entry, timeout: int) -> None:
    """Keep an entry computed elsewhere (a render process) for every worker."""
    _cache().set(key, value, timeout)
    _remember(key, value)


def _key(name: str, parts: tuple, scope) -> str:
    raw = repr((release(), name, parts, scope_key(scope), clock.today().isoformat()))
    return f"lvzhi:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _remember(key: str, entry: Entry) -> None:
    with _local_guard:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def _fresh(entry: Entry | None, seen: datachange.Snapshot) -> TypeGuard[Entry]:
    """Whether none of the tables the entry read has changed since (the version of its own tables)."""
    return entry is not None and entry.version == seen.version(entry.tables)


def _hit(entry: Entry) -> Timed:
    stats["hits"] += 1
    readset.note(entry.tables)  # a computation this is part of read these tables too
    return Timed(entry.value, entry.at)


def _reuse(seen: datachange.Snapshot, declared: frozenset[str] | None, name: str, parts: tuple,
           compute: Callable[[], T], scope, timeout: int) -> Timed[T]:
    key = _key(name, parts, scope)
    entry = _local.get(key)
    if _fresh(entry, seen):  # fresh in this process: no read of the shared cache
        return _hit(entry)
    if entry is not None and time.monotonic() - _under_way.get(key, -RECHECK) < RECHECK and _may_serve(entry):
        return _stale(key, entry)  # another request refreshes it: looked a moment ago
    cache = _cache()
    entry = cache.get(key)
    if _fresh(entry, seen):
        _remember(key, entry)
        return _hit(entry)
    if _process_cache:  # a render process: computes what it needs now, and keeps it for the site
        return _compute(key, seen, declared, compute, timeout)
    lock = key + REFRESHING
    token = uuid.uuid4().hex
    if cache.add(lock, token, timeout=lock_seconds()):  # this request refreshes; the others are served
        if entry is not None and entry.outdated_at is None:  # readers may serve it until outdated_at + limit
            entry = dataclasses.replace(entry, outdated_at=time.time())
            cache.set(key, entry, timeout)
        if entry is not None and not must_be_fresh() and refresh_in_background():
            context = contextvars.copy_context()
            threading.Thread(target=context.run, args=(_refresh, key, lock, token, seen, declared, compute, timeout),
                             name="lvzhi-results-refresh", daemon=True).start()
            return _stale(key, entry)
        try:
            return _compute(key, seen, declared, compute, timeout)
        finally:
            _unlock(lock, token)
    # another request is refreshing this result
    if entry is not None and entry.outdated_at is None:
        entry = dataclasses.replace(entry, outdated_at=time.time())
    if entry is not None and _may_serve(entry):
        return _stale(key, entry)
    while cache.get(lock) is not None:  # wait for the refresh under way (at most until its lock expires)
        time.sleep(WAIT_STEP)
        entry = cache.get(key)
        if _fresh(entry, seen):
            _remember(key, entry)
            return _hit(entry)
    entry = cache.get(key)
    if _fresh(entry, seen):
        return _hit(entry)
    return _compute(key, seen, declared, compute, timeout)


def _may_serve(entry: Entry) -> bool:
    """Whether an out-of-date entry may still be served (not to a writer; not past the staleness allowed)."""
    return (not must_be_fresh() and entry.outdated_at is not None
            and time.time() - entry.outdated_at <= max_stale())


def _stale(key: str, entry: Entry) -> Timed:
    """The previous result while a refresh is under way; this process serves its copy until ``RECHECK``."""
    _under_way[key] = time.monotonic()
    if _local.get(key) is not entry:
        _remember(key, entry)
    stats["stale"] += 1
    readset.note(entry.tables)
    return Timed(entry.value, entry.at, stale=True)


def refresh_in_background() -> bool:
    """Whether the request that takes a refresh is served the previous result at once while a thread of its
    process recomputes (``LVZHI_RESULTS_REFRESH``: ``background``, the default on PostgreSQL) or recomputes
    itself (``inline``, the default on SQLite, whose in-memory test database one connection serves)."""
    from django.db import connection

    if connection.in_atomic_block:  # a thread's own connection would not see what this block sees
        return False
    mode = getattr(settings, "RESULTS_REFRESH", "") or ("inline" if connection.vendor == "sqlite" else "background")
    return mode == "background"


def _refresh(key: str, lock: str, token: str, seen: datachange.Snapshot, declared: frozenset[str] | None,
             compute: Callable[[], Any], timeout: int) -> None:
    from django.db import connections

    try:
        _compute(key, seen, declared, compute, timeout)
    except Exception:  # the next request after the lock expires tries again; nobody waited for this one
        import logging

        logging.getLogger("lvzhi.datacache").exception("重新计算结果失败：%s", key)
    finally:
        _unlock(lock, token)
        connections.close_all()  # this thread's own connections


def _unlock(lock: str, token: str) -> None:
    cache = _cache()
    if cache.get(lock) == token:
        cache.delete(lock)


def _compute(key: str, seen: datachange.Snapshot, declared: frozenset[str] | None, compute: Callable[[], T],
             timeout: int) -> Timed[T]:
    """Compute and keep the result, keyed by the version (as of ``seen``, read before computing) of the tables it
    declared or, if none, of the tables it turned out to read."""
    at = timezone.now()
    stats["misses"] += 1
    tables: frozenset[str] | None = declared
    outer = _snapshots.get()  # a part computed inside another computation shares its readings
    # (a computation's parts read the counter as the computation did, where they ask for the same subtree)
    token = _snapshots.set(outer if outer is not None else {seen.reading[0]: seen} if seen.reading else {})
    try:
        if declared is not None:
            value = compute()
        else:
            with readset.watching() as found:
                value = compute()
            tables = None if found[0] is readset.ALL else frozenset(found[0])
    finally:
        _snapshots.reset(token)
    entry = Entry(seen.version(tables), at, value, tables=tables)
    _cache().set(key, entry, timeout)
    _remember(key, entry)
    readset.note(tables)
    return Timed(entry.value, entry.at)


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


def reused(name: str, *, tables: Iterable[str] | None = None, subtree: str | Callable[[dict], Any] | None = None,
           timeout: int = 3600) -> Callable[[Callable[P, T]], Any]:
    """Decorate a selector so its result is reused for the same arguments, reader and data (see the module).
    ``tables``: model labels of every table it reads, if fewer than all; a write elsewhere then keeps the result.
    ``subtree``: the argument holding the unit whose subtree it reads (or a function of the bound arguments
    returning that unit); a write of records or stored results outside that subtree then keeps the result.
    ``selector.timed(...)``: the result with the time of its data (``Timed``)."""
    tables = tuple(tables) if tables is not None else None

    def decorate(fn: Callable[P, T]) -> Any:
        signature = inspect.signature(fn)

        def key(*args: P.args, **kwargs: P.kwargs) -> str:
            """The cache key of the result for these arguments (its refresh lock: ``key + ":refresh"``)."""
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            parts = tuple((k, key_part(v)) for k, v in bound.arguments.items() if k != "scope")
            return _key(name, parts, bound.arguments.get("scope"))

        def timed(*args: P.args, **kwargs: P.kwargs) -> Timed[T]:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            unit = None
            if subtree is not None:
                unit = bound.arguments.get(subtree) if isinstance(subtree, str) else subtree(bound.arguments)
            seen = _snapshot(getattr(unit, "path", None))
            if seen is None:  # a transaction that wrote: nothing to key
                return Timed(fn(*args, **kwargs), None)
            scope = bound.arguments.get("scope")
            try:
                parts = tuple((k, key_part(v)) for k, v in bound.arguments.items() if k != "scope")
            except EmptyResultSet:  # a query that can match nothing has no SQL: just computed
                return Timed(fn(*args, **kwargs), None)
            read_before = readset.of_arguments(bound.arguments.values())

            def compute() -> T:
                readset.note(read_before)  # the arguments' rows are data this result was computed from
                return fn(*args, **kwargs)

            return _reuse(seen, _declared(tables), name, parts, compute, scope, timeout)

        @functools.wraps(fn)
        def selector(*args: P.args, **kwargs: P.kwargs) -> T:
            return timed(*args, **kwargs).value

        selector.timed = timed  # type: ignore[attr-defined]
        selector.key = key  # type: ignore[attr-defined]
        return selector  # the selector without reuse, for comparisons: ``.__wrapped__``

    return decorate
