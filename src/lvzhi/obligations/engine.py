"""The obligation engine: for a unit's subtree, a date range and an as-of date, the state of every rule ×
subject × period — 已完成 / 未到期 / 即将到期 / 逾期 / 不适用 — with the ids of the records that satisfied it.

Set-based by construction: per rule version, one query selects the subjects and one grouped query counts the
satisfying records of all subjects and periods at once (GROUP BY link, Trunc(date)); event checks fetch their
events and candidate records in one or two queries each. The number of queries depends on the number of rule
versions, never on the number of units, Party organisations or people.

How a period is judged:
- by the version of the rule in force on the period's last day (a rule revised mid-year judges the periods
  that end after the change; versions of a committee's own copy take precedence inside its subtree);
- only for subjects that belong to the set for the whole period and whose unit is tracked
  (``Unit.tracked_since``, inherited) and alive (established/dissolved) for the whole period — else 不适用;
- records count when dated within the period and on or before the as-of date;
- due = period end + grace days; 即将到期 from ``warning_days`` before the period end until it is due.
"""

from __future__ import annotations

import datetime as dt
import gc
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import Aggregate, CharField, Count, Q
from django.db.models.functions import Cast

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry
from lvzhi.web import clock

from .models import Cadence, Check, ObligationRule, Responsibility
from .periods import TRUNC, Period, period_of, periods_between, year_range
from .subjects import Subject, UnitIndex, select

DONE, PENDING, DUE_SOON, LATE, NA = "done", "pending", "due_soon", "late", "na"
STATES = {DONE: "已完成", PENDING: "未到期", DUE_SOON: "即将到期", LATE: "逾期", NA: "不适用"}
STATE_ORDER = [LATE, DUE_SOON, PENDING, DONE, NA]
_STATE = attrgetter("state")

# Which subject attribute a link compares with, as a field of the subject's own queryset (for the subquery).
SUBJECT_FIELDS = {
    "party_org": {"pk": "pk", "unit": "unit", "secretary": "secretary"},
    "unit": {"pk": "pk", "unit": "pk"},
    "person": {"pk": "pk", "unit": "unit"},
    "contact_point": {"pk": "pk", "unit": "unit", "leader": "leader"},
}


class GroupConcat(Aggregate):
    """The grouped records' ids as one comma-separated string (GROUP_CONCAT / STRING_AGG)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(distinct)s%(expressions)s)"
    allow_distinct = True
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        # A clone, because Aggregate.as_sql builds its FILTER clause around ``self.template``.
        clone = self.copy()
        clone.function = "STRING_AGG"
        clone.template = "%(function)s(%(distinct)sCAST(%(expressions)s AS TEXT), ',')"
        return super(GroupConcat, clone).as_sql(compiler, connection, **extra)


def parse_ids(text: str | None) -> tuple[int, ...]:
    return tuple(sorted({int(x) for x in text.split(",") if x})) if text else ()


def _distinct_ids(text: str | None) -> tuple[int, ...]:
    """``parse_ids`` for a GroupConcat(distinct=True) of primary keys: never empty items, never twice."""
    return tuple(sorted(map(int, text.split(",")))) if text else ()


@dataclass(slots=True)
class Cell:
    """One rule × subject × period."""

    rule: ObligationRule
    subject: Subject
    period: Period
    state: str
    count: int = 0
    required: int = 1
    record_ids: tuple[int, ...] = ()
    detail: str = ""
    due: dt.date | None = None
    record_type: str = ""  # the type of record_ids

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def description(self) -> str:
        """A full Chinese sentence, e.g. for the report's problems section."""
        return f"{self.subject.label}：{self.detail}" if self.detail else self.subject.label


