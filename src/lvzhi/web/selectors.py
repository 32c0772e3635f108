"""The workbench's reads: this year's counts, the units below, the user's own to-do — each reused while the data
it reads is unchanged (``datacache.reused``)."""

from __future__ import annotations

import datetime as dt

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.org.selectors import unit_tree
from lvzhi.records import registry
from lvzhi.records import selectors as records_selectors
from lvzhi.web import pieces
from lvzhi.web.datacache import cached, reused
from lvzhi.web.totals import count

REFERENCE_TYPES = {"pre_review_rule", "media_channel", "contact_point", "co_building", "duty_list"}


@reused("web.home", subtree="unit")
def year_counts(scope: Scope, unit: Unit, year: int) -> list[tuple[str, int]]:
    """This year's records of every type in the unit's subtree — each type's count reused on its own
    (``totals.count``), so a record saved recounts its own type only."""
    counts = []
    for rt in registry.all_types():
        # reference data (lists, channels, rules) is not "recorded this year"
        if rt.system in ("org", "obligations") or rt.date_field is None or rt.key in REFERENCE_TYPES:
            continue

        def counted(rt=rt) -> int:
            return count(records_selectors.filter_records(rt, scope, unit=unit, start=dt.date(year, 1, 1),
                                                          end=dt.date(year, 12, 31)),
                         (unit, rt.unit_field) if rt.unit_field else None)  # per piece: a write recounts its company

        # keyed by the type, not by its query's SQL: the other types' queries are not built after a write
        counts.append((rt.key, cached("web.year_count", (rt.key, unit.pk, year), counted, scope=scope,
                                      under=unit.path)))
    return counts


FIRST_TASKS_SHOWN = 8  # the workbench's first items; the rest are one tap away on 待办


@reused("web.home_todo")
def own_todo(scope: Scope, unit: Unit, year: int, today: dt.date) -> dict:
    """The late and due-soon items of the user's current unit (and below), latest risk first, each with the
    prefilled form that fills it when the user may write that record."""
    from lvzhi.obligations import dashboard as board
    from lvzhi.obligations.engine import LATE
    from lvzhi.obligations.prefill import entry_url
    from lvzhi.obligations.selectors import warnings_for

    stored = _first_tasks_stored(scope, unit, year, today)
    if stored is not None:
        items, late, total, ev = stored
    else:
        items, evaluations = warnings_for(scope, year=year, as_of=today, unit=unit)
        if not evaluations:  # no unit evaluated: nothing owed
            return {"rows": [], "late": 0, "total": 0}
        ev = evaluations[0]
        late, total = sum(1 for c in items if c.state == LATE), len(items)
    items.sort(key=lambda c: (c.state != LATE, -(c.due or c.period.end).toordinal()))
    rows = []
    for c in items[:FIRST_TASKS_SHOWN]:
        try:
            writable = c.rule.record_type and scope.can_write_any(registry.get(c.rule.record_type).system)
        except LookupError:  # a revised rule naming a record type that does not exist
            writable = False
        rows.append({"state": c.state, "state_label": c.state_label, "due": c.due, "rule": c.rule.name,
                     "subject": c.subject.label, "period": c.period.label, "detail": c.detail,
                     "url": board.cell_url(ev, c.rule.rule_id, c.subject.ref, c.period.key),
                     "entry": entry_url(c, today, "/") if writable else None})
    return {"rows": rows, "late": late, "total": total}


def _first_tasks_stored(scope: Scope, unit: Unit, year: int, today: dt.date):
    """From the stored results, where the year is stored: the first tasks in SQL (late first, latest due first)
    and the numbers from the count rows — not every late cell of a province built and sorted for eight of them."""
    from django.db.models.functions import Coalesce

    from lvzhi.obligations import stored_reads
    from lvzhi.obligations.engine import DUE_SOON, LATE

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if not scope.can_read(unit) or not stored_reads.usable(unit, start, end, today):
        return None
    order = ("rank", Coalesce("due", "period_end").desc(), "rule_id", "unit__path", "seq")
    states = (LATE, DUE_SOON)
    # per piece of the subtree (web.pieces): a write in one company re-reads that company's late cells only
    firsts = pieces.per_piece("web.home_todo.piece", (year, today), unit, lambda paths, whole: (
        stored_reads.first_per_piece(unit, year, today, paths, whole, states=states, order=order,
                                     n=FIRST_TASKS_SHOWN))) if unit.numchild else None
    if firsts is None:
        ev = stored_reads.evaluation(unit, year, today, scope, states=states, order=order,
                                     window=slice(0, FIRST_TASKS_SHOWN))
        late = stored_reads.counted(unit, year, today, states=(LATE,))
        total = late + stored_reads.counted(unit, year, today, states=(DUE_SOON,))
    else:
        from django.db.models import Q

        ev = stored_reads.evaluation(unit, year, today, scope, states=states, order=order,
                                     where=Q(pk__in=[pk for _, first in firsts for pk in first]),
                                     window=slice(0, FIRST_TASKS_SHOWN))
        late = sum(held.get(LATE, 0) for held, _ in firsts)
        total = late + sum(held.get(DUE_SOON, 0) for held, _ in firsts)
    return ev.with_state(LATE, DUE_SOON), late, total, ev


@reused("web.home_tree", tables=("org.Unit", "org.Person", "org.PartyOrg"))
def home_tree(scope: Scope, unit: Unit) -> list[dict]:
    """The unit and the units directly below it, with member and branch counts (what ``unit_tree`` reads)."""
    return unit_tree(scope, unit, max_depth=1)


@reused("web.switch_units", tables=("org.Unit",))
def switch_options(scope: Scope) -> str:
    """The header's unit switcher: <option> elements for the reader's top units and two levels below — 300 units
    on the province, whose template loop cost more than most pages' own content — built once per reader scope
    while the unit table is unchanged (names escaped here: they are user data)."""
    from django.utils.html import escape

    from lvzhi.org.selectors import top_units

    options = []
    for top in top_units(scope)[:5]:
        for u in Unit.objects.filter(path__startswith=top.path, depth__lte=top.depth + 2).order_by("path"):
            label = escape("\u3000" * (u.depth - top.depth) + u.name)
            options.append(f'<option value="{u.pk}">{label}</option>')
    return "".join(options)
