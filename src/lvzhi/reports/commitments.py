"""Last year's commitments and how each stands now: the plans (section 三) of last year's report of the same unit and
kind, and the problems last year's 述职评议 (点评) named — each with the records behind its state.

A plan is the writer's free text; lvzhi links it to records only where the text names them: a rectified finding
(its description), a 述职评议 problem, or a rule of the obligation checks (its name). A plan that names none is
listed as 待说明 — the writer says how it went; lvzhi does not guess.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry, selectors
from lvzhi.web import clock

DONE, OPEN, UNKNOWN = "done", "open", "unknown"
STATE_LABELS = {DONE: "已落实", OPEN: "未落实", UNKNOWN: "待说明"}
PLAN_SECTION = "plans"
SHOWN_OPEN = 10  # the branches' open 述职评议 problems listed under their summary
MAX_LINKED = 200  # a plan line is matched against at most this many of last year's rectifications


def day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _as_of(year: int) -> dt.date:
    return min(clock.today(), dt.date(year, 12, 31))


def last_year_commitments(scope: Scope, unit: Unit, year: int, kind: str | None = None,
                          late: list[dict] | None = None) -> list[dict]:
    """Items ``{"text", "url", "state", "state_label", "records": [{"text", "url"}], "source"}``: last year's
    述职评议 problems first (they have a state of their own), then last year's plans line by line."""
    from .evidence import late_obligations
    from .families import natural_kind

    if not scope.can_read(unit):
        return []
    kind = kind or natural_kind(unit)
    as_of = _as_of(year)
    problems = _appraisal_problems(scope, unit, year, as_of)
    out = [p["item"] for p in problems]
    plans = _last_plans(scope, unit, year, kind)
    if plans is None:
        return out
    report, lines = plans
    if late is None:
        late = late_obligations(scope, unit, year)
    rectifications = _rectifications(scope, unit, year, as_of)
    rules = _rules(unit, year, as_of, late)
    for line in lines:
        records = [r for r in rectifications if r["key"] in line]
        records += [p["record"] for p in problems if p["key"] and p["key"] in line]
        records += [r for r in rules if r["key"] in line]
        state = OPEN if any(r["state"] == OPEN for r in records) else DONE if records else UNKNOWN
        told = "；".join(r["text"].rstrip("。") for r in records) if records else "尚无关联记录，请说明落实情况"
        out.append({"text": f"上年度述职报告提出“{line.rstrip('。')}”：{told}。",
                    "url": reverse("reports:detail", args=[report.pk]), "state": state,
                    "state_label": STATE_LABELS[state], "records": [{"text": r["text"], "url": r["url"]} for r in records],
                    "source": "上年度述职报告"})
    return out


def _last_plans(scope: Scope, unit: Unit, year: int, kind: str):
    """Last year's report of the unit and kind (a finalised version before a draft, the newest first) and the lines
    of its plans; None when there is none."""
    from . import templating
    from .models import DutyReport, ReportStatus

    qs = scope.filter(DutyReport.objects.select_related("template"), "unit").filter(
        unit=unit, year=year - 1, template__kind=kind)
    report = qs.filter(status=ReportStatus.FINAL).order_by("-number").first() or qs.order_by("-number").first()
    if report is None:
        return None
    texts = (report.snapshot or {}).get("writer_texts") if report.is_final else None
    texts = texts if texts is not None else report.writer_texts
    text = texts.get(PLAN_SECTION)
    if text is None:  # the writer kept the template's own words: those were the commitments printed
        text = next((s["default"] for s in templating.writer_sections(report.template.body)
                     if s["key"] == PLAN_SECTION), "")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and "【" not in ln]
    return report, lines


