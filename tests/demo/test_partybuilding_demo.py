"""The demo's party-building records, checked by querying what was loaded: the seed's 2022 figures fall in
DEMO-STORY's ranges and differ from 2021, and RULES.md's branch-life, study and contact rules hold everywhere
except the planted 支部委员会 misses."""

import datetime as dt
from collections import defaultdict

import pytest

from lvzhi.org.models import PartyOrg, Person, Unit, UnitFact
from lvzhi.partybuilding.models import (
    AgendaItem,
    BranchActivity,
    BusinessResult,
    CoBuildingActivity,
    CommitteeMeeting,
    ContactPoint,
    ContactVisit,
    ExternalVisit,
    Honour,
    Initiative,
    Innovation,
    StudySession,
)

pytestmark = pytest.mark.django_db

YEARS = (2021, 2022)
PLANTED_MISSES = {("ZB-JH01-P01-W02", 2022, 5), ("ZB-JH01-P04-W03", 2022, 8), ("ZB-JH01-D06", 2022, 11)}


def mondays(year):
    day = dt.date(year, 1, 1) + dt.timedelta(days=(7 - dt.date(year, 1, 1).weekday()) % 7)
    while day.year == year:
        yield day
        day += dt.timedelta(days=7)


def week_of(day):
    return day - dt.timedelta(days=day.weekday())


def per_year(qs, field="date"):
    return {y: qs.filter(**{f"{field}__year": y}).count() for y in YEARS}


def company_orgs(kind):
    company = Unit.objects.get(code="JH01")
    return list(PartyOrg.objects.filter(company.subtree_q("unit__"), kind=kind).order_by("code"))


def attendees_by_activity():
    through = BranchActivity.attendees.through
    out = defaultdict(set)
    for activity_id, person_id in through.objects.values_list("branchactivity_id", "person_id"):
        out[activity_id].add(person_id)
    return out


# --- the seed's figures (SEED-FIGURES rows 2, 6, 7, 8, 12, 13, 14) --------------------------------------------
def test_study_figures_are_in_range_and_change_year_on_year():
    follow_up = per_year(StudySession.objects.filter(kind="follow_up"))
    seminars = per_year(StudySession.objects.filter(kind="central_group_seminar"))
    first_agenda = per_year(StudySession.objects.filter(kind="first_agenda"))
    meetings = per_year(CommitteeMeeting.objects.filter(party_org__code="DW-JH01"))
    assert len(list(mondays(2022))) <= follow_up[2022] <= 60 and follow_up[2022] != follow_up[2021]
    assert 10 <= seminars[2022] <= 15 and seminars[2022] != seminars[2021]
    assert 25 <= first_agenda[2022] <= 40 and first_agenda[2022] != first_agenda[2021]
    assert first_agenda == meetings


def test_external_speech_at_the_groups_model_lesson():
    speech = StudySession.objects.get(kind="external_speech", date__year=2022)
    assert speech.host == "集团党委理论学习中心组“示范课”"
    assert speech.speaker.name == "王振华"


def test_contact_point_is_researched_monthly_and_supervised_weekly_in_2022():
    cp = ContactPoint.objects.get(leader__name="王振华")
    assert (cp.unit.code, cp.date, cp.title) == ("JH01-P03", dt.date(2022, 1, 5), "长期困难单位")
    visits = ContactVisit.objects.filter(contact_point=cp)
    research_months = {d.month for d in visits.filter(kind="research", date__year=2022).values_list("date", flat=True)}
    assert research_months == set(range(1, 13))
    supervised = {week_of(d) for d in visits.filter(kind="supervision", date__year=2022).values_list("date", flat=True)}
    assert supervised >= {m for m in mondays(2022) if m + dt.timedelta(days=6) >= cp.date}
    assert all(d >= cp.date for d in visits.values_list("date", flat=True))
    assert visits.filter(date__year=2021).count() == 0  # no contact point yet: the figure changes


