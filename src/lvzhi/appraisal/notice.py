"""述职评议结果通报 as a GB/T 9704 document (the reports app's DOCX renderer; PDF through the same LibreOffice
path): the meeting and turnout, the grades with names, the problems by category, and the 整改清单 — every item
with its owner, deadline, measures and status."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from lvzhi.reports import docx_render
from lvzhi.reports.templating import Document, _blocks

from .models import RATINGS, ReporteeRole
from .tally import Results, fmt, pct

CN = "一二三四五六七八九十"


def _n(i: int) -> str:
    return CN[i] if i < len(CN) else str(i + 1)


def notice_text(res: Results, today: dt.date) -> str:
    a = res.appraisal
    people = res.people
    lines = [f"@标题 关于{a.year}年度党组织书记抓基层党建工作||述职评议结果的通报",
             f"{a.meeting_date.year}年{a.meeting_date.month}月{a.meeting_date.day}日，{a.unit.name}党委召开{a.year}年度党组织书记"
             f"抓基层党建工作述职评议会，{len(people)}名党组织书记现场述职，与会人员进行了不记名测评。{res.turnout_text}。现将结果通报如下。",
             "一、测评结果"]
    weights = "、".join(f"{k}{v}%" for k, v in a.component_weights.items())
    lines.append(f"测评按好、较好、一般、差四个等次进行，综合评价由{weights}构成，按分数线"
                 + "、".join(f"{g}{a.grade_thresholds[g]}分以上" for g in RATINGS[:3]) + "评定等次。")
    for grade in RATINGS + ["无法评定"]:
        who = [p for p in people if p.grade == grade]
        if not who:
            continue
        names = "、".join(f"{p.name}（{p.org}）" for p in who)
        lines.append(f"评定为“{grade}”的{len(who)}人：{names}。")
    committee = [p for p in people if p.reportee.role == ReporteeRole.COMMITTEE_SECRETARY]
    for p in committee:
        lines.append(f"党委书记{p.name}：好{p.tallies['好']}票、较好{p.tallies['较好']}票、一般{p.tallies['一般']}票、"
                     f"差{p.tallies['差']}票，满意率{pct(p.satisfaction)}，综合得分{fmt(p.score)}分，等次“{p.grade}”。")
    problems = [(p, x) for p in people for x in p.problems]
    lines.append("二、点评指出的主要问题")
    if problems:
        by_cat = Counter(x["category"] for _, x in problems)
        lines.append(f"上级党委书记逐一点评，共指出问题{len(problems)}个，其中"
                     + "、".join(f"{c}方面{n}个" for c, n in by_cat.most_common()) + "。")
    else:
        lines.append("点评未指出具体问题。")
    lines.append("三、整改要求")
    lines.append(f"各党组织书记要对照点评指出的问题，逐项落实整改措施，按时限完成并留存佐证；整改情况纳入下一年度述职内容。"
                 f"截至{today.year}年{today.month}月{today.day}日，整改清单如下：")
    for i, (p, x) in enumerate(problems):
        done = f"，{x['completed_on'].month}月{x['completed_on'].day}日完成" if x["completed_on"] and \
            x["status"] in ("已完成", "逾期完成") else ""
        lines.append(f"{_n(i)}是{p.org}{p.name}：{x['problem'].rstrip('。')}。整改措施：{x['measures'].rstrip('。')}。"
                     f"责任人：{x['owner']}；整改时限：{x['deadline'].year}年{x['deadline'].month}月{x['deadline'].day}日；"
                     f"状态：{x['status']}{done}。")
    lines.append(f"@落款 中共{a.unit.name}委员会")
    lines.append(f"@日期 {docx_render.chinese_date(a.closed_on or a.meeting_date)}")
    return "\n".join(lines)


def notice_docx(res: Results, today: dt.date) -> bytes:
    return docx_render.to_bytes(Document(_blocks(notice_text(res, today)), [], []))