def _appraisal_problems(scope: Scope, unit: Unit, year: int, as_of: dt.date) -> list[dict]:
    """Last year's 述职评议 problems of the person reporting for ``unit``: the 党委书记's in the unit's own appraisal, a
    branch secretary's (of the unit's organisation) in the appraisal above; the branches' problems of the unit's own
    appraisal as one item (their count and the open ones), as the carry-over section writes them."""
    from django.db.models import Q

    from lvzhi.appraisal.models import AppraisalProblem, ReporteeRole
    from lvzhi.appraisal.tally import problem_state

    qs = scope.filter(AppraisalProblem.objects.filter(reportee__appraisal__year=year - 1), "unit").select_related(
        "reportee__appraisal").order_by("deadline", "pk")
    committee = Q(reportee__role=ReporteeRole.COMMITTEE_SECRETARY, reportee__appraisal__unit=unit)
    branch = Q(reportee__role=ReporteeRole.BRANCH_SECRETARY) & (Q(reportee__unit=unit) | Q(reportee__party_org__unit=unit))
    out = []
    for p in qs.filter(committee | (branch & ~Q(reportee__appraisal__unit=unit))):
        state = problem_state(p, as_of)
        desc = p.description.rstrip("。")
        if state in ("已完成", "逾期完成"):
            told = f"已于{day(p.completed_on)}完成整改" + ("（晚于整改时限）" if state == "逾期完成" else "") \
                + (f"，佐证：{p.evidence.rstrip('。')}" if p.evidence else "")
            st = DONE
        else:
            told = f"整改时限{day(p.deadline)}，" + ("已逾期，尚未完成" if state == "逾期" else "正在整改")
            st = OPEN
        url = reverse("appraisal:detail", args=[p.reportee.appraisal_id])
        record = {"key": desc, "text": f"述职评议问题“{desc}”{told}。", "url": url, "state": st}
        out.append({"key": desc, "record": record, "item": {
            "text": f"{p.reportee.appraisal.year}年度述职评议指出“{desc}”，{told}。", "url": url, "state": st,
            "state_label": STATE_LABELS[st], "records": [{"text": record["text"], "url": url}], "source": "述职评议"}})
    branches = list(qs.filter(reportee__role=ReporteeRole.BRANCH_SECRETARY, reportee__appraisal__unit=unit))
    if branches:
        states = {p.pk: problem_state(p, as_of) for p in branches}
        undone = [p for p in branches if states[p.pk] not in ("已完成", "逾期完成")]
        url = reverse("appraisal:detail", args=[branches[0].reportee.appraisal_id])
        text = (f"{year - 1}年度述职评议指出各党支部（党总支）书记问题{len(branches)}个，已完成整改{len(branches) - len(undone)}个"
                + (f"，尚未完成{len(undone)}个" if undone else "") + "。")
        out.append({"key": "", "record": None, "item": {
            "text": text, "url": url, "state": OPEN if undone else DONE, "state_label": STATE_LABELS[OPEN if undone else DONE],
            "records": [{"text": f"述职评议问题“{p.description.rstrip('。')}”（{states[p.pk]}，整改时限{day(p.deadline)}）。",
                         "url": url} for p in undone[:SHOWN_OPEN]], "source": "述职评议"}})
    return out


def _rectifications(scope: Scope, unit: Unit, year: int, as_of: dt.date) -> list[dict]:
    """Rectifications ordered by last year's end, keyed by their finding's description, with their state now."""
    rt = registry.get("rectification")
    qs = (selectors.visible(rt, scope).filter(unit.subtree_q("unit__"), date__lte=dt.date(year - 1, 12, 31))
          .select_related("finding").order_by("-date", "-pk"))[:MAX_LINKED]
    out = []
    for r in qs:
        desc = r.finding.description.rstrip("。")
        if r.status in ("done", "verified") and r.completed_on and r.completed_on <= as_of:
            told, st = f"已于{day(r.completed_on)}完成整改", DONE
        else:
            told, st = f"整改时限{day(r.deadline)}，" + ("已逾期，尚未完成" if r.deadline < as_of else "正在整改"), OPEN
        out.append({"key": desc, "text": f"“{desc}”的整改{told}。", "state": st,
                    "url": reverse("records:detail", args=["rectification", r.pk])})
    return out


def _rules(unit: Unit, year: int, as_of: dt.date, late: list[dict]) -> list[dict]:
    """The obligation rules by name: open when this year's checks found it late, done otherwise."""
    from lvzhi.obligations.models import ObligationRule

    late_by_rule: dict[str, list[dict]] = {}
    for item in late:
        late_by_rule.setdefault(item.get("rule", ""), []).append(item)
    out = []
    for rule_id, name in dict(ObligationRule.objects.values_list("rule_id", "name").order_by("rule_id")).items():
        if len(name) < 4:  # too short to be named on purpose in a sentence
            continue
        url = reverse("obligations:missing") + "?" + urlencode({
            "unit": unit.pk, "start": f"{year}-01-01", "end": f"{year}-12-31", "as_of": as_of.isoformat(),
            "rule": rule_id})
        found = late_by_rule.get(name, [])
        if found:
            text = f"{year}年检查仍发现{name}逾期或未覆盖（{'；'.join(i['text'].rstrip('。') for i in found[:3])}）。"
            out.append({"key": name, "text": text, "state": OPEN, "url": url})
        else:
            out.append({"key": name, "text": f"{year}年检查未发现{name}逾期。", "state": DONE, "url": url})
    return out
