"""发展党员: each late, missing or out-of-order step is a check item; publicity counted in working days (the National
Day holiday and its 调休 Saturdays); a year the holiday calendar does not know is said so."""

from __future__ import annotations

import datetime as dt

from lvzhi.membership.models import Development
from lvzhi.membership.workdays import working_days
from lvzhi.obligations.engine import DONE, LATE, PENDING, evaluate

from .builders import person

D = dt.date
AS_OF = D(2023, 1, 31)


def dev(river, name, applied, **steps) -> Development:
    d = Development(person=person(river.plant_b, name), party_org=river.branch_b, applied_on=applied, **steps)
    d.fill_derived()
    d.full_clean()
    d.save()
    return d


def cells(river, rule_id, as_of=AS_OF, start=D(2020, 1, 1), end=D(2022, 12, 31)):
    ev = evaluate(river.company, start=start, end=end, as_of=as_of, rule_ids=[rule_id])
    return {c.subject.label.split("（")[0]: c for c in ev.cells()}


def test_national_day_is_not_a_working_day_and_its_saturdays_are():
    assert working_days(D(2022, 9, 28), D(2022, 10, 11)) == (7, [])  # 3 + Oct 8, 9 (调休) + Oct 10, 11
    assert working_days(D(2022, 9, 29), D(2022, 10, 8)) == (3, [])  # ten days, three of them working
    n, uncovered = working_days(D(2040, 10, 1), D(2040, 10, 7))
    assert uncovered == [2040] and n == 5  # Monday to Friday, and said so


def test_the_talk_within_one_month(river):
    dev(river, "按时", D(2022, 1, 5), talked_on=D(2022, 2, 5))
    dev(river, "迟谈", D(2022, 1, 5), talked_on=D(2022, 2, 20))
    dev(river, "未谈", D(2022, 3, 1))
    dev(river, "倒序", D(2022, 5, 1), talked_on=D(2022, 4, 20))
    dev(river, "未到期", D(2023, 1, 20))
    c = cells(river, "member.application_talk", end=D(2023, 12, 31))
    assert c["按时"].state == DONE
    assert c["迟谈"].state == LATE and "超过一个月（应在2022-02-05前）" in c["迟谈"].detail
    assert c["未谈"].state == LATE and "尚无谈话记录" in c["未谈"].detail
    assert c["倒序"].state == LATE and "早于递交申请日期" in c["倒序"].detail
    assert c["未到期"].state == PENDING


def test_a_year_as_activist_with_half_yearly_assessments(river):
    dev(river, "满一年", D(2020, 12, 1), talked_on=D(2020, 12, 10), activist_on=D(2021, 1, 10),
        assessment_dates="2021-06-30、2021-12-28", candidate_on=D(2022, 1, 20))
    dev(river, "不满一年", D(2021, 5, 1), talked_on=D(2021, 5, 10), activist_on=D(2021, 6, 1),
        assessment_dates="2021-11-30", candidate_on=D(2022, 3, 1))
    dev(river, "缺考察", D(2020, 12, 1), talked_on=D(2020, 12, 10), activist_on=D(2021, 1, 10),
        assessment_dates="2021-06-30", candidate_on=D(2022, 2, 1))
    period = cells(river, "member.activist_period")
    assert period["满一年"].state == DONE
    assert period["不满一年"].state == LATE and "不满一年（最早2022-06-01）" in period["不满一年"].detail
    assessed = cells(river, "member.activist_assessment")
    assert assessed["满一年"].state == DONE
    assert assessed["缺考察"].state == LATE and "2021-07-10至2022-01-10没有考察记录" in assessed["缺考察"].detail


def test_training_publicity_approval_and_probation(river):
    base = dict(talked_on=D(2020, 12, 10), activist_on=D(2021, 1, 10), candidate_on=D(2022, 1, 20))
    dev(river, "合规", D(2020, 12, 1), **base, training_start=D(2022, 5, 9), training_end=D(2022, 5, 11),
        publicity_start=D(2022, 9, 28), publicity_end=D(2022, 10, 11), branch_meeting_on=D(2022, 10, 20),
        approved_on=D(2022, 12, 15))
    dev(river, "培训不足", D(2020, 12, 2), **base, training_start=D(2022, 5, 9), training_end=D(2022, 5, 10),
        training_hours=16, publicity_start=D(2022, 9, 29), publicity_end=D(2022, 10, 8),
        branch_meeting_on=D(2022, 10, 20), approved_on=D(2023, 1, 15))
    dev(river, "缺公示", D(2020, 12, 3), **base, training_start=D(2022, 3, 1), training_hours=24,
        branch_meeting_on=D(2022, 3, 10), approved_on=D(2022, 7, 15))
    training = cells(river, "member.training")
    assert training["合规"].state == DONE
    assert training["培训不足"].state == LATE and "不足3天且不足24学时" in training["培训不足"].detail
    assert training["缺公示"].state == DONE  # one day, but 24 学时
    publicity = cells(river, "member.publicity")
    assert publicity["合规"].state == DONE and "7个工作日" in publicity["合规"].detail
    assert publicity["培训不足"].state == LATE and "3个工作日，不足5个工作日" in publicity["培训不足"].detail
    assert publicity["缺公示"].state == LATE and "没有公示记录" in publicity["缺公示"].detail
    approval = cells(river, "member.approval", end=D(2023, 12, 31))
    assert approval["合规"].state == DONE
    assert approval["缺公示"].state == LATE and "超过三个月" in approval["缺公示"].detail
    assert approval["培训不足"].state == DONE  # within three months of 20 October
    # approved after the as-of date: not counted yet
    assert cells(river, "member.approval", as_of=D(2023, 1, 10), end=D(2023, 12, 31))["培训不足"].state == PENDING


def test_full_membership_on_time(river):
    base = dict(talked_on=D(2020, 1, 10), activist_on=D(2020, 1, 20), candidate_on=D(2021, 2, 1))
    dev(river, "按期转正", D(2020, 1, 2), **base, branch_meeting_on=D(2021, 3, 1), approved_on=D(2021, 4, 1),
        full_meeting_on=D(2022, 3, 5))
    dev(river, "提前转正", D(2020, 1, 3), **base, branch_meeting_on=D(2021, 5, 10), approved_on=D(2021, 6, 10),
        full_meeting_on=D(2022, 4, 1))
    dev(river, "未转正", D(2020, 1, 4), **base, branch_meeting_on=D(2021, 8, 1), approved_on=D(2021, 9, 1))
    c = cells(river, "member.full_membership")
    assert c["按期转正"].state == DONE
    assert c["提前转正"].state == LATE and "早于预备期届满（2022-05-10）" in c["提前转正"].detail
    assert c["未转正"].state == LATE and "尚无支部大会讨论转正记录" in c["未转正"].detail
    assert cells(river, "member.full_membership", as_of=D(2022, 8, 15))["未转正"].state != LATE  # 30 days' grace


def test_the_rules_cite_their_articles(river):
    from lvzhi.obligations.models import ObligationRule

    rules = ObligationRule.objects.filter(check_type="development", unit__isnull=True)
    assert rules.count() == 7
    assert all("发展党员工作细则" in r.source and r.article for r in rules)
