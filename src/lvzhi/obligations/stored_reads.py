"""Reading the stored results (``stored.StoredResult``): the state judged in SQL as of the day, summaries and the
合规看板's board from grouped queries, pages of subjects and cells, and ``evaluation`` — the engine's own result
objects rebuilt from the rows — for the readers that need cells. Readers use the rows only for a whole year, as of
today, when that year was fully computed (``usable``); ``refresh`` recomputes first what a row says is stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, IntegerField, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Substr

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.web import clock

from . import stored_counts
from .engine import (
    DONE,
    DUE_SOON,
    LATE,
    NA,
    PENDING,
    STATE_ORDER,
    Cell,
    Evaluation,
    RuleResult,
    parse_ids,
    rule_versions,
)
from .models import ObligationRule, Responsibility, StoredCount, StoredResult, StoredYear
from .periods import Period, year_range
from .stored import replace
from .subjects import Subject


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


def _counts(unit: Unit, year: int):
    """The count rows of the unit's subtree (``stored_counts``): what the stored rows say in sum."""
    return StoredCount.objects.filter(year=year, unit__path__startswith=unit.path)


def refresh(unit: Unit, year: int, today: dt.date) -> int:
    """Recompute the rules with rows that may no longer be what the engine says today (one query on the count
    rows when none)."""
    stale = sorted(set(_counts(unit, year).filter(stored_counts.stale_q(today))
                       .values_list("rule_id", flat=True).distinct()))
    for rule_id in stale:
        replace(unit, year, rule_id, today)
    return len(stale)


def summary(unit: Unit, year: int, as_of: dt.date) -> dict[str, dict[str, int]]:
    """{rule_id: {state: number of cells}} for the unit's subtree: one grouped query on the count rows."""
    out: dict[str, dict[str, int]] = {}
    rows = (_counts(unit, year).annotate(state=stored_counts.state_expr(as_of)).order_by()
            .values("rule_id", "state").annotate(cells=Sum("n")))
    for r in rows:
        out.setdefault(r["rule_id"], {})[r["state"]] = r["cells"]
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
    """Counts by rule, child unit and state of the unit's subtree: one grouped query on the count rows
    (``stored_counts``: a few per rule and unit, not every stored row), grouped by the child's path prefix in
    SQL, with the rules whose rows are stale today recomputed first (the same query tells which)."""
    width = len(unit.path) + unit.steplen
    for _ in range(2):
        query = (_counts(unit, year).annotate(state=stored_counts.state_expr(as_of),
                                              child=Substr("unit__path", 1, width))
                 .order_by().values_list("rule_id", "version_id", "child", "state")
                 .annotate(cells=Sum("n"), at=Max("computed_at"),
                           stale=Sum("n", filter=stored_counts.stale_q(as_of))))
        pg = connection.vendor == "postgresql"
        # (SET LOCAL lasts until the end of the transaction: its own one, or the caller's — no savepoint for it)
        with transaction.atomic() if pg and not connection.in_atomic_block else nullcontext():
            if pg:
                # PostgreSQL cannot estimate the groups (expressions): it guessed one per count row and, above
                # work_mem, sorted them on disk (1.1 s on the central's 82,000 rows) instead of hashing (0.3 s).
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL work_mem = '32MB'")
            rows = list(query)
        stale = sorted({r[0] for r in rows if r[6]})
        if not stale:
            break
        for rule_id in stale:
            replace(unit, year, rule_id, as_of)
    by_rule: dict[str, dict[str, int]] = {}
    by_child: dict[str, dict[str, int]] = {}
    judging: dict[str, set[int]] = {}
    latest = None
    for rule_id, version_id, child, state, cells, at, _ in rows:
        judging.setdefault(rule_id, set()).add(version_id)
        counts = by_rule.setdefault(rule_id, {})
        counts[state] = counts.get(state, 0) + cells
        kids = by_child.setdefault(child if len(child) >= width else "", {})  # (the unit's own: its shorter path)
        kids[state] = kids.get(state, 0) + cells
        latest = at if latest is None or at > latest else latest
    return Board(by_rule, by_child, judging, latest)


def rule_counts(unit: Unit, year: int, as_of: dt.date, rule_id: str) -> dict[str, int]:
    """{state: cells} of one rule in the unit's subtree (one grouped query on the rule's count rows)."""
    rows = (_counts(unit, year).filter(rule_id=rule_id).annotate(state=stored_counts.state_expr(as_of)).order_by()
            .values("state").annotate(cells=Sum("n")))
    return {r["state"]: r["cells"] for r in rows}


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
    """How many stored cells a filter selects (one query; on the count rows unless ``where`` reads the rows)."""
    if where is None:
        counts = _counts(unit, year).annotate(state=stored_counts.state_expr(as_of))
        if rule_ids:
            counts = counts.filter(rule_id__in=list(rule_ids))
        if states:
            counts = counts.filter(state__in=list(states))
        return counts.aggregate(n=Sum("n"))["n"] or 0
    qs = _subtree(unit, year).annotate(state=state_expr(as_of))
    if rule_ids:
        qs = qs.filter(rule_id__in=list(rule_ids))
    if states:
        qs = qs.filter(state__in=list(states))
    if where is not None:
        qs = qs.filter(where)
    return qs.count()