@dataclass
class RuleResult:
    rule_id: str
    rule: ObligationRule  # the latest version that judged a period of the range
    versions: list[ObligationRule]
    cells: list[Cell] = field(default_factory=list)
    # A rule judged in subject chunks (``stream(chunk=…)``): ``cells`` stays empty and ``parts()`` yields the
    # cells a chunk at a time, so no list of all of them exists (``totals``/``coverage`` are then the writer's).
    parts: Callable[[], Iterator[list[Cell]]] | None = None

    def chunks(self) -> Iterator[list[Cell]]:
        """The cells, in the order of ``cells``, as lists of a chunk's cells (one list unless chunked)."""
        if self.parts is None:
            yield self.cells
        else:
            yield from self.parts()

    @property
    def totals(self) -> dict[str, int]:
        c = Counter(map(_STATE, self.cells))  # no generator frame per cell (40,000 of 谈心谈话, province)
        return {s: c.get(s, 0) for s in STATE_ORDER}

    @property
    def is_coverage(self) -> bool:
        return self.rule.subject in ("person", "unit") and self.rule.cadence == Cadence.YEAR

    def coverage(self) -> dict:
        """Share of subjects that did what they owed (periods judged so far), and who is missing."""
        judged = [c for c in self.cells if c.state in (DONE, LATE, DUE_SOON)]
        missing = [c for c in judged if c.state != DONE]
        done = len(judged) - len(missing)
        return {"required": len(judged), "done": done, "ratio": done / len(judged) if judged else None,
                "missing": missing}


@dataclass
class Evaluation:
    unit: Unit
    start: dt.date
    end: dt.date
    as_of: dt.date
    results: list[RuleResult]

    def cells(self):
        for r in self.results:
            yield from r.cells

    def with_state(self, *states: str) -> list[Cell]:
        return [c for c in self.cells() if c.state in states]

    @property
    def late(self) -> list[Cell]:
        return self.with_state(LATE)

    def result(self, rule_id: str) -> RuleResult | None:
        return next((r for r in self.results if r.rule_id == rule_id), None)


@dataclass(frozen=True)
class Focus:
    """A part of an evaluation, for the stored results' upkeep (``obligations.marks``): only the subjects named
    ({kind: pks}), the events named (their pks, any record type) and, for count rules, the periods that hold one
    of ``days`` (None: every period). Checks that cannot narrow their queries compute more; callers keep only
    the cells ``holds``."""

    subjects: dict[str, frozenset[int]] = field(default_factory=dict)
    events: dict[str, frozenset[int]] = field(default_factory=dict)  # {record type: pks}
    days: frozenset[dt.date] | None = None

    @property
    def event_pks(self) -> frozenset[int]:
        return frozenset().union(*self.events.values())

    def period_keys(self, cadences) -> set[str] | None:
        if self.days is None:
            return None
        return {period_of(c, d).key for c in set(cadences) if c != Cadence.EVENT for d in self.days}

    def holds(self, cell: "Cell", keys: set[str] | None) -> bool:
        s = cell.subject
        if s.kind == "event":
            if s.pk not in self.events.get(s.record_type, ()):
                return False
        elif s.pk not in self.subjects.get(s.kind, ()):
            return False
        return keys is None or cell.rule.check_type != Check.COUNT or cell.period.key in keys


@dataclass
class Context:
    root: Unit
    start: dt.date
    end: dt.date
    as_of: dt.date
    units: UnitIndex
    scope: Scope
    focus: Focus | None = None
    # Subject selections shared by count rules (most share their subject set), each kept only while a rule still
    # to be judged needs it: ``uses`` counts those rules (``stream`` fills it). A selection kept for the whole run
    # held the 40,000 members of 谈心谈话 through every later rule of ``check --all`` (+33 MB peak, province).
    selected: dict = field(default_factory=dict)
    uses: Counter = field(default_factory=Counter)
    chunk: int | None = None  # judge a large person rule this many subjects at a time (``stream``)
    within: Q | None = None  # the chunk being judged: its people (person checks), its meetings' days (quorum)


# Checks that judge against the Party rosters (``membership.selectors.Rosters``): one Rosters per subtree path is
# built for all of them in a stream (``checks.shared_rosters``) — building it is most of their cost (2.1 of the
# 26 reference rules' 3.0 s CPU on the province when quorum and branch structure each built their own).
ROSTER_CHECKS = (Check.QUORUM, Check.BRANCH_STRUCTURE)


# --- state of one cell ---------------------------------------------------------------------------------

