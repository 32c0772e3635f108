"""Writing an appraisal: creating it with its defaults, changing its settings, opening and closing it, issuing
one-time codes, casting a ballot online, and the 点评 problems with their rectification.

Every change goes through here (views, CLI and the demo call these functions), is scoped (``reports`` system:
the 党委 and the 党务 office run 述职评议) and audited — except one thing on purpose: a single online ballot is
not an audit entry (its time next to an access log would point at the voter); the count of ballots is audited
when the appraisal closes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from lvzhi.audit.actors import Actor, person
from lvzhi.audit.services import Change, log_change, log_changes, snapshot
from lvzhi.org.models import PartyOrg, PartyOrgKind, Person, Unit
from lvzhi.org.scoping import Scope

from .models import (
    DEFAULT_COMPONENTS,
    DEFAULT_POINTS,
    DEFAULT_THRESHOLDS,
    RATINGS,
    Appraisal,
    AppraisalProblem,
    AppraisalStatus,
    Ballot,
    BallotCode,
    BallotSource,
    Indicator,
    RatingGroup,
    Reportee,
    ReporteeRole,
)

SYSTEM = "reports"
OVERALL = "总体"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone
DEFAULT_GROUPS = [("党委委员", Decimal("40"), 0), ("党员代表", Decimal("40"), 0), ("职工代表", Decimal("20"), 0)]


class AppraisalError(Exception):
    """A refusal the user should read (Chinese)."""


def _check_write(scope: Scope, unit: Unit) -> None:
    if not scope.can_read(unit):
        from django.http import Http404

        raise Http404("未找到该述职评议，或您无权查看。")
    if not scope.can_write(SYSTEM, unit):
        raise PermissionDenied("您没有组织述职评议的权限。")


# --- who reports -------------------------------------------------------------------------------------------

def default_reportees(unit: Unit, day: dt.date) -> tuple[list[dict], list[str]]:
    """The unit's 党委书记 and every 党支部/党总支书记 in its subtree on ``day``; and the organisations left out
    because they have no secretary (for the organiser to fix)."""
    active = (Q(established_on__isnull=True) | Q(established_on__lte=day)) & \
             (Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))
    orgs = (PartyOrg.objects.filter(active, unit__path__startswith=unit.path)
            .select_related("unit", "secretary").order_by("unit__path", "code"))
    committees = [o for o in orgs if o.kind == PartyOrgKind.COMMITTEE]
    top = min(committees, key=lambda o: (len(o.unit.path), o.code)) if committees else None
    rows, missing = [], []
    if top is not None:
        if top.secretary_id:
            rows.append({"person": top.secretary, "party_org": top, "unit": top.unit,
                         "role": ReporteeRole.COMMITTEE_SECRETARY})
        else:
            missing.append(top.name)
    for o in orgs:
        if o.kind not in (PartyOrgKind.BRANCH, PartyOrgKind.GENERAL_BRANCH):
            continue
        if o.secretary_id:
            rows.append({"person": o.secretary, "party_org": o, "unit": o.unit, "role": ReporteeRole.BRANCH_SECRETARY})
        else:
            missing.append(o.name)
    return rows, missing


# --- the appraisal -----------------------------------------------------------------------------------------

def create_appraisal(*, unit: Unit, year: int, meeting_date: dt.date, actor: Actor, scope: Scope, title: str = "",
                     groups=None, indicators=(), reportees=None) -> Appraisal:
    """A new appraisal with the defaults (groups 党委委员/党员代表/职工代表, weights 测评 30 / 日常考核 40 / 指标 30,
    thresholds 90/80/60) and the default reportees; ``groups`` is [(name, weight, expected)]."""
    _check_write(scope, unit)
    if Appraisal.objects.filter(unit=unit, year=year).exists():
        raise AppraisalError(f"{unit.name}{year}年度的述职评议已经存在。")
    with transaction.atomic():
        a = Appraisal(unit=unit, year=year, meeting_date=meeting_date,
                      title=title or f"{unit.name}{year}年度党组织书记抓基层党建工作述职评议",
                      rating_points=dict(DEFAULT_POINTS), component_weights=dict(DEFAULT_COMPONENTS),
                      grade_thresholds=dict(DEFAULT_THRESHOLDS),
                      created_by=person(actor))
        a.full_clean()
        a.save()
        for i, (name, weight, expected) in enumerate(groups or DEFAULT_GROUPS):
            RatingGroup.objects.create(appraisal=a, name=name, weight=Decimal(str(weight)), expected=expected, order=i)
        for i, name in enumerate(indicators):
            Indicator.objects.create(appraisal=a, name=name, order=i)
        rows = reportees if reportees is not None else default_reportees(unit, meeting_date)[0]
        for i, row in enumerate(rows):
            Reportee.objects.create(appraisal=a, order=i, **row)
        log_change(actor, "create", a, after=snapshot(a), unit_id=unit.pk)
    return a


def _editable(a: Appraisal) -> None:
    if a.status != AppraisalStatus.DRAFT:
        raise AppraisalError("测评已经开始，评议组、权重、指标和述职人不能再修改。")


def update_settings(a: Appraisal, *, actor: Actor, scope: Scope, **fields) -> Appraisal:
    """Change the settings that are data: title, meeting date, turnout rule, minimum group size, points,
    component weights and grade thresholds. The scoring settings may change until the appraisal closes."""
    _check_write(scope, a.unit)
    if a.status == AppraisalStatus.CLOSED:
        raise AppraisalError("述职评议已经结束，设置不能再修改。")
    allowed = {"title", "meeting_date", "turnout_numerator", "turnout_denominator", "min_group_size",
               "rating_points", "component_weights", "grade_thresholds"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown settings {unknown}")
    with transaction.atomic():
        before = snapshot(a)
        for k, v in fields.items():
            setattr(a, k, v)
        a.full_clean()
        a.version += 1
        a.save()
        log_change(actor, "update", a, before=before, after=snapshot(a), unit_id=a.unit_id)
    return a


def set_groups(a: Appraisal, groups: list[tuple[str, Decimal, int]], *, actor: Actor, scope: Scope) -> None:
    _check_write(scope, a.unit)
    _editable(a)
    if not groups:
        raise AppraisalError("至少要有一个评议组。")
    names = [g[0] for g in groups]
    if len(set(names)) != len(names):
        raise AppraisalError("评议组名称重复。")
    with transaction.atomic():
        before = [f"{g.name}（权重{g.weight}，应到{g.expected}人）" for g in a.groups.all()]
        a.codes.all().delete()
        a.groups.all().delete()
        for i, (name, weight, expected) in enumerate(groups):
            RatingGroup.objects.create(appraisal=a, name=name, weight=Decimal(str(weight)), expected=expected, order=i)
        log_change(actor, "update", a, before={"评议组": before},
                   after={"评议组": [f"{n}（权重{w}，应到{e}人）" for n, w, e in groups]}, unit_id=a.unit_id)


def set_indicators(a: Appraisal, names: list[str], *, actor: Actor, scope: Scope) -> None:
    _check_write(scope, a.unit)
    _editable(a)
    with transaction.atomic():
        before = [i.name for i in a.indicators.all()]
        a.indicators.all().delete()
        for i, name in enumerate(names):
            Indicator.objects.create(appraisal=a, name=name, order=i)
        log_change(actor, "update", a, before={"测评指标": before}, after={"测评指标": list(names)}, unit_id=a.unit_id)


def add_reportee(a: Appraisal, person: Person, *, party_org: PartyOrg | None, role: str, actor: Actor, scope: Scope) -> Reportee:
    _check_write(scope, a.unit)
    _editable(a)
    if not scope.can_read(person.unit) or not person.unit.path.startswith(a.unit.path):
        raise AppraisalError(f"{person.name}不在{a.unit.name}的范围内。")
    with transaction.atomic():
        r = Reportee.objects.create(appraisal=a, person=person, party_org=party_org,
                                    unit=party_org.unit if party_org else person.unit, role=role,
                                    order=a.reportees.count())
        log_change(actor, "update", a, after={"增加述职人": str(r)}, unit_id=a.unit_id)
    return r


def remove_reportee(r: Reportee, *, actor: Actor, scope: Scope) -> None:
    a = r.appraisal
    _check_write(scope, a.unit)
    _editable(a)
    with transaction.atomic():
        label = str(r)
        r.delete()
        log_change(actor, "update", a, before={"删除述职人": label}, unit_id=a.unit_id)


def set_status(a: Appraisal, status: str, *, actor: Actor, scope: Scope, today: dt.date | None = None) -> Appraisal:
    """draft → open → closed (and open → draft while no ballot is in). Closing audits the count of ballots and
    deletes the unused codes."""
    _check_write(scope, a.unit)
    allowed = {(AppraisalStatus.DRAFT, AppraisalStatus.OPEN), (AppraisalStatus.OPEN, AppraisalStatus.CLOSED),
               (AppraisalStatus.OPEN, AppraisalStatus.DRAFT)}
    if (a.status, status) not in allowed:
        raise AppraisalError(f"述职评议“{a.get_status_display()}”时不能改为“{AppraisalStatus(status).label}”。")
    if status == AppraisalStatus.OPEN and not a.reportees.exists():
        raise AppraisalError("还没有述职人，不能开始测评。")
    if status == AppraisalStatus.DRAFT and a.ballots.exists():
        raise AppraisalError("已经收到选票，不能退回筹备。")
    with transaction.atomic():
        before = snapshot(a)
        a.status = status
        after_extra = {}
        if status == AppraisalStatus.CLOSED:
            a.closed_on = today or dt.date.today()
            counts = {s.label: a.ballots.filter(source=s).count() for s in BallotSource}
            after_extra = {"收回选票": counts, "作废未用测评码": a.codes.count()}
            a.codes.all().delete()
        a.version += 1
        a.save()
        log_change(actor, "update", a, before=before, after={**snapshot(a), **after_extra}, unit_id=a.unit_id)
    return a


# --- one-time codes and casting ----------------------------------------------------------------------------

def hash_code(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").upper()
    return hmac.new(settings.SECRET_KEY.encode(), f"lvzhi-ballot:{normalised}".encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def issue_codes(a: Appraisal, group: RatingGroup, count: int, *, actor: Actor, scope: Scope) -> list[str]:
    """``count`` new one-time codes for ``group``. They are returned once (for the printed list, where the
    organiser may pair them with names — names that are never stored) and kept only as hashes; nothing stored
    says who got which."""
    _check_write(scope, a.unit)
    if a.status == AppraisalStatus.CLOSED:
        raise AppraisalError("述职评议已经结束。")
    if group.appraisal_id != a.pk or count < 1 or count > 2000:
        raise AppraisalError("请填写1至2000之间的数量。")
    codes = [_new_code() for _ in range(count)]
    with transaction.atomic():
        BallotCode.objects.bulk_create([BallotCode(appraisal=a, group=group, code_hash=hash_code(c)) for c in codes])
        log_change(actor, "update", a, after={"发放测评码": f"{group.name} {count}个"}, unit_id=a.unit_id)
    return codes


def clean_marks(a: Appraisal, raw: dict) -> dict:
    """Validate {reportee id: {总体 | indicator id: rating}}; empty values are abstentions and are dropped."""
    reportees = {str(pk) for pk in a.reportees.values_list("pk", flat=True)}
    indicators = {str(pk) for pk in a.indicators.values_list("pk", flat=True)}
    out = {}
    for rid, items in raw.items():
        if str(rid) not in reportees:
            raise AppraisalError("选票中有不属于本次述职评议的述职人。")
        kept = {}
        for key, value in items.items():
            if not value:
                continue
            if key != OVERALL and str(key) not in indicators:
                raise AppraisalError("选票中有不属于本次述职评议的测评指标。")
            if value not in RATINGS:
                raise AppraisalError(f"“{value}”不是有效的评价（应为 好、较好、一般、差）。")
            kept[str(key)] = value
        if kept:
            out[str(rid)] = kept
    return out


def code_group(a: Appraisal, code: str) -> RatingGroup | None:
    row = BallotCode.objects.filter(appraisal=a, code_hash=hash_code(code)).select_related("group").first()
    return row.group if row else None


def cast_ballot(a: Appraisal, code: str, marks: dict) -> Ballot:
    """Cast an online ballot with a one-time code: the code is deleted and the ballot stored with no link to it.
    Anonymous on purpose (no actor, no audit entry of its own; see the module docstring)."""
    if a.status != AppraisalStatus.OPEN:
        raise AppraisalError("本次述职评议不在测评期间。")
    cleaned = clean_marks(a, marks)
    with transaction.atomic():
        row = (BallotCode.objects.select_for_update().filter(appraisal=a, code_hash=hash_code(code))
               .select_related("group").first())
        if row is None:
            raise AppraisalError("测评码无效或已经使用。")
        group = row.group
        row.delete()
        return Ballot.objects.create(appraisal=a, group=group, source=BallotSource.ONLINE, marks=cleaned)


# --- 点评 problems and their rectification -------------------------------------------------------------------

PROBLEM_FIELDS = ("description", "category", "owner", "measures", "date", "deadline", "status", "completed_on",
                  "evidence")


def add_problem(r: Reportee, *, actor: Actor, scope: Scope, **data) -> AppraisalProblem:
    a = r.appraisal
    _check_write(scope, a.unit)
    owner = data.get("owner")
    if owner is not None and not scope.can_read(owner.unit):
        raise AppraisalError("整改责任人不在您的范围内。")
    data.setdefault("date", a.meeting_date)
    with transaction.atomic():
        p = AppraisalProblem(reportee=r, unit=r.unit, **data)
        p.full_clean()
        p.save()
        log_change(actor, "create", p, after=snapshot(p), unit_id=p.unit_id)
    return p


def update_problem(p: AppraisalProblem, *, actor: Actor, scope: Scope, expected_version: int | None = None,
                   **data) -> AppraisalProblem:
    _check_write(scope, p.unit)
    unknown = set(data) - set(PROBLEM_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    with transaction.atomic():
        fresh = AppraisalProblem.objects.select_for_update().get(pk=p.pk)
        if expected_version is not None and fresh.version != expected_version:
            raise AppraisalError("该整改事项已被他人修改，请刷新后再保存。")
        before = snapshot(fresh)
        for k, v in data.items():
            setattr(fresh, k, v)
        fresh.full_clean()
        fresh.version += 1
        fresh.save()
        log_change(actor, "update", fresh, before=before, after=snapshot(fresh), unit_id=fresh.unit_id)
    return fresh


def log_bulk(actor: Actor, changes: list[Change]) -> None:
    log_changes(actor, changes)
