"""Demo section "governance": the company's 前置研究讨论事项清单, its 三重一大 matters of 2021–2022 and the Party
committee's pre-reviews.

Every matter the list catches is pre-reviewed at the latest company committee meeting (read from the partybuilding
section's rows) before the board or the managers decide it — except planted gap 2: one 2022 procurement that the
managers decided first and the committee discussed only afterwards. Some procurements and renovations below their
thresholds are decided without a pre-review, as the list allows.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, snapshot
from lvzhi.cadres.models import Appointment
from lvzhi.governance.models import DecisionBody, MajorMatter, MatterCategory, PreReview, PreReviewRule
from lvzhi.org.models import Unit
from lvzhi.partybuilding.models import CommitteeMeeting

from . import story

YEARS = (2021, 2022)
OBSERVERS = "纪委书记、总法律顾问"
BOARD_SIZE, MANAGERS = 9, 7  # directors voting on board matters; members of the managers' meeting


@dataclass(frozen=True)
class ListLine:
    """One line of the pre-review list and how the demo's matters of that type look."""

    code: str
    matter_type: str
    category: str
    threshold: int | None  # 万元; None: every such matter
    weight: int  # share of the year's caught matters
    body: str
    proposer: str
    amounts: tuple[int, int] | None = None  # 万元 range of caught matters
    staff_rights: bool = False


PROCUREMENT = "物资项目采购"
RENOVATION = "技术改造项目"
PERSONNEL = "经理层成员选聘、考核与薪酬"
LIST = [
    ListLine("QZ-01", "发展战略和中长期规划", MatterCategory.DECISION, None, 2, DecisionBody.BOARD, "生产运营部"),
    ListLine("QZ-02", "年度经营计划和财务预决算", MatterCategory.DECISION, None, 2, DecisionBody.BOARD, "财务部"),
    ListLine("QZ-03", "重大改革和改制重组方案", MatterCategory.DECISION, None, 3, DecisionBody.BOARD, "党委办公室（党委工作部）",
             staff_rights=True),
    ListLine("QZ-04", "内部机构设置和重要规章制度", MatterCategory.DECISION, None, 4, DecisionBody.MANAGEMENT,
             "组织部（人力资源部）"),
    ListLine("QZ-05", "工资总额和收入分配方案", MatterCategory.DECISION, None, 3, DecisionBody.BOARD, "组织部（人力资源部）",
             staff_rights=True),
    ListLine("QZ-06", "涉及职工切身利益的重大事项", MatterCategory.DECISION, None, 2, DecisionBody.MANAGEMENT,
             "组织部（人力资源部）", staff_rights=True),
    ListLine("QZ-07", "安全环保重大事项", MatterCategory.DECISION, None, 2, DecisionBody.MANAGEMENT, "安全环保部"),
    ListLine("QZ-08", "固定资产投资项目", MatterCategory.PROJECT, 500, 7, DecisionBody.BOARD, "生产运营部", (520, 8600)),
    ListLine("QZ-09", RENOVATION, MatterCategory.PROJECT, 300, 6, DecisionBody.MANAGEMENT, "技术中心", (310, 1480)),
    ListLine("QZ-10", PROCUREMENT, MatterCategory.FUNDS, story.PROCUREMENT_THRESHOLD, 26, DecisionBody.MANAGEMENT,
             "采购与物流部", (105, 2900)),
    ListLine("QZ-11", "融资、担保和大额资金调度", MatterCategory.FUNDS, 1000, 3, DecisionBody.BOARD, "财务部", (1500, 30000)),
    ListLine("QZ-12", "资产处置", MatterCategory.FUNDS, 100, 3, DecisionBody.MANAGEMENT, "财务部", (110, 760)),
    ListLine("QZ-13", PERSONNEL, MatterCategory.PERSONNEL, None, 1, DecisionBody.BOARD, "组织部（人力资源部）"),
]
BY_TYPE = {line.matter_type: line for line in LIST}

