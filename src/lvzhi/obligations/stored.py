"""Stored results: every rule × subject × period of a year, as the engine computed it, kept in ``StoredResult``.

The engine (``engine.evaluate``) stays the reference: a stored row is exactly one of its cells, computed for the
unit's subtree with today's date. What follows the calendar is not stored but judged when read, from the count,
the requirement, the due date and the warning start (``state_expr`` is ``engine.judge`` in SQL), so 即将到期 and
逾期 move with the days without a recomputation. What the engine decides on the as-of date beyond that — records
dated after today (they count from their day), events not yet held, the roster of the day for the roster checks —
makes a row stale from a day (``stale_from``): readers recompute those rules for their subtree first.

Writes recompute the cells they touch (``obligations.marks`` → ``replace_part``: some subjects, events and periods
of some rules); a revised rule is recomputed on the task queue (``replace`` per subtree, progress in ``progress``);
``lvzhi recompute`` recomputes everything, per rule and top unit, one transaction each. Readers use the rows only for a whole year, as of today, when that year was fully
computed (``StoredYear.complete``); any other range or as-of date goes to the engine. Reading is
``obligations.stored_reads``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry
from lvzhi.web import clock

from . import stored_counts, stored_rows
from .engine import (
    NA,
    SUBJECT_FIELDS,
    Cell,
    Focus,
    RuleResult,
    evaluate,
    judge,
    rule_versions,
)
from .models import Check, ObligationRule, StoredCount, StoredResult, StoredYear
from .periods import TRUNC, period_of, year_range
from .subjects import select

DAY = dt.timedelta(days=1)
# Rectifications of a named person's finding read differently for those who may not see it: stored both ways.
MASKED = Scope(read_paths=("",), confidential_paths=())


# --- writing -------------------------------------------------------------------------------------------

def _judged(cell: Cell, today: dt.date) -> bool:
    """The cell's state is ``judge`` of its count and dates (so it may be judged again on a later day)."""
    if cell.state == NA or cell.due is None:
        return False
    deadline = cell.due - dt.timedelta(days=cell.rule.grace_days)
    return judge(cell.count, cell.required, deadline, cell.rule, today)[0] == cell.state


def _future_records(version: ObligationRule, root: Unit, end: dt.date, today: dt.date,
                    focus: Focus | None = None) -> dict[str, dt.date]:
    """{period key: the first day after today with a record that may count there} for a count rule, for the
    subjects of ``root``'s subtree (those of ``focus``): such a record counts from its day on, so the row is
    stale from then."""
    if version.check_type != Check.COUNT or not version.record_type or today >= end + 7 * DAY:
        return {}  # (a past year: no record of it is dated after today)
    rt = registry.get(version.record_type)
    if not rt.date_field:
        return {}
    path, attr = version.link_pairs[0]
    pks = focus.subjects.get(version.subject, frozenset()) if focus is not None else None
    subject_qs, _ = select(version.subject, root.path, version.subject_conditions, pks)
    date_field = rt.date_field
    rows = (rt.model._default_manager.filter(**version.record_conditions)
            .filter(**{f"{date_field}__gt": today, f"{date_field}__lte": end + 7 * DAY,
                       f"{path}__in": subject_qs.order_by().values(SUBJECT_FIELDS[version.subject][attr])})
            .annotate(bucket=TRUNC[version.cadence](date_field)).order_by().values("bucket")
            .annotate(first=Min(date_field)))
    out: dict[str, dt.date] = {}
    for r in rows:
        first = r["first"].date() if isinstance(r["first"], dt.datetime) else r["first"]
        key = period_of(version.cadence, first).key
        out[key] = min(out.get(key, first), first)
    return out


def _rows(result: RuleResult, masked: RuleResult | None, root: Unit, year: int, today: dt.date,
          focus: Focus | None = None, seqs: dict | None = None) -> list[tuple]:
    """The rows of the result's cells, as tuples in ``stored_rows.COLUMNS`` order (all of them: ``focus`` only
    narrows the future records read; ``seqs``: the order of the rows they replace)."""
    now = timezone.now()
    end = year_range(year)[1]
    future = {v.pk: _future_records(v, root, end, today, focus) for v in result.versions
              if v.check_type == Check.COUNT}
    hidden = {}
    if masked is not None:
        hidden = {(c.subject.ref, c.period.key): c for c in masked.cells}
    rows = []
    last = max(seqs.values(), default=-1) if seqs else -1
    rule_id = result.rule_id
    for i, c in enumerate(result.cells):
        s, p, rule = c.subject, c.period, c.rule
        seq = i
        if seqs is not None:  # a part of the rule: the rows keep their place, new ones come after
            old = seqs.get((s.kind, s.record_type, s.pk, p.key))
            if old is None:
                last += 1
                old = last
            seq = old
        judged = _judged(c, today)
        stale: dt.date | None
        deadline = c.due - dt.timedelta(days=rule.grace_days) if c.due else None
        if rule.check_type != Check.COUNT:
            stale = today + DAY  # the engine reads the as-of date in ways a stored row cannot follow
        else:
            stale = future.get(rule.pk, {}).get(p.key)
        h = hidden.get((s.ref, p.key))
        rows.append((  # in stored_rows.COLUMNS order (checked below)
            year, rule_id, rule.pk, seq, s.kind, s.record_type, s.pk, s.label[:300],
            h.subject.label[:300] if h and h.subject.label != s.label else "",
            s.unit_id, p.key, p.start, p.end, p.label, p.short, "" if judged else c.state,
            c.count, c.required, c.due,
            deadline - dt.timedelta(days=rule.warning_days) if deadline else None,
            c.record_type, ",".join(map(str, c.record_ids)), c.detail,
            h.detail if h and h.detail != c.detail else "", stale, today, now))
    return rows