def judge(count: int, required: int, deadline: dt.date, rule: ObligationRule, as_of: dt.date) -> tuple[str, dt.date]:
    """``deadline``: the period's last day (or an event's own deadline); it is late after deadline + grace days."""
    due = deadline + dt.timedelta(days=rule.grace_days)
    if count >= required:
        return DONE, due
    if as_of > due:
        return LATE, due
    if as_of >= deadline - dt.timedelta(days=rule.warning_days):
        return DUE_SOON, due
    return PENDING, due


# --- rule versions ------------------------------------------------------------------------------------

def rule_versions(root: Unit, start: dt.date, end: dt.date, rule_ids=None, responsibility=None) -> list[ObligationRule]:
    """Every version that may judge a period ending in the range, for the root's subtree: defaults, copies of
    the root's ancestors and copies of units inside the subtree. One query."""
    steplen = Unit.steplen
    ancestors = [root.path[:i] for i in range(steplen, len(root.path) + 1, steplen)]
    qs = (ObligationRule.objects.select_related("unit")
          .filter(Q(unit__isnull=True) | Q(unit__path__in=ancestors) | Q(unit__path__startswith=root.path))
          .filter(effective_from__lte=end + dt.timedelta(days=6))
          .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start)))
    if rule_ids:
        qs = qs.filter(rule_id__in=list(rule_ids))
    if responsibility:
        qs = qs.filter(responsibility=responsibility)
    return list(qs.order_by("rule_id", "effective_from", "pk"))


def _subtree_path(rule: ObligationRule, root: Unit) -> str | None:
    """The part of the root's subtree this version may judge (None: none of it)."""
    if rule.unit_id is None or root.path.startswith(rule.unit.path):
        return root.path
    if rule.unit.path.startswith(root.path):
        return rule.unit.path
    return None


def _deeper(rule: ObligationRule, versions: list[ObligationRule]) -> list[ObligationRule]:
    """Versions of the same rule owned by units below this version's unit: they take precedence there."""
    base = rule.unit.path if rule.unit_id else ""
    return [v for v in versions if v.unit_id and v.unit.path.startswith(base) and len(v.unit.path) > len(base)]


def _overridden(subject: Subject, period: Period, deeper: list[ObligationRule]) -> bool:
    return any(subject.unit_path.startswith(v.unit.path) and v.in_force_on(period.end) for v in deeper)


# --- counting rules -----------------------------------------------------------------------------------

def count_records(rule: ObligationRule, subject_qs, periods: list[Period], as_of: dt.date) -> dict:
    """{link value (a tuple of them when the rule links on several): {period key: (count, ids)}} — one grouped
    query for all subjects and periods."""
    rt = registry.get(rule.record_type)
    first, last = periods[0].start, min(periods[-1].end, as_of)
    if last < first:
        return {}
    pairs = rule.link_pairs
    main_path, main_attr = pairs[0]
    subject_field = SUBJECT_FIELDS[rule.subject][main_attr]
    date_field = rt.date_field
    qs = (rt.model._default_manager.filter(**rule.record_conditions)
          .filter(**{f"{date_field}__gte": first, f"{date_field}__lte": last,
                     f"{main_path}__in": subject_qs.order_by().values(subject_field)}))
    paths = [p for p, _ in pairs]
    # DISTINCT sorts every group twice in the database (a third of the grouped query's time, province): only when a
    # record can come twice into one group.
    repeats = not _one_row_per_record(rt.model, paths, rule.record_conditions)
    # The bucket as text: turning 1.3 million timestamps into Python dates cost 5 s at the central scale, and a
    # year has only a few dozen distinct buckets (mapped to periods once each below).
    bucket = Cast(TRUNC[rule.cadence](date_field), output_field=CharField())
    rows = (qs.annotate(bucket=bucket).order_by().values_list(*paths, "bucket")
            .annotate(n=Count("pk", distinct=repeats), ids=GroupConcat("pk", distinct=repeats)))
    out: dict = {}
    keys: dict = {}  # bucket → period key: a year has a few dozen buckets and ~100,000 rows (scale benchmark)
    width = len(paths)
    if width == 1:  # the usual case, rows unpacked (115,000 of the 26 reference rules, province)
        for link, bucket, n, text in _raw_rows(rows):
            period_key = keys.get(bucket)
            if period_key is None:
                period_key = keys[bucket] = period_of(rule.cadence, dt.date.fromisoformat(bucket[:10])).key
            ids = (int(text),) if n == 1 else _distinct_ids(text)
            per_period = out.get(link)
            if per_period is None:
                out[link] = {period_key: (n, ids)}
                continue
            found = per_period.get(period_key)
            per_period[period_key] = (n, ids) if found is None else (found[0] + n, found[1] + ids)
        return out
    for row in _raw_rows(rows):  # one per subject and bucket, not all kept
        bucket = row[width]
        period_key = keys.get(bucket)
        if period_key is None:
            period_key = keys[bucket] = period_of(rule.cadence, dt.date.fromisoformat(bucket[:10])).key
        n, text = row[width + 1], row[width + 2]
        # Most rows hold one record (a branch's one meeting of the month): no split, no sort.
        ids = (int(text),) if n == 1 else _distinct_ids(text)
        per_period = out.get(row[0] if width == 1 else row[:width])
        if per_period is None:
            per_period = out[row[0] if width == 1 else row[:width]] = {}
        found = per_period.get(period_key)
        per_period[period_key] = (n, ids) if found is None else (found[0] + n, found[1] + ids)
    return out