MATERIALS = {  # plant code → what it buys in large lots
    "P01": ["原料煤", "合成氨催化剂", "尿素包装袋", "造气炉炉条"], "P02": ["原盐", "离子膜", "电石", "聚合助剂"],
    "P03": ["金属硅粉", "氯甲烷", "铜粉触体", "气相白炭黑"], "P04": ["苯胺", "环氧丙烷", "液氯", "聚醚催化剂"],
    "P05": ["医药中间体原料", "甲苯溶剂", "农药中间体原料"], "P06": ["动力煤", "脱硫石灰石", "锅炉四管备件"],
    "P07": ["特种单体", "膜材料基材"], "P08": ["萤石粉", "无水氢氟酸", "四氯乙烯"], "P09": ["钢材", "焊材"],
    "P10": ["储罐防腐材料", "装卸鹤管"],
}
GENERAL_MATERIALS = ["仪表阀门", "DCS控制系统备件", "机泵备品备件", "劳保用品", "检修材料"]
INVESTMENTS = [("P03", "年产5万吨有机硅单体扩能项目"), ("P03", "高温硫化硅橡胶生产线项目"), ("P02", "离子膜电解槽扩容项目"),
               ("P04", "聚醚多元醇装置改扩建项目"), ("P07", "特种树脂中试基地项目"), ("P08", "含氟精细化学品项目"),
               ("P06", "背压机组替代改造项目"), ("P10", "危化品罐区扩建项目"), ("P05", "医药中间体多功能车间项目"),
               ("P07", "高性能分离膜生产线项目"), ("P01", "合成氨装置节能升级项目"), ("P08", "制冷剂装置扩能项目"),
               ("P02", "氯化石蜡装置项目"), ("P06", "光伏发电项目")]
RENOVATIONS = ["节能降耗", "DCS控制系统升级", "尾气回收", "余热利用", "安全仪表系统（SIS）", "密闭化改造", "智能巡检",
               "污水预处理", "自动包装线"]
# matter type → (title, proposer ('' = the list line's), months it is decided in ('' = any), only in year (0 = any))
TITLES = {
    "发展战略和中长期规划": [("公司“十四五”发展规划中期评估与调整", "", "", 2022), ("公司“十四五”发展规划", "", "1-3", 2021),
                      ("{plant}产业链延伸发展专项规划", "", "", 0), ("科技创新中长期规划", "技术中心", "", 0),
                      ("数字化转型三年行动方案", "", "", 0)],
    "年度经营计划和财务预决算": [("{prev}年度财务决算报告", "", "3-5", 0), ("{next}年度经营计划和全面预算", "", "11-12", 0)],
    "重大改革和改制重组方案": [("经理层成员任期制和契约化管理实施方案", "组织部（人力资源部）", "", 2021),
                      ("{plant}模拟法人运营改革方案", "", "", 0), ("三项制度改革深化方案", "组织部（人力资源部）", "", 0),
                      ("{plant}与{plant2}检修业务整合方案", "生产运营部", "", 0)],
    "内部机构设置和重要规章制度": [("《物资采购管理办法》修订", "采购与物流部", "", 0), ("《合同管理办法》修订", "党委办公室（党委工作部）", "", 0),
                          ("《资金管理办法》修订", "财务部", "", 0), ("《全员安全生产责任制》修订", "安全环保部", "", 0),
                          ("机关部门职能优化调整方案", "", "", 0), ("《工程建设项目管理办法》修订", "生产运营部", "", 0),
                          ("《内部审计工作规定》修订", "纪委办公室（监察审计部）", "", 0), ("《全面预算管理办法》修订", "财务部", "", 0)],
    "工资总额和收入分配方案": [("{year}年度工资总额预算方案", "", "1-3", 0), ("有机硅厂产量销量上台阶激励政策", "有机硅厂", "3-4", 2022),
                      ("中层干部年度绩效考核与薪酬兑现方案", "", "1-4", 0), ("科技人员项目收益分红方案", "技术中心", "", 0)],
    "涉及职工切身利益的重大事项": [("职工带薪年休假实施细则", "", "", 0), ("倒班岗位津贴调整方案", "", "", 0),
                          ("职工补充医疗保险方案", "", "", 0), ("企业年金方案调整", "", "", 0)],
    "安全环保重大事项": [("{year}年度安全生产费用提取和使用计划", "", "1-3", 0), ("{plant}重大危险源专项整治方案", "", "", 0),
                 ("{plant}VOCs综合治理方案", "", "", 0), ("危险化学品安全风险集中治理方案", "", "", 2021)],
    "融资、担保和大额资金调度": [("{year}年度银行综合授信融资", "", "1-3", 0), ("为{plant}项目贷款提供担保", "", "", 0),
                        ("{year}年度资金集中调度方案", "", "1-2", 0), ("发行超短期融资券", "", "", 0)],
    "资产处置": [("{plant}闲置设备资产处置", "", "", 0), ("{plant}报废车辆处置", "", "", 0), ("{plant}废旧物资集中处置", "", "", 0)],
    PERSONNEL: [("经理层成员{prev}年度经营业绩考核结果及薪酬兑现", "", "3-4", 0)],
}


