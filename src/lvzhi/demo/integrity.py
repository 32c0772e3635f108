"""Demo section "integrity": the company's clean-governance records of 2021–2022.

Letters with every plant and duty lists for the leadership; supervisions with findings and rectifications; integrity
talks; warning education; one accountability case. Who held which post on a day comes from the people plan (the
careers behind both the org and cadres sections); appointments are read from the cadres section's rows.

Compliant except two planted gaps: a 2022 rectification still open after its deadline (gap 3), and one cadre
appointed in 2022 whose pre-appointment talk came a few days after the appointment (gap 4).

Longer than most modules because its four record families share one reader of the company (``Company``); each
family is built by its own function, in the order ``load`` calls them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, snapshot
from lvzhi.cadres.models import Appointment
from lvzhi.integrity.models import (
    CONFIDENTIAL_TALKS,
    Accountability,
    DutyItem,
    DutyList,
    Finding,
    Inspection,
    IntegrityTalk,
    Rectification,
    ResponsibilityLetter,
    WarningEducation,
)
from lvzhi.org.models import Person, Unit

from . import story
from .people import plan

YEARS = (2021, 2022)
CADRE_LEVELS = ("leadership", "middle")


def _weekday(day: dt.date, forward: bool = True) -> dt.date:
    step = dt.timedelta(days=1 if forward else -1)
    while day.weekday() >= 5:
        day += step
    return day


def _some_day(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    """A working day in [low, high] (high itself when the span is empty)."""
    if high <= low:
        return high
    day = _weekday(low + dt.timedelta(days=rng.randint(0, (high - low).days)))
    return day if day <= high else _weekday(high, forward=False)


class Company:
    """What the section reads: units, people, who held which post when, and the appointments."""

    def __init__(self):
        self.unit = Unit.objects.get(code=story.COMPANY["code"])
        self.units = {u.code: u for u in Unit.objects.filter(self.unit.subtree_q())}
        self.people = {p.code: p for p in Person.objects.filter(self.unit.subtree_q("unit__")).select_related("unit")}
        self.by_unit: dict[str, list[Person]] = defaultdict(list)
        for p in self.people.values():
            if p.left_on is None:
                self.by_unit[p.unit.code].append(p)
        # (person, post, level, unit code, start, end) for every cadre post of the plan
        self.careers = [(self.people[p.code], c.post, c.level, c.unit, c.start, c.end)
                        for p in plan() for c in p.careers if p.code in self.people]
        self.appointments = list(
            Appointment.objects.filter(self.unit.subtree_q("unit__"), date__year__in=YEARS)
            .select_related("person", "unit").order_by("date", "person__code", "pk"))
        self.secretary = self.holder(self.unit.code, "党委书记、董事长", dt.date(story.REPORT_YEAR, 12, 31))
        self.discipline = self.holder(self.unit.code, "纪委书记", dt.date(story.REPORT_YEAR, 12, 31))
        self.plants = [self.units[f"{self.unit.code}-{code}"] for code, *_ in story.PLANTS]
        self.departments = [self.units[f"{self.unit.code}-{code}"] for code, _ in story.DEPARTMENTS]

    def holder(self, unit_code: str, post: str, day: dt.date) -> Person | None:
        for person, p, _, unit, start, end in self.careers:
            if unit == unit_code and p == post and start <= day and (end is None or end > day):
                return person
        return None

    def leaders(self, day: dt.date) -> list[Person]:
        held = {c[0] for c in self.careers if c[2] == "leadership" and c[4] <= day and (c[5] is None or c[5] > day)}
        return sorted(held, key=lambda p: p.code)

    def staff(self, unit_code: str) -> list[Person]:
        """The unit's people on the job today."""
        return self.by_unit.get(unit_code, [])

    def head(self, unit: Unit, day: dt.date) -> Person | None:
        """Who answers for a unit's rectifications: the workshop head, the plant director, the department head."""
        if unit.kind == "workshop":
            return next((p for p in self.staff(unit.code) if p.post == "车间主任"), None)
        return self.holder(unit.code, "厂长" if unit.kind == "plant" else "部长", day)