def _one_row_per_record(model, link_paths: list[str], conditions: dict) -> bool:
    """No record is joined twice into a group of (link values, bucket): the conditions follow to-one relations
    only, and at most one link ends in a many-to-many relation with an automatic through table (one row per record
    and linked object, the linked object being part of the group)."""
    many_links = 0
    for path in link_paths:
        steps = _relations(model, path)
        if any(f.many_to_many or f.one_to_many for f in steps[:-1]):
            return False
        last = steps[-1] if steps else None
        if last is not None and (last.many_to_many or last.one_to_many):
            if not (last.many_to_many and getattr(last.remote_field, "through", None) is not None
                    and last.remote_field.through._meta.auto_created):
                return False
            many_links += 1
    return many_links <= 1 and not any(f.many_to_many or f.one_to_many
                                       for key in conditions for f in _relations(model, key))


def _relations(model, path: str) -> list:
    """The relation fields a lookup path follows from ``model`` (its lookups and plain fields left out)."""
    out = []
    for part in path.split("__"):
        try:
            f = model._meta.get_field(part)
        except FieldDoesNotExist:
            break  # a lookup (in, gte …) or a transform
        if not f.is_relation:
            break
        out.append(f)
        model = f.related_model
    return out


def _raw_rows(qs, size: int = 5000) -> Iterator[tuple]:
    """The rows of a values_list queryset as the database driver returns them, a chunk at a time, through the
    cursor ``iterator()`` would use (server-side on PostgreSQL: the rows are never all in memory), without Django's
    per-row converters and iterable — ~0.15 s CPU of the province check's 0.8 s for ~115,000 grouped rows. Only
    for columns the driver already returns as Python wants them (ids, counts, text)."""
    sql, params = qs.query.sql_with_params()
    db = connections[qs.db]
    # As ``iterator()`` does: a client cursor when the caller turned server-side ones off (``stored._client_cursors``).
    with db.cursor() if db.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS") else db.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(size):
            yield from chunk


def _selection_key(rule: ObligationRule, ctx: Context, path: str) -> tuple:
    pks = ctx.focus.subjects.get(rule.subject, frozenset()) if ctx.focus is not None else None
    return (rule.subject, path, repr(sorted(rule.subject_conditions.items())), pks)


def _selection(rule: ObligationRule, ctx: Context, path: str):
    """(queryset, subjects) of a count rule: selected once for the rules that share it, forgotten after the last."""
    key = _selection_key(rule, ctx, path)
    left = ctx.uses[key] = ctx.uses[key] - 1
    found = ctx.selected.pop(key, None)
    if found is None:
        found = select(rule.subject, path, rule.subject_conditions, key[3])
    if left > 0:
        ctx.selected[key] = found
    return found