def late_subjects(unit: Unit, year: int, as_of: dt.date, rule_ids, pieces: list[str] | None = None,
                  every: bool = False) -> list[tuple]:
    """The late cells of the unit's subtree grouped per rule, version and subject, one query: (rule, version,
    subject kind, type, pk, label, masked label, unit path, cells, first seq) — how many a rule has and of whom,
    without reading each. ``pieces``: only the rows of those pieces of the subtree (``web.pieces``; ``every``: they
    are all of them)."""
    qs = _subtree(unit, year) if pieces is None or every else _pieces(unit, year, pieces)
    qs = qs.filter(rule_id__in=list(rule_ids)).annotate(state=state_expr(as_of)).filter(state=LATE)
    return list(qs.order_by().values_list("rule_id", "version_id", "subject_kind", "subject_type", "subject_pk",
                                          "subject_label", "masked_label", "unit__path")
                .annotate(n=Count("pk"), first=Min("seq")))


def first_cells(unit: Unit, year: int, as_of: dt.date, rule_ids, states, n: int,
                pieces: list[str] | None = None, every: bool = False) -> list[tuple]:
    """The first ``n`` cells of ``states`` of each rule (in the evaluation's order) with how many there are, one
    query: (rule, version, subject label, masked label, unit path, cells of the rule). ``pieces``: per rule and
    piece of the subtree (``web.pieces``) instead, of those pieces only (``every``: all), each row ending with its
    piece."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    qs = _subtree(unit, year) if pieces is None or every else _pieces(unit, year, pieces)
    per: list = [F("rule_id")]
    fields = ["rule_id", "version_id", "subject_label", "masked_label", "unit__path", "cells"]
    if pieces is not None:  # a piece: the child's path (the unit's own: its path, shorter)
        qs = qs.annotate(piece=Substr("unit__path", 1, len(unit.path) + unit.steplen))
        per.append(F("piece"))
        fields.append("piece")
    qs = (qs.filter(rule_id__in=list(rule_ids)).annotate(state=state_expr(as_of)).filter(state__in=list(states))
          .annotate(place=Window(RowNumber(), partition_by=per, order_by=[F("unit__path"), F("seq")]),
                    cells=Window(Count("pk"), partition_by=per)))
    return list(qs.filter(place__lte=n).order_by("rule_id", "place").values_list(*fields))


def _pieces(unit: Unit, year: int, pieces: list[str]):
    """The stored rows of those pieces of the unit's subtree (``web.pieces``: the unit's own path, children's)."""
    from lvzhi.web.pieces import narrowed

    return narrowed(StoredResult.objects.filter(year=year), "unit", unit, pieces)


def _rank() -> Case:
    """The engine's order of states (late, due soon, pending, done, n/a) as a number, over ``state``."""
    return Case(*(When(state=s, then=Value(i)) for i, s in enumerate(STATE_ORDER)),
                default=Value(len(STATE_ORDER)), output_field=IntegerField())


def first_per_piece(unit: Unit, year: int, as_of: dt.date, paths: list[str], whole: bool, *, states, order: tuple,
                    n: int) -> dict[str, tuple[dict[str, int], list[int]]]:
    """For each piece of the unit's subtree at ``paths`` (``web.pieces``): its cells of each of ``states`` (from
    the count rows) and the ids of its first ``n`` cells of ``states`` in ``order`` — two grouped queries,
    however many pieces. The first ``n`` of the subtree are among the pieces' firsts."""
    from django.db.models import Window
    from django.db.models.expressions import OrderBy
    from django.db.models.functions import Left, RowNumber

    from lvzhi.web import pieces

    out: dict[str, tuple[dict[str, int], list[int]]] = {p: ({}, []) for p in paths}
    counts = (pieces.narrowed(_counts(unit, year), "unit", unit, paths, whole)
              .annotate(state=stored_counts.state_expr(as_of)).filter(state__in=list(states)).order_by()
              .values_list("unit__path", "state").annotate(n=Sum("n")))
    for path, state, k in counts:
        held = out[pieces.piece_of(unit, path)][0]
        held[state] = held.get(state, 0) + k
    width = len(unit.path) + Unit.steplen
    rows = (pieces.narrowed(_subtree(unit, year), "unit", unit, paths, whole)
            .annotate(state=state_expr(as_of)).filter(state__in=list(states)).annotate(rank=_rank())
            .annotate(place=Window(RowNumber(), partition_by=[Left("unit__path", width)],
                                   order_by=[o if isinstance(o, OrderBy) else F(o).asc() for o in order])))
    for path, pk in rows.filter(place__lte=n).values_list("unit__path", "pk"):
        out[pieces.piece_of(unit, path)][1].append(pk)
    return out


def evaluation(unit: Unit, year: int, as_of: dt.date, scope: Scope, *, rule_ids=None, states=None,
               with_ids: bool = False, where: Q | None = None, window: slice | None = None,
               order: tuple = ("rule_id", "unit__path", "seq")) -> Evaluation:
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
    counts = _counts(unit, year).filter(rule_id__in=list(rule_ids)) if rule_ids else _counts(unit, year)
    for rule_id, version_id in counts.order_by().values_list("rule_id", "version_id").distinct():
        judging.setdefault(rule_id, set()).add(version_id)
    rows = qs.annotate(state=state_expr(as_of))
    if states:
        rows = rows.filter(state__in=list(states))
    if "rank" in order:
        rows = rows.annotate(rank=_rank())
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
