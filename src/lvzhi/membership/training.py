"""党员教育培训学时 per member and year (check type ``training_hours``).

A member's hours are the 学时 of their training records (``TrainingRecord``) plus the 每人学时 of every 学习 they
attended (``StudySession.hours``), dated in the year and not after the as-of date. The yearly minimum (``hours``,
32 for members; 56 for the secretaries of ``secretary_of`` organisations) is pro-rated by the months the person
counts: a month counts when the person is on a roll (members' rule) or holds the secretary's post (secretaries'
rule) on the month's last day — the roster of that day, from the Party-life events and dated posts — so a member
who joins or transfers in mid-year owes the months since. Judged after the year ends; before, a shortfall is
pending.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.db.models import Sum

from lvzhi.obligations import conditions
from lvzhi.obligations.engine import DONE, LATE, NA, PENDING, Cell
from lvzhi.obligations.periods import period_of, periods_between
from lvzhi.obligations.subjects import select

from .models import PostRole, TrainingRecord


def _month_ends(p) -> list[dt.date]:
    out, day = [], p.start
    while day <= p.end:
        out.append(period_of("month", day).end)
        day = out[-1] + dt.timedelta(days=1)
    return out


def _on(intervals, day: dt.date) -> bool:
    return any((a is None or a <= day) and (b is None or b >= day) for a, b in intervals)


def _secretary_intervals(person_ids, kinds: list[str]) -> dict[int, list]:
    """Each person's days as secretary of an organisation of ``kinds``: dated posts, or — for organisations without
    any post recorded — the secretary named on the organisation today (the whole time)."""
    from lvzhi.org.models import PartyOrg

    from .models import OrgPost

    out: dict[int, list] = {}
    posts = OrgPost.objects.filter(person_id__in=person_ids, role=PostRole.SECRETARY, party_org__kind__in=kinds)
    for pid, start, end in posts.order_by().values_list("person_id", "start_on", "end_on"):
        out.setdefault(pid, []).append((start, end))
    legacy = (PartyOrg.objects.filter(kind__in=kinds, secretary_id__in=person_ids)
              .exclude(pk__in=OrgPost.objects.values("party_org_id")))
    for pid in legacy.values_list("secretary_id", flat=True):
        out.setdefault(pid, []).append((None, None))
    return out


def hours_by_person(person_ids, start: dt.date, end: dt.date) -> dict[int, tuple[Decimal, list[int]]]:
    """{person: (hours, training record ids)} — two grouped queries."""
    from lvzhi.partybuilding.models import StudySession

    out: dict[int, list] = {}
    for pid, pk, hours in (TrainingRecord.objects.filter(person_id__in=person_ids, date__gte=start, date__lte=end)
                           .order_by("date", "pk").values_list("person_id", "pk", "hours")):
        entry = out.setdefault(pid, [Decimal(0), []])
        entry[0] += hours
        entry[1].append(pk)
    through = StudySession.attendees.through
    for pid, total in (through.objects.filter(person_id__in=person_ids, studysession__date__gte=start,
                                              studysession__date__lte=end, studysession__hours__isnull=False)
                       .order_by().values_list("person_id").annotate(total=Sum("studysession__hours"))):
        out.setdefault(pid, [Decimal(0), []])[0] += total
    return {pid: (h, ids) for pid, (h, ids) in out.items()}


def _fmt(x) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def training_hours(rule, ctx, path: str, deeper) -> list[Cell]:
    from lvzhi.obligations.checks import _overridden

    params = rule.parameters
    yearly = Decimal(str(params.get("hours", 32)))
    kinds = conditions.as_list(params.get("secretary_of"))
    people, subjects = select("person", path, rule.subject_conditions or {"party_member": True},
                               ctx.within)
    # A subquery, not every subject's id as a parameter (psycopg spent seconds splitting such queries at scale);
    # it may name a few more people than ``subjects`` — looked up by subject below, they do no harm.
    ids = people.order_by().values("pk")
    secretary = _secretary_intervals(ids, kinds) if kinds else {}
    if kinds:
        subjects = [s for s in subjects if s.pk in secretary]
    periods = [p for p in periods_between(rule.cadence, ctx.start, ctx.end) if rule.in_force_on(p.end)]
    cells = []
    for p in periods:
        got = hours_by_person(ids, p.start, min(p.end, ctx.as_of))
        ends = _month_ends(p)  # the same for every member: once per period
        for s in subjects:
            if deeper and _overridden(s, p, deeper):
                continue
            if not ctx.units.covers(s.unit_id, p):
                cells.append(Cell(rule, s, p, NA, detail=f"{p.label}不在检查范围内", record_type="training_record"))
                continue
            months = [e for e in ends if _on(s.intervals, e) and (not kinds or _on(secretary.get(s.pk, ()), e))]
            if not months:
                cells.append(Cell(rule, s, p, NA, detail=f"{p.label}没有计算学时的整月", record_type="training_record"))
                continue
            need = yearly * len(months) / len(ends)
            hours, record_ids = got.get(s.pk, (Decimal(0), []))
            basis = (f"{len(months)}个月，按每年{_fmt(yearly)}学时折算应不少于{_fmt(need)}学时" if len(months) < len(ends)
                     else f"应不少于{_fmt(yearly)}学时")
            role = "任书记" if kinds else "在册"
            detail = f"{p.label}{role}{basis}，已有{_fmt(hours)}学时"
            if hours >= need:
                state = DONE
            elif p.end >= ctx.as_of:
                state, detail = PENDING, detail + f"，尚差{_fmt(need - hours)}学时"
            else:
                state, detail = LATE, detail + f"，少{_fmt(need - hours)}学时"
            cells.append(Cell(rule, s, p, state, int(hours), math.ceil(need), tuple(record_ids), detail, p.end,
                              "training_record"))
    return cells
