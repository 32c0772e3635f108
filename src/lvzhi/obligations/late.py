"""Late items per rule, as the duty report's evidence shows them: every item of a rule with a few, one line for a
rule with many (how many, the first three names, how many subjects). From the stored results the many are counted
in SQL, grouped per subject, instead of every late cell of a province being read and described (2,844 cells,
~140 ms of CPU and as much of PostgreSQL, each time a write made the preview's evidence out of date)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope

from .engine import DUE_SOON, LATE, rule_versions
from .models import Cadence
from .selectors import Problem, coverage_problem, late_obligations, problems_of

COVERAGE_NAMED = 10  # a coverage gap names this many of the missing (selectors.coverage_problem)


@dataclass
class LateRule:
    rule_id: str
    rule_name: str
    count: int  # late items
    named: list[str]  # the subjects' names, each once, in the order of the items (at least the first three)
    subjects: int  # distinct subjects
    problems: list[Problem] = field(default_factory=list)  # every item, where the rule has at most ``shown``


def late_by_rule(scope: Scope, unit: Unit, year: int, as_of: dt.date, shown: int) -> list[LateRule]:
    """The late items of the unit's subtree per rule (in the rules' order): with their problems where a rule has
    at most ``shown``, else counted (``problems`` empty)."""
    from . import stored_reads

    if not scope.can_read(unit):
        return []
    if not stored_reads.usable(unit, dt.date(year, 1, 1), dt.date(year, 12, 31), as_of, fresh=False):
        return _grouped(late_obligations(scope, unit, year, as_of), shown)
    totals = stored_reads.board(unit, year, as_of).by_rule  # recomputes stale rules first
    late_rules = sorted(r for r, counts in totals.items() if counts.get(LATE))
    if not late_rules:
        return []
    # a coverage rule's gap is one sentence naming who is missing: read whole (as is any version of it that is one)
    coverage = {v.rule_id for v in rule_versions(unit, dt.date(year, 1, 1), dt.date(year, 12, 31), late_rules)
                if v.subject in ("person", "unit") and v.cadence == Cadence.YEAR}
    many = sorted(r for r in late_rules if totals[r][LATE] > shown and r not in coverage)
    rows = _late_subjects(unit, year, as_of, many) if many else []
    # a coverage gap names its first ten missing and counts the rest: read those ten
    gaps = _first_cells(unit, year, as_of, sorted(coverage), (LATE, DUE_SOON), COVERAGE_NAMED) if coverage else []
    few = [r for r in late_rules if r not in many and r not in coverage]
    ev = stored_reads.evaluation(unit, year, as_of, scope, rule_ids=late_rules, states=(LATE, DUE_SOON),
                                 where=Q(rule_id__in=few))  # the others' cells are not read: counted above
    valid = {v.pk for result in ev.results for v in result.versions}
    rows_of: dict[str, list[tuple]] = {}
    for row in rows:  # per rule, in their order (19 rules × 5,900 rows at the province, looked through per rule)
        rows_of.setdefault(row[0], []).append(row)
    hidden_paths = scope.confidential_paths

    def label(text: str, masked: str, path: str) -> str:
        return masked if masked and not any(path.startswith(p) for p in hidden_paths) else text

    out = []
    for result in ev.results:
        if result.rule_id in coverage:
            mine = [r for r in gaps if r[0] == result.rule_id]
            if any(r[1] not in valid for r in mine) or not result.is_coverage:  # as the engine would: read whole
                return _grouped(late_obligations(scope, unit, year, as_of), shown)
            names = [label(text, masked, path) for (_, _, text, masked, path, _) in mine]
            out += _grouped([coverage_problem(result.rule, names, mine[0][-1] if mine else 0,
                                              totals.get(result.rule_id, {}))], shown)
            continue
        if result.rule_id not in many:
            problems = problems_of(result, totals.get(result.rule_id, {}))
            out += _grouped(problems, shown)
            continue
        mine = sorted((r for r in rows_of.get(result.rule_id, ()) if r[1] in valid), key=lambda r: (r[7], r[-1]))
        if sum(r[-2] for r in mine) <= shown:  # rows of versions no longer in force: list them as the engine does
            return _grouped(late_obligations(scope, unit, year, as_of), shown)
        names = [label(text, masked, path) for (_, _, _, _, _, text, masked, path, _, _) in mine]
        out.append(LateRule(result.rule_id, result.rule.name, sum(r[-2] for r in mine), list(dict.fromkeys(names)),
                            len({(r[2], r[3], r[4]) for r in mine})))
    return out


def _grouped(problems: list[Problem], shown: int) -> list[LateRule]:
    by_rule: dict[str, list[Problem]] = {}
    for problem in problems:
        by_rule.setdefault(problem.rule_id, []).append(problem)
    return [LateRule(rule_id, ps[0].rule_name, len(ps), list(dict.fromkeys(s for p in ps for s in p.subjects)),
                     len({r for p in ps for r in p.subject_refs}), ps if len(ps) <= shown else [])
            for rule_id, ps in by_rule.items()]


# Inside a page's reused result (the report's evidence) the two reads of every stored row of the subtree are kept
# per piece of it (``web.pieces``: the unit's own rows, each child's subtree): a record saved in one company makes
# its own company's stored rows change, and only those are read again (at the province: 1 of 14 companies' 236,000
# rows instead of all, ~100 ms of PostgreSQL each time a write made the preview's evidence out of date).

def _late_subjects(unit: Unit, year: int, as_of: dt.date, rule_ids: list[str]) -> list[tuple]:
    """``stored_reads.late_subjects``: its rows are per unit, so the subtree's are its pieces' together."""
    from lvzhi.web import datacache, pieces

    from . import stored_reads

    if not datacache.within_computation() or not unit.numchild:
        return stored_reads.late_subjects(unit, year, as_of, rule_ids)

    def compute(paths: list[str], every: bool) -> dict[str, list[tuple]]:
        out: dict[str, list[tuple]] = {path: [] for path in paths}
        for row in stored_reads.late_subjects(unit, year, as_of, rule_ids, paths, every):
            out[pieces.piece_of(unit, row[7])].append(row)
        return out

    parts = pieces.per_piece("obligations.late_subjects", (year, as_of, tuple(rule_ids)), unit, compute)
    if parts is None:
        return stored_reads.late_subjects(unit, year, as_of, rule_ids)
    return [row for part in parts for row in part]


def _first_cells(unit: Unit, year: int, as_of: dt.date, rule_ids: list[str], states: tuple, n: int) -> list[tuple]:
    """``stored_reads.first_cells``: the first ``n`` of each piece in the pieces' order (the unit's own rows, then
    the children's by path: the order of the rows' paths) are the subtree's first ``n`` among them, and the pieces'
    counts add up."""
    from lvzhi.web import datacache, pieces

    from . import stored_reads

    if not datacache.within_computation() or not unit.numchild:
        return stored_reads.first_cells(unit, year, as_of, rule_ids, states, n)

    def compute(paths: list[str], every: bool) -> dict[str, dict[str, tuple[list[tuple], int]]]:
        out: dict[str, dict[str, tuple[list[tuple], int]]] = {path: {} for path in paths}
        for *row, cells, piece in stored_reads.first_cells(unit, year, as_of, rule_ids, states, n, paths, every):
            out[piece].setdefault(row[0], ([], cells))[0].append(tuple(row))
        return out

    parts = pieces.per_piece("obligations.first_cells", (year, as_of, tuple(rule_ids), tuple(states), n), unit,
                             compute)
    if parts is None:
        return stored_reads.first_cells(unit, year, as_of, rule_ids, states, n)
    out = []
    for rule_id in rule_ids:
        found = [part[rule_id] for part in parts if rule_id in part]
        cells = sum(count for _, count in found)
        out += [(*row, cells) for rows, _ in found for row in rows][:n]
    return out
