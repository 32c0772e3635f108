"""Demo section "membership": the company's rolls as Party-life events, its committees as dated posts, and four
people on their way into the Party, one at each stage.

The rolls of the demo company (section "org") are turned into events the same way the data migration turns an
existing installation's rolls into events (``membership.services.backfill``), so the rosters of every day are
derived from events, as in real use. The four 发展党员 records keep every deadline of the 细则 (the demo's planted
gaps are elsewhere); the two who were admitted get their 入党 / 转正 events, so they join the rolls on those days.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, snapshot
from lvzhi.membership.dues import monthly_dues
from lvzhi.membership.models import Development, DuesPayment, MembershipEvent, OrgPost
from lvzhi.membership.selectors import Rosters
from lvzhi.membership.services import backfill_live, sync_people
from lvzhi.org.models import PartyOrg, Person, Unit

from . import story

D = dt.date
# One person per stage: (steps of the 发展党员 record, events that follow from it)
STAGES = [
    ("入党申请人", dict(applied_on=D(2022, 11, 10), talked_on=D(2022, 11, 25)), []),
    ("发展对象", dict(applied_on=D(2021, 5, 6), talked_on=D(2021, 5, 20), activist_on=D(2021, 6, 10),
                   assessment_dates="2021-12-08、2022-06-06", candidate_on=D(2022, 6, 20)), []),
    ("预备党员", dict(applied_on=D(2020, 10, 8), talked_on=D(2020, 10, 20), activist_on=D(2020, 11, 10),
                   assessment_dates="2021-05-06、2021-11-05", candidate_on=D(2021, 11, 20),
                   training_start=D(2022, 5, 16), training_end=D(2022, 5, 18), training_hours=24,
                   publicity_start=D(2022, 8, 15), publicity_end=D(2022, 8, 19), branch_meeting_on=D(2022, 8, 25),
                   approved_on=D(2022, 10, 18)), [("admitted", D(2022, 8, 25))]),
    ("正式党员", dict(applied_on=D(2019, 9, 2), talked_on=D(2019, 9, 20), activist_on=D(2019, 10, 15),
                   assessment_dates="2020-04-10、2020-10-12", candidate_on=D(2020, 10, 25),
                   training_start=D(2021, 4, 12), training_end=D(2021, 4, 14), training_hours=24,
                   publicity_start=D(2021, 5, 6), publicity_end=D(2021, 5, 12), branch_meeting_on=D(2021, 5, 20),
                   approved_on=D(2021, 6, 25), full_meeting_on=D(2022, 5, 23)),
     [("admitted", D(2021, 5, 20)), ("full", D(2022, 5, 23))]),
]


def _developments() -> list:
    """One non-member (still employed) in each of the first branches of the plants that have one, stage by stage."""
    branches = list(PartyOrg.objects.filter(kind="branch", code__startswith=f"ZB-{story.COMPANY['code']}-P")
                    .order_by("code"))
    created, people = [], []
    candidates = iter(branches)
    for stage, steps, events in STAGES:
        person = None
        while person is None:
            org = next(candidates, None)
            if org is None:
                return created
            person = (Person.objects.filter(unit__path__startswith=org.unit.path, party_status="none",
                                            left_on__isnull=True)
                      .exclude(pk__in=Development.objects.values("person_id")).order_by("code").first())
        d = Development(person=person, party_org=org, notes=f"演示：{stage}", **steps)
        d.fill_derived()
        d.full_clean()
        d.save()
        created.append(d)
        for kind, day in events:
            created.append(MembershipEvent.objects.create(person=person, kind=kind, date=day, party_org=org,
                                                          unit_id=org.unit_id))
        people.append(person.pk)
        if events:
            _join_heart_talks(person, org, events[0][1])
    sync_people(people)
    return created


def _join_heart_talks(person: Person, org: PartyOrg, since: dt.date) -> None:
    """A new member takes part in the branch's 谈心谈话 from the year they join (as every member of the demo does)."""
    from lvzhi.partybuilding.models import BranchActivity

    for year in range(since.year, 2023):
        talk = (BranchActivity.objects.filter(party_org=org, kind="heart_talk", date__year=year, date__gte=since)
                .order_by("date", "pk").first()
                or BranchActivity.objects.filter(party_org=org, kind="heart_talk", date__year=year)
                .order_by("-date", "pk").first())
        if talk is not None:
            talk.attendees.add(person)


# Monthly after-tax income by cadre level (元), varied per person: the demo's 党费 fall in every bracket.
INCOME = {"leadership": 16000, "middle": 9800, "grassroots": 6200, "none": 4300}


def _dues(years=(2021, 2022)) -> list:
    """Every member on a roll of the company during a year pays that year's 党费 in advance, in January."""
    rng = random.Random(story.SEED + 14)
    company = Unit.objects.get(code=story.COMPANY["code"])
    units = dict(PartyOrg.objects.filter(unit__path__startswith=company.path).values_list("pk", "unit_id"))
    rosters = Rosters(list(units))
    levels = dict(Person.objects.filter(unit__path__startswith=company.path).values_list("pk", "cadre_level"))
    rows = []
    for year in years:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        seen = set()
        for org_id in sorted(units):
            for stint in sorted(rosters.stints.get(org_id, ()), key=lambda s: s.person_id):
                if stint.person_id in seen or stint.person_id not in levels:
                    continue
                if (stint.start and stint.start > end) or (stint.end and stint.end < start):
                    continue
                seen.add(stint.person_id)
                income = Decimal(INCOME.get(levels[stint.person_id], INCOME["none"]) + rng.randrange(-1500, 1600, 50))
                d = DuesPayment(person_id=stint.person_id, party_org_id=org_id, unit_id=units[org_id],
                                monthly_income=income, month_from=start, month_to=dt.date(year, 12, 1),
                                paid_on=dt.date(year, 1, 10), amount_paid=0)
                d.amount_due = monthly_dues(income, d.category) * 12
                d.amount_paid = d.amount_due
                rows.append(d)
    return DuesPayment.objects.bulk_create(rows, batch_size=2000)


