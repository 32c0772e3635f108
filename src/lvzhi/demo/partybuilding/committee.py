"""The company Party committee's own records: 党委会 with their agenda and 第一议题, 中心组 study,
the leadership's weekly 集中跟进学习 and the secretary's outside speech."""

from __future__ import annotations

import datetime as dt
import random

from lvzhi.audit.services import Change
from lvzhi.partybuilding import models as pb

from .. import story
from .common import YEARS, Topics, World, bulk, day_in_month, monday_weeks, month_end, on, pick_workday, workdays

IDEOLOGY_ITEMS = {1: "研究部署年度意识形态工作", 2: "听取意识形态工作情况汇报，开展分析研判",
                  3: "研究网络意识形态和舆情管控工作", 4: "研究意识形态工作责任制落实情况"}
REGULAR_ITEMS = [  # (months, kind, title)
    ((1, 2), "party_building", "研究年度党建工作要点和基层党建责任清单"),
    ((1, 2), "integrity", "研究年度党风廉政建设和反腐败工作"),
    ((5, 6), "party_building", "研究“七一”表彰和纪念活动方案"),
    ((7, 8), "integrity", "听取上半年“两个责任”落实情况汇报"),
    ((11, 12), "party_building", "研究年度组织生活会和民主评议党员工作"),
]
PRE_REVIEW_ITEM = "前置研究讨论提交董事会、经理层决策的“三重一大”事项"