_ORDER = [
    "year", "rule_id", "version_id", "seq", "subject_kind", "subject_type", "subject_pk", "subject_label",
    "masked_label", "unit_id", "period_key", "period_start", "period_end", "period_label", "period_short",
    "fixed_state", "count", "required", "due", "warn_from", "record_type", "record_ids", "detail", "masked_detail",
    "stale_from", "computed_on", "computed_at"]
if stored_rows.NAMES != _ORDER:  # a field added to StoredResult must be added to the tuple above
    raise RuntimeError(f"StoredResult's columns changed: {stored_rows.NAMES}")


def _year_row(year: int) -> StoredYear:
    return StoredYear.objects.get_or_create(year=year)[0]


def replace(root: Unit, year: int, rule_id: str, today: dt.date | None = None) -> int:
    """Recompute one rule for ``root``'s subtree and year and replace its stored rows: one transaction, which
    holds the year's row so that two recomputations of the same year never interleave."""
    today = today or clock.today()
    _year_row(year)
    with transaction.atomic():
        StoredYear.objects.select_for_update().filter(year=year).first()
        root = Unit.objects.get(pk=root.pk)  # its path as of now (adding a sibling may move it)
        ev = evaluate(root, year=year, as_of=today, rule_ids=[rule_id])
        result = ev.result(rule_id)
        rows: list[tuple] = []
        if result is not None:
            masked = None
            if any(v.check_type == Check.RECTIFICATION for v in result.versions):
                masked = evaluate(root, year=year, as_of=today, rule_ids=[rule_id], scope=MASKED).result(rule_id)
            rows = _rows(result, masked, root, year, today)
        here = Unit.objects.filter(path__startswith=root.path).values("pk")
        StoredResult.objects.filter(year=year, rule_id=rule_id).filter(unit_id__in=here).delete()
        stored_rows.insert(rows)
        stored_counts.replace(StoredCount.objects.filter(year=year, rule_id=rule_id, unit_id__in=here), rows)
    return len(rows)


def _part(focus: Focus) -> Q:
    """The stored rows of the focus's subjects and events (any rule, unit and period)."""
    q = Q(pk__in=[])
    for kind, pks in focus.subjects.items():
        q |= Q(subject_kind=kind, subject_pk__in=sorted(pks))
    for record_type, pks in focus.events.items():
        q |= Q(subject_kind="event", subject_type=record_type, subject_pk__in=sorted(pks))
    return q


@contextmanager
def _client_cursors():
    """Reads in one round trip each: the engine streams its grouped counts through ``iterator()`` and
    ``engine._raw_rows``, a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round trips) so that
    the whole check's rows are never all in memory — a narrowed evaluation reads a few rows per query, and its
    queries' round trips were most of a write's upkeep under load. This connection only (its own copy of the settings: the dict is shared by threads)."""
    shared = connection.settings_dict
    connection.settings_dict = {**shared, "DISABLE_SERVER_SIDE_CURSORS": True}
    try:
        yield
    finally:
        connection.settings_dict = shared