def _created(objs, m2m=None, confidential=lambda obj: False) -> list[Change]:
    return [Change(AuditAction.CREATE, o, after=snapshot(o, m2m(o) if m2m else {}), unit_id=o.unit_id,
                   confidential=confidential(o)) for o in objs]


# --- letters and duty lists -------------------------------------------------------------------------------
FIRST_DUTIES = [("主持召开党风廉政建设工作会议，部署年度任务", (2, 28)), ("与基层单位签订“两个责任”目标责任书", (3, 15)),
                ("组织年度例行廉政谈话，实现中层干部和关键岗位全覆盖", (5, 31)), ("带头讲廉政党课", (6, 30)),
                ("听取班子成员履行“一岗双责”情况汇报", (7, 31)), ("主持研究党风廉政建设和反腐败工作", (12, 20))]
DUAL_DUTIES = [("与分管单位负责人开展廉政谈话", (4, 30)), ("在分管单位讲廉政党课或作廉政辅导", (6, 30)),
               ("半年报告“一岗双责”履行情况", (7, 15)), ("督促分管单位完成监督检查问题整改", (10, 31)),
               ("年终述责述廉", (12, 25))]


def _letters_and_lists(rng: random.Random, co: Company) -> list[Change]:
    letters, lists, items = [], [], []
    for year in YEARS:
        day = dt.date.fromisoformat(story.INTEGRITY_MEETING[year])
        for plant in co.plants:
            signatory = co.holder(plant.code, "党总支书记", day) or co.holder(plant.code, "厂长", day)
            letters.append(ResponsibilityLetter(unit=plant, year=year, date=day, signatory=signatory))
        # Duty lists: the secretary's and each leader's; leaders joining mid-year get theirs when they start.
        joined = {c[0].pk: c[4] for c in co.careers if c[2] == "leadership" and c[4].year == year}
        members = {p.pk: p for p in co.leaders(day) + co.leaders(dt.date(year, 12, 31))}
        for person in sorted(members.values(), key=lambda p: p.code):
            first = person == co.secretary
            start = _weekday(joined[person.pk] + dt.timedelta(days=rng.randint(5, 12))) if person.pk in joined else day
            end = person.left_on or dt.date(year, 12, 31)
            duty_list = DutyList(unit=co.unit, year=year, date=start, person=person,
                                 role="first_responsible" if first else "dual_duty",
                                 title=f"{year}年党风廉政建设第一责任人责任清单" if first
                                 else f"{year}年“一岗双责”责任清单（{person.name}）")
            lists.append(duty_list)
            for content, (month, mday) in FIRST_DUTIES if first else DUAL_DUTIES:
                deadline = dt.date(year, month, mday)
                if deadline <= start + dt.timedelta(days=10) or deadline > end:
                    continue  # not his or hers to do in this year's term
                done = _some_day(rng, max(start + dt.timedelta(days=3), deadline - dt.timedelta(days=25)), deadline)
                items.append((duty_list, DutyItem(content=content, date=deadline, done_on=done,
                                                  evidence=f"已于{done:%m月%d日}完成，资料存党委办公室。")))
    ResponsibilityLetter.objects.bulk_create(letters)
    DutyList.objects.bulk_create(lists)
    for duty_list, item in items:
        item.duty_list = duty_list
        item.fill_derived()
    DutyItem.objects.bulk_create([i for _, i in items])
    return _created(letters) + _created(lists) + _created([i for _, i in items])


