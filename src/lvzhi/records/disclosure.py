"""When a count of confidential records may be shown to someone who may not open them.

"另有 3 条保密记录" is harmless for a company over a year; for one branch on one day, or for one kind of 问责, it
points at a person. For roles without confidential rights over the unit, a count that includes confidential rows
is therefore given only when all of these hold — decided from the question, never from the data (a count shown
or withheld depending on what it is would itself tell):

- the period is whole calendar blocks of ``LVZHI_CONFIDENTIAL_PERIOD_MONTHS`` months (3: quarters), already over,
  so two overlapping periods cannot be subtracted to isolate a day, nor an open period watched day by day; a
  list over all years counts up to the end of the last finished block;
- the unit's subtree has at least ``LVZHI_CONFIDENTIAL_MIN_PEOPLE`` people, and so does whatever is left of any
  larger unit once the counts of its disclosable parts are subtracted (``disclosable_units``);
- no filter on a kind that may be confidential (one 问责 form, one kind of talk).
Otherwise the count is 【保密】, with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldError
from django.db.models import Count, Q

from lvzhi.org.models import Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.web import clock

WITHHELD = "【保密】"


@dataclass(frozen=True)
class Disclosure:
    allowed: bool
    reason: str = ""
    until: dt.date | None = None  # an open-ended period is counted up to this day

    @property
    def until_label(self) -> str:
        return f"（截至{self.until:%Y年%m月%d日}）" if self.until else ""


ALLOWED = Disclosure(True)


def _months() -> int:
    months = int(getattr(settings, "CONFIDENTIAL_PERIOD_MONTHS", 3))
    return months if months in (1, 2, 3, 4, 6, 12) else 3


def _block_label() -> str:
    return {3: "季度", 6: "半年", 12: "年"}.get(_months(), f"{_months()}个月")


def block_start(day: dt.date) -> dt.date:
    m = _months()
    return dt.date(day.year, (day.month - 1) // m * m + 1, 1)


def last_finished(today: dt.date) -> dt.date:
    """The last day of the last block that is over."""
    return block_start(today) - dt.timedelta(days=1)


def _is_block_end(day: dt.date) -> bool:
    return block_start(day + dt.timedelta(days=1)) == day + dt.timedelta(days=1)


def kind_may_be_confidential(rt, kind) -> bool:
    """Whether rows of this kind can be confidential, from the type's rule (not from any row)."""
    if rt.confidential_rows is None or not rt.kind_field:
        return False
    try:
        return bool(rt.confidential_rows().check({rt.kind_field: kind}))
    except FieldError:  # the rule looks at something else (the person named, the whole type): any kind may be
        return True


def min_people() -> int:
    return int(getattr(settings, "CONFIDENTIAL_MIN_PEOPLE", 50))


def disclosable_units(today: dt.date | None = None) -> set[int]:
    """Units whose confidential counts may be given (see ``disclosable``), from the unit tree and who works where."""
    today = today or clock.today()
    active = Q(left_on__isnull=True) | Q(left_on__gt=today)
    own = dict(Person.objects.filter(active).values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
    units = list(Unit.objects.values_list("pk", "path"))
    by_path = {path: pk for pk, path in units}
    parents = {pk: by_path.get(path[:-Unit.steplen]) for pk, path in units}
    return disclosable(parents, own, min_people())


def disclosable(parents: dict[int, int | None], own: dict[int, int], k: int) -> set[int]:
    """Units (id → parent id) with ``own`` people each whose subtree counts may be given: at least ``k`` people in
    the subtree, and no unit whose count minus its disclosable parts' counts would cover 1 to k-1 people (that
    difference is a count of its own).

    Bottom-up: a unit's "frontier" is its nearest disclosable descendants; when a unit's remainder after them is
    between 1 and k-1, the frontier member with the largest remainder of its own is withdrawn (its own frontier
    takes its place) until the remainder is 0 or at least k."""
    children: dict[int, list[int]] = defaultdict(list)
    depth: dict[int, int] = {}
    for pk, parent in parents.items():
        if parent is not None:
            children[parent].append(pk)

    def level(pk: int) -> int:
        if pk not in depth:
            parent = parents.get(pk)
            depth[pk] = 0 if parent is None else level(parent) + 1
        return depth[pk]

    size: dict[int, int] = {}
    frontier: dict[int, list[int]] = {}
    disclosed: set[int] = set()

    def remainder(pk: int, members: list[int]) -> int:
        return size[pk] - sum(size[d] for d in members)

    for pk in sorted(parents, key=lambda p: -level(p)):
        size[pk] = own.get(pk, 0) + sum(size[c] for c in children[pk])
        members = [d for c in children[pk] for d in ([c] if c in disclosed else frontier[c])]
        if size[pk] >= k:
            while 0 < remainder(pk, members) < k:
                d = max(members, key=lambda d: remainder(d, frontier[d]))
                disclosed.discard(d)
                members.remove(d)
                members.extend(frontier[d])
            disclosed.add(pk)
        frontier[pk] = members
    return disclosed


def confidential_count(scope: Scope, unit: Unit | None, *, start: dt.date | None = None, end: dt.date | None = None,
                       kind=None, rt=None, today: dt.date | None = None, units: set[int] | None = None) -> Disclosure:
    """May ``scope`` be told how many confidential rows of ``rt`` (any type when None) lie in ``unit``'s subtree
    (the user's whole scope when None) between ``start`` and ``end`` (open when None), of ``kind``?"""
    if rt is not None and rt.confidential_rows is None:
        return ALLOWED
    if scope.confidential_paths == ("",) or (unit is not None and scope.sees_confidential(unit)):
        return ALLOWED
    if kind and (rt is None or kind_may_be_confidential(rt, kind)):
        return Disclosure(False, "按类型筛选时不显示保密记录数，以免指向个人")
    today = today or clock.today()
    finished = last_finished(today)
    block = _block_label()
    if start is not None and block_start(start) != start:
        return Disclosure(False, f"保密记录数只按整{block}统计（期间须从{block}初开始）")
    if end is not None and not _is_block_end(end):
        return Disclosure(False, f"保密记录数只按整{block}统计（期间须到{block}末结束）")
    if end is not None and end > finished:
        return Disclosure(False, f"期间尚未结束，保密记录数在整{block}结束后提供")
    until = finished if end is None else None
    if start is not None and (end or finished) < start:
        return Disclosure(False, f"期间尚未结束，保密记录数在整{block}结束后提供")
    if unit is not None:
        targets = [unit]
    else:
        from lvzhi.org.selectors import top_units

        targets = list(top_units(scope))
    units = disclosable_units(today) if units is None else units
    if any(u.pk not in units for u in targets):
        return Disclosure(False, f"单位人数少于 {min_people()} 人（或与其他单位的数字相减会少于该人数）时不提供保密记录数")
    return Disclosure(True, until=until)
