"""Demo section "appraisal": the company's 2022 述职评议 (held 6 January 2023) — the 党委书记 and every 党支部/
党总支书记 in scope report; 9 党委委员 and 36 党员代表 rate online, 13 职工代表 on paper; the meeting is closed;
the higher secretary's 点评 names problems for the 党委书记 and for the branches with planted gaps (the months
without a 支委会), each a rectification item with owner, deadline and measures — and the 2023 records of how
they were fixed (some done with evidence, one still open), for next year's report.

Ballots are drawn from a seeded generator, so the figures are the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import random

from lvzhi.appraisal.models import (
    DEFAULT_POINTS,
    DEFAULT_THRESHOLDS,
    Appraisal,
    AppraisalProblem,
    AppraisalStatus,
    Ballot,
    BallotSource,
    Indicator,
    RatingGroup,
    Reportee,
)
from lvzhi.appraisal.services import OVERALL, default_reportees
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, snapshot
from lvzhi.org.models import Unit

from . import story

D = dt.date
MEETING = D(2023, 1, 6)
GROUPS = [("党委委员", 30, 9, 9, BallotSource.ONLINE), ("党员代表", 50, 40, 36, BallotSource.ONLINE),
          ("职工代表", 20, 15, 13, BallotSource.PAPER)]  # name, weight, expected, cast, how
INDICATORS = ["抓基层党建工作成效"]
# The 党委书记's own problems (点评 by the group's secretary): description, category, deadline, measures, done on, evidence
SECRETARY_PROBLEMS = [
    ("党建工作与生产经营深度融合的载体不多，“党建+”项目成效评估不够", "integration", D(2023, 6, 30),
     "制定“党建+安全生产”“党建+降本增效”项目清单，每季度评估一次成效", D(2023, 6, 20),
     "2023年“党建+”项目清单（12项）及二季度成效评估报告"),
    ("对基层党支部书记履职情况的督导检查偏少，发现问题不够及时", "organisation", D(2023, 9, 30),
     "建立党委委员联系支部督导制度，每半年对全部支部书记履职开展一次督导", None, ""),
]
BRANCH_PROBLEM = ("2022年{month}月未召开支部委员会，“三会一课”制度执行不够严格", "organisation", D(2023, 3, 31),
                  "建立支委会月度计划与提醒，组织委员每月核对会议记录，党委组织部按季度抽查")
WEAK = {code: month for code, _, month in story.MISSED_BRANCH_COMMITTEE_MEETINGS}


def _rating(rng: random.Random, weak: bool) -> str:
    roll = rng.random()
    if weak:
        return "好" if roll < 0.45 else "较好" if roll < 0.8 else "一般" if roll < 0.97 else "差"
    return "好" if roll < 0.78 else "较好" if roll < 0.96 else "一般"


def load(password: str) -> list[Change]:
    from lvzhi.appraisal.grading_defaults import ensure_default_scheme

    ensure_default_scheme()  # loaded by a migration; a test that empties the database removes it
    rng = random.Random(story.SEED + 13)
    company = Unit.objects.get(code=story.COMPANY["code"])
    a = Appraisal.objects.create(
        unit=company, year=2022, meeting_date=MEETING, status=AppraisalStatus.CLOSED, closed_on=MEETING,
        title=f"{company.name}2022年度党组织书记抓基层党建工作述职评议",
        rating_points=dict(DEFAULT_POINTS), component_weights={"测评": 30, "日常考核": 40, "指标": 30},
        grade_thresholds=dict(DEFAULT_THRESHOLDS))
    groups = [RatingGroup.objects.create(appraisal=a, name=n, weight=w, expected=e, order=i)
              for i, (n, w, e, _, _) in enumerate(GROUPS)]
    indicators = [Indicator.objects.create(appraisal=a, name=n, order=i) for i, n in enumerate(INDICATORS)]
    rows, _ = default_reportees(company, MEETING)
    reportees = [Reportee.objects.create(appraisal=a, order=i, **row) for i, row in enumerate(rows)]
    ballots = []
    for group, (_, _, _, cast, source) in zip(groups, GROUPS, strict=False):
        for k in range(cast):
            marks = {}
            for r in reportees:
                weak = r.party_org_id is not None and r.party_org.code in WEAK
                if rng.random() < 0.02:
                    continue  # an abstention now and then
                marks[str(r.pk)] = {OVERALL: _rating(rng, weak), str(indicators[0].pk): _rating(rng, weak)}
            ballots.append(Ballot(appraisal=a, group=group, source=source, marks=marks,
                                  paper_number=f"ZG-{k + 1:03d}" if source == BallotSource.PAPER else ""))
    rng.shuffle(ballots)  # stored in no meaningful order
    Ballot.objects.bulk_create(ballots)
    problems = []
    secretary = reportees[0]
    for description, category, deadline, measures, done, evidence in SECRETARY_PROBLEMS:
        problems.append(AppraisalProblem(reportee=secretary, unit=secretary.unit, description=description,
                                         category=category, owner=secretary.person, measures=measures, date=MEETING,
                                         deadline=deadline, status="done" if done else "open", completed_on=done,
                                         evidence=evidence))
    for r in reportees[1:]:
        code = r.party_org.code if r.party_org_id else ""
        if code not in WEAK:
            continue
        description, category, deadline, measures = BRANCH_PROBLEM
        late = code == story.MISSED_BRANCH_COMMITTEE_MEETINGS[-1][0]  # one branch fixes it after the deadline
        done = D(2023, 4, 12) if late else D(2023, 3, 15)
        problems.append(AppraisalProblem(
            reportee=r, unit=r.unit, description=description.format(month=WEAK[code]), category=category,
            owner=r.person, measures=measures, date=MEETING, deadline=deadline, status="done", completed_on=done,
            evidence=f"{r.party_org.name}2023年1—{done.month}月支委会会议记录及党委组织部抽查记录"))
    AppraisalProblem.objects.bulk_create(problems)
    changes = [Change(action=AuditAction.CREATE, instance=a, after=snapshot(a), unit_id=company.pk)]
    changes += [Change(action=AuditAction.CREATE, instance=p, after=snapshot(p), unit_id=p.unit_id) for p in problems]
    changes.append(Change(action=AuditAction.UPDATE, instance=a, unit_id=company.pk,
                          after={"收回选票": {"网上测评": sum(1 for b in ballots if b.source == BallotSource.ONLINE),
                                              "纸质选票": sum(1 for b in ballots if b.source == BallotSource.PAPER)}}))
    return changes
