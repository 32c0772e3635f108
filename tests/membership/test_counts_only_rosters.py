"""``Rosters(counts_only=True)`` — what the quorum and branch-structure checks of ``lvzhi check`` use, keeping day
numbers instead of Stints — counts every organisation on every day as the whole rosters do. On 河川电力
(builders.py), shaped unlike the demo: a plant merged mid-year, members with and without Party-life events, a 党小组
whose members come and go, people leaving and dying."""

from __future__ import annotations

import datetime as dt

import pytest

from lvzhi.membership.models import GroupMembership
from lvzhi.membership.selectors import Rosters
from lvzhi.obligations.engine import evaluate, stream
from lvzhi.org.models import PartyOrg, Person

from .builders import meeting

D = dt.date
AS_OF = D(2023, 1, 31)


def _place(group, p, start=None, end=None):
    g = GroupMembership(group=group, person=p, start_on=start, end_on=end)
    g.fill_derived()
    g.save()


@pytest.fixture
def shaped(river):
    """River plus a 党小组 and people known only from their person row (no events: the fallback stints)."""
    group = PartyOrg.objects.create(code="DXZ-HC-B-9", name="乙电厂检修党小组", kind="group", unit=river.plant_b,
                                    parent=river.branch_b)
    plain = Person.objects.create(code="HCP001", name="赵无记录", gender="male", unit=river.plant_a,
                                  party_org=river.branch_a, party_status="member", member_since=D(2010, 5, 1),
                                  left_on=D(2022, 5, 20))
    probation = Person.objects.create(code="HCP002", name="钱预备", gender="female", unit=river.plant_a,
                                      party_org=river.branch_a, party_status="probationary")
    m = river.b_members
    _place(group, m[0])
    _place(group, m[1], D(2021, 1, 1), D(2022, 4, 30))
    _place(group, river.leaver)
    _place(group, river.a_members[0], D(2022, 7, 1))
    _place(group, plain, D(2022, 1, 10))
    _place(group, probation, None, D(2022, 9, 30))
    return river, group


def test_counts_only_counts_as_the_whole_rosters_on_every_day(shaped):
    river, group = shaped
    orgs = [river.committee, river.branch_a, river.branch_b, group]
    ids = [o.pk for o in orgs]
    # Members without events joining and leaving on and around the window's edges (the committee's roll).
    for n, (since, left) in enumerate([(D(2022, 1, 1), None), (D(2022, 3, 15), None), (D(2023, 1, 1), None),
                                       (D(2010, 1, 1), D(2022, 1, 1)), (D(2010, 1, 1), D(2022, 1, 2)),
                                       (D(2010, 1, 1), D(2022, 12, 31)), (D(2010, 1, 1), D(2023, 1, 1)),
                                       (D(2022, 1, 2), D(2022, 1, 3)), (None, D(2022, 6, 1)),
                                       (D(2022, 12, 31), None), (D(2022, 12, 30), D(2022, 12, 31))]):
        Person.objects.create(code=f"HCW{n:03d}", name=f"边界{n}", gender="male", unit=river.company,
                              party_org=river.committee, party_status="member" if n % 3 else "probationary",
                              member_since=since, left_on=left)
    whole = Rosters(ids)
    by_list = Rosters(ids, counts_only=True)
    by_query = Rosters(selecting=PartyOrg.objects.filter(unit__path__startswith=river.company.path), counts_only=True)
    window = (D(2022, 1, 1), D(2022, 12, 31))  # the members without events grouped by their days inside it
    by_window = Rosters(ids, counts_only=True, within=window)
    assert by_query.org_ids == set(ids)
    seen = set()
    day = D(2021, 12, 30)
    while day <= D(2023, 1, 2):
        for org in ids:
            for voting in (False, True):
                expected = len([s for s in whole.members(org, day) if s.voting or not voting])
                assert whole.count(org, day, voting=voting) == expected
                assert by_list.count(org, day, voting=voting) == expected, (org, day, voting)
                assert by_query.count(org, day, voting=voting) == expected, (org, day, voting)
                if window[0] <= day <= window[1]:
                    assert by_window.count(org, day, voting=voting) == expected, (org, day, voting)
                seen.add((org, expected))
            assert by_list.committee(org, day) == by_query.committee(org, day) == whole.committee(org, day)
        day += dt.timedelta(days=1)
    # Not a comparison of empty rosters: the builders' figures (voting members of ZB-B) and both kinds of stints.
    b = river.branch_b.pk
    assert [by_list.count(b, d, voting=True) for d in (D(2022, 1, 15), D(2022, 3, 1), D(2022, 7, 1), D(2022, 8, 1))] \
        == [7, 5, 8, 9]
    assert by_list.count(river.branch_a.pk, D(2022, 5, 19)) == 5 and by_list.count(river.branch_a.pk, D(2022, 5, 20)) == 4
    assert by_list.count(river.branch_a.pk, D(2022, 5, 19), voting=True) == 4  # 钱预备 has no vote
    assert len({n for org, n in seen if org == group.pk}) >= 3
    with pytest.raises(TypeError):
        by_list.members(b, D(2022, 1, 15))
    with pytest.raises(ValueError):  # outside the days it was read for
        by_window.count(b, D(2021, 12, 31))


