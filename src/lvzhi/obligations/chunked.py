"""A rule judged a chunk at a time for ``lvzhi check --all`` (``engine.stream(chunk=…)``): its result carries
``parts`` — an iterator of cell lists — instead of ``cells``, so memory holds one chunk of a rule, not the 1.57
million cells of a whole check at the central scale. People by ranges of their codes, organisations/units/contact
points by slices of the subjects, meetings (quorum) by ranges of their dates: each in the order of the rule's
whole cells, so the output is the same text."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q

from .engine import Cell, Context, RuleResult, _no_collection, _selection, _selection_key, _subtree_path, evaluate_count
from .models import Check, ObligationRule
from .periods import periods_between
from .subjects import select

# Checks over people that can be judged a chunk of people at a time, in the order of their whole cells: a count
# rule's cells go subject by subject; dues and training hours go period by period (so: one period only).
PERSON_CHUNKS: dict[str, bool] = {Check.COUNT: False, Check.DUES: True, Check.TRAINING_HOURS: True}  # {check: one period only}


def judged_in_chunks(ctx: Context, rule_versions_: list[ObligationRule]) -> RuleResult | None:
    """A rule of one version judging people, judged ``ctx.chunk`` people at a time (by ranges of their codes, the
    order of its cells) when no other rule still to come shares its selection: 400,000 members of 谈心谈话 with
    their cells held at once took ~900 MB at the central scale. None: judged whole."""
    from . import checks

    if ctx.chunk is None or ctx.focus is not None or len(rule_versions_) != 1:
        return None
    v, size = rule_versions_[0], ctx.chunk
    path = _subtree_path(v, ctx.root)
    if path is None:
        return None
    if v.check_type == Check.QUORUM:
        return _chunked_meetings(ctx, v, path, rule_versions_, size)
    if v.check_type == Check.COUNT and v.subject != "person":
        return _chunked_cells(ctx, v, path, rule_versions_)
    if v.subject != "person" or v.check_type not in PERSON_CHUNKS:
        return None
    if PERSON_CHUNKS[v.check_type] and len(periods_between(v.cadence, ctx.start, ctx.end)) != 1:
        return None
    if v.check_type == Check.COUNT:
        key = _selection_key(v, ctx, path)
        if ctx.uses[key] != 1 or key in ctx.selected:
            return None
        ctx.uses[key] -= 1
    from lvzhi.org.models import Person

    codes = Person.objects.filter(unit__path__startswith=path).order_by("code").values_list("code", flat=True)
    bounds = _every(codes, size)  # the first code of each chunk after the first

    def parts() -> Iterator[list[Cell]]:
        edges = [None, *bounds, None]
        for lo, hi in zip(edges, edges[1:], strict=False):
            within = Q(code__gte=lo) if lo is not None else Q()
            if hi is not None:
                within &= Q(code__lt=hi)
            with _no_collection():
                if v.check_type == Check.COUNT:
                    part = evaluate_count(v, ctx, path, [], select(v.subject, path, v.subject_conditions, within))
                else:
                    ctx.within = within
                    try:
                        part = checks.CHECKS[v.check_type](v, ctx, path, [])
                    finally:
                        ctx.within = None
            yield part
            del part  # this chunk's cells go before the next chunk's are built

    return RuleResult(v.rule_id, v, rule_versions_, [], parts)


def _every(values, n: int) -> list:
    """``list(values[n::n])`` without the whole list: read through ``iterator()`` (520,000 people's codes held at
    once added ~60 MB to the central peak of ``check --all``)."""
    return [v for i, v in enumerate(values.iterator(chunk_size=5000)) if i and i % n == 0]


def _chunked_cells(ctx: Context, v: ObligationRule, path: str, rule_versions_: list[ObligationRule]) -> RuleResult:
    """A count rule over organisations, units or contact points, judged about ``ctx.chunk`` cells at a time: its
    selection (shared with the other rules that select the same set) is small, its cells are not — 20,000 branches
    × 12 months at the central scale. Slices of the subjects in their order, each counted with its own query."""
    qs, subjects = _selection(v, ctx, path)
    n = len([p for p in periods_between(v.cadence, ctx.start, ctx.end) if v.in_force_on(p.end)]) or 1
    step = max(1, ctx.chunk // n) if ctx.chunk else len(subjects) or 1

    def parts() -> Iterator[list[Cell]]:
        if not subjects:
            yield []
        for i in range(0, len(subjects), step):
            some = subjects[i:i + step]
            with _no_collection():
                part = evaluate_count(v, ctx, path, [], (qs.filter(pk__in=[s.pk for s in some]), some))
            yield part
            del part  # this chunk's cells go before the next chunk's are built

    return RuleResult(v.rule_id, v, rule_versions_, [], parts)


def _chunked_meetings(ctx: Context, v: ObligationRule, path: str, rule_versions_: list[ObligationRule],
                      size: int) -> RuleResult:
    """The quorum check (one cell per meeting: ~320,000 at the central scale) judged ``ctx.chunk`` meetings at a
    time, by ranges of their dates (the order of its cells is date, pk), against one roster of every Party
    organisation of the subtree built for all chunks (and kept for the branch-structure check when it follows)."""
    from lvzhi.partybuilding.models import BranchActivity

    from . import checks

    meetings = (BranchActivity.objects.filter(unit__path__startswith=path, date__gte=ctx.start, date__lte=ctx.end)
                .filter(**v.subject_conditions).order_by("date", "pk").values_list("date", flat=True))
    bounds = sorted(set(_every(meetings, size)))  # a day's meetings stay in one chunk

    def parts() -> Iterator[list[Cell]]:
        rosters = checks.shared_rosters(ctx, path, None, whole=True)
        edges = [None, *bounds, None]
        for lo, hi in zip(edges, edges[1:], strict=False):
            ctx.within = Q(date__gte=lo) if lo is not None else Q()
            if hi is not None:
                ctx.within &= Q(date__lt=hi)
            try:
                with _no_collection():
                    part = checks.quorum(v, ctx, path, [], rosters)
            finally:
                ctx.within = None
            yield part
            del part  # this chunk's cells go before the next chunk's are built

    return RuleResult(v.rule_id, v, rule_versions_, [], parts)