def replace_part(root: Unit, year: int, rule_ids: Iterable[str], focus: Focus, units: Iterable[int],
                 today: dt.date | None = None) -> int:
    """Recompute only the cells of ``focus`` (some subjects or events, some periods) of these rules in ``root``'s
    subtree (``root`` as read in this transaction), and replace just those rows — what one write changes. One
    transaction holding the year's row, like ``replace``; one evaluation of all the rules, narrowed to the focus.
    ``units``: the units of the focus's subjects and events (the rows are found by unit: an index, not a scan of
    the rule's rows in the subtree — the whole tree for a branch of the top unit)."""
    today = today or clock.today()
    with transaction.atomic():
        if StoredYear.objects.select_for_update().filter(year=year).first() is None:
            return 0  # (only a stored year is kept up to date)
        with _client_cursors():
            ev = evaluate(root, year=year, as_of=today, rule_ids=sorted(rule_ids), focus=focus)
            hidden = [r.rule_id for r in ev.results if any(v.check_type == Check.RECTIFICATION for v in r.versions)]
            masked = (evaluate(root, year=year, as_of=today, rule_ids=hidden, scope=MASKED, focus=focus)
                      if hidden else None)
        versions = [v for r in ev.results for v in r.versions]
        where = Q(rule_id__in=[r.rule_id for r in ev.results]) & _part(focus)
        keys = focus.period_keys(v.cadence for v in versions)
        counted = [v.pk for v in versions if v.check_type == Check.COUNT]
        if keys is not None and counted:  # count rules: the periods of the days only (keys differ by cadence)
            where &= Q(period_key__in=sorted(keys)) | ~Q(version_id__in=counted)
        parts = [(r, focus.period_keys(v.cadence for v in r.versions)) for r in ev.results]
        here = Unit.objects.filter(pk__in=sorted(units), path__startswith=root.path).values("pk")
        mine = StoredResult.objects.filter(year=year, unit_id__in=here).filter(where)
        seqs: dict[str, dict] = {}
        taken = stored_rows.take(mine, "rule_id", "subject_kind", "subject_type", "subject_pk", "period_key", "seq",
                                 *stored_counts.ROW_FIELDS)
        for rule_id, kind, stype, spk, pkey, seq, *_ in taken:
            seqs.setdefault(rule_id, {})[(kind, stype, spk, pkey)] = seq
        rows: list[tuple] = []
        for result, own in parts:
            result.cells = [c for c in result.cells if focus.holds(c, own)]
            rows += _rows(result, masked.result(result.rule_id) if masked else None, root, year, today, focus,
                          seqs.get(result.rule_id, {}))
        stored_rows.insert(rows)
        stored_counts.merge(year, (t[6:] for t in taken), rows)
    return len(rows)


def recompute(year: int, *, unit: Unit | None = None, rule_ids: Iterable[str] | None = None,
              progress: Callable[[str, int, int], None] | None = None, today: dt.date | None = None) -> int:
    """Recompute ``year`` for the whole tree (or a unit's subtree, or some rules), one transaction per rule and
    top unit. A whole-tree recomputation of every rule marks the year complete: readers may use it from then."""
    today = today or clock.today()
    start, end = year_range(year)
    roots = [unit] if unit is not None else list(Unit.objects.get_root_nodes())
    whole = unit is None and not rule_ids
    total = 0
    every: set[str] = set()
    for root in roots:
        ids = sorted(set(rule_ids) if rule_ids else {v.rule_id for v in rule_versions(root, start, end)})
        every |= set(ids)
        for i, rule_id in enumerate(ids, 1):
            total += replace(root, year, rule_id, today)
            if progress:
                progress(f"{root.name} {rule_id}", i, len(ids))
    if whole:
        with transaction.atomic():
            StoredResult.objects.filter(year=year).exclude(rule_id__in=every).delete()  # rules no longer in force
            StoredCount.objects.filter(year=year).exclude(rule_id__in=every).delete()
            StoredYear.objects.filter(year=year).update(complete=True, computed_at=timezone.now())
        # Fresh statistics for the readers' grouped queries: right after a full recomputation the planner's
        # old ones made the board's query sort on disk (1.2 s instead of 0.1–0.2 s on the province).
        stored_rows.analyze()
    return total


# --- progress of recomputations on the task queue (a rule revised, `lvzhi recompute --queue`) -------------
# A small JSON file each under $LVZHI_VAR_DIR/jobs/, like an import's (imports.progress): written outside the
# transactions that write the rows, so it can be read while they run.

def _progress_path(year: int, unit_id: int | None, rule_ids: Iterable[str]) -> Path:
    key = f"{year}-{unit_id or 'all'}-{'+'.join(sorted(rule_ids)) or 'all'}"
    return Path(settings.VAR_DIR) / "jobs" / f"recompute-{key}.json"


def _write_progress(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False))
    os.replace(tmp, path)  # readers see the old or the new state, never half of one


def queued(year: int, unit_id: int | None, rule_ids: Iterable[str]) -> None:
    rule_ids = list(rule_ids)
    _write_progress(_progress_path(year, unit_id, rule_ids),
                    {"year": year, "unit_id": unit_id, "rules": rule_ids, "label": "排队中", "done": 0, "total": None,
                     "beat": time.time()})


def reporter(year: int, unit_id: int | None, rule_ids: Iterable[str]) -> Callable[[str, int, int], None]:
    """progress(label, done, total) for ``recompute``, into the job's file."""
    rule_ids = list(rule_ids)
    path = _progress_path(year, unit_id, rule_ids)

    def report(label: str, done: int, total: int) -> None:
        _write_progress(path, {"year": year, "unit_id": unit_id, "rules": rule_ids, "label": label, "done": done,
                               "total": total, "beat": time.time()})
    report("开始", 0, 0)
    return report


def finished(year: int, unit_id: int | None, rule_ids: Iterable[str]) -> None:
    _progress_path(year, unit_id, rule_ids).unlink(missing_ok=True)


def progress() -> list[dict]:
    """The recomputations queued or running: year, unit, rules, what is being computed, done of total."""
    out = []
    for path in sorted((Path(settings.VAR_DIR) / "jobs").glob("recompute-*.json")):
        try:
            out.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return out