def _cells(cells):
    return [(c.rule.rule_id, c.subject.ref, c.period.key, c.state, c.count, c.record_ids, c.detail, c.due)
            for c in cells]


def test_quorum_and_structure_say_the_days_numbers_chunked_or_whole(shaped):
    river, group = shaped
    m = river.b_members
    for day in (D(2022, 1, 15), D(2022, 3, 1), D(2022, 7, 15), D(2022, 8, 15)):
        meeting(river.branch_b, "general_meeting", day, m[:4])
    meeting(group, "group_meeting", D(2022, 2, 1), [m[0]])
    meeting(river.branch_a, "themed_day", D(2022, 5, 10), river.a_members[:2])
    rules = ["branch.quorum", "branch.structure"]
    whole = _cells(evaluate(river.company, year=2022, as_of=AS_OF, rule_ids=rules).cells())
    chunked = []
    for r in stream(river.company, year=2022, as_of=AS_OF, rule_ids=rules, chunk=1)[1]:
        for part in r.chunks():
            chunked += _cells(part)
    assert chunked == whole
    details = [d for rule, *_, d, _ in whole if rule == "branch.quorum"]
    assert details == ["2022年1月15日实到4人，应到7人（当日有表决权的正式党员）",
                       "2022年3月1日实到4人，应到5人（当日有表决权的正式党员）",
                       "2022年7月15日实到4人，应到8人（当日有表决权的正式党员），未超过半数",
                       "2022年8月15日实到4人，应到9人（当日有表决权的正式党员），未超过半数"]
    structure = [d for rule, *_, d, _ in whole if rule == "branch.structure"]
    assert structure == ["2022年不在检查范围内", "2022-12-31：正式党员9人，党员10人，设置符合规定"]


def test_the_whole_check_of_another_company_is_the_same_text_in_chunks(shaped):
    """``lvzhi check --all --format json`` on 河川电力 with development records, meetings and a 党小组: the text
    judged in chunks (counts-only rosters shared by quorum and structure, development rows as tuples) is that of
    the whole evaluation, and it names the development steps with the person and the branch."""
    import io
    import json

    from lvzhi.membership.models import Development
    from lvzhi.obligations.export import as_json, write_json

    river, group = shaped
    m = river.b_members
    for day in (D(2022, 1, 15), D(2022, 7, 15)):
        meeting(river.branch_b, "general_meeting", day, m[:4])
    meeting(group, "group_meeting", D(2022, 2, 1), [m[0]])
    applicant = Person.objects.create(code="HCP003", name="孙申请", gender="male", unit=river.plant_b)
    d = Development(person=applicant, party_org=river.branch_b, applied_on=D(2021, 3, 1), talked_on=D(2021, 3, 20),
                    activist_on=D(2021, 5, 1), assessment_dates="2021-10-30", candidate_on=D(2022, 6, 1),
                    training_start=D(2022, 6, 10), training_end=D(2022, 6, 12), publicity_start=D(2022, 9, 26),
                    publicity_end=D(2022, 10, 9), branch_meeting_on=D(2022, 10, 12))
    d.fill_derived()
    d.save()
    out = io.StringIO()
    head, results = stream(river.company, year=2022, as_of=AS_OF, chunk=1)
    write_json(head, results, out, include_done=True)
    whole = json.dumps(as_json(evaluate(river.company, year=2022, as_of=AS_OF), include_done=True), ensure_ascii=False,
                       indent=2) + "\n"
    assert out.getvalue() == whole
    items = {r["rule_id"]: r["items"] for r in json.loads(whole)["rules"]}
    assert [i["subject"] for i in items["member.publicity"]] == ["孙申请（乙电厂党支部）"]
    assert "公示2022-09-26至2022-10-09" in items["member.publicity"][0]["detail"]
    assert "考察" in items["member.activist_assessment"][0]["detail"]
