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
computed (``StoredYear.complete``); any other range or as-of date goes to the engine.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Count, F, IntegerField, Max, Min, Q, Value, When
from django.utils import timezone

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry
from lvzhi.web import clock

from .engine import (
    DONE,
    DUE_SOON,
    LATE,
    NA,
    PENDING,
    STATE_ORDER,
    SUBJECT_FIELDS,
    Cell,
    Evaluation,
    Focus,
    RuleResult,
    evaluate,
    judge,
    parse_ids,
    rule_versions,
)
from .models import Check, ObligationRule, Responsibility, StoredResult, StoredYear
from .periods import TRUNC, Period, period_of, year_range
from .subjects import Subject, select

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
          focus: Focus | None = None, seqs: dict | None = None) -> list[StoredResult]:
    """The rows of the result's cells (all of them: ``focus`` only narrows the future records read; ``seqs``:
    the order of the rows they replace)."""
    now = timezone.now()
    end = year_range(year)[1]
    future = {v.pk: _future_records(v, root, end, today, focus) for v in result.versions
              if v.check_type == Check.COUNT}
    hidden = {}
    if masked is not None:
        hidden = {(c.subject.ref, c.period.key): c for c in masked.cells}
    rows = []
    last = max(seqs.values(), default=-1) if seqs else -1
    for i, c in enumerate(result.cells):
        seq = i
        if seqs is not None:  # a part of the rule: the rows keep their place, new ones come after
            old = seqs.get((c.subject.kind, c.subject.record_type, c.subject.pk, c.period.key))
            if old is None:
                last += 1
                old = last
            seq = old
        judged = _judged(c, today)
        stale: dt.date | None
        deadline = c.due - dt.timedelta(days=c.rule.grace_days) if c.due else None
        if c.rule.check_type != Check.COUNT:
            stale = today + DAY  # the engine reads the as-of date in ways a stored row cannot follow
        else:
            stale = future.get(c.rule.pk, {}).get(c.period.key)
        h = hidden.get((c.subject.ref, c.period.key))
        rows.append(StoredResult(
            year=year, rule_id=result.rule_id, version=c.rule, seq=seq, subject_kind=c.subject.kind,
            subject_type=c.subject.record_type, subject_pk=c.subject.pk, subject_label=c.subject.label[:300],
            masked_label=h.subject.label[:300] if h and h.subject.label != c.subject.label else "",
            unit_id=c.subject.unit_id, period_key=c.period.key, period_start=c.period.start, period_end=c.period.end,
            period_label=c.period.label, period_short=c.period.short, fixed_state="" if judged else c.state,
            count=c.count, required=c.required, due=c.due,
            warn_from=deadline - dt.timedelta(days=c.rule.warning_days) if deadline else None,
            record_type=c.record_type, record_ids=",".join(map(str, c.record_ids)), detail=c.detail,
            masked_detail=h.detail if h and h.detail != c.detail else "", stale_from=stale, computed_on=today,
            computed_at=now))
    return rows


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
        rows: list[StoredResult] = []
        if result is not None:
            masked = None
            if any(v.check_type == Check.RECTIFICATION for v in result.versions):
                masked = evaluate(root, year=year, as_of=today, rule_ids=[rule_id], scope=MASKED).result(rule_id)
            rows = _rows(result, masked, root, year, today)
        (StoredResult.objects.filter(year=year, rule_id=rule_id)
         .filter(unit_id__in=Unit.objects.filter(path__startswith=root.path).values("pk")).delete())
        StoredResult.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _part(focus: Focus) -> Q:
    """The stored rows of the focus's subjects and events (any rule, unit and period)."""
    q = Q(pk__in=[])
    for kind, pks in focus.subjects.items():
        q |= Q(subject_kind=kind, subject_pk__in=sorted(pks))
    for record_type, pks in focus.events.items():
        q |= Q(subject_kind="event", subject_type=record_type, subject_pk__in=sorted(pks))
    return q


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
        ev = evaluate(root, year=year, as_of=today, rule_ids=sorted(rule_ids), focus=focus)
        hidden = [r.rule_id for r in ev.results if any(v.check_type == Check.RECTIFICATION for v in r.versions)]
        masked = evaluate(root, year=year, as_of=today, rule_ids=hidden, scope=MASKED, focus=focus) if hidden else None
        versions = [v for r in ev.results for v in r.versions]
        where = Q(rule_id__in=[r.rule_id for r in ev.results]) & _part(focus)
        keys = focus.period_keys(v.cadence for v in versions)
        counted = [v.pk for v in versions if v.check_type == Check.COUNT]
        if keys is not None and counted:  # count rules: the periods of the days only (keys differ by cadence)
            where &= Q(period_key__in=sorted(keys)) | ~Q(version_id__in=counted)
        parts = [(r, focus.period_keys(v.cadence for v in r.versions)) for r in ev.results]
        here = list(Unit.objects.filter(pk__in=list(units), path__startswith=root.path).values_list("pk", flat=True))
        mine = StoredResult.objects.filter(year=year, unit_id__in=here).filter(where)
        seqs: dict[str, dict] = {}
        for rule_id, kind, stype, spk, pkey, seq in mine.values_list(
                "rule_id", "subject_kind", "subject_type", "subject_pk", "period_key", "seq"):
            seqs.setdefault(rule_id, {})[(kind, stype, spk, pkey)] = seq
        rows: list[StoredResult] = []
        for result, own in parts:
            result.cells = [c for c in result.cells if focus.holds(c, own)]
            rows += _rows(result, masked.result(result.rule_id) if masked else None, root, year, today, focus,
                          seqs.get(result.rule_id, {}))
        if seqs:
            mine.delete()
        StoredResult.objects.bulk_create(rows, batch_size=2000)
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
            StoredYear.objects.filter(year=year).update(complete=True, computed_at=timezone.now())
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


