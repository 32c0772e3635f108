"""Counting rules per cadence at period edges, with as-of dates, tracking, and units created or dissolved."""

import datetime as dt

import pytest

from lvzhi.obligations.engine import DONE, DUE_SOON, LATE, NA, PENDING, evaluate
from lvzhi.org.models import PartyOrg

from . import builders as b

D = dt.date
pytestmark = pytest.mark.django_db
BRANCH = "一车间党支部"


def states(cells, subject):
    return {key: c.state for (label, key), c in cells.items() if label == subject}


def test_monthly_committee_meeting_on_the_last_and_first_days(tc, check):
    b.activity(tc.branch, "committee_meeting", D(2022, 1, 31))
    b.activity(tc.branch, "committee_meeting", D(2022, 2, 1))
    b.activity(tc.branch, "committee_meeting", D(2022, 2, 28))
    cells = check(tc.company, "branch.committee_meeting")
    assert cells[(BRANCH, "2022-01")].state == DONE and cells[(BRANCH, "2022-01")].count == 1
    assert cells[(BRANCH, "2022-02")].count == 2
    assert cells[(BRANCH, "2022-03")].state == LATE
    # only branches with a 支委会 owe it
    assert "财务部党支部" not in {label for label, _ in cells}


def test_states_follow_the_as_of_date_and_grace_days(tc, check):
    b.monthly(tc.branch, "committee_meeting", 2022, months=[1, 2])
    at = {d: states(check(tc.company, "branch.committee_meeting", as_of=d), BRANCH) for d in
          (D(2022, 3, 20), D(2022, 3, 24), D(2022, 4, 10), D(2022, 4, 11))}
    assert at[D(2022, 3, 20)]["2022-03"] == PENDING  # more than 7 warning days before the month's end
    assert at[D(2022, 3, 24)]["2022-03"] == DUE_SOON
    assert at[D(2022, 4, 10)]["2022-03"] == DUE_SOON  # grace: 10 days after the month
    assert at[D(2022, 4, 11)]["2022-03"] == LATE
    assert at[D(2022, 4, 11)]["2022-12"] == PENDING and at[D(2022, 4, 11)]["2022-01"] == DONE


def test_records_after_the_as_of_date_do_not_count(tc, check):
    b.activity(tc.branch, "committee_meeting", D(2022, 5, 20))
    assert states(check(tc.company, "branch.committee_meeting", as_of=D(2022, 5, 19)), BRANCH)["2022-05"] == PENDING
    assert states(check(tc.company, "branch.committee_meeting", as_of=D(2022, 5, 20)), BRANCH)["2022-05"] == DONE


def test_leap_day_counts_for_february(tc, check):
    b.activity(tc.branch, "committee_meeting", D(2024, 2, 29))
    cells = check(tc.company, "branch.committee_meeting", year=2024, as_of=D(2024, 12, 31))
    assert cells[(BRANCH, "2024-02")].state == DONE
    assert cells[(BRANCH, "2024-03")].state == LATE


@pytest.mark.parametrize("day, quarter", [(D(2022, 3, 31), "2022-Q1"), (D(2022, 4, 1), "2022-Q2"),
                                          (D(2022, 9, 30), "2022-Q3"), (D(2022, 12, 31), "2022-Q4")])
def test_quarterly_general_meeting_at_quarter_edges(tc, check, day, quarter):
    b.activity(tc.branch, "general_meeting", day)
    cells = states(check(tc.company, "branch.general_meeting"), BRANCH)
    assert cells[quarter] == DONE
    assert [k for k, s in cells.items() if s == DONE] == [quarter]
    assert len(cells) == 4


def test_weekly_follow_up_study_uses_monday_weeks(tc, check):
    b.study(tc.company, "follow_up", D(2022, 1, 2))  # a Sunday: 2021's last week, outside 2022
    b.study(tc.company, "follow_up", D(2022, 1, 9))  # Sunday of 2022's first week
    b.study(tc.company, "follow_up", D(2023, 1, 1))  # Sunday of 2022's last week
    cells = states(check(tc.company, "study.follow_up"), "中共测试公司委员会")
    assert len(cells) == 52
    assert cells["2022-W01"] == DONE and cells["2022-W52"] == DONE
    assert sum(s == DONE for s in cells.values()) == 2


def test_two_month_central_group_study(tc, check):
    b.study(tc.company, "central_group", D(2022, 2, 28))
    b.study(tc.company, "central_group_seminar", D(2022, 3, 1))
    cells = states(check(tc.company, "study.central_group"), "中共测试公司委员会")
    assert cells == {"2022-B1": DONE, "2022-B2": DONE, "2022-B3": LATE, "2022-B4": LATE, "2022-B5": LATE,
                     "2022-B6": LATE}


def test_yearly_rule_counts_the_last_day_and_needs_the_minimum(tc, check):
    b.study(tc.company, "central_group", D(2022, 3, 1), is_ideology=True)
    b.study(tc.company, "central_group", D(2022, 12, 31), is_ideology=True)
    b.study(tc.company, "central_group", D(2023, 1, 1), is_ideology=True)
    cell = check(tc.company, "study.central_group_ideology")[("中共测试公司委员会", "2022")]
    assert cell.state == DONE and cell.count == 2 and cell.required == 2
    b.study(tc.company, "central_group", D(2021, 5, 1), is_ideology=True)
    cell = check(tc.company, "study.central_group_ideology", year=2021)[("中共测试公司委员会", "2021")]
    assert cell.state == LATE and cell.count == 1


