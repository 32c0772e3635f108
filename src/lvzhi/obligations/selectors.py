"""Reads built on the engine: rules in force, problems for the duty report, warnings for a user, one cell."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.org.selectors import top_units
from lvzhi.web import clock
from lvzhi.web.datacache import reused

from .engine import DONE, DUE_SOON, LATE, Cell, Evaluation, evaluate
from .models import ObligationRule

# --- rules ----------------------------------------------------------------------------------------------

def _ancestor_paths(unit: Unit) -> list[str]:
    return [unit.path[:i] for i in range(unit.steplen, len(unit.path) + 1, unit.steplen)]


def rules_in_force(unit: Unit, day: dt.date) -> list[ObligationRule]:
    """The version of each rule that applies to ``unit`` on ``day``: its own or its nearest ancestor's copy,
    else the default. One query."""
    qs = (ObligationRule.objects.select_related("unit")
          .filter(Q(unit__isnull=True) | Q(unit__path__in=_ancestor_paths(unit)))
          .filter(effective_from__lte=day).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day)))
    best: dict[str, ObligationRule] = {}
    for rule in qs:
        depth = rule.unit.depth if rule.unit_id else 0
        held = best.get(rule.rule_id)
        if held is None or depth > (held.unit.depth if held.unit_id else 0):
            best[rule.rule_id] = rule
    order = ["party_building", "integrity", "ideology"]
    return sorted(best.values(), key=lambda r: (order.index(r.responsibility), r.rule_id))


def rule_history(rule_id: str, unit: Unit) -> list[ObligationRule]:
    """Every version of a rule that concerns ``unit``: defaults, its ancestors' and its own copies."""
    return list(ObligationRule.objects.select_related("unit", "created_by")
                .filter(rule_id=rule_id).filter(Q(unit__isnull=True) | Q(unit__path__in=_ancestor_paths(unit)))
                .order_by("effective_from", "pk"))


# --- problems for the duty report ---------------------------------------------------------------------

@dataclass
class Problem:
    """A late obligation or a coverage gap, as evidence for the report's 存在的问题 section."""

    kind: str  # "late" (one overdue item) or "coverage" (a coverage rule below 100 %)
    rule_id: str
    rule_name: str
    responsibility: str  # 党建 / 廉政 / 意识形态
    text: str  # one Chinese sentence
    source: str
    record_type: str = ""
    record_ids: tuple[int, ...] = ()
    subjects: list[str] = field(default_factory=list)  # for coverage gaps: who is missing
    ratio: float | None = None
    subject_refs: list[str] = field(default_factory=list)  # which subjects, where labels repeat (第1党小组)


def checked(scope: Scope, unit: Unit, start: dt.date, end: dt.date, as_of: dt.date, **kw) -> Evaluation:
    """The evaluation of ``unit``'s subtree: from the stored results for a whole year as of today (when that
    year is stored), else from the engine. ``kw``: rule_ids; states, with_ids (stored only: the cells of these
    states; their record ids — the engine's cells always have both)."""
    from . import stored_reads

    if stored_reads.usable(unit, start, end, as_of):
        return stored_reads.evaluation(unit, start.year, as_of, scope, **kw)
    kw.pop("states", None)
    kw.pop("with_ids", None)
    return evaluate(unit, start=start, end=end, as_of=as_of, scope=scope, **kw)


def late_obligations(scope: Scope, unit: Unit, year: int, as_of: dt.date | None = None) -> list[Problem]:
    """Late items and coverage gaps of ``unit``'s subtree in ``year`` (as of ``as_of``, default today),
    with Chinese descriptions. ``unit`` must be readable by ``scope``. From the stored results when they answer:
    one grouped count per rule and state, then the late (and, for coverage rules, due soon) cells of the rules
    with late ones."""
    from . import stored_reads

    if not scope.can_read(unit):
        return []
    as_of = as_of or clock.today()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if stored_reads.usable(unit, start, end, as_of, fresh=False):
        totals = stored_reads.board(unit, year, as_of).by_rule  # recomputes stale rules first, in the same scan
        late_rules = sorted(r for r, counts in totals.items() if counts.get(LATE))
        if not late_rules:
            return []
        ev = stored_reads.evaluation(unit, year, as_of, scope, rule_ids=late_rules, states=(LATE, DUE_SOON))
    else:
        ev = evaluate(unit, year=year, as_of=as_of, scope=scope)
        totals = {r.rule_id: r.totals for r in ev.results}
    problems: list[Problem] = []
    for result in ev.results:
        problems += problems_of(result, totals.get(result.rule_id, {}))
    return problems


def problems_of(result, totals: dict[str, int]) -> list[Problem]:
    """The problems of one rule's result (its late cells; a coverage rule's gap as one), ``totals``: its counts by
    state."""
    rule = result.rule
    late = [c for c in result.cells if c.state == LATE]
    if not late:
        return []
    if result.is_coverage:
        names = [c.subject.label for c in result.cells if c.state in (LATE, DUE_SOON)]
        return [coverage_problem(rule, names, len(names), totals)]
    responsibility = rule.get_responsibility_display()  # once per rule: a province has thousands of late cells
    return [Problem("late", rule.rule_id, rule.name, responsibility, f"{rule.name}：{c.description}。",
                    c.rule.source_text, _problem_type(c), _problem_ids(c), [c.subject.label],
                    subject_refs=[c.subject.ref]) for c in late]