# --- supervision, findings, rectifications ----------------------------------------------------------------
TITLES = {
    "safety_production": ["夜间安全生产突击检查", "动火作业现场监督检查", "检修现场安全监督", "危险化学品装卸作业检查",
                          "节假日值班值守检查", "交接班制度执行情况检查"],
    "wage_distribution": ["绩效工资二次分配情况监督检查", "加班费核发情况检查", "奖金分配公开公示情况检查"],
    "bidding": ["招标采购评标现场监督", "工程项目招投标监督", "询比价采购程序检查", "供应商准入程序检查"],
}
OTHER = {"物资管理": "库存物资管理检查", "公务用车": "公务用车使用情况检查", "节日廉洁": "节日期间廉洁自律检查",
         "财务报销": "费用报销合规性检查", "食堂管理": "职工食堂采购管理检查", "合同履行": "合同履行情况检查"}
PROBLEMS = {  # kind (or other kind) → (description, rule broken)
    "safety_production": [("交接班记录填写不完整", "safety"), ("动火作业票证审批不规范", "safety"),
                          ("部分员工劳保用品佩戴不规范", "safety"), ("应急器材超期未检验", "safety")],
    "wage_distribution": [("绩效考核结果未按规定公示", "other"), ("加班费核算依据不充分", "finance")],
    "bidding": [("询比价采购供应商不足三家", "procurement"), ("评标专家抽取记录不完整", "procurement"),
                ("合同签订晚于实际供货", "procurement")],
    "物资管理": [("库存物资账实不符", "other")], "公务用车": [("公务用车使用登记不完整", "eight_rules")],
    "节日廉洁": [("节日值班人员未执行廉洁提醒制度", "red_lines")], "财务报销": [("业务招待费报销附件不全", "finance")],
    "食堂管理": [("食堂采购验收台账不健全", "other")], "合同履行": [("合同履行跟踪记录缺失", "other")],
}
# Findings about a named person (confidential): (year, other kind, post of the person, description, rule, talk)
NAMED = [((2021, 9), "节日廉洁", "车间主任", "中秋节期间接受下属单位宴请", "eight_rules", "reminder"),
         ((2021, 5), "财务报销", "工段长", "虚列加班餐费报销", "red_lines", "reminder"),
         ((2022, 6), "公务用车", "副厂长", "违规使用公务车辆办理私事", "eight_rules", "admonition"),
         ((2022, 1), "节日廉洁", "车间主任", "春节期间收受供应商礼品", "red_lines", "reminder"),
         ((2022, 10), "食堂管理", "工段长", "工作日午间饮酒", "red_lines", "reminder")]
PLANTED = {"unit": "P10-W03", "date": dt.date(2022, 9, 21), "kind_other": "物资管理",
           "title": "危化品仓库物资管理专项检查", "problem": "危化品仓库部分物资账实不符，差异原因未查明",
           "measures": "全面盘点库存物资，查明差异原因，完善出入库登记和定期盘点制度"}


