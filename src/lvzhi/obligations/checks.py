"""Event checks: each event record (a 党委会, a 三重一大 matter, an appointment, a rectification, a meeting) is
judged on its own, plus the periodic branch-structure check. Each check reads its events and the records that
satisfy them in one or two queries for the whole subtree, and joins them in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import F, Min, Q

from lvzhi.cadres.models import Appointment
from lvzhi.governance.models import MajorMatter, PreReviewRule
from lvzhi.integrity.models import IntegrityTalk, Rectification
from lvzhi.org.models import PartyOrg, Unit
from lvzhi.partybuilding.models import (
    ActivityKind,
    BranchActivity,
    CommitteeMeeting,
    StudySession,
)
from lvzhi.records import registry

from .engine import (
    DONE,
    LATE,
    NA,
    Cell,
    Context,
    GroupConcat,
    _overridden,
    judge,
    parse_ids,
)
from .models import ObligationRule
from .periods import event_period, periods_between
from .subjects import Subject, party_orgs

DAY = dt.timedelta(days=1)


def _in_range(prefix: str, path: str, date_field: str, ctx: Context) -> Q:
    q = Q(**{f"{prefix}path__startswith": path, f"{date_field}__gte": ctx.start, f"{date_field}__lte": ctx.end})
    return q if ctx.focus is None else q & Q(pk__in=list(ctx.focus.event_pks))  # some events only (stored upkeep)


def _event_subject(record_type: str, pk: int, label: str, unit_id: int, unit_path: str) -> Subject:
    return Subject("event", pk, label, unit_id, unit_path, {"pk": pk, "unit": unit_id}, record_type=record_type)


def _applies(rule: ObligationRule, subject: Subject, period, deeper) -> bool:
    """The version judges this event (in force on its date, not overridden) — whether tracked is decided apart."""
    return rule.in_force_on(period.end) and not (deeper and _overridden(subject, period, deeper))


def _satisfier(rule: ObligationRule, default):
    """The model whose records satisfy the rule (its record type; the usual one when the rule names none)."""
    return registry.get(rule.record_type).model if rule.record_type else default


def _event_cell(rule, ctx, subject, period, ok: bool, ids, detail: str, record_type: str, deadline: dt.date,
                dated: dt.date | None = None) -> Cell:
    """``deadline``: the last day the obligation can be met on time (grace days are added by ``judge``);
    ``dated``: the day of the event judged (default: the period's) — after the as-of date it has not happened yet."""
    if not ctx.units.covers(subject.unit_id, period):
        return Cell(rule, subject, period, NA, detail="不在检查范围内", record_type=record_type)
    if (dated or period.start) > ctx.as_of:  # whatever the record says, it has not happened yet
        ok, ids, detail = False, (), f"{period.label}尚未到来（检查日期{ctx.as_of:%Y-%m-%d}），暂不计为已完成"
    state, due = judge(1 if ok else 0, 1, deadline, rule, ctx.as_of)
    return Cell(rule, subject, period, state, int(ok), 1, tuple(ids), detail, due, record_type)


# --- 党委会须有第一议题 ----------------------------------------------------------------------------------

def first_agenda(rule: ObligationRule, ctx: Context, path: str, deeper) -> list[Cell]:
    meeting_qs = CommitteeMeeting.objects.filter(_in_range("unit__", path, "date", ctx)).filter(**rule.subject_conditions)
    link = rule.link_pairs[0][0] if rule.link else "meeting"
    studies: dict[int, list[int]] = {}
    for meeting_id, pk in (_satisfier(rule, StudySession)._default_manager.filter(**rule.record_conditions)
                           .filter(**{f"{link}__in": meeting_qs.order_by().values("pk"), "date__lte": ctx.as_of})
                           .values_list(link, "pk")):
        studies.setdefault(meeting_id, []).append(pk)
    meetings = meeting_qs.order_by("date", "pk").values("pk", "number", "title", "date", "unit_id", "unit__path")
    cells = []
    for m in meetings.iterator(chunk_size=5000):  # no result cache of every event (here and below)
        s = _event_subject("committee_meeting", m["pk"], f"{m['title']}（{m['number']}）", m["unit_id"], m["unit__path"])
        p = event_period(m["date"])
        if not _applies(rule, s, p, deeper):
            continue
        ids = studies.get(m["pk"], [])
        detail = f"{p.label}党委会有第一议题学习" if ids else f"{p.label}召开的党委会没有第一议题学习记录"
        cells.append(_event_cell(rule, ctx, s, p, bool(ids), ids, detail, "study_session", m["date"]))
    return cells


# --- 三重一大事项须先经党委前置研究 ------------------------------------------------------------------

def pre_review(rule: ObligationRule, ctx: Context, path: str, deeper) -> list[Cell]:
    steplen = Unit.steplen
    ancestors = [ctx.root.path[:i] for i in range(steplen, len(ctx.root.path) + 1, steplen)]
    lists = list(PreReviewRule.objects.select_related("unit")
                 .filter(Q(unit__path__in=ancestors) | Q(unit__path__startswith=ctx.root.path)))
    by_type: dict[tuple[str, str], list[PreReviewRule]] = {}
    for r in lists:
        by_type.setdefault((r.category, r.matter_type), []).append(r)
    reviews = Q(pre_reviews__date__lte=ctx.as_of, **{f"pre_reviews__{k}": v for k, v in rule.record_conditions.items()})
    matters = (MajorMatter.objects.filter(_in_range("unit__", path, "date", ctx)).filter(**rule.subject_conditions)
               .select_related("unit").order_by("date", "pk")
               .annotate(earlier=GroupConcat("pre_reviews__pk", distinct=True,
                                             filter=reviews & Q(pre_reviews__date__lt=F("date"))),
                         first_review=Min("pre_reviews__date", filter=reviews)))
    cells = []
    for m in matters.iterator(chunk_size=2000):
        candidates = by_type.get((m.category, m.matter_type), [])
        catching = next((r for r in candidates if m.unit.path.startswith(r.unit.path) and r.catches(m)), None)
        if catching is None:
            continue  # not on the pre-review list: no obligation
        s = _event_subject("major_matter", m.pk, f"{m.number} {m.title}", m.unit_id, m.unit.path)
        p = event_period(m.date)
        if not _applies(rule, s, p, deeper):
            continue
        first = m.first_review
        ok = first is not None and first < m.date
        ids = parse_ids(m.earlier)
        if ok:
            detail = f"{m.date:%Y-%m-%d}决策前已于{first:%Y-%m-%d}经党委前置研究（清单“{catching}”）"
        elif first is not None:
            detail = (f"属于前置研究讨论事项清单“{catching}”，但党委前置研究（{first:%Y-%m-%d}）"
                      f"晚于决策日期（{m.date:%Y-%m-%d}）")
        else:
            detail = f"属于前置研究讨论事项清单“{catching}”，但没有党委前置研究讨论记录（决策日期{m.date:%Y-%m-%d}）"
        cells.append(_event_cell(rule, ctx, s, p, ok, ids, detail, "pre_review", m.date - DAY))
    return cells


# --- 任职前须有任前廉政谈话 ------------------------------------------------------------------------------

def pre_appointment_talk(rule: ObligationRule, ctx: Context, path: str, deeper) -> list[Cell]:
    window = dt.timedelta(days=int(rule.parameters.get("window_days", 180)))
    appointments = (Appointment.objects.filter(_in_range("unit__", path, "date", ctx)).filter(**rule.subject_conditions)
                    .order_by("date", "pk")
                    .values("pk", "person_id", "person__name", "person__code", "post", "date", "unit_id", "unit__path"))
    link = rule.link_pairs[0][0] if rule.link else "people"
    talks: dict[int, list[tuple[dt.date, int]]] = {}
    for person_id, day, pk in (_satisfier(rule, IntegrityTalk)._default_manager.filter(**rule.record_conditions)
                               .filter(**{f"{link}__in": Appointment.objects
                                          .filter(_in_range("unit__", path, "date", ctx)).values("person_id")})
                               .filter(date__gte=ctx.start - window, date__lte=ctx.as_of)
                               .values_list(link, "date", "pk")):
        talks.setdefault(person_id, []).append((day, pk))
    cells = []
    for a in appointments.iterator(chunk_size=5000):
        s = _event_subject("appointment", a["pk"], f"{a['person__name']}（{a['person__code']}）任{a['post']}",
                           a["unit_id"], a["unit__path"])
        p = event_period(a["date"])
        if not _applies(rule, s, p, deeper):
            continue
        mine = sorted(talks.get(a["person_id"], []))
        before = [pk for day, pk in mine if a["date"] - window <= day <= a["date"]]
        after = [day for day, _ in mine if day > a["date"]]
        if before:
            detail = f"任职日期{a['date']:%Y-%m-%d}前已进行任前廉政谈话"
        elif after:
            detail = f"任前廉政谈话（{after[0]:%Y-%m-%d}）晚于任职日期（{a['date']:%Y-%m-%d}）"
        else:
            detail = f"任职日期{a['date']:%Y-%m-%d}前没有任前（或任职前集体）廉政谈话记录"
        cells.append(_event_cell(rule, ctx, s, p, bool(before), before, detail, "integrity_talk", a["date"]))
    return cells


# --- 整改须在时限内完成 --------------------------------------------------------------------------------

def rectification(rule: ObligationRule, ctx: Context, path: str, deeper) -> list[Cell]:
    """Rectifications due in the range, and older ones still open when it starts (they stay a problem).
    ``source=appraisal`` in the rule's parameters judges the 述职评议 problems instead (lvzhi.appraisal)."""
    if rule.parameters.get("source") == "appraisal":
        from lvzhi.appraisal.checks import problem_cells

        return problem_cells(rule, ctx, path, deeper)
    carried = Q(deadline__lt=ctx.start) & (Q(completed_on__isnull=True) | Q(completed_on__gte=ctx.start)
                                           | ~Q(status__in=["done", "verified"]))
    rows = (Rectification.objects.filter(unit__path__startswith=path, date__lte=ctx.end)
            .filter(Q(deadline__gte=ctx.start, deadline__lte=ctx.end) | carried).filter(**rule.subject_conditions)
            .filter(**({} if ctx.focus is None else {"pk__in": list(ctx.focus.event_pks)}))
            .order_by("deadline", "pk")
            .values("pk", "deadline", "status", "completed_on", "finding__description", "finding__person_id",
                    "owner__name", "unit_id", "unit__path"))
    cells = []
    for r in rows.iterator(chunk_size=5000):
        confidential = r["finding__person_id"] is not None and not _sees(ctx, r["unit__path"])
        label = "（保密）涉及具体人员的问题整改" if confidential else f"整改：{r['finding__description']}"
        s = _event_subject("rectification", r["pk"], label, r["unit_id"], r["unit__path"])
        p = event_period(r["deadline"])
        if not _applies(rule, s, p, deeper):
            continue
        done_on = r["completed_on"] if r["status"] != "open" and r["completed_on"] and r["completed_on"] <= ctx.as_of \
            else None
        due = r["deadline"] + dt.timedelta(days=rule.grace_days)
        if done_on is not None and done_on <= due:
            ok, detail = True, f"整改时限{r['deadline']:%Y-%m-%d}，已于{done_on:%Y-%m-%d}完成"
        elif done_on is not None:
            ok, detail = False, f"整改时限{r['deadline']:%Y-%m-%d}，逾期至{done_on:%Y-%m-%d}才完成"
        else:
            owner = f"（责任人：{r['owner__name']}）" if r["owner__name"] and not confidential else ""
            ok, detail = False, f"整改时限{r['deadline']:%Y-%m-%d}，尚未完成{owner}"
        cells.append(_event_cell(rule, ctx, s, p, ok, [r["pk"]] if ok else [], detail, "rectification", r["deadline"]))
    return cells


def _sees(ctx: Context, unit_path: str) -> bool:
    return any(unit_path.startswith(p) for p in ctx.scope.confidential_paths)


# --- 会议须过半数到会 ------------------------------------------------------------------------------------

def quorum(rule: ObligationRule, ctx: Context, path: str, deeper, rosters=None) -> list[Cell]:
    """More than half of those expected attend — judged against the roster *of the meeting's day*:
    支部委员会 — the committee members holding their seat that day; 党员大会 — the members with a vote that day
    (正式党员; 预备党员 have no vote); other meetings — all members that day. A number typed on the record
    (应到人数) wins; recorded attendance (``Attendance``) counts those marked present, otherwise the attendee list.

    A fixed number of queries for the whole subtree (meetings, attendance, rosters), joined here. ``ctx.within``:
    the meetings of one chunk only (``chunked.judged_in_chunks``), judged against ``rosters`` built once for all chunks.
    """
    from lvzhi.membership.attendance import present_count

    acts = BranchActivity.objects.filter(_in_range("unit__", path, "date", ctx)).filter(**rule.subject_conditions)
    if ctx.within is not None:
        acts = acts.filter(ctx.within)
    # Tuples, not dicts: 320,000 meetings at the central scale. Each with the people present (one statement).
    rows = list(acts.annotate(present=present_count()).order_by("date", "pk")
                .values_list("pk", "kind", "title", "date", "expected_count", "party_org_id", "party_org__name",
                             "unit_id", "unit__path", "present"))
    if rosters is None:
        if not rows:
            shared_rosters(ctx, path, None)
            return []
        rosters = shared_rosters(ctx, path, {r[5] for r in rows})
    if not rows:
        return []
    kinds = dict(ActivityKind.choices)
    # What depends on the day only (its period, whether the version is in force, the state of a met and of a missed
    # quorum) and on the unit (the days it is tracked), worked out once each, not once per meeting (320,000 at the
    # central scale); a meeting's roster is still that of its own day.
    days: dict[dt.date, tuple] = {}
    tracked: dict[int, tuple[dt.date, dt.date] | None] = {}  # unit → first and last day tracked and alive
    committee, general = ActivityKind.COMMITTEE_MEETING, ActivityKind.GENERAL_MEETING
    count, seats, as_of, unit_days = rosters.count, rosters.committee_count, ctx.as_of, ctx.units.days
    cells = []
    append = cells.append
    for pk, kind, title, day, typed, org_id, org_name, unit_id, unit_path, n in rows:
        known = days.get(day)
        if known is None:
            p = event_period(day)
            known = days[day] = (p, rule.in_force_on(p.end), judge(1, 1, day, rule, as_of),
                                 judge(0, 1, day, rule, as_of), day > as_of)
        p, in_force, met, missed, future = known
        if not in_force:
            continue
        s = Subject("event", pk, f"{org_name}{kinds.get(kind, '')}（{title}）", unit_id, unit_path,
                    {"pk": pk, "unit": unit_id}, record_type="branch_activity")  # _event_subject
        if deeper and _overridden(s, p, deeper):
            continue
        if typed:  # expected_on_day, with the committee counted by bisection
            expected, basis = typed, "记录填写的应到人数"
        elif kind == committee:
            expected, basis = seats(org_id, day), "当日支部委员"
        elif kind == general:
            expected, basis = count(org_id, day, voting=True), "当日有表决权的正式党员"
        else:
            expected, basis = count(org_id, day), "当日党员"
        if not expected:
            append(Cell(rule, s, p, NA, detail=f"{p.label}{basis}为0人，无法判断到会人数", record_type="branch_activity"))
            continue
        alive = tracked.get(unit_id, False)
        if alive is False:
            alive = tracked[unit_id] = unit_days(unit_id)
        if alive is None or not alive[0] <= day <= alive[1]:  # _event_cell's order: out of range first, then not yet happened
            append(Cell(rule, s, p, NA, detail="不在检查范围内", record_type="branch_activity"))
            continue
        if future:
            detail = f"{p.label}尚未到来（检查日期{as_of:%Y-%m-%d}），暂不计为已完成"
            state, due = missed
            append(Cell(rule, s, p, state, 0, 1, (), detail, due, "branch_activity"))
            continue
        ok = n * 2 > expected
        detail = f"{p.label}实到{n}人，应到{expected}人（{basis}）" + ("" if ok else "，未超过半数")
        state, due = met if ok else missed
        append(Cell(rule, s, p, state, int(ok), 1, (pk,), detail, due, "branch_activity"))
    return cells


def expected_on_day(rosters, org_id: int, kind: str, day: dt.date, typed: int | None) -> tuple[int, str]:
    """How many should attend a meeting of ``kind`` on ``day``, and on what basis (a Chinese phrase)."""
    if typed:
        return typed, "记录填写的应到人数"
    if kind == ActivityKind.COMMITTEE_MEETING:
        return rosters.committee_count(org_id, day), "当日支部委员"
    if kind == ActivityKind.GENERAL_MEETING:
        return rosters.count(org_id, day, voting=True), "当日有表决权的正式党员"
    return rosters.count(org_id, day), "当日党员"


def shared_rosters(ctx: Context, path: str, org_ids, *, whole: bool = False):
    """The Rosters of ``org_ids`` (None: none wanted, only this check's use released; ``whole``: every Party
    organisation of the subtree), shared by the roster checks of a stream (``engine.ROSTER_CHECKS``, counted per
    path in ``ctx.uses``): when another of them follows, it is built over every Party organisation of the subtree
    and kept for it, then forgotten after the last. An organisation's roster does not depend on which others are
    read with it (each person's stints are computed whole), so the shared one answers as a Rosters of ``org_ids``
    alone would. Counts only (``Rosters(counts_only=True)``): these checks ask how many, never who."""
    from lvzhi.membership.selectors import Rosters

    key = ("rosters", path)
    left = ctx.uses[key] = ctx.uses[key] - 1
    # The days these checks ask about: meetings of the range (quorum), a period's last day or the as-of date
    # when earlier (branch structure).
    within = (min(ctx.start, ctx.as_of), max(ctx.end, ctx.as_of))
    found = ctx.selected.pop(key, None)
    wanted = set(org_ids or ())
    if found is None or not wanted <= found.org_ids:
        if org_ids is None and not whole and (left <= 0 or ctx.focus is not None):
            return None
        if whole or (left > 0 and ctx.focus is None):  # a later roster check of this stream reads the same subtree
            # The subtree as a subquery, not its 20,000 ids as parameters (central scale).
            found = Rosters(selecting=PartyOrg.objects.filter(unit__path__startswith=path), counts_only=True,
                            within=within)
            if not wanted <= found.org_ids:  # an organisation outside the subtree (not in the generated data)
                found = Rosters(wanted | found.org_ids, counts_only=True, within=within)
        else:
            found = Rosters(wanted, counts_only=True, within=within)
    if left > 0:
        ctx.selected[key] = found
    return found


# --- 党支部设置 --------------------------------------------------------------------------------------------

def branch_structure(rule: ObligationRule, ctx: Context, path: str, deeper) -> list[Cell]:
    """Enough full members, a committee from 7, not too many members — on the roster of the period's last day
    (or the as-of date when earlier)."""
    params = rule.parameters
    min_full, committee_from, max_members = (int(params.get("min_full_members", 3)),
                                             int(params.get("committee_from", 7)), int(params.get("max_members", 50)))
    _, subjects = party_orgs(path, rule.subject_conditions)
    rosters = shared_rosters(ctx, path, {s.pk for s in subjects})
    periods = [p for p in periods_between(rule.cadence, ctx.start, ctx.end) if rule.in_force_on(p.end)]
    cells = []
    for s in subjects:
        for p in periods:
            if deeper and _overridden(s, p, deeper):
                continue
            if not (s.covers(p) and ctx.units.covers(s.unit_id, p)):
                cells.append(Cell(rule, s, p, NA, detail=f"{p.label}不在检查范围内"))
                continue
            day = min(p.end, ctx.as_of)
            full, total = rosters.count(s.pk, day, voting=True), rosters.count(s.pk, day)
            committee = rosters.committee_count(s.pk, day)
            problems = []
            if full < min_full:
                problems.append(f"正式党员{full}人，不足{min_full}人")
            if full >= committee_from and not committee:
                problems.append(f"正式党员{full}人，应设支部委员会")
            if total > max_members:
                problems.append(f"党员{total}人，超过{max_members}人")
            state = LATE if problems else DONE
            head = f"{day:%Y-%m-%d}："
            detail = head + ("；".join(problems) if problems else f"正式党员{full}人，党员{total}人，设置符合规定")
            cells.append(Cell(rule, s, p, state, 0 if problems else 1, 1, (), detail, p.end))
    return cells


def development(rule: ObligationRule, ctx: Context, path: str, deeper) -> list[Cell]:
    from lvzhi.membership.checks import development as check

    return check(rule, ctx, path, deeper)


def term(rule: ObligationRule, ctx: Context, path: str, deeper) -> list[Cell]:
    from lvzhi.membership.terms import term as check

    return check(rule, ctx, path, deeper)


def dues(rule: ObligationRule, ctx: Context, path: str, deeper) -> list[Cell]:
    from lvzhi.membership.dues_check import dues as check

    return check(rule, ctx, path, deeper)


def training_hours(rule: ObligationRule, ctx: Context, path: str, deeper) -> list[Cell]:
    from lvzhi.membership.training import training_hours as check

    return check(rule, ctx, path, deeper)


CHECKS: dict[str, Callable[..., list[Cell]]] = {
    "training_hours": training_hours,
    "development": development,
    "term": term,
    "dues": dues,
    "first_agenda": first_agenda,
    "pre_review": pre_review,
    "pre_appointment_talk": pre_appointment_talk,
    "rectification": rectification,
    "quorum": quorum,
    "branch_structure": branch_structure,
}
