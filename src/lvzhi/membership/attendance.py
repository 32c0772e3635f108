"""Attendance at branch meetings: who was expected (the roster of the day), who came, who was away and why,
who sat in — and what the quorum check will conclude, told before the meeting is saved."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, Exists, OuterRef, Subquery, When
from django.db.models.functions import Coalesce

from lvzhi.org.models import PartyOrg, Person

from .models import Attendance, AttendanceStatus
from .selectors import Rosters


def present_count():
    """The people present at each meeting, as an annotation (read with the meeting's row): the attendance rows marked
    出席 where the meeting has any, else its attendee list. Counted by index per meeting: two grouped queries apart
    from the meetings' read the whole attendee table (455,000 rows in the province) to keep a quarter of it."""
    from lvzhi.partybuilding.models import BranchActivity

    recorded = Attendance.objects.filter(activity_id=OuterRef("pk"))
    marked = (recorded.filter(status=AttendanceStatus.PRESENT).order_by().values("activity_id")
              .annotate(n=Count("pk")).values("n"))
    listed = (BranchActivity.attendees.through.objects.filter(branchactivity_id=OuterRef("pk")).order_by()
              .values("branchactivity_id").annotate(n=Count("pk")).values("n"))
    return Case(When(Exists(recorded), then=Coalesce(Subquery(marked), 0)), default=Coalesce(Subquery(listed), 0))


def expected_people(party_org: PartyOrg, kind: str, day: dt.date) -> list[Person]:
    """Who is expected at a meeting of ``kind`` on ``day`` — to fill the attendance form in."""
    from lvzhi.partybuilding.models import ActivityKind

    rosters = Rosters([party_org.pk])
    if kind == ActivityKind.COMMITTEE_MEETING:
        ids = rosters.committee(party_org.pk, day)
    else:
        voting = kind == ActivityKind.GENERAL_MEETING
        ids = {s.person_id for s in rosters.members(party_org.pk, day) if s.voting or not voting}
    return list(Person.objects.filter(pk__in=ids).order_by("code"))


def preview(party_org: PartyOrg, kind: str, day: dt.date, present: int, typed_expected: int | None = None) -> dict:
    """What the quorum check will say about a meeting with ``present`` people present, before it is saved."""
    from lvzhi.obligations.checks import expected_on_day
    from lvzhi.partybuilding.models import ActivityKind

    if kind not in (ActivityKind.GENERAL_MEETING, ActivityKind.COMMITTEE_MEETING):
        return {"checked": False, "message": "该类活动不检查到会人数。"}
    expected, basis = expected_on_day(Rosters([party_org.pk]), party_org.pk, kind, day, typed_expected)
    if not expected:
        return {"checked": True, "ok": False, "expected": 0, "present": present,
                "message": f"{basis}为0人：保存后检查将显示“无法判断到会人数”，请核对党员名册或填写应到人数。"}
    ok = present * 2 > expected
    need = expected // 2 + 1
    message = (f"应到{expected}人（{basis}），实到{present}人，" +
               ("超过半数，检查将判为符合。" if ok else f"未超过半数（至少需{need}人），保存后检查将列为问题。"))
    return {"checked": True, "ok": ok, "expected": expected, "present": present, "basis": basis, "message": message}


def preview_activity(data: dict) -> dict:
    """The branch-activity form's “保存前检查”: the quorum verdict for the meeting as filled in."""
    org, kind, day = data.get("party_org"), data.get("kind"), data.get("date")
    if org is None or not kind or day is None:
        return {"checked": False, "ok": False, "message": "请先填写党组织、活动类别和日期。"}
    present = len(data.get("attendees") or ())
    told = preview(org, kind, day, present, data.get("expected_count"))
    if told.get("checked") and not present:
        told["message"] += "（“参加人员”为空，按实到0人计算）"
    return told