def _months(spec: str) -> range:
    if not spec:
        return range(1, 13)
    low, high = spec.split("-")
    return range(int(low), int(high) + 1)


def _weekday(day: dt.date, forward: bool = False) -> dt.date:
    """The day itself or the nearest working day before (or after) it: nobody decides at weekends."""
    step = dt.timedelta(days=1 if forward else -1)
    while day.weekday() >= 5:
        day += step
    return day


def _amount(rng: random.Random, low: float, high: float) -> Decimal:
    # Log-uniform: most lots are small, a few are large. Large ones are quoted in whole 万元, as in the ledgers.
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    return Decimal(f"{value:.0f}") if value >= 1000 else Decimal(f"{value:.2f}")


class _Meetings:
    """The company committee's meetings, by date."""

    def __init__(self, company: Unit):
        rows = CommitteeMeeting.objects.filter(party_org__code=f"DW-{company.code}").order_by("date", "pk")
        self.rows = list(rows.only("pk", "date", "number"))
        self.dates = [m.date for m in self.rows]

    def latest_on_or_before(self, day: dt.date) -> CommitteeMeeting | None:
        i = bisect.bisect_right(self.dates, day)
        return self.rows[i - 1] if i else None

    def latest_before(self, day: dt.date) -> CommitteeMeeting | None:
        return self.latest_on_or_before(day - dt.timedelta(days=1))

    def of_year(self, year: int, months=range(1, 13)) -> list[CommitteeMeeting]:
        # Meetings late in December would push the decision into the next year.
        return [m for m in self.rows
                if m.date.year == year and m.date.month in months and m.date <= dt.date(year, 12, 18)]


@dataclass
class _Draft:
    line: ListLine
    title: str
    proposer: str
    months: range
    amount: Decimal | None = None


class _Titles:
    """Draws believable titles without repeating a plan or a project within a year."""

    def __init__(self, rng: random.Random, plants: dict[str, str]):
        self.rng, self.plants = rng, plants
        self.pools: dict[tuple, list] = {}
        self.investments: list = []

    def _draw(self, key: tuple, fill) -> object:
        pool = self.pools.get(key)
        if not pool:
            pool = self.pools[key] = list(fill())
            self.rng.shuffle(pool)
        return pool.pop()

    def draft(self, line: ListLine, year: int) -> _Draft:
        rng, plants = self.rng, self.plants
        code = rng.choice(sorted(plants))
        fields = {"year": year, "prev": year - 1, "next": year + 1, "plant": plants[code],
                  "plant2": plants[rng.choice([c for c in sorted(plants) if c != code])]}
        low, high = line.amounts or (0, 0)
        if line.matter_type == PROCUREMENT:
            if rng.random() < 0.75:
                title, high = f"{year}年{plants[code]}{rng.choice(MATERIALS[code])}采购", high
            else:  # general supplies are bought in smaller lots
                title, high = f"{year}年{rng.choice(GENERAL_MATERIALS)}集中采购", 600
            return _Draft(line, title, line.proposer, range(1, 13), _amount(rng, low, high))
        if line.matter_type == "固定资产投资项目":
            if not self.investments:  # both years share one pool: a project is approved once
                self.investments = list(INVESTMENTS)
                rng.shuffle(self.investments)
            code, name = self.investments.pop()
            return _Draft(line, f"{plants[code]}{name}", plants[code], range(1, 13), _amount(rng, low, high))
        if line.matter_type == RENOVATION:
            code, what = self._draw((year, RENOVATION), lambda: [(c, r) for c in sorted(plants) for r in RENOVATIONS])
            return _Draft(line, f"{plants[code]}{what}技术改造", plants[code], range(1, 13), _amount(rng, low, high))
        title, proposer, months, _ = self._draw(
            (year, line.matter_type), lambda: [t for t in TITLES[line.matter_type] if t[3] in (0, year)])
        return _Draft(line, title.format(**fields), proposer or line.proposer, _months(months),
                      _amount(rng, low, high) if line.amounts else None)


