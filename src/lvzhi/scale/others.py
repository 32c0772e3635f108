"""Synthetic records of one year outside branch life: 三重一大 and pre-reviews, clean governance (letters,
supervision, findings, rectifications, talks), ideology (reports, media, campaigns) and cadres (hires, reserve).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from lvzhi.cadres import models as cadres
from lvzhi.governance import models as gov
from lvzhi.ideology import models as ideo
from lvzhi.integrity import models as integ
from lvzhi.org.models import UnitFact

from . import scenarios as sp
from . import words
from .org import Org
from .party import day_in, day_of_year
from .writer import Writer

MATTER_TYPES = [  # (category, matter type, amount range in 万元 or None)
    ("funds", "物资项目采购", (20, 900)), ("project", "固定资产投资项目", (200, 5000)),
    ("decision", "年度经营计划", None), ("decision", "重要规章制度", None), ("personnel", "中层干部任免", None),
    ("funds", "大额资金支付", (50, 3000)),
]
PRE_REVIEW_RULES = [("PR-01", "funds", "物资项目采购", Decimal(100)), ("PR-02", "project", "固定资产投资项目", None),
                    ("PR-03", "decision", "年度经营计划", None), ("PR-04", "decision", "重要规章制度", None)]


def once(w: Writer, rng: random.Random, org: Org, first_year: int, stamp: dt.datetime) -> None:
    """What each company has from the start: its pre-review list, its media channel, facts reports quote."""
    rules, chans, facts = w.table(gov.PreReviewRule), w.table(ideo.MediaChannel), w.table(UnitFact)
    since = dt.date(first_year - 1, 1, 1)
    for n, c in enumerate(org.companies):
        u = c.unit.pk
        for code, category, matter_type, threshold in PRE_REVIEW_RULES:
            # Each company's list numbers its lines with its own code in front: a 清单编号 names one line of one
            # list wherever it is quoted, as a real group's lists do (JH01-PR-01), not PR-01 three hundred times.
            rules.add(unit_id=u, code=f"{c.unit.code}-{code}", matter_type=matter_type, category=category, threshold=threshold,
                      source="党委前置研究讨论事项清单", document_number=f"党〔{first_year - 1}〕{n + 1}号", date=since,
                      effective_to=None, created_at=stamp, updated_at=stamp)
        c.channel = chans.add(unit_id=u, name=f"{c.unit.name[:4]}号", platform="wechat", date=since, operator="融媒体中心",
                              created_at=stamp, updated_at=stamp)
        for key, label, value in words.UNIT_FACTS:
            facts.add(unit_id=u, key=key, label=label, value=value, date=since, version=1)


def governance_year(w, rng, org: Org, year: int, stamp, meetings: dict) -> None:
    mm, pr = w.table(gov.MajorMatter), w.table(gov.PreReview)
    for c in org.companies:
        u = c.unit.pk
        mine = meetings.get(u, [])
        for k in range(60 + rng.randint(-8, 8)):
            category, matter_type, amounts = MATTER_TYPES[rng.randrange(len(MATTER_TYPES))]
            amount = Decimal(rng.randint(*amounts)) if amounts else None
            day = dt.date(year, 1, 20) + dt.timedelta(days=rng.randrange(330))
            pk = mm.add(unit_id=u, number=f"{year}-{k + 1:03d}", title=f"关于{matter_type}的议题（{k + 1}）",
                        proposer="生产运营部", category=category, matter_type=matter_type, amount=amount,
                        decision_body="management" if k % 3 else "board", date=day, votes_for=7, votes_against=0,
                        votes_abstain=0, recusals="", observers="纪委书记", compliance_reviewed=True,
                        involves_staff_rights=False, result="approved", created_at=stamp, updated_at=stamp)
            if rng.random() < 0.9:
                before = [m for m in mine if m[1] < day]
                meeting, mday = before[-1] if before and rng.random() > 0.02 else (None, day + dt.timedelta(days=3))
                pr.add(matter_id=pk, unit_id=u, meeting_id=meeting, date=mday, conclusion="agree", created_at=stamp,
                       updated_at=stamp)


def integrity_year(w, rng, org: Org, year: int, stamp) -> None:
    letters, ins, fi, rect = (w.table(integ.ResponsibilityLetter), w.table(integ.Inspection), w.table(integ.Finding),
                              w.table(integ.Rectification))
    talks = w.table(integ.IntegrityTalk)
    talk_people = w.table(integ.IntegrityTalk.people.through, "廉政谈话对象")
    we = w.table(integ.WarningEducation)
    kinds = ["safety_production"] * 4 + ["wage_distribution", "bidding", "bidding", "other"]
    for c in org.companies:
        u = c.unit.pk
        secretary = c.leaders[0] if c.leaders else None
        discipline = c.leaders[3] if len(c.leaders) > 3 else secretary
        for p in c.plants:
            if rng.random() > 0.02:
                letters.add(unit_id=p.pk, kind="two_responsibilities", year=year, date=dt.date(year, 2, 20),
                            issuer="公司党委", signatory_id=None, created_at=stamp, updated_at=stamp)
            for k in range(sp.COMMITTEE_YEAR["inspections_per_plant"]):
                day = day_of_year(rng, year)
                pk = ins.add(unit_id=p.pk, kind=kinds[k % len(kinds)], kind_other="", method="unannounced", date=day,
                             title=f"{p.name}{year}年第{k + 1}次监督检查", created_at=stamp, updated_at=stamp)
                if rng.random() < 0.3:
                    f = fi.add(inspection_id=pk, unit_id=p.pk, date=day, description="台账记录不完整",
                               rule_broken="safety", severity="general", person_id=None, created_at=stamp,
                               updated_at=stamp)
                    deadline = day + dt.timedelta(days=30)
                    done = deadline - dt.timedelta(days=rng.randint(-5, 20))  # a few finish late
                    open_ = rng.random() < 0.05 and deadline.year == year
                    rect.add(finding_id=f, unit_id=p.pk, owner_id=None, measures="完善台账，加强培训", date=day,
                             deadline=deadline, status="open" if open_ else "verified",
                             completed_on=None if open_ else done, evidence="",
                             verified_by_id=None if open_ else discipline, created_at=stamp, updated_at=stamp)
        # 例行廉政谈话: every cadre and key post of the company (but a few), 1–5 people a talk
        people = [p for p in c.leaders[1:] + c.cadres if rng.random() < 0.98]
        i = 0
        while i < len(people):
            n = rng.randint(1, 5)
            pk = talks.add(unit_id=u, kind="routine", date=day_of_year(rng, year), talker_id=secretary,
                           title="年度例行廉政谈话", content="", created_at=stamp, updated_at=stamp)
            for pid in people[i:i + n]:
                talk_people.add(integritytalk_id=pk, person_id=pid)
            i += n
        # 任职前集体廉政谈话 before each quarter's new cadres take office (a few come late)
        by_quarter: dict[int, list] = {}
        for pid, _unit_id, day in c.new_cadres:
            if day.year == year:
                by_quarter.setdefault((day.month - 1) // 3, []).append((pid, day))
        for _q, items in sorted(by_quarter.items()):
            first = min(d for _, d in items)
            day = first - dt.timedelta(days=rng.randint(1, 10)) if rng.random() > 0.05 else first + dt.timedelta(days=5)
            pk = talks.add(unit_id=u, kind="collective_pre_appointment", date=day, talker_id=secretary,
                           title="任职前集体廉政谈话", content="", created_at=stamp, updated_at=stamp)
            for pid, _ in items:
                talk_people.add(integritytalk_id=pk, person_id=pid)
        for k in range(4):
            we.add(unit_id=u, date=day_in(rng, year, 3 * k + 2), title="警示教育", form="meeting",
                   audience=words.WARNING_AUDIENCE, participants=rng.randint(50, 300), created_at=stamp,
                   updated_at=stamp)


def ideology_year(w, rng, org: Org, year: int, stamp) -> None:
    rep, posts, pubs = w.table(ideo.IdeologyReport), w.table(ideo.MediaPost), w.table(ideo.Publication)
    camp, rank = w.table(ideo.Campaign), w.table(ideo.MediaRanking)
    n_posts = sp.COMMITTEE_YEAR["media_posts"]
    for n, c in enumerate(org.companies):
        u = c.unit.pk
        for q in range(1, 5):
            for kind in ("thematic_report", "analysis", "bulletin"):
                rep.add(unit_id=u, kind=kind, year=year, quarter=q, date=day_in(rng, year, 3 * q, 10, 28),
                        title=f"{year}年第{q}季度意识形态工作{dict(ideo.IdeologyReportKind.choices)[kind]}",
                        recipient="上级党委", created_at=stamp, updated_at=stamp)
            title, form = words.CAMPAIGNS[q - 1]
            camp.add(unit_id=u, title=title, form=form, year=year, quarter=q, date=day_in(rng, year, 3 * q - 2),
                     audience="全体员工", description="", created_at=stamp, updated_at=stamp)
        for k in range(n_posts + rng.randint(-50, 50)):
            reads = rng.randint(100, 2000)
            posts.add(channel_id=c.channel, unit_id=u, date=day_of_year(rng, year), title=f"推送{k + 1}", reads=reads,
                      likes=reads // rng.randint(8, 20), shares=reads // 30, created_at=stamp, updated_at=stamp)
        for k in range(sp.COMMITTEE_YEAR["publications"]):
            pubs.add(unit_id=u, date=day_of_year(rng, year), title=f"宣传稿件{k + 1}", medium="集团报",
                     level=("group", "provincial", "central", "company")[k % 4], author_id=None, created_at=stamp,
                     updated_at=stamp)
        for month in range(1, 13):  # every company's channel is ranked by its group each month
            rank.add(unit_id=u, channel_id=c.channel, title="集团新媒体影响力排行榜", date=dt.date(year, month, 28),
                     period=f"{year}年{month}月", position=1 + (n + month) % 10, total=20, created_at=stamp,
                     updated_at=stamp)


def cadres_year(w, rng, org: Org, year: int, stamp) -> None:
    rec, res = w.table(cadres.Recruitment), w.table(cadres.ReserveEntry)
    for c in org.companies:
        pool = [p for b in c.branches for p in b.members]
        if not pool:
            continue
        for pid in rng.sample(pool, max(1, len(pool) // 60)):
            rec.add(person_id=pid, unit_id=c.unit.pk, channel="campus", date=day_in(rng, year, 7), created_at=stamp,
                    updated_at=stamp)
        for pid in rng.sample(pool, min(2, len(pool))):
            res.add(person_id=pid, unit_id=c.unit.pk, action="enter", date=day_in(rng, year, 9), reason="",
                    created_at=stamp, updated_at=stamp)
