"""The acceptance test: on the demo company, 2022 has exactly the gaps the demo data planted, and nothing else."""

import datetime as dt

import pytest

from lvzhi.obligations.engine import LATE, evaluate
from lvzhi.obligations.selectors import late_obligations
from lvzhi.org.scoping import scope_for

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2023, 6, 30)  # every 2022 deadline (and grace period) has passed

PLANTED = {
    ("branch.committee_meeting", "ZB-JH01-P01-W02", "2022-05"),
    ("branch.committee_meeting", "ZB-JH01-P04-W03", "2022-08"),
    ("branch.committee_meeting", "ZB-JH01-D06", "2022-11"),
}


def test_2022_reports_exactly_the_planted_gaps(company):
    from lvzhi.org.models import PartyOrg

    ev = evaluate(company, year=2022, as_of=AS_OF)
    late = ev.late
    codes = dict(PartyOrg.objects.values_list("pk", "code"))
    meetings = {(c.rule.rule_id, codes[c.subject.pk], c.period.key) for c in late
                if c.rule.rule_id == "branch.committee_meeting"}
    assert meetings == PLANTED
    others = sorted((c.rule.rule_id, c.detail) for c in late if c.rule.rule_id != "branch.committee_meeting")
    assert [r for r, _ in others] == ["governance.pre_review", "integrity.pre_appointment_talk",
                                      "integrity.rectification"]
    detail = dict(others)
    assert "晚于决策日期" in detail["governance.pre_review"]
    assert "晚于任职日期" in detail["integrity.pre_appointment_talk"]
    assert detail["integrity.rectification"].startswith("整改时限2022-11-30，尚未完成")
    # every rule was actually applied to something — except the 述职评议 rectifications: the 2022 述职评议 met in
    # January 2023, so its problems fall due in 2023 (one finished late, see the demo's appraisal section)
    assert all(r.cells for r in ev.results if r.rule_id != "appraisal.rectification")
    later = evaluate(company, year=2023, as_of=dt.date(2023, 12, 31), rule_ids=["appraisal.rectification"])
    assert sorted(c.state for c in later.cells()) == ["done", "done", "done", "late", "late"]


def test_lvzhi_check_on_the_demo_company_exits_1_with_the_six_gaps(capsys):
    from lvzhi.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["check", "--unit", "JH01", "--year", "2022", "--as-of", AS_OF.isoformat()])
    assert exit_.value.code == 1
    text = capsys.readouterr().out
    late_lines = text.split("逾期（", 1)[1].split("即将到期（", 1)[0]
    assert late_lines.startswith("6 项）")
    for name in ("合成氨厂合成车间党支部：2022年5月", "聚氨酯厂聚醚车间党支部：2022年8月", "安全环保部党支部：2022年11月"):
        assert name in late_lines


def test_problems_for_the_duty_report(company, users):
    problems = late_obligations(scope_for(users["shuji"]), company, 2022, as_of=AS_OF)
    assert len(problems) == 6 and {p.kind for p in problems} == {"late"}
    assert all(p.text and p.source and p.record_ids for p in problems)
    rect = next(p for p in problems if p.rule_id == "integrity.rectification")
    from lvzhi.integrity.models import Rectification

    assert Rectification.objects.get(pk=rect.record_ids[0]).deadline == dt.date(2022, 11, 30)


def test_the_branch_secretary_sees_only_their_branch(users):
    from lvzhi.obligations.selectors import warnings_for

    items, evaluations = warnings_for(scope_for(users["zhibu"]), year=2022, as_of=AS_OF)
    assert [ev.unit.code for ev in evaluations] == ["JH01-P03-W01"]
    assert items == []
    assert all(c.subject.unit_path.startswith(evaluations[0].unit.path) for c in evaluations[0].cells())
    assert LATE not in {c.state for c in evaluations[0].cells()}


def test_2021_is_fully_compliant(company):
    ev = evaluate(company, year=2021, as_of=AS_OF)
    assert [c.description for c in ev.late] == []
    assert sum(r.totals["done"] for r in ev.results) > 5000
