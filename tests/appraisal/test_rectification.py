"""点评 problems become rectification items the obligation engine tracks: due soon, late, done with evidence."""

import datetime as dt

import pytest

from lvzhi.appraisal import services, tally
from lvzhi.obligations.engine import DONE, DUE_SOON, LATE, PENDING, evaluate

from .conftest import EVERYTHING, close

pytestmark = pytest.mark.django_db
RULE = "appraisal.rectification"


def cells(unit, as_of, year=2023):
    return {c.subject.pk: c for c in evaluate(unit, year=year, as_of=as_of, rule_ids=[RULE]).cells()}


def test_a_rectification_turns_late_after_its_deadline(make, inst):
    a = make()
    close(a)
    r = a.reportees.get(person=inst.people["许实验"])
    p = services.add_problem(r, actor="测试", scope=EVERYTHING, description="“三会一课”记录不规范",
                             category="organisation", owner=inst.people["许实验"], measures="逐月检查会议记录",
                             deadline=dt.date(2023, 3, 31))
    assert p.unit_id == inst.lab.pk and p.date == dt.date(2023, 1, 15)
    assert cells(inst.root, dt.date(2023, 2, 1))[p.pk].state == PENDING
    assert cells(inst.root, dt.date(2023, 3, 20))[p.pk].state == DUE_SOON
    late = cells(inst.root, dt.date(2023, 4, 1))[p.pk]
    assert late.state == LATE and "尚未完成（责任人：许实验）" in late.detail
    assert tally.problem_state(p, dt.date(2023, 4, 1)) == "逾期"
    with pytest.raises(Exception, match="完成佐证"):
        services.update_problem(p, actor="测试", scope=EVERYTHING, status="done", completed_on=dt.date(2023, 3, 28))
    p = services.update_problem(p, actor="测试", scope=EVERYTHING, status="done", completed_on=dt.date(2023, 3, 28),
                                evidence="整改报告及2023年一季度会议记录")
    done = cells(inst.root, dt.date(2023, 4, 1))[p.pk]
    assert done.state == DONE and "已于2023-03-28完成" in done.detail
    # Finished after the deadline is still late, like every rectification.
    p = services.update_problem(p, actor="测试", scope=EVERYTHING, completed_on=dt.date(2023, 4, 5))
    assert cells(inst.root, dt.date(2023, 4, 10))[p.pk].state == LATE
    res = tally.results(a, problems_as_of=dt.date(2023, 4, 10))
    mine = next(x for x in res.people if x.reportee.pk == r.pk)
    assert mine.problems[0]["status"] == "逾期完成" and mine.problems[0]["evidence"].startswith("整改报告")


def test_problem_outside_scope_or_in_a_closed_year_is_refused(make, inst, users):
    from django.http import Http404

    from lvzhi.org.scoping import scope_for

    a = make()
    r = a.reportees.first()
    with pytest.raises(Http404):  # the demo company's secretary cannot even see the institute
        services.add_problem(r, actor=users["shuji"], scope=scope_for(users["shuji"]), description="x",
                             owner=inst.secretary, measures="y", deadline=dt.date(2023, 6, 30))