# --- reading -------------------------------------------------------------------------------------------

def state_expr(as_of: dt.date) -> Case:
    """``engine.judge`` in SQL (a fixed state where the state does not follow the calendar)."""
    return Case(When(~Q(fixed_state=""), then=F("fixed_state")),
                When(count__gte=F("required"), then=Value(DONE)),
                When(due__lt=as_of, then=Value(LATE)),
                When(warn_from__lte=as_of, then=Value(DUE_SOON)),
                default=Value(PENDING), output_field=CharField())


def usable(unit: Unit, start: dt.date, end: dt.date, as_of: dt.date, *, fresh: bool = True) -> bool:
    """Stored rows answer for a whole year as of today, once the year has been fully computed. Stale rows of
    the unit's subtree are recomputed first (unless not ``fresh``: the caller does, as ``board`` does)."""
    today = clock.today()
    if as_of != today or start.year != end.year or (start, end) != year_range(start.year):
        return False
    if not StoredYear.objects.filter(year=start.year, complete=True).exists():
        return False
    if fresh:
        refresh(unit, start.year, today)
    return True


def _subtree(unit: Unit, year: int):
    return StoredResult.objects.filter(year=year, unit__path__startswith=unit.path)


def refresh(unit: Unit, year: int, today: dt.date) -> int:
    """Recompute the rules with rows that may no longer be what the engine says today (one query when none)."""
    stale = sorted(set(_subtree(unit, year).filter(Q(stale_from__lte=today) | Q(computed_on__gt=today))
                       .values_list("rule_id", flat=True).distinct()))
    for rule_id in stale:
        replace(unit, year, rule_id, today)
    return len(stale)


def summary(unit: Unit, year: int, as_of: dt.date) -> dict[str, dict[str, int]]:
    """{rule_id: {state: number of cells}} for the unit's subtree: one grouped query."""
    out: dict[str, dict[str, int]] = {}
    rows = (_subtree(unit, year).annotate(state=state_expr(as_of)).order_by()
            .values("rule_id", "state").annotate(n=Count("pk")))
    for r in rows:
        out.setdefault(r["rule_id"], {})[r["state"]] = r["n"]
    return out


FIELDS = ("rule_id", "version_id", "subject_kind", "subject_type", "subject_pk", "subject_label", "masked_label",
          "unit_id", "unit__path", "period_key", "period_start", "period_end", "period_label", "period_short",
          "state", "count", "required", "due", "record_type", "detail", "masked_detail")


@dataclass
class Board:
    """What the first screen of the 合规看板 shows, from one grouped query: counts by state per rule and per child
    unit (``""``: the unit's own subjects), and when the rows were computed."""

    by_rule: dict[str, dict[str, int]]
    by_child: dict[str, dict[str, int]]  # child unit path -> state -> cells
    judging: dict[str, set[int]]  # rule -> the versions that judged a cell
    computed_at: dt.datetime | None


