"""What the checks will say about a record before it is saved, in words: a late entry (补录), a meeting without
its attendee list, attendance not above half of those expected. Read from the form as typed (or as prefilled),
so the warnings show on the form itself."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from lvzhi.org.models import PartyOrg, Person

from . import cells

MEETINGS_WITH_QUORUM = {"committee_meeting": "支部委员会", "general_meeting": "党员大会"}


def backfill_days() -> int:
    """A record entered more than this many days after its date is 补录 (settings.BACKFILL_DAYS)."""
    return int(getattr(settings, "BACKFILL_DAYS", 30))


def _value(form, name: str) -> str:
    if form.is_bound:
        return (form.data.get(name) or "").strip()
    value = form.initial.get(name)
    return "" if value is None else str(value).strip()


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _party_org(scope, text: str) -> PartyOrg | None:
    if not text:
        return None
    m = cells.CODE_IN_PARENS.match(text)
    code = m.group("code") if m else text
    orgs = PartyOrg.objects.filter(code=code) | PartyOrg.objects.filter(name=text)
    org = orgs.select_related("unit").first()
    return org if org is not None and scope.can_read(org.unit) else None


def advice(rt, form, scope) -> list[str]:
    from lvzhi.web import clock

    notes = []
    today = clock.today()
    day = _date(_value(form, rt.date_field)) if rt.date_field and rt.date_field in form.fields else None
    if day is not None and (today - day).days > backfill_days():
        notes.append(f"日期比今天（{today:%Y-%m-%d}）早 {(today - day).days} 天：保存后这条记录标为“补录”"
                     f"（录入晚于活动日期 {backfill_days()} 天以上），在列表中显示并按单位统计。")
    if rt.key == "branch_activity":
        kinds = {str(label): value for value, label in rt.model_field("kind").flatchoices}
        kind = kinds.get(_value(form, "kind"), _value(form, "kind"))
        if kind in MEETINGS_WITH_QUORUM:
            notes += _quorum(scope, form, kind)
    return notes


def _quorum(scope, form, kind: str) -> list[str]:
    meeting = MEETINGS_WITH_QUORUM[kind]
    names = [n for n in cells.MANY_SPLIT.split(_value(form, "attendees")) if n.strip()]
    if not names:
        return [f"未填写参加人员：{meeting}须有半数以上应到人员到会，“会议到会人数过半”检查会把这次会议记为实到 0 人、"
                f"未超过半数。请填写参加人员。"]
    expected = _value(form, "expected_count")
    org = _party_org(scope, _value(form, "party_org"))
    if expected.isdigit():
        n_expected = int(expected)
    elif org is None:
        return []
    elif kind == "committee_meeting":
        n_expected = org.committee_members.count()
    else:
        n_expected = Person.objects.filter(party_org=org, party_status="member", left_on__isnull=True).count()
    if n_expected and len(names) * 2 <= n_expected:
        return [f"参加人员 {len(names)} 人，应到 {n_expected} 人，未超过半数：“会议到会人数过半”检查会把这次会议记为不合规。"]
    return []