def test_contact_plant_turns_its_first_annual_profit_in_2022():
    plant = Unit.objects.get(code="JH01-P03")
    assert plant.established_on.year == 2000
    profit = {r.date: r.value for r in BusinessResult.objects.filter(unit=plant, indicator="profit")}
    assert len(profit) == 24
    assert all(v < 0 for d, v in profit.items() if d.year == 2021)
    months_2022 = [profit[dt.date(2022, m, 1)] for m in range(1, 13)]
    assert months_2022[0] < 0 and months_2022[-1] > 0 and sum(months_2022) > 0
    gains = sorted(BusinessResult.objects.filter(unit=plant, indicator="loss_reduction", date__year=2022)
                   .values_list("value", flat=True), reverse=True)
    assert len(gains) == 12 and gains[0] - gains[1] >= 20  # one clear peak month (“该厂**月份减亏增效近**万元”)
    assert set(Initiative.objects.filter(unit=plant).values_list("kind", flat=True)) == {"policy", "diagnosis", "staffing"}


def test_two_provincial_model_branches_in_2022():
    provincial = Honour.objects.filter(kind="model_branch", level="provincial")
    assert per_year(provincial)[2021] != 2
    in_2022 = provincial.filter(date__year=2022)
    assert sorted(in_2022.values_list("brand", flat=True)) == ["先锋号", "攀登者"]
    assert {h.party_org.code for h in in_2022} == {"ZB-JH01-P03-W01", "ZB-JH01-P06-W01"}
    assert {h.issuer for h in in_2022} == {"省国资委党委"}
    for kind in ("five_strong", "four_excellent"):
        assert all(n > 0 for n in per_year(Honour.objects.filter(kind=kind)).values())


def test_co_building_and_external_visits():
    pairs = CoBuildingActivity.objects.values("co_building").distinct().count()
    activities = per_year(CoBuildingActivity.objects.all())
    visits = per_year(ExternalVisit.objects.all())
    assert 8 <= pairs <= 12
    assert 15 <= activities[2022] <= 30 and activities[2021] < activities[2022]
    focus = CoBuildingActivity.objects.filter(date__year=2022)
    assert focus.filter(focus__in=["production", "cost"]).count() * 2 > focus.count()
    assert 30 <= visits[2022] <= 60 and visits[2021] < visits[2022]
    assert ExternalVisit.objects.filter(date__year=2022, visitor="省国资委党委").exists()
    assert ExternalVisit.objects.filter(date__year=2022, level="central", kind="media").exists()


def test_lab_products_and_unit_facts():
    lab = Innovation.objects.get(kind="lab")
    gap_fillers = Innovation.objects.filter(kind="product", fills_gap=True, date__year=2022)
    assert gap_fillers.count() == 2 and set(gap_fillers.values_list("platform", flat=True)) == {lab.title}
    facts = dict(UnitFact.objects.filter(unit__code="JH01").values_list("key", "value"))
    assert facts["strategy"] == "化工新材料为本、相关多元"
    assert facts["media_centre"] == "集团首家融媒体中心"
    assert facts["party_brand"] and facts["committee_brand"]


# --- the committee's rules ---------------------------------------------------------------------------------------
def test_every_committee_meeting_has_its_first_agenda_study_and_a_quorum():
    dw = PartyOrg.objects.get(code="DW-JH01")
    members = dw.committee_members.count()
    for meeting in CommitteeMeeting.objects.filter(party_org=dw).prefetch_related("studies", "attendees"):
        assert [s.kind for s in meeting.studies.all()].count("first_agenda") == 1, meeting
        assert meeting.attendees.count() * 2 > (meeting.expected_count or members), meeting


def test_ideology_on_the_committee_agenda_every_quarter_and_in_central_group_study():
    for year in YEARS:
        quarters = {(d.month - 1) // 3 for d in AgendaItem.objects.filter(kind="ideology", date__year=year)
                    .values_list("date", flat=True)}
        assert quarters == {0, 1, 2, 3}
        assert StudySession.objects.filter(is_ideology=True, date__year=year,
                                           kind__in=["central_group", "central_group_seminar"]).count() >= 2
        assert AgendaItem.objects.filter(kind="pre_review", date__year=year).exists()


