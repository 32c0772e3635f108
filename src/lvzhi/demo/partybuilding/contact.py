"""The secretary's contact point (有机硅厂, 2022): monthly research, weekly supervision, the plant's turnaround
measures and its monthly results — loss-making through 2021, its first annual profit in 2022."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from lvzhi.audit.services import Change
from lvzhi.partybuilding import models as pb

from .. import story
from .common import World, bulk, monday_weeks, month_end, pick_workday, workdays

YEAR = 2022


def _visits(rng: random.Random, cp: pb.ContactPoint) -> list[pb.ContactVisit]:
    start = cp.date
    visits = [pb.ContactVisit(contact_point=cp, kind="research", date=start, title="到有机硅厂调研，确定为本人联系点",
                              findings="投产以来长期亏损，装置负荷低，班子年龄结构和专业结构不合理",
                              follow_ups="建立“每月一调研、每周一督导”机制，研究扭亏脱困措施")]
    research = list(story.CONTACT_RESEARCH)
    rng.shuffle(research)
    extra = set(rng.sample(range(2, 13), 3))  # a few months with a second research visit
    k = 0
    for month in range(1, 13):
        for _ in range((month > 1) + (month in extra)):
            title, findings, follow_ups = research[k % len(research)]
            k += 1
            day = pick_workday(rng, max(start + dt.timedelta(days=1), dt.date(YEAR, month, 3)), month_end(YEAR, month))
            visits.append(pb.ContactVisit(contact_point=cp, kind="research", date=day, title=f"{month}月{title}",
                                          findings=findings, follow_ups=follow_ups))
    for n, monday in enumerate(monday_weeks(YEAR)):
        first = max(monday, start + dt.timedelta(days=1))
        days = [d for d in workdays(first, monday + dt.timedelta(days=6)) if d.weekday() in (3, 4)] or \
            workdays(first, monday + dt.timedelta(days=6))
        if days:
            day, title = rng.choice(days), story.CONTACT_SUPERVISION[n % len(story.CONTACT_SUPERVISION)]
        else:  # a holiday week: the plant runs on, so does the supervision
            day, title = monday + dt.timedelta(days=2), "节日期间安全生产督导"
        visits.append(pb.ContactVisit(contact_point=cp, kind="supervision", date=day, title=title,
                                      follow_ups="督导事项纳入周例会跟踪，限期办结"))
    return visits


def _results(rng: random.Random, w: World) -> list[pb.BusinessResult]:
    """Monthly profit (万元) for 2021 and 2022, and 2022's improvement on the same month of 2021 (减亏增效)."""
    plant = w.units[f"{w.company.code}-{story.CONTACT_PLANT}"]
    before = [round(-rng.uniform(105, 170), 1) for _ in range(12)]
    # the improvement climbs as the measures take hold; one clear peak month just under a round figure
    peak = story.CONTACT_PEAK_MONTH - 1
    gain = [round(min(245.0, 35 + 24 * m + rng.uniform(-12, 12)) if m < peak else rng.uniform(195, 245), 1)
            for m in range(12)]
    gain[peak] = round(rng.uniform(283.0, 289.0), 1)
    after = [round(b + g, 1) for b, g in zip(before, gain, strict=False)]
    if sum(after) <= 0 or all(v <= 0 for v in after):
        raise RuntimeError("演示数据：联系点2022年应实现盈利")
    rows = []
    for year, values in ((2021, before), (2022, after)):
        rows += [pb.BusinessResult(unit=plant, date=dt.date(year, m, 1), indicator="profit", value=Decimal(str(v)))
                 for m, v in enumerate(values, start=1)]
    rows += [pb.BusinessResult(unit=plant, date=dt.date(YEAR, m, 1), indicator="loss_reduction", value=Decimal(str(g)),
                               notes="较2021年同月减亏增效") for m, g in enumerate(gain, start=1)]
    return rows


def load(rng: random.Random, w: World) -> list[Change]:
    plant = w.units[f"{w.company.code}-{story.CONTACT_PLANT}"]
    cp = pb.ContactPoint(leader=w.secretary, unit=plant, date=dt.date.fromisoformat(story.CONTACT_POINT["date"]),
                         title=story.CONTACT_POINT["title"])
    changes = bulk(pb.ContactPoint, [cp])
    changes += bulk(pb.ContactVisit, _visits(rng, cp))
    young = [c for lv, start, end, c, post, unit in w.careers
             if unit == plant.code and start.year == YEAR and c.birth_date.year // 10 == 198
             and c.education in ("postgraduate", "doctorate")]
    staffing_day = min(start for lv, start, end, c, post, unit in w.careers if unit == plant.code and start.year == YEAR)
    changes += bulk(pb.Initiative, [
        pb.Initiative(unit=plant, contact_point=cp, kind="policy", date=dt.date(YEAR, 2, 18), title="产量销量上台阶激励政策",
                      description="产量、销量每上一个台阶兑现一档奖励，向一线岗位和攻关团队倾斜"),
        pb.Initiative(unit=plant, contact_point=cp, kind="diagnosis", date=dt.date(YEAR, 3, 8),
                      title="设备、技术、经营全方位诊断",
                      description="组织公司专业部门和外部专家对设备状况、工艺技术、经营管理逐项诊断，形成问题清单和整改方案"),
        pb.Initiative(unit=plant, contact_point=cp, kind="staffing", date=staffing_day, title="配强厂领导班子",
                      description=f"选配{len(young)}名80后主体专业研究生进入厂领导班子，担当班子“领头雁”"),
    ])
    changes += bulk(pb.BusinessResult, _results(rng, w))
    return changes
