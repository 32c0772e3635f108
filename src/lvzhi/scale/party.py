"""Synthetic party-building records of one year: branch life, committee meetings and study, contact points.

Per branch and per committee the counts follow ``scenarios.BRANCH_YEAR`` / ``COMMITTEE_YEAR``; a small share
of owed meetings is not held (``MISS_RATE``) and a few general meetings miss their quorum, so the obligation
checks find gaps as they would in real data.
"""

from __future__ import annotations

import datetime as dt
import random

from lvzhi.partybuilding import models as pb

from . import scenarios as sp
from . import words
from .org import Org
from .writer import Writer


def day_in(rng: random.Random, year: int, month: int, lo: int = 1, hi: int = 28) -> dt.date:
    return dt.date(year, month, rng.randint(lo, hi))


def day_of_year(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def branch_year(w: Writer, rng: random.Random, org: Org, year: int, stamp: dt.datetime) -> None:
    ba = w.table(pb.BranchActivity)
    att = w.table(pb.BranchActivity.attendees.through, "支部活动参加人员")
    ss = w.table(pb.StudySession)
    miss = sp.MISS_RATE
    themes = words.THEMED_DAYS
    topics = words.BRANCH_COMMITTEE_TOPICS
    lectures = words.PARTY_LECTURE_TOPICS

    def activity(b_pk, unit_id, kind, day, title, lecturer=None, theme="", people=()):
        pk = ba.add(party_org_id=b_pk, unit_id=unit_id, kind=kind, date=day, title=title, theme=theme,
                    lecturer_id=lecturer, expected_count=None, created_at=stamp, updated_at=stamp)
        for pid in people:
            att.add(branchactivity_id=pk, person_id=pid)
        return pk

    for b in org.branches:
        if not b.members:
            continue
        u = b.unit_id
        for month in range(1, 13):
            if b.committee and rng.random() >= miss:
                present = b.committee if rng.random() < 0.9 else b.committee[:-1]
                activity(b.pk, u, "committee_meeting", day_in(rng, year, month, 3, 12), topics[month - 1], people=present)
            if rng.random() >= miss:
                activity(b.pk, u, "themed_day", day_in(rng, year, month, 10, 25), themes[month - 1])
            for k in range(sp.BRANCH_YEAR["branch_study"] // 12):
                ss.add(unit_id=u, party_org_id=b.pk, kind="branch_study", date=day_in(rng, year, month, 1 + 9 * k, 9 + 9 * k),
                       title=rng.choice(words.STUDY_THEMES), materials="", speaker_id=None, host="", meeting_id=None,
                       is_ideology=False, expected_count=None, created_at=stamp, updated_at=stamp)
            for g in b.groups:
                if rng.random() >= miss:
                    activity(g, u, "group_meeting", day_in(rng, year, month, 12, 26),
                             words.GROUP_MEETING_TOPICS[month % len(words.GROUP_MEETING_TOPICS)])
        for q in range(1, 5):
            if rng.random() >= miss:
                share = 0.8 if rng.random() > 0.03 else 0.4  # now and then a meeting without a quorum
                present = [p for p in b.members if rng.random() < share]
                activity(b.pk, u, "general_meeting", day_in(rng, year, 3 * q - 1), f"{year}年第{q}季度支部党员大会",
                         people=present)
            lecturer = b.secretary if q == 4 else rng.choice(b.members)
            if rng.random() >= miss:
                activity(b.pk, u, "party_lecture", day_in(rng, year, 3 * q), lectures[q - 1], lecturer=lecturer)
        activity(b.pk, u, "org_life_meeting", day_in(rng, year, 12, 1, 20), "组织生活会", theme=words.STYLE_MEETING_THEME)
        activity(b.pk, u, "member_appraisal", day_in(rng, year, 12, 1, 20), "民主评议党员")
        for k in range(sp.BRANCH_YEAR["mutual_exchange"]):
            activity(b.pk, u, "mutual_exchange", day_in(rng, year, 4 + 5 * k),
                     words.MUTUAL_EXCHANGE_TOPICS[k % len(words.MUTUAL_EXCHANGE_TOPICS)])
        talked = [p for p in b.members if rng.random() < 0.97]
        for i in range(0, len(talked), sp.HEART_TALK_PEOPLE):
            activity(b.pk, u, "heart_talk", day_of_year(rng, year), "谈心谈话", lecturer=b.secretary,
                     people=talked[i:i + sp.HEART_TALK_PEOPLE])
    # Secretaries of committees and general branches give their own 党课 once a year.
    for c in org.companies:
        if c.leaders:
            activity(c.committee_id, c.unit.pk, "party_lecture", day_in(rng, year, 6), words.COMMITTEE_LECTURE, lecturer=c.leaders[0])
    for pk, unit_id, secretary in org.general_branches:
        if secretary and rng.random() >= miss:
            activity(pk, unit_id, "party_lecture", day_in(rng, year, 7), "党总支书记讲党课", lecturer=secretary)


def committee_year(w: Writer, rng: random.Random, org: Org, year: int, stamp: dt.datetime) -> dict[int, list]:
    """Committee meetings with agenda and 第一议题, study, contact visits; returns each company's meetings
    (id, date) for the pre-reviews."""
    cm = w.table(pb.CommitteeMeeting)
    cm_att = w.table(pb.CommitteeMeeting.attendees.through, "党委会出席人员")
    ag = w.table(pb.AgendaItem)
    ss = w.table(pb.StudySession)
    cv = w.table(pb.ContactVisit)
    meetings: dict[int, list] = {}
    n_meet = sp.COMMITTEE_YEAR["committee_meetings"]
    for c in org.companies:
        if not c.leaders:
            continue
        u, sec = c.unit.pk, c.leaders[0]
        mine = meetings.setdefault(c.unit.pk, [])
        count = n_meet + rng.randint(-4, 4)
        for k in range(count):
            day = dt.date(year, 1, 5) + dt.timedelta(days=k * 355 // count + rng.randint(0, 5))
            pk = cm.add(unit_id=u, party_org_id=c.committee_id, number=f"{year}-{k + 1:02d}", date=day,
                        title=f"{year}年第{k + 1}次党委会", chair_id=sec, expected_count=None, created_at=stamp,
                        updated_at=stamp)
            for pid in c.leaders[:7]:
                cm_att.add(committeemeeting_id=pk, person_id=pid)
            mine.append((pk, day))
            kinds = ["pre_review", "personnel", "other"] + (["ideology"] if k % 12 == 5 else [])
            for order, kind in enumerate(kinds, start=2):
                ag.add(meeting_id=pk, unit_id=u, order=order, kind=kind, title=f"{dict(pb.AgendaKind.choices)[kind]}议题",
                       date=day, created_at=stamp, updated_at=stamp)
            if rng.random() > 0.02:  # now and then the 第一议题 study is not recorded
                ss.add(unit_id=u, party_org_id=c.committee_id, kind="first_agenda", date=day,
                       title=rng.choice(words.STUDY_THEMES), materials="", speaker_id=sec, host="", meeting_id=pk,
                       is_ideology=False, expected_count=None, created_at=stamp, updated_at=stamp)
        for week in range(sp.COMMITTEE_YEAR["follow_up"]):
            ss.add(unit_id=u, party_org_id=c.committee_id, kind="follow_up",
                   date=dt.date(year, 1, 4) + dt.timedelta(days=7 * week + 7 * (week // 12)),
                   title="班子集中跟进学习", materials="", speaker_id=sec, host="", meeting_id=None, is_ideology=False,
                   expected_count=None, created_at=stamp, updated_at=stamp)
        ss.add(unit_id=u, party_org_id=None, kind="external_speech", date=day_in(rng, year, 11), title="交流发言",
               materials="", speaker_id=sec, host=words.EXTERNAL_SPEECH_HOST, meeting_id=None, is_ideology=False,
               expected_count=None, created_at=stamp, updated_at=stamp)
        for kind in ("central_group", "central_group_seminar"):
            n = sp.COMMITTEE_YEAR[kind]
            for k in range(n):
                ss.add(unit_id=u, party_org_id=c.committee_id, kind=kind,
                       date=dt.date(year, 1, 10) + dt.timedelta(days=k * 340 // n + rng.randint(0, 10)),
                       title=rng.choice(words.STUDY_THEMES), materials="", speaker_id=sec, host="", meeting_id=None,
                       is_ideology=(kind == "central_group_seminar" and k in (2, 7)), expected_count=None,
                       created_at=stamp, updated_at=stamp)
        for cp_pk, plant_unit in [(c.contact_point, c.contact_plant.pk)] if c.contact_point and c.contact_plant else []:
            for month in range(1, 13):
                cv.add(contact_point_id=cp_pk, unit_id=plant_unit, kind="research", date=day_in(rng, year, month),
                       title=words.CONTACT_RESEARCH[month % len(words.CONTACT_RESEARCH)], findings="",
                       follow_ups="", created_at=stamp, updated_at=stamp)
            monday = dt.date(year, 1, 1) + dt.timedelta(days=(7 - dt.date(year, 1, 1).weekday()) % 7)
            while monday.year == year:
                if rng.random() > 0.02:
                    cv.add(contact_point_id=cp_pk, unit_id=plant_unit, kind="supervision",
                           date=monday + dt.timedelta(days=rng.randint(0, 4)),
                           title=rng.choice(words.CONTACT_SUPERVISION), findings="", follow_ups="", created_at=stamp,
                           updated_at=stamp)
                monday += dt.timedelta(days=7)
    return meetings


def contact_points(w: Writer, org: Org, first_year: int, stamp: dt.datetime) -> None:
    """Each company secretary follows one plant (from the first generated year)."""
    cp = w.table(pb.ContactPoint)
    plants = [p for c in org.companies for p in c.plants]
    for c in org.companies:
        mine = c.plants or [p for p in plants if p.path.startswith(c.unit.path)]
        if c.leaders and mine:
            c.contact_plant = mine[0]
            c.contact_point = cp.add(leader_id=c.leaders[0], unit_id=mine[0].pk, date=dt.date(first_year, 1, 5),
                                     end_date=None, title="长期困难单位", created_at=stamp, updated_at=stamp)


def outreach_year(w: Writer, rng: random.Random, org: Org, year: int, stamp: dt.datetime, pairs: dict) -> None:
    """Honours, external visits, innovation, business results and 拉手共建 activities."""
    ho, ev, inn = w.table(pb.Honour), w.table(pb.ExternalVisit), w.table(pb.Innovation)
    br, cba = w.table(pb.BusinessResult), w.table(pb.CoBuildingActivity)
    written: set[tuple[int, str]] = set()
    with_grass = 0
    for n, c in enumerate(org.companies):
        u = c.unit.pk
        grass = [b for b in c.branches if not b.organ and b.members]
        if grass:
            with_grass += 1
        if grass and with_grass % 3 == 1:  # one company in three has a 省级示范党支部
            b = grass[0]
            ho.add(unit_id=b.unit_id, kind="model_branch", title="省级示范党支部", level="provincial", party_org_id=b.pk,
                   person_id=None, brand=words.MODEL_BRANCH_BRANDS[n % len(words.MODEL_BRANCH_BRANDS)], issuer="省国资委党委",
                   date=day_in(rng, year, 6), created_at=stamp, updated_at=stamp)
        for b in grass[1:3]:
            ho.add(unit_id=b.unit_id, kind="five_strong", title="“五强”支部", level="company", party_org_id=b.pk,
                   person_id=None, brand="", issuer="公司党委", date=day_in(rng, year, 7), created_at=stamp,
                   updated_at=stamp)
        for k in range(10 + len(c.plants)):
            kind, visitor, level, title = words.EXTERNAL_VISITORS[(k + n) % len(words.EXTERNAL_VISITORS)]
            ev.add(unit_id=u, kind=kind, visitor=visitor, level=level, date=day_of_year(rng, year),
                   title=f"{title}（{year}年第{k + 1}批）",  # two visits on one random day must differ (natural key)
                   created_at=stamp, updated_at=stamp)
        for k in range(2):
            inn.add(unit_id=u, kind="product", title=f"新产品{year}-{n}-{k + 1}", platform=words.LAB_NAME,
                    fills_gap=k == 0, date=day_of_year(rng, year), description="", created_at=stamp, updated_at=stamp)
        series = [(p.pk, "profit") for p in c.plants]
        if c.contact_plant is not None:  # the secretary's contact plant reports its turnaround too
            series.append((c.contact_plant.pk, "loss_reduction"))
        for unit_id, indicator in series:
            if (unit_id, indicator) in written:  # a plant followed by the secretaries of two levels
                continue
            written.add((unit_id, indicator))
            for month in range(1, 13):
                br.add(unit_id=unit_id, date=dt.date(year, month, 1), indicator=indicator,
                       value=round(rng.uniform(-50, 300), 2), measure="万元", created_at=stamp, updated_at=stamp)
        for pair_pk, unit_id in pairs.get(u, []):
            for k in range(10):
                focus, title = words.CO_BUILDING_TOPICS[k % len(words.CO_BUILDING_TOPICS)]
                cba.add(co_building_id=pair_pk, unit_id=unit_id, date=day_in(rng, year, k + 2), title=title, focus=focus,
                        participants=rng.randint(8, 30), created_at=stamp, updated_at=stamp)


def co_building_pairs(w: Writer, org: Org, first_year: int, stamp: dt.datetime) -> dict:
    cb = w.table(pb.CoBuilding)
    pairs: dict[int, list] = {}
    for c in org.companies:
        grass = [b for b in c.branches if not b.organ]
        organ = [b for b in c.branches if b.organ]
        for g, o in list(zip(grass, organ, strict=False))[:2]:
            pk = cb.add(grassroots_branch_id=g.pk, organ_branch_id=o.pk, unit_id=g.unit_id, date=dt.date(first_year, 2, 15),
                        title="“拉手共建”降本增效", created_at=stamp, updated_at=stamp)
            pairs.setdefault(c.unit.pk, []).append((pk, g.unit_id))
    return pairs