def evaluate_count(rule: ObligationRule, ctx: Context, path: str, deeper: list[ObligationRule],
                   selection=None) -> list[Cell]:
    """``selection``: (queryset, subjects) to judge instead of the rule's whole selection (a chunk of it)."""
    focus = ctx.focus
    subject_qs, subjects = selection if selection is not None else _selection(rule, ctx, path)
    periods = [p for p in periods_between(rule.cadence, ctx.start, ctx.end) if rule.in_force_on(p.end)]
    keys = focus.period_keys([rule.cadence]) if focus is not None else None
    if keys is not None:
        periods = [p for p in periods if p.key in keys]
    if not subjects or not periods:
        return []
    counts = count_records(rule, subject_qs, periods, ctx.as_of)
    attrs = [a for _, a in rule.link_pairs]
    single = len(attrs) == 1
    record_type, required, units = rule.record_type, rule.min_count, ctx.units
    # What ``judge`` and the sentences need depends on the period only: worked out once per period, not once per
    # cell (1.57 million cells at the central scale). ``judge(0, …)`` gives the state of a cell not yet done.
    plan = []
    for p in periods:
        short, due = judge(0, required, p.end, rule, ctx.as_of)
        plan.append((p, p.key, short, due, f"{p.label}不在检查范围内", f"{p.label}{rule.name}",
                     f"次，应不少于{required}次（{due:%Y-%m-%d}前）"))
    cells = []
    append = cells.append
    # Which periods a subject owes depends on its unit and on which periods its spans cover whole. A span covers a
    # run of the (sorted) periods: from the first starting on or after its first day to the last ending on or
    # before its last day — two bisections, not a test per period. Keyed by those runs, the few hundred units ×
    # runs are worked out once each (keyed by the spans' days, 13,527 shapes for the province's 40,109 members).
    starts, ends, last = [p.start for p in periods], [p.end for p in periods], len(periods)
    covered: dict = {}  # (unit, the runs of periods the subject's spans cover) → which periods it owes
    for s in subjects:
        mine = counts.get(s.attrs.get(attrs[0]) if single else tuple(s.attrs.get(a) for a in attrs), NO_COUNTS)
        spans = s.intervals
        if len(spans) == 1:
            a, b = spans[0]
            shape = (s.unit_id, 0 if a is None else bisect_left(starts, a), last if b is None else bisect_right(ends, b))
        else:
            shape = (s.unit_id, *[(0 if a is None else bisect_left(starts, a), last if b is None else bisect_right(ends, b))
                                  for a, b in spans])
        owes = covered.get(shape)
        if owes is None:
            owes = covered[shape] = [units.covers(s.unit_id, p) and s.covers(p) for p in periods]
        for (p, period_key, short, due, na_detail, head, tail), owed in zip(plan, owes, strict=True):
            if deeper and _overridden(s, p, deeper):
                continue
            if not owed:
                append(Cell(rule, s, p, NA, required=required, detail=na_detail, record_type=record_type))
                continue
            n, ids = mine.get(period_key, NONE)
            if n >= required:
                append(Cell(rule, s, p, DONE, n, required, ids, f"{head}{n}次", due, record_type))
            else:
                append(Cell(rule, s, p, short, n, required, ids, f"{head}{n}{tail}", due, record_type))
    return cells


NONE: tuple[int, tuple[int, ...]] = (0, ())
NO_COUNTS: dict = {}


# --- the whole evaluation -----------------------------------------------------------------------------

def evaluate(unit: Unit, *, year: int | None = None, start: dt.date | None = None, end: dt.date | None = None,
             as_of: dt.date | None = None, scope: Scope | None = None, rule_ids=None,
             responsibility: str | None = None, focus: Focus | None = None) -> Evaluation:
    """Evaluate every rule (or those named) for ``unit``'s subtree over a year or [start, end] (a part of it:
    ``focus``)."""
    head, results = stream(unit, year=year, start=start, end=end, as_of=as_of, scope=scope, rule_ids=rule_ids,
                           responsibility=responsibility, focus=focus)
    head.results = list(results)
    order = list(Responsibility.values)
    head.results.sort(key=lambda r: (order.index(r.rule.responsibility), r.rule_id))  # by the version shown
    return head