def test_satisfying_record_ids_are_returned(tc, check):
    a = b.activity(tc.branch, "themed_day", D(2022, 6, 1))
    c = b.activity(tc.branch, "themed_day", D(2022, 6, 30))
    cell = check(tc.company, "branch.themed_day")[(BRANCH, "2022-06")]
    assert cell.record_ids == (a.pk, c.pk) and cell.record_type == "branch_activity"


def test_secretary_lecture_must_be_given_by_the_secretary(tc, check):
    b.activity(tc.branch, "party_lecture", D(2022, 4, 1), lecturer=tc.members[3])
    assert check(tc.company, "secretary.party_lecture")[(BRANCH, "2022")].state == LATE
    b.activity(tc.branch, "party_lecture", D(2022, 9, 1), lecturer=tc.members[0])
    assert check(tc.company, "secretary.party_lecture")[(BRANCH, "2022")].state == DONE


def test_group_meeting_is_owed_by_party_groups(tc, check):
    b.monthly(tc.group_org, "group_meeting", 2022, months=range(1, 12))
    cells = states(check(tc.company, "branch.group_meeting"), "一车间第1党小组")
    assert cells["2022-11"] == DONE and cells["2022-12"] == LATE


def test_untracked_units_owe_nothing_and_tracking_is_inherited(tc, check):
    # the group above the company sets no tracked_since: its own committee is out of scope
    PartyOrg.objects.create(code="DW-TG", name="测试集团委员会", kind="committee", unit=tc.group)
    cells = check(tc.group, "study.follow_up")
    assert {label for label, _ in cells} == {"中共测试公司委员会", "测试集团委员会"}
    assert {c.state for (label, _), c in cells.items() if label == "测试集团委员会"} == {NA}
    # the workshop inherits the company's date; a later date on the plant applies below it
    tc.plant.tracked_since = D(2022, 4, 1)
    tc.plant.save()
    cells = states(check(tc.company, "branch.committee_meeting"), BRANCH)
    assert cells["2022-03"] == NA and cells["2022-04"] == LATE


def test_unit_established_mid_year_owes_whole_periods_only(tc, check):
    tc.workshop.established_on = D(2022, 3, 10)
    tc.workshop.save()
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(4, 13))
    cells = states(check(tc.company, "branch.committee_meeting"), BRANCH)
    assert cells["2022-02"] == NA and cells["2022-03"] == NA
    assert all(cells[f"2022-{m:02d}"] == DONE for m in range(4, 13))
    assert states(check(tc.company, "branch.org_life_meeting"), BRANCH)["2022"] == NA


def test_party_org_dissolved_mid_year(tc, check):
    tc.branch.dissolved_on = D(2022, 8, 20)
    tc.branch.save()
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 8))
    cells = states(check(tc.company, "branch.committee_meeting"), BRANCH)
    assert all(cells[f"2022-{m:02d}"] == DONE for m in range(1, 8))
    assert cells["2022-08"] == NA and cells["2022-12"] == NA
    assert not [s for s in cells.values() if s == LATE]


def test_plant_dissolved_takes_its_workshops_with_it(tc, check):
    tc.plant.dissolved_on = D(2022, 7, 1)
    tc.plant.save()
    cells = states(check(tc.company, "branch.committee_meeting"), BRANCH)
    assert cells["2022-06"] == LATE and cells["2022-07"] == NA


def test_the_demo_company_is_outside_our_subtree(tc, company):
    ev = evaluate(tc.company, year=2022, as_of=D(2023, 1, 31), rule_ids=["branch.committee_meeting"])
    assert all(c.subject.unit_path.startswith(tc.company.path) for c in ev.cells())
    ev = evaluate(company, year=2022, as_of=D(2023, 1, 31), rule_ids=["branch.committee_meeting"])
    assert not any(c.subject.unit_path.startswith(tc.company.path) for c in ev.cells())


def test_half_year_cadence_merges_quarters(tc, check):
    from lvzhi.obligations.models import ObligationRule
    from lvzhi.obligations.services import revise_rule
    from lvzhi.org.scoping import Scope

    scope = Scope(read_paths=(tc.company.path,), write_paths={"obligations": (tc.company.path,)})
    default = ObligationRule.objects.get(rule_id="branch.party_lecture", unit__isnull=True)
    revise_rule(default, {"cadence": "half_year", "min_count": 2}, effective_from=D(2021, 1, 1), actor="测试",
                scope=scope, unit=tc.company)
    for day in (D(2022, 1, 1), D(2022, 6, 30), D(2022, 7, 1)):
        b.activity(tc.branch, "party_lecture", day)
    cells = check(tc.company, "branch.party_lecture")
    h1, h2 = cells[(BRANCH, "2022-H1")], cells[(BRANCH, "2022-H2")]
    assert (h1.state, h1.count, len(h1.record_ids)) == (DONE, 2, 2)
    assert (h2.state, h2.count) == (LATE, 1)
