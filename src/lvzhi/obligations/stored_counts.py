"""Counts of the stored results (``StoredCount``), kept with the rows in the same transactions, so that the
合规看板's counts of a whole group read a few thousand count rows instead of millions of stored rows.

A count row is the number of stored rows of a year, rule, version and unit that share what their state as of any
day depends on (``state_expr``): the fixed state, whether the count is reached, and — for the open cells only —
the due date and warning start; plus ``stale_from`` and ``computed_on``, which tell a reader that a rule must be
recomputed first. So the state judged on the count rows (``state_expr``) and their stale test equal those of the
stored rows, summed. Every writer of ``StoredResult`` keeps them: ``stored.replace`` (a rule for a subtree:
its count rows there replaced by the tally of its new rows), ``stored.replace_part`` (a write: ± the rows it
took and wrote, merged into the count rows of those rules and units), ``stored.recompute`` (rules no longer in
force), ``marks.touch_rule`` (a revised rule's rows stale from today); unit and rule-version deletions cascade
to both. ``computed_at`` is the latest computation of a row counted there (a row taken away does not lower it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from .engine import DONE, DUE_SOON, LATE, PENDING
from .models import StoredCount
from .stored_rows import INDEX

# The stored row's columns a count row is keyed by (in ``key``'s argument order).
ROW_FIELDS = ("year", "rule_id", "version_id", "unit_id", "fixed_state", "count", "required", "due", "warn_from",
              "stale_from", "computed_on")
KEY_FIELDS = ("year", "rule_id", "version_id", "unit_id", "fixed_state", "done", "due", "warn_from", "stale_from",
              "computed_on")
_AT = [INDEX[f] for f in ROW_FIELDS]
_COMPUTED_AT = INDEX["computed_at"]

Key = tuple


def _date(v) -> dt.date | None:
    """A date as the raw cursor gives it back (SQLite: ISO text)."""
    if v is None or type(v) is dt.date:
        return v
    if isinstance(v, dt.datetime):
        return v.date()
    return dt.date.fromisoformat(str(v)[:10])


def _time(v) -> dt.datetime:
    if isinstance(v, str):  # SQLite's raw cursor: naive UTC text
        v = dt.datetime.fromisoformat(v)
    if timezone.is_naive(v):
        v = timezone.make_aware(v, dt.timezone.utc)
    return v


def key(year, rule_id, version_id, unit_id, fixed_state, count, required, due, warn_from, stale_from,
        computed_on) -> Key:
    """The count row of a stored row (its fields in ``ROW_FIELDS`` order)."""
    fixed = fixed_state or ""
    done = not fixed and count >= required
    open_ = not fixed and not done
    return (int(year), rule_id, int(version_id), int(unit_id), fixed, done,
            _date(due) if open_ else None, _date(warn_from) if open_ else None, _date(stale_from),
            _date(computed_on))


def tally(rows: Iterable[Sequence]) -> dict[Key, list]:
    """{key: [rows, latest computed_at]} of stored rows given as tuples in ``stored_rows.COLUMNS`` order."""
    out: dict[Key, list] = {}
    for row in rows:
        k = key(*(row[i] for i in _AT))
        at = row[_COMPUTED_AT]
        got = out.get(k)
        if got is None:
            out[k] = [1, at]
        else:
            got[0] += 1
            if at > got[1]:
                got[1] = at
    return out


def insert(counts: dict[Key, list]) -> int:
    rows = [StoredCount(**dict(zip(KEY_FIELDS, k, strict=True)), n=n, computed_at=at)
            for k, (n, at) in counts.items() if n]
    StoredCount.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def replace(rows: QuerySet, new_rows: Sequence[Sequence]) -> None:
    """The count rows ``rows`` (a rule's, in a subtree) replaced by the tally of the stored rows written there."""
    rows.delete()
    insert(tally(new_rows))


def _take(rows: QuerySet) -> list[tuple]:
    """Delete these count rows and return them (key fields, n, computed_at): one ``DELETE … RETURNING``."""
    inner, params = rows.order_by().values("pk").query.sql_with_params()
    qn = connection.ops.quote_name
    column = {f.attname: f.column for f in StoredCount._meta.concrete_fields}
    cols = ", ".join(qn(column[f]) for f in (*KEY_FIELDS, "n", "computed_at"))
    table = qn(StoredCount._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE {qn('id')} IN ({inner}) RETURNING {cols}", params)
        return list(cur.fetchall())


def merge(year: int, taken: Iterable[Sequence], written: Sequence[Sequence]) -> None:
    """A part replaced (``stored.replace_part``): the stored rows ``taken`` (their ``ROW_FIELDS``) went, the rows
    ``written`` came; the count rows of their rules and units are taken and written back with the difference
    (two statements)."""
    delta = tally(written)
    gone: dict[Key, int] = {}
    for row in taken:
        k = key(*row)
        gone[k] = gone.get(k, 0) + 1
    keys = set(delta) | set(gone)
    if not keys:
        return
    rule_ids = sorted({k[1] for k in keys})
    unit_ids = sorted({k[3] for k in keys})
    out: dict[Key, list] = {}
    for *kf, n, at in _take(StoredCount.objects.filter(year=year, rule_id__in=rule_ids, unit_id__in=unit_ids)):
        k = (int(kf[0]), kf[1], int(kf[2]), int(kf[3]), kf[4], bool(kf[5]), *map(_date, kf[6:]))
        at = _time(at)
        got = out.get(k)
        if got is None:
            out[k] = [n, at]
        else:  # (a revised rule's rows set stale together may share a key now)
            got[0] += n
            got[1] = max(got[1], at)
    for k, (n, at) in delta.items():
        got = out.setdefault(k, [0, at])
        got[0] += n
        got[1] = max(got[1], at)
    for k, n in gone.items():
        got = out.get(k)
        if got is None or got[0] < n:
            raise RuntimeError(f"stored counts out of step with the stored rows at {k}")
        got[0] -= n
    insert(out)


def state_expr(as_of: dt.date) -> Case:
    """``stored_reads.state_expr`` on the count rows (``engine.judge`` in SQL)."""
    return Case(When(~Q(fixed_state=""), then=F("fixed_state")),
                When(done=True, then=Value(DONE)),
                When(due__lt=as_of, then=Value(LATE)),
                When(warn_from__lte=as_of, then=Value(DUE_SOON)),
                default=Value(PENDING), output_field=CharField())


def stale_q(as_of: dt.date) -> Q:
    """Rows that may no longer be what the engine says on ``as_of`` (as on the stored rows)."""
    return Q(stale_from__lte=as_of) | Q(computed_on__gt=as_of)
