"""Four eyes for confidential access: a confidential role (党委书记, 纪委书记/纪检干事) is granted only when a second,
authorised person approves a request for it.

- Who may request: a 系统管理员 whose scope covers the unit (or the operator at the command line).
- Who may approve: someone who already sees the unit's confidential records (a 党委书记 or 纪委 role on the unit or
  above it) and is neither the requester nor the account to be granted. The superuser is not such a person by
  being superuser: a new account it creates has no confidential role, so it cannot approve either.
- The first grant of an installation, when nobody may approve yet, is approved at the command line by the
  operator (``lvzhi roles approve``), and only then.
Every request, approval and refusal is in the audit trail. ``RoleAssignment.save`` refuses a confidential role
made any other way, so the admin, a form or a script cannot go around this module.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lvzhi.audit.actors import COMMAND_LINE, Actor, name_of, person
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, log_changes, snapshot

from .models import Role, RoleAssignment, RoleRequest, RoleRequestStatus, Unit, User
from .scoping import CONFIDENTIAL_ROLES, Scope


def _log(actor: Actor, action: str, obj: RoleRequest | RoleAssignment, **kw) -> None:
    log_changes(actor, [Change(action, obj, after=snapshot(obj), unit_id=obj.unit_id, **kw)])


def request_role(*, user: User, unit: Unit, role: str, reason: str, actor: Actor, scope: Scope) -> RoleRequest:
    if role not in CONFIDENTIAL_ROLES:
        raise ValidationError({"role": "只有保密角色（党委书记、纪委书记/纪检干事）需要申请；其他角色由系统管理员直接授予。"})
    if not (scope.is_admin and scope.can_read(unit)):
        raise PermissionDenied("只有负责该单位的系统管理员可以申请授予保密角色。")
    if not user.is_active:
        raise ValidationError({"user": f"账号“{user.get_username()}”已停用。"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请写明授予的理由（如任职文件）。"})
    if RoleAssignment.objects.filter(user=user, unit=unit, role=role).exists():
        raise ValidationError(f"“{user.get_username()}”已在{unit.name}拥有{Role(role).label}角色。")
    with transaction.atomic():
        if RoleRequest.objects.filter(user=user, unit=unit, role=role, status=RoleRequestStatus.PENDING).exists():
            raise ValidationError("同一账号、单位和角色已有待批准的申请。")
        req = RoleRequest.objects.create(
            user=user, unit=unit, role=role, reason=reason.strip()[:300], requested_by=person(actor),
            requested_by_name=name_of(actor), requested_at=timezone.now())
        _log(actor, AuditAction.CREATE, req)
    return req


def approvers(unit: Unit) -> "list[User]":
    """Accounts that see the unit's confidential records: a confidential role on the unit or above it."""
    above = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return list(User.objects.filter(is_active=True, roles__role__in=CONFIDENTIAL_ROLES, roles__unit__path__in=above)
                .distinct().order_by("username"))


def may_approve(req: RoleRequest, actor: Actor, scope: Scope) -> str:
    """'' when ``actor`` may approve or refuse ``req``; otherwise why not (Chinese)."""
    if req.status != RoleRequestStatus.PENDING:
        return "该申请已处理。"
    user = person(actor)
    if user is None:  # the command line
        if approvers(req.unit):
            names = "、".join(u.display_name for u in approvers(req.unit)[:3])
            return f"已有可以审批的人员（{names}），请由其在网页上批准；命令行只用于尚无审批人时的首次授权。"
        return ""
    if req.requested_by_id == user.pk:
        return "不能批准自己提出的申请：须由第二个人批准。"
    if req.user_id == user.pk:
        return "不能批准授予自己的角色。"
    if not scope.sees_confidential(req.unit):
        return f"只有能查看{req.unit.name}保密记录的党委书记或纪委人员可以批准。"
    return ""


def _decide(req: RoleRequest, actor: Actor, scope: Scope, status: str, note: str) -> RoleRequest:
    user = person(actor)
    with transaction.atomic():
        req = RoleRequest.objects.select_for_update().get(pk=req.pk)
        why = may_approve(req, actor, scope)
        if why and not (status == RoleRequestStatus.REJECTED and user is not None
                        and req.requested_by_id == user.pk and req.status == RoleRequestStatus.PENDING):
            raise PermissionDenied(why)  # the requester may withdraw their own request, not approve it
        req.status, req.decided_by, req.decided_by_name = status, user, name_of(actor)
        req.decided_at, req.decision_note = timezone.now(), (note or "").strip()[:300]
        req.save()
        _log(actor, AuditAction.UPDATE, req)
        if status == RoleRequestStatus.APPROVED:
            grant = RoleAssignment(user=req.user, unit=req.unit, role=req.role)
            grant._approved_request = req
            grant.save()
            _log(actor, AuditAction.CREATE, grant)
    return req


def approve(req: RoleRequest, *, actor: Actor, scope: Scope, note: str = "") -> RoleRequest:
    return _decide(req, actor, scope, RoleRequestStatus.APPROVED, note)


def reject(req: RoleRequest, *, actor: Actor, scope: Scope, note: str = "") -> RoleRequest:
    return _decide(req, actor, scope, RoleRequestStatus.REJECTED, note)


def visible_requests(scope: Scope):
    """Requests about units the user may read: administrators (who request) and approvers (who decide)."""
    if not (scope.is_admin or scope.confidential_paths):
        return RoleRequest.objects.none()
    return scope.filter(RoleRequest.objects.select_related("user", "unit"), "unit")


def awaiting(scope: Scope, user) -> list[RoleRequest]:
    """Pending requests this user may approve."""
    pending = visible_requests(scope).filter(status=RoleRequestStatus.PENDING)
    return [r for r in pending if not may_approve(r, user, scope)]


def grant_seed_role(user: User, unit: Unit, role: str, *, actor: Actor = COMMAND_LINE,
                    requester: User | None = None) -> RoleAssignment:
    """A role given by whoever loads an installation (the demo, a scale data set): a confidential one still goes
    through a request that the operator approves — the first grants have nobody else to approve them — so the
    trail reads like any other grant. Runs in the caller's transaction."""
    if role not in CONFIDENTIAL_ROLES:
        grant = RoleAssignment.objects.create(user=user, unit=unit, role=role)
        log_changes(actor, [Change(AuditAction.CREATE, grant, after=snapshot(grant), unit_id=unit.pk)])
        return grant
    from .scoping import scope_for

    everything = Scope.everything(name_of(actor))
    req = request_role(user=user, unit=unit, role=role, reason="初始化数据时授予", actor=requester or actor,
                       scope=scope_for(requester) if requester else everything)
    others = [u for u in approvers(unit) if u.pk not in (user.pk, getattr(requester, "pk", None))]
    if others:
        approve(req, actor=others[0], scope=scope_for(others[0]), note="初始化数据时批准")
    else:
        approve(req, actor=actor, scope=everything, note="首次授权，尚无审批人")
    return RoleAssignment.objects.get(user=user, unit=unit, role=role)


def revoke(grant: RoleAssignment, *, actor: Actor, scope: Scope) -> None:
    """Taking a role away needs no second person: it only narrows what someone sees."""
    if not (scope.is_admin and scope.can_read(grant.unit)):
        raise PermissionDenied("只有负责该单位的系统管理员可以撤销角色。")
    with transaction.atomic():
        log_changes(actor, [Change(AuditAction.DELETE, grant, before=snapshot(grant), unit_id=grant.unit_id)])
        grant.delete()


__all__ = ["approve", "approvers", "awaiting", "grant_seed_role", "may_approve", "reject", "request_role", "revoke",
           "visible_requests"]