def _inspection_unit(rng: random.Random, co: Company, kind: str) -> Unit:
    workshops = [u for u in co.units.values() if u.kind == "workshop"]
    if kind == "safety_production":
        return rng.choice(workshops)
    if kind == "bidding":
        return co.units[f"{co.unit.code}-D08"] if rng.random() < 0.5 else rng.choice(co.plants)
    return rng.choice(co.plants + co.departments + workshops[: len(workshops) // 3])


def _named_inspections(rng: random.Random, co: Company) -> list[tuple[Inspection, Person, str, str, str]]:
    """The inspections that found something about a named person: (inspection, person, what, rule, talk)."""
    out = []
    for (year, month), kind_other, post, what, rule, talk in NAMED:
        day = _weekday(dt.date(year, month, rng.randint(3, 26)))
        later = {c[0].pk for c in co.careers if c[4] > day}  # not yet in that post on the day
        kind = "plant" if post == "副厂长" else "workshop"
        pool = [(u, p) for u in sorted(co.units.values(), key=lambda u: u.code) if u.kind == kind
                for p in co.staff(u.code) if p.post == post and p.pk not in later and (p.joined_on or day) <= day]
        unit, person = rng.choice(pool)
        out.append((Inspection(unit=unit, kind="other", kind_other=kind_other, method="unannounced", date=day,
                               title=f"{unit.name}{OTHER[kind_other]}"), person, what, rule, talk))
    return out


def _routine_inspections(rng: random.Random, co: Company, year: int, kind: str, count: int) -> list[Inspection]:
    out = []
    for _ in range(count):
        kind_other = rng.choice(sorted(OTHER)) if kind == "other" else ""
        months = (1, 2, 9, 10) if kind_other == "节日廉洁" else tuple(range(1, 13))
        day = _weekday(dt.date(year, rng.choice(months), rng.randint(3, 26)))
        unit = _inspection_unit(rng, co, kind)
        title = OTHER[kind_other] if kind_other else rng.choice(TITLES[kind])
        method = "unannounced" if kind == "safety_production" or rng.random() < 0.7 else "announced"
        out.append(Inspection(unit=unit, kind=kind, kind_other=kind_other, method=method, date=day,
                              title=f"{unit.name}{title}"))
    return out


def _rectification(rng: random.Random, co: Company, finding: Finding, checker: Person) -> Rectification:
    unit = finding.inspection.unit
    owner = co.head(unit, finding.date)
    if owner is None and unit.kind == "workshop":
        owner = co.head(co.units[unit.code[:-4]], finding.date)
    deadline = min(finding.date + dt.timedelta(days=rng.randint(15, 45)), dt.date(finding.date.year, 12, 28))
    verified = rng.random() < 0.8
    return Rectification(
        finding=finding, owner=owner, deadline=deadline,
        completed_on=_some_day(rng, finding.date + dt.timedelta(days=3), deadline),
        measures=f"针对“{finding.description}”制定整改方案，明确责任人和完成时限，举一反三完善制度。",
        status="verified" if verified else "done", verified_by=checker if verified else None,
        evidence="整改报告及佐证材料已报纪委办公室。")


def _inspections(rng: random.Random, co: Company):
    """Inspections, findings and rectifications; returns (changes, [(named finding, talk kind)])."""
    named = _named_inspections(rng, co)
    plant_unit = co.units[f"{co.unit.code}-{PLANTED['unit']}"]
    planted = Inspection(unit=plant_unit, kind="other", kind_other=PLANTED["kind_other"], method="unannounced",
                         date=PLANTED["date"], title=f"{plant_unit.name}{PLANTED['title']}")
    inspections = [i for i, *_ in named] + [planted]
    for year in YEARS:
        for kind, count in story.INSPECTIONS[year].items():
            # the named-person and planted inspections count among the year's "other" ones
            made = sum(1 for i in inspections if i.date.year == year and i.kind == kind)
            inspections += _routine_inspections(rng, co, year, kind, count - made)
    inspections.sort(key=lambda i: (i.date, i.title))
    Inspection.objects.bulk_create(inspections)
    office, safety = co.staff(f"{co.unit.code}-D03"), co.staff(f"{co.unit.code}-D06")
    teams = {i.pk: [co.discipline, *rng.sample(office, 2)] for i in inspections}
    for i in inspections:
        if i.kind == "safety_production":
            teams[i.pk].append(rng.choice(safety))
    through = Inspection.inspectors.through
    through.objects.bulk_create([through(inspection_id=pk, person_id=p.pk) for pk, team in teams.items() for p in team])

    findings = [Finding(inspection=i, description=f"{person.post}{person.name}{what}", rule_broken=rule,
                        severity="major" if talk == "admonition" else "general", person=person)
                for i, person, what, rule, talk in named]
    talks = [(f, spec[4]) for f, spec in zip(findings, named, strict=False)]
    findings.append(Finding(inspection=planted, description=PLANTED["problem"], rule_broken="other"))
    taken = {i.pk for i, *_ in named} | {planted.pk}
    for i in inspections:  # about one in three finds something; late in the year there is no time left to fix it
        if i.pk not in taken and i.date <= dt.date(i.date.year, 11, 20) and rng.random() < 0.3:
            problems = PROBLEMS[i.kind_other or i.kind]
            for what, rule in rng.sample(problems, min(len(problems), 1 + (rng.random() < 0.3))):
                findings.append(Finding(inspection=i, description=what, rule_broken=rule))
    for f in findings:
        f.fill_derived()
    Finding.objects.bulk_create(findings)

    checker = co.holder(f"{co.unit.code}-D03", "部长", dt.date(story.REPORT_YEAR, 12, 31)) or co.discipline
    rectifications = []
    for f in findings:
        if f.inspection is planted:  # planted gap 3: still open after its deadline
            rectifications.append(Rectification(
                finding=f, owner=co.head(plant_unit, f.date), measures=PLANTED["measures"], status="open",
                deadline=dt.date.fromisoformat(story.OVERDUE_DEADLINE)))
        else:
            rectifications.append(_rectification(rng, co, f, checker))
    for r in rectifications:
        r.fill_derived()
    Rectification.objects.bulk_create(rectifications)

    changes = (_created(inspections, m2m=lambda i: {"inspectors": teams[i.pk]})
               + _created(findings, confidential=lambda f: f.person_id is not None)
               + _created(rectifications, confidential=lambda r: r.finding.person_id is not None))
    return changes, talks


# --- integrity talks --------------------------------------------------------------------------------------
NEXT_LEVEL_POSTS = ("党总支书记", "厂长", "部长")  # the secretary talks with these one by one
ROUND = {"leader": ((2, 21), (3, 11)), "next": ((3, 14), (4, 1)), "team": ((4, 6), (4, 29)), "key": ((5, 9), (5, 27))}


@dataclass
class _Owed:
    """One person owed a routine talk in a year: when they can be talked to [lo, hi], in which round and team."""

    person: Person
    lo: dt.date
    hi: dt.date
    round: str
    team: str


def _group_unit(co: Company, unit_code: str) -> str:
    """The plant or department a unit belongs to (workshops → their plant)."""
    return unit_code[: len(co.unit.code) + 4]


def _owed(co: Company, year: int) -> list[_Owed]:
    """Everyone owed a routine talk in ``year``: the leadership and middle cadres who held a post during the year
    (plan careers and appointment rows), those recorded today as leadership/middle cadres or in key posts, who
    were employed in the year."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    roles: dict[int, list] = defaultdict(list)  # pk → [(start, end, level, post, unit code)]
    for person, post, level, unit, start, end in co.careers:
        if start <= last and (end is None or end > first):
            roles[person.pk].append((start, end, level, post, unit))
    for a in co.appointments:
        if a.level in CADRE_LEVELS and a.date <= last and (a.ended_on is None or a.ended_on > first):
            roles[a.person_id].append((a.date, a.ended_on, a.level, a.post, a.unit.code))
    out = []
    for person in sorted(co.people.values(), key=lambda p: p.code):
        employed = ((person.joined_on is None or person.joined_on <= last)
                    and (person.left_on is None or person.left_on > first))
        current = person.cadre_level in CADRE_LEVELS or person.is_key_post
        if not roles.get(person.pk) and not (current and employed):
            continue
        lo, hi = dt.date(year, 1, 4), dt.date(year, 12, 20)
        if person.joined_on and person.joined_on.year == year:
            lo = max(lo, person.joined_on + dt.timedelta(days=7))
        if person.left_on and person.left_on.year == year:
            hi = min(hi, person.left_on - dt.timedelta(days=1))
        mine = sorted(roles.get(person.pk, []))
        if mine and not person.is_key_post:  # a cadre is talked to while in post
            lo = max(lo, mine[0][0])
            if all(r[1] is not None for r in mine):
                hi = min(hi, max(r[1] for r in mine) - dt.timedelta(days=1))
        if mine:
            _, _, level, post, unit = mine[0]
            round_ = "leader" if level == "leadership" else "next" if post in NEXT_LEVEL_POSTS else "team"
            team = "" if round_ != "team" else _group_unit(co, unit)
        elif person.is_key_post:
            round_, team = "key", _group_unit(co, person.unit.code)
        else:  # recorded as a cadre now but not yet in post that year: talked to with their unit's cadres
            round_, team = "team", _group_unit(co, person.unit.code)
        out.append(_Owed(person, lo, max(lo, hi) if hi < lo else hi, round_, team))
    return out


def _routine_talks(rng: random.Random, co: Company, year: int) -> list[tuple[IntegrityTalk, list[Person]]]:
    talks = []

    def round_day(round_: str) -> dt.date:
        (m1, d1), (m2, d2) = ROUND[round_]
        return _some_day(rng, dt.date(year, m1, d1), dt.date(year, m2, d2))

    def talk(day, talker, people, title, unit=None):
        unit = unit or (people[0].unit if len(people) == 1 else co.unit)
        talks.append((IntegrityTalk(unit=unit, kind="routine", date=day, talker=talker, title=title,
                                    content="学习党风廉政建设有关规定，通报典型案例，结合岗位提出廉洁从业要求。"), people))

    owed = _owed(co, year)
    leftover = []
    teams = defaultdict(list)
    for o in owed:
        if o.round in ("leader", "next"):
            day = round_day(o.round)
            if not (o.lo <= day <= o.hi):
                leftover.append(o)
            elif o.person == co.secretary:
                talk(day, None, [o.person], f"{year}年度集团党委与公司党委书记例行廉政谈话")
            else:
                talk(day, co.secretary, [o.person], f"{year}年度例行廉政谈话")
        else:
            teams[(o.round, o.team)].append(o)
    for (round_, team), members in sorted(teams.items()):
        day = round_day(round_)
        present = [o.person for o in members if o.lo <= day <= o.hi]
        leftover += [o for o in members if not (o.lo <= day <= o.hi)]
        if not present:
            continue
        if round_ == "key":
            talker, title = co.discipline, f"{year}年度人财物关键岗位人员集体廉政谈话（{co.units[team].name}）"
        else:
            leaders = [p for p in co.leaders(day) if p not in (co.secretary, co.discipline)]
            talker = leaders[sorted(co.units).index(team) % len(leaders)]  # the leader in charge of that unit
            title = f"{year}年度分管单位中层干部例行廉政谈话（{co.units[team].name}）"
        talk(day, talker, present, title, unit=co.units[team])
    for o in leftover:  # took up or left their post outside the round: talked to on their own
        day = _some_day(rng, o.lo, min(o.hi, o.lo + dt.timedelta(days=20))) if o.lo > dt.date(year, 4, 1) \
            else _some_day(rng, max(o.lo, o.hi - dt.timedelta(days=15)), o.hi)
        talk(day, co.discipline, [o.person], f"{year}年度例行廉政谈话")
    return talks


def _pre_appointment_talks(rng: random.Random, co: Company) -> list[tuple[IntegrityTalk, list[Person]]]:
    """A collective talk before each batch of appointments (an individual one for a batch of one); the planted
    cadre is left out and talked to a few days after taking up the post (gap 4)."""
    once = defaultdict(int)
    for a in co.appointments:
        once[a.person_id] += 1
    candidates = [a for a in co.appointments if a.date.year == 2022 and a.level == "middle" and once[a.person_id] == 1
                  and not a.unit.code.startswith(f"{co.unit.code}-{story.CONTACT_PLANT}") and 4 <= a.date.month <= 10]
    late = rng.choice(candidates) if candidates else None
    talks = []
    content = "学习廉洁从业有关规定，提出任职廉洁要求，签订廉洁从业承诺书。"
    if late is not None:
        day = _weekday(late.date + dt.timedelta(days=rng.randint(3, 6)))
        talks.append((IntegrityTalk(unit=late.unit, kind="pre_appointment", date=day, talker=co.discipline,
                                    title=f"任前廉政谈话（{late.post}）", content=content), [late.person]))
    batches: list[list[Appointment]] = []
    for a in co.appointments:
        if a is late:
            continue
        if batches and batches[-1][0].date.year == a.date.year and (a.date - batches[-1][0].date).days <= 40:
            batches[-1].append(a)
        else:
            batches.append([a])
    numbers = defaultdict(int)
    for batch in batches:
        first = batch[0].date
        day = _weekday(first - dt.timedelta(days=rng.randint(1, 5)), forward=False)
        people = list({a.person_id: a.person for a in batch}.values())
        if len(batch) == 1:
            talks.append((IntegrityTalk(unit=batch[0].unit, kind="pre_appointment", date=day, talker=co.secretary,
                                        title=f"任前廉政谈话（{batch[0].post}）", content=content), people))
            continue
        numbers[first.year] += 1
        talks.append((IntegrityTalk(unit=co.unit, kind="collective_pre_appointment", date=day, talker=co.secretary,
                                    title=f"{first.year}年第{numbers[first.year]}批新任职干部任职前集体廉政谈话",
                                    content=content), people))
    return talks


def _confidential(rng: random.Random, co: Company, named) -> tuple[list, list[Accountability]]:
    """Reminder and admonition talks about named findings; the admonition also stands as an accountability case."""
    talks, cases = [], []
    for finding, kind in named:
        person = finding.person
        day = _weekday(finding.date + dt.timedelta(days=rng.randint(5, 12)))
        title = "提醒谈话" if kind == "reminder" else "诫勉谈话"
        talks.append((IntegrityTalk(unit=person.unit, kind=kind, date=day, talker=co.discipline, title=title,
                                    content=f"就“{finding.description}”问题进行{title}，本人作出书面检查。"), [person]))
        if kind == "admonition":
            cases.append(Accountability(unit=person.unit, person=person, date=day, form="admonition",
                                        reason=f"{finding.description}，违反中央八项规定精神，经纪委研究给予诫勉处理。"))
    return talks, cases


WARNINGS = {
    2021: [("2021-04-23", "参观省反腐倡廉警示教育基地", "base"), ("2021-07-16", "观看警示教育专题片", "film"),
           ("2021-11-19", "集团系统违纪违法典型案例通报会", "cases")],
    2022: [("2022-03-18", "2022年党风廉政建设警示教育大会", "meeting"), ("2022-05-20", "观看警示教育专题片《零容忍》", "film"),
           ("2022-08-26", "参观省反腐倡廉警示教育基地", "base"), ("2022-11-25", "“身边人身边事”典型案例通报会", "cases")],
}


def load(password: str) -> list[Change]:
    rng = random.Random(story.SEED + 5)
    co = Company()
    changes = _letters_and_lists(rng, co)
    inspection_changes, named = _inspections(rng, co)
    changes += inspection_changes

    talks = _pre_appointment_talks(rng, co)
    for year in YEARS:
        talks += _routine_talks(rng, co, year)
    confidential_talks, cases = _confidential(rng, co, named)
    talks += confidential_talks
    talks.sort(key=lambda t: (t[0].date, t[0].title))
    IntegrityTalk.objects.bulk_create([t for t, _ in talks])
    through = IntegrityTalk.people.through
    through.objects.bulk_create([through(integritytalk_id=t.pk, person_id=p.pk) for t, people in talks for p in people])
    people_of = {t.pk: people for t, people in talks}
    changes += _created([t for t, _ in talks], m2m=lambda t: {"people": people_of[t.pk]},
                        confidential=lambda t: t.kind in CONFIDENTIAL_TALKS)
    Accountability.objects.bulk_create(cases)
    changes += _created(cases, confidential=lambda c: True)

    sessions = [WarningEducation(unit=co.unit, date=dt.date.fromisoformat(day), title=title, form=form,
                                 audience=story.WARNING_AUDIENCE, participants=rng.randint(190, 260))
                for year in YEARS for day, title, form in WARNINGS[year]]
    WarningEducation.objects.bulk_create(sessions)
    return changes + _created(sessions)
