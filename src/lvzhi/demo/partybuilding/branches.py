"""Branch life under the company: 三会一课, 主题党日, 组织生活会, 民主评议, 谈心谈话, 三互交流 and 党小组会,
plus the 党课 every Party secretary gives (the committee's, the general branches', the branches')."""

from __future__ import annotations

import datetime as dt
import random

from lvzhi.audit.services import Change
from lvzhi.org.models import PartyOrg, Person
from lvzhi.partybuilding import models as pb

from .. import story
from .common import YEARS, World, bulk, day_in_month, pick_workday

GENERAL_MEETING_TOPICS = {1: "传达学习上级会议精神，部署年度支部工作", 2: "讨论接收预备党员，推荐“两优一先”",
                          3: "通报上半年支部工作，开展党员承诺践诺", 4: "讨论预备党员转正，总结年度支部工作"}
LECTURE_WINDOWS = {1: ("02-15", "03-25"), 2: ("04-10", "06-20"), 3: ("07-05", "09-25"), 4: ("11-14", "12-20")}


class Ledger:
    """Collects activities and their attendees, then writes them in one bulk insert."""

    def __init__(self, rng: random.Random, w: World):
        self.rng, self.w = rng, w
        self.rows: list[pb.BranchActivity] = []
        self.people: list[list[int]] = []

    def add(self, org: PartyOrg, kind: str, day: dt.date, title: str, attendees, **fields) -> None:
        self.rows.append(pb.BranchActivity(party_org=org, kind=kind, date=day, title=title, **fields))
        self.people.append(sorted({p.pk for p in attendees}))

    def turnout(self, org: PartyOrg, pool: list[Person], day: dt.date, share: tuple[float, float],
                voting: list[Person] | None = None) -> list[Person]:
        """A believable attendance from ``pool`` with more than half of the voting members present."""
        present = [p for p in pool if self.w.present(p, day)]
        chosen = set(self.rng.sample(present, round(len(present) * self.rng.uniform(*share))))
        voting = voting if voting is not None else [p for p in pool if p.party_status == "member"]
        need = len(voting) // 2 + 1
        for p in voting:  # top up until the quorum holds
            if sum(v in chosen for v in voting) >= need:
                break
            if self.w.present(p, day):
                chosen.add(p)
        if sum(v in chosen for v in voting) < need:
            raise RuntimeError(f"演示数据：{org.code} 在 {day} 到会党员不足应到的一半")
        return sorted(chosen, key=lambda p: p.code)


def _lecture_days(rng: random.Random, year: int, since: dt.date | None) -> tuple[list[dt.date], int]:
    """Four quarterly 党课 dates and the quarter whose lecture the secretary gives (after taking office)."""
    days = [pick_workday(rng, dt.date.fromisoformat(f"{year}-{a}"), dt.date.fromisoformat(f"{year}-{b}"))
            for a, b in LECTURE_WINDOWS.values()]
    if since is None or since.year != year:  # in office all year (or, the year before, lecturing as a member)
        return days, rng.randrange(4)
    earliest = since + dt.timedelta(days=7)
    for q, (a, b) in enumerate(LECTURE_WINDOWS.values()):
        end = dt.date.fromisoformat(f"{year}-{b}")
        if earliest <= end:
            days[q] = pick_workday(rng, max(earliest, dt.date.fromisoformat(f"{year}-{a}")), end)
            return days, q
    raise RuntimeError(f"演示数据：{since} 到任的书记当年无法讲党课")