def test_central_group_studies_every_two_months():
    for year in YEARS:
        months = StudySession.objects.filter(kind__in=["central_group", "central_group_seminar"], date__year=year)
        periods = {(d.month - 1) // 2 for d in months.values_list("date", flat=True)}
        assert periods == set(range(6)), year


def test_every_week_has_its_follow_up_study():
    for year in YEARS:
        weeks = {week_of(d) for d in StudySession.objects.filter(kind="follow_up", date__year=year)
                 .values_list("date", flat=True)}
        assert weeks >= set(mondays(year)), year
    for s in StudySession.objects.filter(kind="follow_up").prefetch_related("attendees"):
        assert s.attendees.count() == s.expected_count


# --- branch life -------------------------------------------------------------------------------------------------
def test_committee_meetings_monthly_except_exactly_the_planted_misses():
    held = set()
    for code, day in BranchActivity.objects.filter(kind="committee_meeting").values_list("party_org__code", "date"):
        held.add((code, day.year, day.month))
    missing = set()
    for org in company_orgs("branch"):
        if org.committee_members.exists():
            missing |= {(org.code, y, m) for y in YEARS for m in range(1, 13) if (org.code, y, m) not in held}
    assert missing == PLANTED_MISSES


def test_branch_life_calendar():
    counts = defaultdict(lambda: defaultdict(set))
    for code, kind, day in BranchActivity.objects.values_list("party_org__code", "kind", "date"):
        counts[(code, day.year)][kind].add(day)
    for org in company_orgs("branch"):
        for year in YEARS:
            got = counts[(org.code, year)]
            assert {(d.month - 1) // 3 for d in got["general_meeting"]} == {0, 1, 2, 3}, (org.code, year)
            assert {(d.month - 1) // 3 for d in got["party_lecture"]} == {0, 1, 2, 3}, (org.code, year)
            assert {d.month for d in got["themed_day"]} == set(range(1, 13)), (org.code, year)
            assert len(got["org_life_meeting"]) >= 1 and len(got["member_appraisal"]) >= 1, (org.code, year)
    for group in company_orgs("group"):
        for year in YEARS:
            assert {d.month for d in counts[(group.code, year)]["group_meeting"]} == set(range(1, 13)), group.code
    themes = set(BranchActivity.objects.filter(kind="org_life_meeting", date__year=2022).values_list("theme", flat=True))
    assert themes == {"四风"}
    assert BranchActivity.objects.filter(kind="mutual_exchange", date__year=2022).exists()


def test_every_meeting_has_its_quorum():
    attendees = attendees_by_activity()
    voting = defaultdict(set)
    for pk, org_id in Person.objects.filter(party_status="member", left_on__isnull=True).values_list("pk", "party_org_id"):
        voting[org_id].add(pk)
    committee = defaultdict(set)
    for org_id, pk in PartyOrg.committee_members.through.objects.values_list("partyorg_id", "person_id"):
        committee[org_id].add(pk)
    checked = 0
    for a in BranchActivity.objects.exclude(kind="heart_talk"):
        present = attendees[a.pk]
        if a.expected_count is not None:
            assert len(present) * 2 > a.expected_count, (a.party_org_id, a.kind, a.date)
            continue
        expected = committee[a.party_org_id] if a.kind == "committee_meeting" else voting[a.party_org_id]
        assert expected and len(present & expected) * 2 > len(expected), (a.party_org_id, a.kind, a.date)
        checked += 1
    assert checked > 4000


def test_heart_talks_cover_every_member_every_year():
    attendees = attendees_by_activity()
    talked = defaultdict(set)
    for pk, org_id, day in BranchActivity.objects.filter(kind="heart_talk").values_list("pk", "party_org_id", "date"):
        talked[(org_id, day.year)] |= attendees[pk]
    for org in company_orgs("branch"):
        for year in YEARS:
            end = dt.date(year, 12, 31)
            members = set(Person.objects.filter(party_org=org, left_on__isnull=True, member_since__lte=end)
                          .exclude(party_status="none").exclude(joined_on__gt=end).values_list("pk", flat=True))
            assert members and members <= talked[(org.pk, year)], (org.code, year, len(members - talked[(org.pk, year)]))


def test_every_secretary_gives_a_party_lecture_each_year():
    lectures = set(BranchActivity.objects.filter(kind="party_lecture")
                   .values_list("party_org_id", "lecturer_id", "date__year"))
    orgs = company_orgs("committee") + company_orgs("general_branch") + company_orgs("branch")
    assert len(orgs) > 60
    for org in orgs:
        for year in YEARS:
            assert (org.pk, org.secretary_id, year) in lectures, (org.code, year)
    clean = BranchActivity.objects.filter(party_org__code="DW-JH01", kind="party_lecture", date__year=2022).get()
    assert clean.title.startswith("廉政党课") and clean.lecturer.name == "王振华"
