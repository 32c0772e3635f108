"""党费 at every bracket edge, arrears month by month with the six-month warning; 换届 due dates with a warning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lvzhi.membership.dues import monthly_dues
from lvzhi.membership.models import DuesPayment, OrgPost
from lvzhi.obligations.engine import DONE, DUE_SOON, LATE, NA, PENDING, evaluate

D = dt.date


@pytest.mark.parametrize("income, category, due", [
    ("0", "employed", "0.00"), ("3000", "employed", "15.00"), ("3000.01", "employed", "30.00"),
    ("5000", "employed", "50.00"), ("5000.01", "employed", "75.00"), ("10000", "employed", "150.00"),
    ("10000.01", "employed", "200.00"), ("2999", "employed", "15.00"), ("4321", "employed", "43.21"),
    ("5000", "retired", "25.00"), ("5000.01", "retired", "50.00"), ("12000", "other", "0.20"),
])
def test_monthly_dues_at_every_bracket_edge(income, category, due):
    assert monthly_dues(Decimal(income), category) == Decimal(due)


def _pay(river, person, first, last, paid_on, income=6800):
    d = DuesPayment(person=person, party_org=river.branch_b, monthly_income=Decimal(income), month_from=first,
                    month_to=last, amount_paid=0, paid_on=paid_on)
    d.fill_derived()
    d.amount_paid = d.amount_due
    d.full_clean()
    d.save()
    return d


def test_arrears_month_by_month_and_six_in_a_row(river):
    on_time, gap, lapsed = river.b_members[:3]
    advance = _pay(river, on_time, D(2022, 1, 1), D(2022, 12, 1), D(2022, 1, 10))
    assert advance.amount_due == Decimal("1224.00")  # 6800 × 1.5 % × 12
    _pay(river, gap, D(2022, 1, 1), D(2022, 9, 1), D(2022, 1, 10))
    _pay(river, gap, D(2022, 11, 1), D(2022, 12, 1), D(2022, 11, 5))
    _pay(river, lapsed, D(2022, 1, 1), D(2022, 3, 1), D(2022, 1, 10))
    ev = evaluate(river.company, year=2022, as_of=D(2023, 1, 31), rule_ids=["dues.arrears"])
    cells = {c.subject.pk: c for c in ev.cells()}
    assert cells[on_time.pk].state == DONE
    assert cells[gap.pk].state == LATE and cells[gap.pk].detail == "2022年欠交党费1个月（10月）"
    assert cells[lapsed.pk].state == LATE and "连续9个月未交纳党费" in cells[lapsed.pk].detail
    assert "党章第九条" in cells[lapsed.pk].detail
    # 李转入 joined on 1 August: owes August to December only (whole months on the roll)
    assert cells[river.newcomer.pk].detail == "2022年欠交党费5个月（8月、9月、10月、11月、12月）"
    # paid after the as-of date: not paid yet
    ev = evaluate(river.company, year=2022, as_of=D(2022, 11, 3), rule_ids=["dues.arrears"])
    assert "（10月）" in {c.subject.pk: c for c in ev.cells()}[gap.pk].detail


def test_term_due_with_a_warning_before(river):
    def cell(as_of, rule_id="branch.term"):
        ev = evaluate(river.company, year=2025, as_of=as_of, rule_ids=[rule_id])
        return {c.subject.pk: c for c in ev.cells()}

    b = river.branch_b  # elected 2022-07-01: a three-year term ends 2025-07-01
    assert cell(D(2025, 3, 1))[b.pk].state == PENDING  # the term ends this year: owed, not yet due
    assert cell(D(2025, 4, 15))[b.pk].state == DUE_SOON
    late = cell(D(2025, 9, 1))[b.pk]
    assert late.state == LATE and "已于2025-07-01届满，尚未换届" in late.detail
    for p in river.b_members[:3]:
        OrgPost.objects.create(party_org=b, person=p, role="member", start_on=D(2025, 6, 28), unit=b.unit)
    fresh = cell(D(2025, 9, 1))[b.pk]
    assert fresh.state == DONE and "本届自2025-06-28起" in fresh.detail
    assert cell(D(2025, 9, 1), "committee.term")[river.committee.pk].state == NA  # no dated seats: not guessed


def test_lvzhi_check_lists_the_new_rules(db, capsys):
    import json

    from lvzhi.cli import main

    with pytest.raises(SystemExit):
        main(["check", "--unit", "JH01", "--year", "2022", "--as-of", "2023-01-10", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    rules = data["rules"] if isinstance(data, dict) and "rules" in data else data
    text = json.dumps(rules, ensure_ascii=False)
    assert "中国共产党发展党员工作细则" in text and "党费" in text and "换届" in text
    assert len(rules) >= 35
