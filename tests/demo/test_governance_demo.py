"""The demo company's pre-review list, 三重一大 matters and pre-reviews (seed row 10; planted gap 2)."""

import bisect
import datetime as dt
import re

import pytest

from lvzhi.demo import story
from lvzhi.governance.models import MajorMatter, PreReview, PreReviewRule
from lvzhi.partybuilding.models import CommitteeMeeting

pytestmark = pytest.mark.django_db


def _matters(company, year):
    return list(MajorMatter.objects.filter(company.subtree_q("unit__"), date__year=year)
                .select_related("unit").prefetch_related("pre_reviews").order_by("number"))


def test_the_list_has_the_procurement_line_with_its_threshold(company):
    rules = PreReviewRule.objects.filter(unit=company)
    assert 10 <= rules.count() <= 14
    procurement = rules.get(matter_type="物资项目采购")
    assert procurement.category == "funds"
    assert procurement.threshold == story.PROCUREMENT_THRESHOLD == 100
    assert {r.source for r in rules} == {"公司党委前置研究讨论事项清单"}
    assert all(r.document_number.startswith("江化党〔2021〕") and r.date == dt.date(2021, 1, 1) for r in rules)


def test_pre_reviews_of_2022_are_in_the_seeds_range_and_differ_from_2021(company):
    counts = {y: PreReview.objects.filter(company.subtree_q("unit__"), date__year=y).count() for y in (2021, 2022)}
    assert 40 <= counts[2022] <= 80
    assert 30 <= counts[2021] <= 80
    assert counts[2022] != counts[2021]


def test_every_caught_matter_was_pre_reviewed_before_its_decision_except_the_planted_one(company):
    gaps = [(y, m) for y in (2021, 2022) for m in _matters(company, y) if m.pre_review_gap()]
    assert len(gaps) == 1
    year, late = gaps[0]
    assert year == 2022 and late.matter_type == "物资项目采购" and late.amount >= 100
    assert "晚于决策日期" in late.pre_review_gap()
    assert [r.date > late.date for r in late.pre_reviews.all()] == [True]


def test_many_matters_are_caught_and_some_below_the_threshold_go_without_a_pre_review(company):
    for year in (2021, 2022):
        matters = _matters(company, year)
        caught = [m for m in matters if m.catching_rule()]
        free = [m for m in matters if not m.catching_rule()]
        assert len(caught) >= 0.7 * len(matters)
        assert free and all(not m.pre_reviews.all() and not m.pre_review_gap() for m in free)
        assert any(m.matter_type == "物资项目采购" and m.amount < 100 for m in free)
        # every pre-reviewed matter is one the list catches, reviewed once
        assert all(len(m.pre_reviews.all()) == (1 if m in caught else 0) for m in matters)


def test_each_pre_review_is_linked_to_the_latest_committee_meeting_on_or_before_it(company):
    meetings = list(CommitteeMeeting.objects.filter(party_org__code="DW-JH01").order_by("date", "pk"))
    assert meetings, "the partybuilding section records the committee's meetings"
    dates = [m.date for m in meetings]
    reviews = PreReview.objects.filter(company.subtree_q("unit__")).select_related("matter")
    for review in reviews:
        i = bisect.bisect_right(dates, review.date)
        assert review.meeting_id == meetings[i - 1].pk, review
        assert review.meeting.date == review.date  # discussed at that meeting
        assert review.unit_id == review.matter.unit_id


def test_matters_read_like_a_ledger(company):
    for year in (2021, 2022):
        matters = _matters(company, year)
        assert [m.number for m in matters] == [f"SZYD-{year}-{i:03d}" for i in range(1, len(matters) + 1)]
        assert all(m.date.weekday() < 5 for m in matters)
        assert all(m.observers == "纪委书记、总法律顾问" and m.proposer for m in matters)
        assert all(m.votes_for + m.votes_against + m.votes_abstain in (6, 7, 8, 9) for m in matters)
        assert {m.decision_body for m in matters} == {"board", "management"}
        assert len({m.title for m in matters}) == len(matters)
        assert all(not re.search(r"[{}]", m.title) for m in matters)