def stream(unit: Unit, *, year: int | None = None, start: dt.date | None = None, end: dt.date | None = None,
           as_of: dt.date | None = None, scope: Scope | None = None, rule_ids=None,
           responsibility: str | None = None, focus: Focus | None = None, chunk: int | None = None):
    """``evaluate`` one rule at a time: (an Evaluation without results, an iterator of RuleResult in the order
    ``evaluate`` shows them). ``lvzhi check --all`` writes each rule out and forgets it, so memory holds one
    rule's cells, not the whole check's (1.57 million cells at the central scale). ``chunk``: a rule counting
    people is judged that many people at a time — its result has ``parts`` instead of ``cells`` (``_chunked``)."""
    if year is not None:
        start, end = year_range(year)
    if start is None or end is None:
        raise ValueError("evaluate() needs a year or a start and an end")
    as_of = as_of or clock.today()
    ctx = Context(unit, start, end, as_of, UnitIndex(unit), scope or Scope.everything(), focus, chunk=chunk)
    versions = rule_versions(unit, start, end, rule_ids, responsibility)
    by_id: dict[str, list[ObligationRule]] = {}
    for v in versions:
        by_id.setdefault(v.rule_id, []).append(v)
    order = list(Responsibility.values)
    # The order before judging: by the version the unit itself would show (the same as evaluate's order unless
    # versions of one rule name different responsibilities).
    ids = sorted(by_id, key=lambda k: (order.index(_own(unit, by_id[k])[-1].responsibility), k))
    for v in versions:  # the count rules that will select each subject set (``_selection``)
        path = _subtree_path(v, unit)
        if path is not None and v.check_type == Check.COUNT:
            ctx.uses[_selection_key(v, ctx, path)] += 1
        elif path is not None and v.check_type in ROSTER_CHECKS:
            ctx.uses[("rosters", path)] += 1
    return Evaluation(unit, start, end, as_of, []), (_judge_rule(ctx, by_id[k]) for k in ids)


def _own(unit: Unit, versions: list[ObligationRule]) -> list[ObligationRule]:
    """The versions that apply to the unit itself (its own copy, an ancestor's, or the default) — else all."""
    return [v for v in versions if v.unit_id is None or unit.path.startswith(v.unit.path)] or versions


@contextmanager
def _no_collection():
    """The cyclic garbage collector paused while a rule's cells are built: hundreds of thousands of new objects
    (none in a cycle) set off repeated full collections over everything alive — 25–40 % of the check's CPU time
    on the province. Reference counting still frees everything. Afterwards the objects made meanwhile go to the
    oldest generation unexamined (``gc.freeze()`` then ``gc.unfreeze()``: two list splices) before the collector
    resumes (if it ran): else the first young collection walks all of them, and a middle one again — ~0.1 s of the
    26 reference rules' ~0.75 s CPU on the province. A cycle made meanwhile waits for the next full collection."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _judge_rule(ctx: Context, rule_versions_: list[ObligationRule]) -> RuleResult:
    with _no_collection():
        return _judge_versions(ctx, rule_versions_)


def _judge_versions(ctx: Context, rule_versions_: list[ObligationRule]) -> RuleResult:
    from . import checks, chunked

    whole = chunked.judged_in_chunks(ctx, rule_versions_)
    if whole is not None:
        return whole
    unit = ctx.root
    cells: list[Cell] = []
    judging = []
    for v in rule_versions_:
        path = _subtree_path(v, unit)
        if path is None:
            continue
        deeper = _deeper(v, rule_versions_)
        if v.check_type == Check.COUNT:
            new = evaluate_count(v, ctx, path, deeper)
        else:
            new = checks.CHECKS[v.check_type](v, ctx, path, deeper)
        if new:
            judging.append(v)
        cells += new
    # Show the version that applies to the unit itself (its own copy, an ancestor's, or the default).
    own = [v for v in judging if v.unit_id is None or unit.path.startswith(v.unit.path)]
    shown = (own or judging or rule_versions_)[-1]
    return RuleResult(rule_versions_[0].rule_id, shown, rule_versions_, cells)