def _attendance(year: int = 2022) -> list:
    """The 2022 党员大会 of the company's first branch with their attendance filled in as the form does: everyone on the
    roll with a vote that day is expected; those on the attendee list came, the others were away for a reason."""
    from lvzhi.membership.models import Attendance
    from lvzhi.partybuilding.models import BranchActivity

    org = (PartyOrg.objects.filter(kind="branch", code__startswith=f"ZB-{story.COMPANY['code']}-P").order_by("code")
           .first())
    if org is None:
        return []
    rosters, reasons = Rosters([org.pk]), ["duty", "sick", "personal"]
    rows = []
    for a in (BranchActivity.objects.filter(party_org=org, kind="general_meeting", date__year=year)
              .order_by("date", "pk").prefetch_related("attendees")):
        came = {p.pk for p in a.attendees.all()}
        expected = {s.person_id for s in rosters.members(org.pk, a.date) if s.voting}
        for n, pid in enumerate(sorted(expected | came)):
            absent = pid not in came
            rows.append(Attendance(activity=a, person_id=pid, unit_id=a.unit_id, status="absent" if absent else "present",
                                   reason=reasons[n % 3] if absent else ""))
    return Attendance.objects.bulk_create(rows)


def _training(years=(2021, 2022)) -> list:
    """Every member on a roll of the company during a year has that year's 学时 (the 32 of the 规划 and more): a
    training record dated on a day they were on the roll; the secretaries of branches also attend the yearly
    secretaries' course (to 56 学时)."""
    from lvzhi.membership.models import TrainingRecord
    from lvzhi.membership.training import _secretary_intervals

    company = Unit.objects.get(code=story.COMPANY["code"])
    units = dict(PartyOrg.objects.filter(unit__path__startswith=company.path).values_list("pk", "unit_id"))
    rosters = Rosters(list(units))
    people = dict(Person.objects.filter(unit__path__startswith=company.path).values_list("pk", "unit_id"))
    secretaries = _secretary_intervals(list(people), ["branch", "general_branch"])
    rows = []
    for year in years:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        last: dict[int, dt.date] = {}
        for org_id in sorted(units):
            for stint in rosters.stints.get(org_id, ()):
                if stint.person_id not in people or (stint.start and stint.start > end) or (stint.end and stint.end < start):
                    continue
                course = dt.date(year, 11, 25)  # the year's course, or the last day on the roll before it
                day = max(stint.start or start, min(stint.end or course, course))
                last[stint.person_id] = max(last.get(stint.person_id, day), day)
        for pid, day in sorted(last.items()):
            rows.append(TrainingRecord(person_id=pid, unit_id=people[pid], date=day, hours=Decimal(34),
                                       title=f"{year}年度党员集中学习培训（冬春训、网上党校）", organiser="公司党委"))
            spans = secretaries.get(pid, ())
            if any((a is None or a <= dt.date(year, 12, 31)) and (b is None or b >= start) for a, b in spans):
                rows.append(TrainingRecord(person_id=pid, unit_id=people[pid], date=day, hours=Decimal(24),
                                           title=f"{year}年度基层党组织书记培训班", organiser="市委党校"))
    return TrainingRecord.objects.bulk_create(rows, batch_size=2000)


def _groups() -> list:
    """The members of a branch with 党小组 are split among its groups (round the roll, in code order); those who
    join the branch later are placed from the day they join."""
    from lvzhi.membership.models import GroupMembership

    groups: dict[int, list[int]] = {}
    for pk, parent in (PartyOrg.objects.filter(kind="group", code__contains=f"-{story.COMPANY['code']}-")
                       .order_by("code").values_list("pk", "parent_id")):
        groups.setdefault(parent, []).append(pk)
    rosters = Rosters(list(groups))
    units = dict(PartyOrg.objects.filter(pk__in=[g for gs in groups.values() for g in gs]).values_list("pk", "unit_id"))
    rows = []
    for branch, mine in sorted(groups.items()):
        first: dict[int, dt.date | None] = {}
        for s in rosters.stints.get(branch, ()):
            if s.person_id not in first or (first[s.person_id] and (s.start is None or s.start < first[s.person_id])):
                first[s.person_id] = s.start
        for n, (pid, start) in enumerate(sorted(first.items())):
            g = mine[n % len(mine)]
            rows.append(GroupMembership(group_id=g, person_id=pid, start_on=start, unit_id=units[g]))
    return GroupMembership.objects.bulk_create(rows, batch_size=2000)


def load(password: str) -> list[Change]:
    before_events = set(MembershipEvent.objects.values_list("pk", flat=True))
    before_posts = set(OrgPost.objects.values_list("pk", flat=True))
    backfill_live()
    new = _developments()
    new += _dues()
    new += _attendance()
    new += _training()
    new += _groups()
    changes = [Change(AuditAction.CREATE, obj, after=snapshot(obj), unit_id=obj.unit_id) for obj in new]
    for model, known in ((MembershipEvent, before_events), (OrgPost, before_posts)):
        for obj in (model.objects.exclude(pk__in=known)
                    .exclude(pk__in=[o.pk for o in new if isinstance(o, model)]).order_by("pk")):
            changes.append(Change(AuditAction.CREATE, obj, after=snapshot(obj), unit_id=obj.unit_id))
    return changes
