"""Synthetic Party life over time: transfers between branches and from outside, 预备党员 admitted in the generated
years with their 发展党员 records, applicants on the way, and every year's 党费 and 培训学时.

Rows go through the writer like the rest (bulk, one audit entry per table). A member's current organisation and
status in the person row agree with their events (the generator writes both from the same draw). A small share of
members pay part of a year's dues or miss some 学时, so the checks find gaps as in real data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from lvzhi.membership import models as mm
from lvzhi.membership.dues import monthly_dues

from .org import Org
from .writer import Writer

TRANSFER_SHARE = 0.03  # members transferred in (from another branch or from outside) per generated year
OUTSIDE_SHARE = 0.3  # of those, from an organisation outside the system (on the roll from that day only)
DUES_GAP = 0.02  # members who pay only the first half of a year
TRAINING_GAP = 0.03  # members short of their 学时
OUTSIDE = ["中共某市供电公司委员会", "中共某省建设集团委员会", "中共某区街道工作委员会", "中共某大学委员会"]
INCOME = {"leadership": 16000, "middle": 9800}


@dataclass
class Rolls:
    """When each member generated as a newcomer joined their roll (others: before the generated years)."""

    since: dict[int, dt.date] = field(default_factory=dict)
    branch_of: dict[int, tuple[int, int]] = field(default_factory=dict)  # person → (branch id, unit id)


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def once(w: Writer, rng: random.Random, org: Org, first_year: int, last_year: int, stamp: dt.datetime) -> Rolls:
    ev, dev = w.table(mm.MembershipEvent), w.table(mm.Development)
    rolls = Rolls()
    n = 0
    for c in org.companies:
        branches = [b for b in c.branches if b.members]
        for b in branches:
            for pid in b.members:
                rolls.branch_of[pid] = (b.pk, b.unit_id)
            others = [o for o in branches if o is not b]
            for pid in b.members[1:]:  # the secretary stays
                if pid in b.probationary or rng.random() >= TRANSFER_SHARE * (last_year - first_year + 1):
                    continue
                day = _day(rng, dt.date(first_year, 1, 15), dt.date(last_year, 11, 30))
                n += 1
                letter = f"组转〔{day.year}〕{n}号"
                if others and rng.random() >= OUTSIDE_SHARE:
                    src = rng.choice(others)
                    ev.add(person_id=pid, kind="enrolled", date=None, party_org_id=src.pk, from_org_id=None,
                           counterpart="", letter_number="", status="member", unit_id=src.unit_id, notes="",
                           created_at=stamp, updated_at=stamp)
                    ev.add(person_id=pid, kind="transfer", date=day, party_org_id=b.pk, from_org_id=src.pk,
                           counterpart="", letter_number=letter, status="", unit_id=b.unit_id, notes="",
                           created_at=stamp, updated_at=stamp)
                else:
                    ev.add(person_id=pid, kind="transfer", date=day, party_org_id=b.pk, from_org_id=None,
                           counterpart=rng.choice(OUTSIDE), letter_number=letter, status="member", unit_id=b.unit_id,
                           notes="", created_at=stamp, updated_at=stamp)
                    rolls.since[pid] = day
            for pid in b.probationary:  # admitted in the last generated year, each with a 发展党员 record on time
                meeting = _day(rng, dt.date(last_year, 1, 20), dt.date(last_year, 10, 31))
                ev.add(person_id=pid, kind="admitted", date=meeting, party_org_id=b.pk, from_org_id=None,
                       counterpart="", letter_number="", status="", unit_id=b.unit_id, notes="", created_at=stamp,
                       updated_at=stamp)
                w.after.append(("member_since", {pid: meeting}))
                rolls.since[pid] = meeting
                candidate = meeting - dt.timedelta(days=rng.randint(100, 200))
                activist = candidate - dt.timedelta(days=rng.randint(380, 420))
                applied = activist - dt.timedelta(days=rng.randint(30, 90))
                assessed = [activist + dt.timedelta(days=170 * k) for k in (1, 2)]
                dev.add(person_id=pid, party_org_id=b.pk, unit_id=b.unit_id, applied_on=applied,
                        talked_on=applied + dt.timedelta(days=rng.randint(5, 25)), activist_on=activist,
                        assessment_dates="、".join(d.isoformat() for d in assessed), candidate_on=candidate,
                        training_start=meeting - dt.timedelta(days=60), training_end=meeting - dt.timedelta(days=58),
                        training_hours=24, publicity_start=meeting - dt.timedelta(days=21),
                        publicity_end=meeting - dt.timedelta(days=7), branch_meeting_on=meeting,
                        approved_on=meeting + dt.timedelta(days=rng.randint(20, 80)), full_meeting_on=None, notes="",
                        created_at=stamp, updated_at=stamp)
            for pid in b.non_members[:1]:  # an applicant on the way (入党申请人 → 入党积极分子)
                applied = _day(rng, dt.date(last_year, 1, 5), dt.date(last_year, 3, 31))
                activist = applied + dt.timedelta(days=rng.randint(60, 120))
                dev.add(person_id=pid, party_org_id=b.pk, unit_id=b.unit_id, applied_on=applied,
                        talked_on=applied + dt.timedelta(days=rng.randint(5, 40)), activist_on=activist,
                        assessment_dates=(activist + dt.timedelta(days=175)).isoformat(), candidate_on=None,
                        training_start=None, training_end=None, training_hours=None, publicity_start=None,
                        publicity_end=None, branch_meeting_on=None, approved_on=None, full_meeting_on=None, notes="",
                        created_at=stamp, updated_at=stamp)
    return rolls


def year(w: Writer, rng: random.Random, org: Org, rolls: Rolls, year: int, stamp: dt.datetime) -> None:
    """That year's 党费 (paid in advance from the first month on the roll) and 学时 of every member on a roll."""
    dues, tr = w.table(mm.DuesPayment), w.table(mm.TrainingRecord)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    levels = {pid: "leadership" for c in org.companies for pid in c.leaders}
    levels.update({pid: "middle" for c in org.companies for pid in c.cadres})
    secretaries = {b.secretary for b in org.branches if b.secretary}
    for pid, (branch, unit_id) in sorted(rolls.branch_of.items()):
        since = rolls.since.get(pid)
        if since is not None and since > end:
            continue
        first = max(start, since) if since else start
        income = Decimal(INCOME.get(levels.get(pid, ""), 5200) + rng.randrange(-2000, 2100, 50))
        last = dt.date(year, 6, 1) if rng.random() < DUES_GAP else dt.date(year, 12, 1)
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if months > 0:
            amount = monthly_dues(income) * months
            dues.add(person_id=pid, party_org_id=branch, unit_id=unit_id, category="employed", monthly_income=income,
                     month_from=first.replace(day=1), month_to=last, amount_due=amount, amount_paid=amount,
                     paid_on=first.replace(day=min(first.day + 9, 28)) if since else dt.date(year, 1, 10), notes="",
                     created_at=stamp, updated_at=stamp)
        hours = 34 if rng.random() >= TRAINING_GAP else rng.choice([12, 20, 26])
        day = _day(rng, first, end)
        tr.add(person_id=pid, unit_id=unit_id, date=day, hours=Decimal(hours),
               title=f"{year}年度党员集中学习培训", organiser="公司党委", notes="", created_at=stamp, updated_at=stamp)
        if pid in secretaries:
            tr.add(person_id=pid, unit_id=unit_id, date=day, hours=Decimal(24), title=f"{year}年度基层党组织书记培训班",
                   organiser="市委党校", notes="", created_at=stamp, updated_at=stamp)