def _heart_talks(led: Ledger, org: PartyOrg, year: int, members: list[Person], talkers: list[Person],
                 outside: Person | None) -> None:
    """谈心谈话 covering every member: 支委 talk with members in small batches, the secretary with the 支委,
    the superior secretary with the branch secretary."""
    rng = led.rng
    secretary = org.secretary
    committee = [p for p in talkers if p.pk != secretary.pk]
    ordinary = [p for p in members if p.pk not in {t.pk for t in talkers}]

    def eligible(p):
        return max(dt.date(year, 1, 1), p.joined_on or dt.date(year, 1, 1), p.member_since)

    year_end = dt.date(year, 12, 28)
    ordinary = [p for p in ordinary if eligible(p) <= year_end]
    # a 支委 who only joined late in the year talks with nobody that year
    talkers = [t for t in talkers if eligible(t) <= dt.date(year, 6, 30)] or [secretary]
    ordinary.sort(key=eligible)
    batches = []
    i = 0
    while i < len(ordinary):
        size = rng.randint(3, 6)
        batches.append(ordinary[i:i + size])
        i += size
    sessions = [(talkers[k % len(talkers)], batch) for k, batch in enumerate(batches)]
    if committee:
        sessions.append((secretary, [p for p in committee if eligible(p) <= year_end]))
    if outside is not None and outside.pk != secretary.pk:
        sessions.append((outside, [secretary]))
    for n, (talker, batch) in enumerate(sessions, start=1):
        if not batch:
            continue
        first = max([eligible(p) for p in batch] + [eligible(talker)])
        if first > year_end:
            raise RuntimeError(f"演示数据：{org.code} {year}年的谈心谈话无法安排")
        last = min(first + dt.timedelta(days=150), year_end)
        day = pick_workday(rng, first, max(first, last))
        led.add(org, "heart_talk", day, f"谈心谈话（{talker.name}，第{n}批）", batch, lecturer=talker,
                expected_count=len(batch))


def _branch_year(led: Ledger, org: PartyOrg, year: int, groups: list[PartyOrg], outside: Person | None,
                 lecturers: list[Person]) -> None:
    rng, w = led.rng, led.w
    members = w.members.get(org.pk, [])
    committee = w.committee.get(org.pk, [])
    missed = {(y, m) for code, y, m in story.MISSED_BRANCH_COMMITTEE_MEETINGS if code == org.code}
    offset = rng.randrange(12)
    if committee:
        for month in range(1, 13):
            if (year, month) in missed:
                continue
            day = day_in_month(rng, year, month, 2, 10)
            present = [p for p in committee if w.present(p, day)]
            if len(present) - 1 > len(committee) / 2 and rng.random() < 0.15:
                present.remove(rng.choice([p for p in present if p.pk != org.secretary_id]))
            if len(present) <= len(committee) / 2:
                raise RuntimeError(f"演示数据：{org.code} 在 {day} 支委到会不足半数")
            topic = story.BRANCH_COMMITTEE_TOPICS[(month - 1 + offset) % 12]
            led.add(org, "committee_meeting", day, f"{month}月支部委员会：{topic}", present)
    for q in range(1, 5):
        day = day_in_month(rng, year, 3 * q - rng.randint(0, 2), 11, 25)
        led.add(org, "general_meeting", day, f"{q}季度支部党员大会：{GENERAL_MEETING_TOPICS[q]}",
                led.turnout(org, members, day, (0.8, 0.95)))
    since = w.post_since(org.secretary)
    days, own = _lecture_days(rng, year, since)
    for q, day in enumerate(days):
        topics = story.PARTY_LECTURE_TOPICS[year][q + 1]
        lecturer = org.secretary if q == own else rng.choice([p for p in lecturers if w.present(p, day)])
        led.add(org, "party_lecture", day, f"党课：{topics[(q + offset) % len(topics)]}",
                led.turnout(org, members, day, (0.75, 0.95)), lecturer=lecturer)
    for month in range(1, 13):
        day = day_in_month(rng, year, month, 8, 14)
        led.add(org, "themed_day", day, f"{month}月主题党日：{story.THEMED_DAYS[year][month - 1]}",
                led.turnout(org, members, day, (0.75, 0.95)))
    for month in sorted(rng.sample(range(2, 12), rng.randint(*story.MUTUAL_EXCHANGES[year]))):
        day = day_in_month(rng, year, month, 15, 28)
        topic = story.MUTUAL_EXCHANGE_TOPICS[(month + offset) % len(story.MUTUAL_EXCHANGE_TOPICS)]
        led.add(org, "mutual_exchange", day, f"“三互交流”：{topic}", led.turnout(org, members, day, (0.6, 0.85)))
    theme, title = story.ORG_LIFE_THEMES[year]
    day = day_in_month(rng, year, 12, 5, 20)
    led.add(org, "org_life_meeting", day, title, led.turnout(org, members, day, (0.9, 1.0)), theme=theme)
    day = pick_workday(rng, day + dt.timedelta(days=1), day + dt.timedelta(days=5))
    led.add(org, "member_appraisal", day, f"{year}年度民主评议党员", led.turnout(org, members, day, (0.9, 1.0)))
    _heart_talks(led, org, year, members, [p for p in committee] or [org.secretary], outside)
    for group, people in _group_members(org, members, groups):
        voting = [p for p in people if p.party_status == "member"]
        for month in range(1, 13):
            day = day_in_month(rng, year, month, 16, 28)
            topic = story.GROUP_MEETING_TOPICS[(month + offset) % len(story.GROUP_MEETING_TOPICS)]
            led.add(group, "group_meeting", day, f"{month}月党小组会：{topic}",
                    led.turnout(group, people, day, (0.75, 0.95), voting), expected_count=len(voting))