def _votes(rng: random.Random, body: str, recusal: bool) -> tuple[int, int, int]:
    n = (BOARD_SIZE if body == DecisionBody.BOARD else MANAGERS) - (1 if recusal else 0)
    abstain = 1 if rng.random() < 0.06 else 0
    return n - abstain, 0, abstain


def _matter(rng: random.Random, draft: _Draft, day: dt.date, company: Unit, body: str = "") -> MajorMatter:
    line = draft.line
    body = body or line.body
    recusal = "担保" in draft.title  # a guarantee for a related party: the related director stays out of the vote
    votes_for, votes_against, votes_abstain = _votes(rng, body, recusal)
    return MajorMatter(
        unit=company, number="", title=draft.title, proposer=draft.proposer, category=line.category,
        matter_type=line.matter_type, amount=draft.amount, decision_body=body, date=day, votes_for=votes_for,
        votes_against=votes_against, votes_abstain=votes_abstain, recusals="关联董事回避表决" if recusal else "",
        observers=OBSERVERS, compliance_reviewed=True, involves_staff_rights=line.staff_rights,
    )


def _caught_lines(rng: random.Random, n: int) -> list[ListLine]:
    """n list lines in the list's proportions (largest remainder), shuffled."""
    lines = [line for line in LIST if line.matter_type != PERSONNEL]
    total = sum(line.weight for line in lines)
    counts = [n * line.weight // total for line in lines]
    order = sorted(range(len(lines)), key=lambda i: -(n * lines[i].weight % total))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    out = [line for line, c in zip(lines, counts, strict=False) for _ in range(c)]
    rng.shuffle(out)
    return out


def _number_batches(matters: list[MajorMatter]) -> None:
    """Repeated purchases of one material within a year: the later lots say which batch they are, in date order."""
    seen: dict[str, int] = {}
    for matter in matters:
        if matter.matter_type == PROCUREMENT:
            n = seen[matter.title] = seen.get(matter.title, 0) + 1
            if n > 1:
                matter.title = f"{matter.title}（第{n}批）"


def _year(rng: random.Random, year: int, company: Unit, meetings: _Meetings, titles: _Titles):
    """The year's matters, and their pre-reviews as (matter, date, meeting)."""
    matters: list[MajorMatter] = []
    reviews: list[tuple[MajorMatter, dt.date, CommitteeMeeting | None]] = []
    budget = story.PRE_REVIEWS[year]

    def meeting_in(months: range) -> CommitteeMeeting | None:
        pool = meetings.of_year(year, months) or meetings.of_year(year)
        return rng.choice(pool) if pool else None

    def reviewed(draft: _Draft, decided: dt.date, meeting: CommitteeMeeting | None, reviewed_on: dt.date, **kw):
        matter = _matter(rng, draft, decided, company, **kw)
        matters.append(matter)
        reviews.append((matter, reviewed_on, meeting))
        return matter

    def reviewed_then_decided(draft: _Draft):
        """Discussed at a committee meeting of the draft's months, decided 2–20 days later."""
        meeting = meeting_in(draft.months)
        if meeting is None:  # no committee meetings recorded: any weekday, reviewed a few days earlier
            day = _weekday(dt.date(year, rng.choice(list(draft.months)), rng.randint(12, 28)))
            return reviewed(draft, day, None, day - dt.timedelta(days=rng.randint(4, 10)))
        day = _weekday(min(meeting.date + dt.timedelta(days=rng.randint(2, 20)), dt.date(year, 12, 29)), forward=True)
        return reviewed(draft, day, meeting, meeting.date)

    # The board appoints the company's new managers after the committee has discussed each appointment.
    personnel = BY_TYPE[PERSONNEL]
    for appt in Appointment.objects.filter(company.subtree_q("unit__"), level="leadership",
                                           date__year=year).select_related("person").order_by("date", "pk"):
        day = _weekday(appt.date - dt.timedelta(days=rng.randint(3, 9)))
        meeting = meetings.latest_before(day)
        draft = _Draft(personnel, f"聘任{appt.person.name}为公司{appt.post}", personnel.proposer, range(1, 13))
        reviewed(draft, day, meeting, meeting.date if meeting else day - dt.timedelta(days=6))
        budget -= 1
    reviewed_then_decided(titles.draft(personnel, year))  # the managers' yearly appraisal
    budget -= 1

    # Planted gap 2: in 2022 the managers decided one large procurement before the committee had discussed it.
    if year == 2022:
        draft = titles.draft(BY_TYPE[PROCUREMENT], year)
        draft.amount = _amount(rng, 150, 480)
        late = meeting_in(range(6, 11))
        day = _weekday(late.date - dt.timedelta(days=rng.randint(3, 8))) if late else dt.date(2022, 8, 16)
        matter = reviewed(draft, day, late, late.date if late else day + dt.timedelta(days=7))
        matter.notes = "经理层先行决策，事后补充提交党委会前置研究。"
        budget -= 1

    for line in _caught_lines(rng, budget):
        reviewed_then_decided(titles.draft(line, year))

    # Below the list's thresholds the managers decide alone.
    for _ in range(story.BELOW_THRESHOLD_MATTERS[year]):
        line = BY_TYPE[PROCUREMENT] if rng.random() < 0.7 else BY_TYPE[RENOVATION]
        draft = titles.draft(line, year)
        draft.amount = _amount(rng, 30 if line is BY_TYPE[PROCUREMENT] else 80, float(line.threshold) * 0.96)
        day = _weekday(dt.date(year, rng.randint(1, 12), rng.randint(10, 28)))
        matters.append(_matter(rng, draft, day, company, body=DecisionBody.MANAGEMENT))

    matters.sort(key=lambda m: (m.date, m.title))
    _number_batches(matters)
    for i, matter in enumerate(matters, start=1):
        matter.number = f"SZYD-{year}-{i:03d}"
    return matters, reviews


def load(password: str) -> list[Change]:
    rng = random.Random(story.SEED + 4)
    company = Unit.objects.get(code=story.COMPANY["code"])
    plants = {code: name for code, name, *_ in story.PLANTS}
    changes: list[Change] = []

    rules = [PreReviewRule(unit=company, code=line.code, matter_type=line.matter_type, category=line.category,
                           threshold=line.threshold, source=story.PRE_REVIEW_LIST["source"],
                           document_number=story.PRE_REVIEW_LIST["document_number"],
                           date=dt.date.fromisoformat(story.PRE_REVIEW_LIST["date"]))
             for line in LIST]
    PreReviewRule.objects.bulk_create(rules)

    meetings = _Meetings(company)
    titles = _Titles(rng, plants)
    matters, reviews = [], []
    for year in YEARS:
        m, r = _year(rng, year, company, meetings, titles)
        matters += m
        reviews += r
    MajorMatter.objects.bulk_create(matters)

    pre_reviews = []
    for matter, day, meeting in reviews:
        # A review not held at a meeting still points at the latest meeting on or before its date, if any.
        meeting = meeting or meetings.latest_on_or_before(day)
        conclusion = "amend" if rng.random() < 0.1 else "agree"
        review = PreReview(matter=matter, meeting=meeting, date=day, conclusion=conclusion)
        review.fill_derived()
        pre_reviews.append(review)
    PreReview.objects.bulk_create(pre_reviews)

    for obj in [*rules, *matters, *pre_reviews]:
        changes.append(Change(AuditAction.CREATE, obj, after=snapshot(obj, {}), unit_id=obj.unit_id))
    return changes