def board(unit: Unit, year: int, as_of: dt.date) -> Board:
    """Counts by rule, child unit and state of the unit's subtree: one grouped query on the stored rows alone
    (by unit; the units' paths are one small query), with the rules whose rows are stale today recomputed
    first (the same query tells which: no separate scan for them)."""
    paths = dict(Unit.objects.filter(path__startswith=unit.path).values_list("pk", "path"))
    for _ in range(2):
        rows = list(StoredResult.objects.filter(year=year, unit_id__in=list(paths)).annotate(state=state_expr(as_of))
                    .order_by().values("rule_id", "version_id", "unit_id", "state")
                    .annotate(n=Count("pk"), at=Max("computed_at"),
                              stale=Count("pk", filter=Q(stale_from__lte=as_of) | Q(computed_on__gt=as_of))))
        stale = sorted({r["rule_id"] for r in rows if r["stale"]})
        if not stale:
            break
        for rule_id in stale:
            replace(unit, year, rule_id, as_of)
    width = len(unit.path) + unit.steplen
    by_rule: dict[str, dict[str, int]] = {}
    by_child: dict[str, dict[str, int]] = {}
    judging: dict[str, set[int]] = {}
    latest = None
    for r in rows:
        judging.setdefault(r["rule_id"], set()).add(r["version_id"])
        counts = by_rule.setdefault(r["rule_id"], {})
        counts[r["state"]] = counts.get(r["state"], 0) + r["n"]
        path = paths[r["unit_id"]]
        kids = by_child.setdefault(path[:width] if len(path) >= width else "", {})
        kids[r["state"]] = kids.get(r["state"], 0) + r["n"]
        latest = r["at"] if latest is None or r["at"] > latest else latest
    return Board(by_rule, by_child, judging, latest)


def rule_counts(unit: Unit, year: int, as_of: dt.date, rule_id: str) -> dict[str, int]:
    """{state: cells} of one rule in the unit's subtree (one grouped query on the rule's rows)."""
    rows = (_subtree(unit, year).filter(rule_id=rule_id).annotate(state=state_expr(as_of)).order_by()
            .values("state").annotate(n=Count("pk")))
    return {r["state"]: r["n"] for r in rows}


def _subjects(unit: Unit, year: int, rule_id: str):
    return (_subtree(unit, year).filter(rule_id=rule_id).order_by()
            .values("subject_kind", "subject_type", "subject_pk"))


def subject_count(unit: Unit, year: int, rule_id: str) -> int:
    return _subjects(unit, year, rule_id).distinct().count()


def subject_page(unit: Unit, year: int, rule_id: str, offset: int, limit: int) -> list[tuple]:
    """One page of a rule's subjects (kind, record type, pk) in the order the engine lists them (one query)."""
    page = (_subjects(unit, year, rule_id).annotate(path=Min("unit__path"), first=Min("seq"))
            .order_by("path", "first", "subject_kind", "subject_type", "subject_pk")[offset:offset + limit])
    return [(r["subject_kind"], r["subject_type"], r["subject_pk"]) for r in page]


def subjects_q(keys: Iterable[tuple]) -> Q:
    q = Q(pk__in=[])
    for kind, stype, pk in keys:
        q |= Q(subject_kind=kind, subject_type=stype, subject_pk=pk)
    return q


def cell_q(subject_ref: str, period_key: str) -> Q:
    """The row of one subject (``Subject.ref``: party_org:12, event:committee_meeting:7) and period."""
    parts = subject_ref.split(":")
    try:
        pk = int(parts[-1])
    except ValueError:
        return Q(pk__in=[])
    stype = parts[1] if len(parts) == 3 else ""
    return Q(subject_kind=parts[0], subject_type=stype, subject_pk=pk, period_key=period_key)


def counted(unit: Unit, year: int, as_of: dt.date, *, rule_ids=None, states=None, where: Q | None = None) -> int:
    """How many stored cells a filter selects (one query)."""
    qs = _subtree(unit, year).annotate(state=state_expr(as_of))
    if rule_ids:
        qs = qs.filter(rule_id__in=list(rule_ids))
    if states:
        qs = qs.filter(state__in=list(states))
    if where is not None:
        qs = qs.filter(where)
    return qs.count()