def _group_members(branch: PartyOrg, members: list[Person], groups: list[PartyOrg]):
    """Split a branch's members into its Party groups: each leader in their group, the rest in even runs."""
    if not groups:
        return []
    leaders = {g.secretary_id for g in groups}
    rest = [p for p in members if p.pk not in leaders]
    size = -(-len(rest) // len(groups))
    out = []
    for k, g in enumerate(groups):
        people = rest[k * size:(k + 1) * size] + [p for p in members if p.pk == g.secretary_id]
        out.append((g, people))
    return out


def load(rng: random.Random, w: World) -> list[Change]:
    led = Ledger(rng, w)
    dw = w.orgs[f"DW-{w.company.code}"]
    leaders_now = w.holders_at("leadership", dt.date(story.REPORT_YEAR, 12, 31))
    deputy = next((p for p in leaders_now if p.post == "党委副书记、工会主席"), w.secretary)
    branches = sorted(w.org_units("branch"), key=lambda o: o.code)
    groups: dict[int, list[PartyOrg]] = {}
    for g in sorted(w.org_units("group"), key=lambda o: o.code):
        groups.setdefault(g.parent_id, []).append(g)
    parents = {o.pk: o for o in w.orgs.values()}
    for year in YEARS:
        for org in branches:
            parent = parents.get(org.parent_id)
            outside = parent.secretary if parent is not None and parent.kind == "general_branch" else deputy
            lecturers = [p for p in w.committee.get(org.pk, []) if p.pk != org.secretary_id] + [outside]
            _branch_year(led, org, year, groups.get(org.pk, []), outside, lecturers)
        # each general branch's secretary lectures the whole plant's members once a year
        for zz in sorted(w.org_units("general_branch"), key=lambda o: o.code):
            pool = [p for b in branches if b.parent_id == zz.pk for p in w.members.get(b.pk, [])]
            since = w.post_since(zz.secretary)
            first = dt.date(year, 3, 1)
            if since is not None and since.year == year:
                first = max(first, since + dt.timedelta(days=7))
            day = pick_workday(rng, first, max(first, dt.date(year, 11, 30)))
            topics = story.PARTY_LECTURE_TOPICS[year][(day.month - 1) // 3 + 1]
            led.add(zz, "party_lecture", day, f"党总支书记讲党课：{rng.choice(topics)}",
                    led.turnout(zz, pool, day, (0.7, 0.85)), lecturer=zz.secretary, expected_count=len(pool))
        # the company secretary's 廉政党课, at the year's 党风廉政建设工作会议, to the leadership and middle cadres
        day = dt.date.fromisoformat(story.INTEGRITY_MEETING[year])
        pool = w.holders_at("leadership", day) + w.holders_at("middle", day)
        led.add(dw, "party_lecture", day, story.COMMITTEE_LECTURES[year],
                led.turnout(dw, pool, day, (0.92, 0.98), voting=pool), lecturer=w.secretary, expected_count=len(pool))
    return bulk(pb.BranchActivity, led.rows, {"attendees": led.people})