def _meeting_days(rng: random.Random, year: int, n: int) -> list[dt.date]:
    per_month = [n // 12] * 12
    for m in rng.sample(range(12), n % 12):
        per_month[m] += 1
    days: set[dt.date] = set()
    for month, k in enumerate(per_month, start=1):
        pool = [d for d in workdays(dt.date(year, month, 1), month_end(year, month)) if d.weekday() in (1, 2, 3)]
        days.update(rng.sample(pool, k))
    return sorted(days)


def _meetings(rng: random.Random, w: World, year: int) -> list[Change]:
    dw = w.orgs[f"DW-{w.company.code}"]
    members = w.committee[dw.pk]
    days = _meeting_days(rng, year, story.COMMITTEE_MEETINGS[year])
    meetings, attendees = [], []
    for i, day in enumerate(days, start=1):
        present = list(members)
        if rng.random() < 0.3:  # one member away on business now and then; the quorum still holds
            present.remove(rng.choice([p for p in members if p.pk != w.secretary.pk]))
        meetings.append(pb.CommitteeMeeting(party_org=dw, number=f"{year}-{i:02d}", date=day,
                                            title=f"{year}年第{i}次党委会", chair=w.secretary))
        attendees.append([p.pk for p in present])
    changes = bulk(pb.CommitteeMeeting, meetings, {"attendees": attendees})

    # agenda: 第一议题 first, then the matters; ideology at least once a quarter; personnel before appointments
    topics = Topics(rng, year, fresh_days=30)
    items, studies, study_people = [], [], []
    ideology_at = {id(rng.choice([m for m in meetings if (m.date.month - 1) // 3 + 1 == q])): q for q in range(1, 5)}
    appointment_days = sorted({start for lv, start, *_ in w.careers if start.year == year})
    personnel_at = {}
    for day in appointment_days:
        before = [m for m in meetings if day - dt.timedelta(days=45) <= m.date < day]
        if before:
            personnel_at[id(before[-1])] = True
    regular = {}
    for months, kind, title in REGULAR_ITEMS:
        regular.setdefault(id(rng.choice([m for m in meetings if m.date.month in months])), []).append((kind, title))
    for meeting, present in zip(meetings, attendees, strict=False):
        topic = topics.next(meeting.date)
        studies.append(pb.StudySession(unit=w.company, party_org=dw, kind="first_agenda", date=meeting.date,
                                       title=topic, speaker=w.secretary, meeting=meeting,
                                       expected_count=len(members)))
        study_people.append(present)
        agenda = [("other", f"第一议题：{topic}")]
        if rng.random() < 0.85:
            agenda.append(("pre_review", PRE_REVIEW_ITEM))
        if id(meeting) in ideology_at:
            agenda.append(("ideology", IDEOLOGY_ITEMS[ideology_at[id(meeting)]]))
        if id(meeting) in personnel_at:
            agenda.append(("personnel", "研究干部任免事项"))
        agenda += regular.get(id(meeting), [])
        items += [pb.AgendaItem(meeting=meeting, order=k, kind=kind, title=title)
                  for k, (kind, title) in enumerate(agenda, start=1)]
    changes += bulk(pb.AgendaItem, items)
    changes += bulk(pb.StudySession, studies, {"attendees": study_people})
    return changes


def _leadership_study(w: World, kind: str, day: dt.date, title: str, speaker=None, **extra) -> tuple:
    leaders = w.holders_at("leadership", day)
    session = pb.StudySession(unit=w.company, party_org=w.orgs[f"DW-{w.company.code}"], kind=kind, date=day,
                              title=title, speaker=speaker or w.secretary, expected_count=len(leaders), **extra)
    return session, [p.pk for p in leaders]


def _follow_ups(rng: random.Random, w: World, year: int) -> list[tuple]:
    """One 集中跟进学习 before each week's leadership meeting (its first working day)."""
    topics = Topics(rng, year, fresh_days=21, reuse=2)
    out = []
    for k, monday in enumerate(monday_weeks(year)):
        days = workdays(monday, monday + dt.timedelta(days=6))
        day = days[0] if days else monday + dt.timedelta(days=6)  # a week of holidays: the last day, online
        leaders = w.holders_at("leadership", day)
        session = _leadership_study(w, "follow_up", day, f"班子集中跟进学习：{topics.next(day)}",
                                    speaker=leaders[k % len(leaders)],
                                    notes="" if days else "节日假期，班子成员线上集中学习")
        out.append(session)
    # extra sessions right after major meetings (2021: 七一讲话, 六中全会, 中央经济工作会议)
    events = story.STUDY_EVENTS[year][len(story.STUDY_EVENTS[year]) - story.EXTRA_FOLLOW_UPS[year]:]
    taken = {s.date for s, _ in out}
    for start, title in events:
        day = pick_workday(rng, on(year, start), on(year, start) + dt.timedelta(days=6), taken)
        out.append(_leadership_study(w, "follow_up", day, f"专题跟进学习：{title}"))
    return out


def _central_group(rng: random.Random, w: World, year: int) -> list[tuple]:
    """中心组学习 and 专题研讨: at least one every two months; a few on ideology."""
    plan_ = story.CENTRAL_GROUP[year]
    out, taken = [], set()
    for start, title in story.SEMINAR_TOPICS[year][:plan_["central_group_seminar"]]:
        first = on(year, start)
        day = pick_workday(rng, first, min(first + dt.timedelta(days=20), dt.date(year, 12, 28)), taken)
        taken.add(day)
        out.append(_leadership_study(w, "central_group_seminar", day, title, is_ideology="意识形态" in title,
                                     materials="围绕主题集中研讨，班子成员逐一交流发言"))
    ideology_left = plan_["ideology"] - sum(s.is_ideology for s, _ in out)
    n = plan_["central_group"]
    on_ideology = set(rng.sample(range(n), max(ideology_left, 0)))
    topics = Topics(rng, year, fresh_days=60)
    for i in range(n):  # spread evenly, so every two-month period has one
        month = 1 + (i * 12) // n + rng.randint(0, max(0, 12 // n - 1))
        day = day_in_month(rng, year, min(month, 12), 5, 25, taken)
        taken.add(day)
        ideology = i in on_ideology
        title = story.IDEOLOGY_STUDY if ideology else topics.next(day)
        out.append(_leadership_study(w, "central_group", day, f"中心组集体学习：{title}", is_ideology=ideology))
    return out


def load(rng: random.Random, w: World) -> list[Change]:
    changes: list[Change] = []
    sessions: list[tuple] = []
    for year in YEARS:
        changes += _meetings(rng, w, year)
        sessions += _follow_ups(rng, w, year)
        sessions += _central_group(rng, w, year)
    day_s, host, title = story.EXTERNAL_SPEECH
    sessions.append((pb.StudySession(unit=w.company, party_org=w.orgs[f"DW-{w.company.code}"], kind="external_speech",
                                     date=dt.date.fromisoformat(day_s), title=title, host=host, speaker=w.secretary,
                                     materials="作为基层单位代表作交流发言"), [w.secretary.pk]))
    sessions.sort(key=lambda s: (s[0].date, s[0].kind))
    changes += bulk(pb.StudySession, [s for s, _ in sessions], {"attendees": [a for _, a in sessions]})
    return changes
