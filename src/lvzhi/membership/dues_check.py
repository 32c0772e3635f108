"""党费 arrears per member and year: every whole month on the roll must be paid for (a payment may cover several
months, paid in advance); six months in a row unpaid is named with the article that makes it serious."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from lvzhi.obligations.engine import DONE, LATE, NA, PENDING, Cell
from lvzhi.obligations.periods import period_of, periods_between
from lvzhi.obligations.subjects import select

from .dues import longest_run, months_between
from .models import DuesPayment


def dues(rule, ctx, path: str, deeper) -> list[Cell]:
    from lvzhi.obligations.checks import _overridden

    lapse = int(rule.parameters.get("lapse_months", 6))
    people, subjects = select("person", path, rule.subject_conditions or {"party_member": True},
                               ctx.within)
    periods = [p for p in periods_between(rule.cadence, ctx.start, ctx.end) if rule.in_force_on(p.end)]
    if not periods:
        return []
    paid: dict[int, set[dt.date]] = {}
    # Only the months of the periods are ever looked up: payments wholly before or after it are not read, and the
    # months kept are the range's (a member's whole history was ~100 MB at 40,000 members).
    lo, hi = periods[0].start.replace(day=1), max(p.end for p in periods)
    covering = (Q(month_from__lte=hi) & (Q(month_to__gte=lo) | Q(month_to__isnull=True, month_from__gte=lo)))
    # A subquery, not 400,000 ids as parameters (psycopg spent seconds splitting such a query at the central scale);
    # it may name a few more people than ``subjects`` — looked up by subject below, they do no harm.
    for person_id, first, last in (DuesPayment.objects.filter(covering, person_id__in=people.order_by().values("pk"),
                                                              paid_on__lte=ctx.as_of)
                                   .order_by().values_list("person_id", "month_from", "month_to")):
        paid.setdefault(person_id, set()).update(months_between(max(first, lo), min(last or first, hi)))
    # The months of each period that can be owed (ended before the as-of date), with their month periods: the
    # same for every member (400,000 at the central scale), so built once per period.
    months = {p.key: [(m, mp) for m in months_between(p.start, min(p.end, ctx.as_of))
                      if (mp := period_of("month", m)).end < ctx.as_of] for p in periods}
    cells = []
    for s in subjects:
        for p in periods:
            if deeper and _overridden(s, p, deeper):
                continue
            if not ctx.units.covers(s.unit_id, p):
                cells.append(Cell(rule, s, p, NA, detail=f"{p.label}不在检查范围内", record_type="dues_payment"))
                continue
            owed = [m for m, mp in months[p.key] if s.covers(mp)]
            if not owed:
                cells.append(Cell(rule, s, p, NA, detail=f"{p.label}没有应交党费的整月", record_type="dues_payment"))
                continue
            mine = paid.get(s.pk, ())
            missing = [m for m in owed if m not in mine]
            if not missing:
                state = DONE if p.end < ctx.as_of else PENDING
                cells.append(Cell(rule, s, p, state, len(owed), len(owed), (), f"{p.label}已交纳党费{len(owed)}个月",
                                  p.end, "dues_payment"))
                continue
            names = "、".join(f"{m.month}月" for m in missing)
            detail = f"{p.label}欠交党费{len(missing)}个月（{names}）"
            if longest_run(missing) >= lapse:
                detail += (f"；连续{longest_run(missing)}个月未交纳党费，没有正当理由的，依照党章第九条"
                           "被认为是自行脱党，请及时了解情况")
            cells.append(Cell(rule, s, p, LATE, len(owed) - len(missing), len(owed), (), detail, p.end,
                              "dues_payment"))
    return cells