def evaluation(unit: Unit, year: int, as_of: dt.date, scope: Scope, *, rule_ids=None, states=None,
               with_ids: bool = False, where: Q | None = None, window: slice | None = None,
               order: tuple[str, ...] = ("rule_id", "unit__path", "seq")) -> Evaluation:
    """The stored rows of the unit's subtree as the engine's ``Evaluation`` (the cells of ``states`` only, when
    given; of ``where``; the ``window`` slice of them in ``order``; the record ids only ``with_ids``). Three
    queries: versions, which versions judged, the rows."""
    start, end = year_range(year)
    versions = rule_versions(unit, start, end, rule_ids)
    by_pk = {v.pk: v for v in versions}
    qs = _subtree(unit, year)
    if rule_ids:
        qs = qs.filter(rule_id__in=list(rule_ids))
    judging: dict[str, set[int]] = {}
    for rule_id, version_id in qs.order_by().values_list("rule_id", "version_id").distinct():
        judging.setdefault(rule_id, set()).add(version_id)
    rows = qs.annotate(state=state_expr(as_of))
    if states:
        rows = rows.filter(state__in=list(states))
    if "rank" in order:  # the engine's order of states: late, due soon, pending, done, n/a
        rows = rows.annotate(rank=Case(*(When(state=s, then=Value(i)) for i, s in enumerate(STATE_ORDER)),
                                       default=Value(len(STATE_ORDER)), output_field=IntegerField()))
    if where is not None:
        rows = rows.filter(where)
    fields = FIELDS + (("record_ids",) if with_ids else ())
    rows = rows.order_by(*order).values_list(*fields)
    if window is not None:
        rows = rows[window]
    cells: dict[str, list[Cell]] = {}
    subjects: dict[tuple, Subject] = {}
    periods: dict[tuple, Period] = {}
    hidden_paths = scope.confidential_paths
    # Tuples, not dicts, and one subject / period object each: 220,000 rows at the province scale.
    for (rule_id, version_id, kind, stype, spk, label, masked_label, unit_id, path, pkey_, pstart, pend, plabel,
         pshort, state, count, required, due, record_type, detail, masked_detail, *ids) in (
            rows):
        version = by_pk.get(version_id)
        if version is None:
            continue
        masked = bool(masked_label) and not any(path.startswith(p) for p in hidden_paths)
        skey = (kind, stype, spk, masked)
        subject = subjects.get(skey)
        if subject is None:
            subject = subjects[skey] = Subject(kind, spk, masked_label if masked else label, unit_id, path,
                                               {"pk": spk, "unit": unit_id}, record_type=stype)
        pkey = (version.cadence, pkey_)
        period = periods.get(pkey)
        if period is None:
            period = periods[pkey] = Period(version.cadence, pstart, pend, pkey_, plabel, pshort)
        cells.setdefault(rule_id, []).append(Cell(
            version, subject, period, state, count, required, parse_ids(ids[0]) if ids else (),
            masked_detail if masked and masked_detail else detail, due, record_type))
    return Evaluation(unit, start, end, as_of, _results(unit, versions, judging, cells))


def _results(unit: Unit, versions: list[ObligationRule], judging: dict[str, set[int]],
             cells: dict[str, list[Cell]]) -> list[RuleResult]:
    """The engine's results, one per rule: the version shown is the latest that judged a cell (the unit's own
    or an ancestor's before another's)."""
    by_id: dict[str, list[ObligationRule]] = {}
    for v in versions:
        by_id.setdefault(v.rule_id, []).append(v)
    results = []
    for rule_id, vs in by_id.items():
        judged = [v for v in vs if v.pk in judging.get(rule_id, ())]
        own = [v for v in judged if v.unit is None or unit.path.startswith(v.unit.path)]
        results.append(RuleResult(rule_id, (own or judged or vs)[-1], vs, cells.get(rule_id, [])))
    order = list(Responsibility.values)
    results.sort(key=lambda r: (order.index(r.rule.responsibility), r.rule_id))
    return results


def results(unit: Unit, year: int, judging: dict[str, set[int]]) -> list[RuleResult]:
    """The rules of the year for the unit's subtree, without cells (one query: the versions)."""
    start, end = year_range(year)
    return _results(unit, rule_versions(unit, start, end), judging, {})


def state_counts(counts: dict[str, int]) -> dict[str, int]:
    return {s: counts.get(s, 0) for s in (LATE, DUE_SOON, PENDING, DONE, NA)}