def coverage_problem(rule: ObligationRule, names: list[str], missing: int, totals: dict[str, int]) -> Problem:
    """A coverage rule's gap as one problem: the share done (from the counts by state) and who is missing
    (``names``: at least the first ten of the ``missing`` late and due soon subjects, in order)."""
    done = totals.get(DONE, 0)
    required = done + totals.get(LATE, 0) + totals.get(DUE_SOON, 0)
    ratio = done / required if required else None
    more = f"等{missing}{'人' if rule.subject == 'person' else '个'}" if missing > 10 else ""
    shown = "、".join(names[:10]) + more
    text = (f"{rule.name}：应完成{required}，已完成{done}（{ratio:.1%}），未完成：{shown}。"
            if ratio is not None else f"{rule.name}：未完成：{shown}。")
    return Problem("coverage", rule.rule_id, rule.name, rule.get_responsibility_display(), text, rule.source_text,
                   subjects=names, ratio=ratio)


def _problem_type(cell: Cell) -> str:
    # The evidence is what owed the obligation: the event itself (the meeting, the matter, the rectification …)
    # or the subject (a Party organisation, a person, a unit, a contact point — each a record type too).
    return cell.subject.record_type or cell.subject.kind


def _problem_ids(cell: Cell) -> tuple[int, ...]:
    return (cell.subject.pk,)


# --- warnings -------------------------------------------------------------------------------------------

def warnings_for(scope: Scope, *, year: int | None = None, as_of: dt.date | None = None,
                 unit: Unit | None = None) -> tuple[list[Cell], list[Evaluation]]:
    """What is late or due soon within the user's units, newest risk (latest due date) first."""
    as_of = as_of or clock.today()
    year = year or as_of.year
    roots = [unit] if unit is not None else list(top_units(scope))
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    # The late and due soon cells only (from the stored rows, filtered by state in SQL, where the year is stored).
    evaluations = [checked(scope, u, start, end, as_of, states=(LATE, DUE_SOON)) for u in roots if scope.can_read(u)]
    items = [c for ev in evaluations for c in ev.with_state(LATE, DUE_SOON)]
    items.sort(key=lambda c: (c.due or c.period.end, c.state == DUE_SOON), reverse=True)
    return items, evaluations


# --- one cell (drill-down) -------------------------------------------------------------------------------

def find_cell(scope: Scope, root: Unit, *, rule_id: str, subject_ref: str, period_key: str, start: dt.date,
              end: dt.date, as_of: dt.date) -> Cell | None:
    from . import stored_reads

    if stored_reads.usable(root, start, end, as_of):
        ev = stored_reads.evaluation(root, start.year, as_of, scope, rule_ids=[rule_id], with_ids=True,
                               where=stored_reads.cell_q(subject_ref, period_key))
    else:
        ev = evaluate(root, start=start, end=end, as_of=as_of, scope=scope, rule_ids=[rule_id])
    return next((c for c in ev.cells() if c.subject.ref == subject_ref and c.period.key == period_key), None)


# --- the check results API ---------------------------------------------------------------------------------

def _row(c: Cell) -> dict:
    from .export import cell_fields

    return {**cell_fields(c), "subject_ref": c.subject.ref,
            "record_ids": [c.subject.pk] if c.subject.record_type else list(c.record_ids),
            "responsibility": c.rule.responsibility, "unit_id": c.subject.unit_id,
            "period_start": c.period.start, "period_end": c.period.end}


class StoredRows:
    """The check results API's rows from the stored results, filtered in SQL and read a page at a time: the
    paginator asks ``len()`` (one count) and one slice (one page of rows with their record ids)."""

    def __init__(self, scope: Scope, unit: Unit, year: int, as_of: dt.date, rule_ids, state, period):
        from django.db.models import Q

        self.scope, self.unit, self.year, self.as_of, self.rule_ids = scope, unit, year, as_of, rule_ids
        self.states = [state] if state else None
        self.where = Q(period_key=period) if period else None

    def __len__(self) -> int:
        from . import stored_reads

        return stored_reads.counted(self.unit, self.year, self.as_of, rule_ids=self.rule_ids, states=self.states,
                              where=self.where)

    def __getitem__(self, window: slice) -> list[dict]:
        from . import stored_reads

        ev = stored_reads.evaluation(self.unit, self.year, self.as_of, self.scope, rule_ids=self.rule_ids,
                               states=self.states, where=self.where, window=window, with_ids=True)
        return [_row(c) for r in sorted(ev.results, key=lambda r: r.rule_id) for c in r.cells]


def check_results(scope: Scope, unit: Unit, year: int, as_of: dt.date, rule_id: str | None = None,
                  responsibility: str | None = None, state: str | None = None, period: str | None = None):
    """The check results API's rows: paged in SQL from the stored results where the year is stored, else every
    row from the engine (reused) filtered here."""
    from . import stored_reads
    from .engine import rule_versions

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if stored_reads.usable(unit, start, end, as_of):
        rule_ids = [rule_id] if rule_id else None
        if responsibility:
            rule_ids = sorted({v.rule_id for v in rule_versions(unit, start, end, rule_ids)
                               if v.responsibility == responsibility}) or ["-"]
        return StoredRows(scope, unit, year, as_of, rule_ids, state, period)
    rows = check_rows(scope, unit, year, as_of, rule_id, responsibility)
    return [r for r in rows if (not state or r["state"] == state) and (not period or r["period"] == period)]


@reused("api.checks")
def check_rows(scope: Scope, unit: Unit, year: int, as_of: dt.date, rule_id: str | None = None,
               responsibility: str | None = None) -> list[dict]:
    """Every cell of the unit's subtree for the year as plain rows (the check results API filters and pages them)."""
    ev = evaluate(unit, year=year, as_of=as_of, scope=scope, rule_ids=[rule_id] if rule_id else None,
                  responsibility=responsibility)
    return [_row(c) for c in ev.cells()]
