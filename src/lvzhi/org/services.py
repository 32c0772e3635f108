"""Writes on the unit tree that the generic record services cannot express: adding and moving nodes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from lvzhi.audit.actors import Actor
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, log_changes
from lvzhi.org.scoping import Scope

from .models import Unit


def unit_create(data: dict, *, actor: Actor, scope: Scope) -> Unit:
    """Add a unit under ``data['parent']`` (or as a new root, administrators only). Runs in the caller's transaction."""
    data = dict(data)
    parent = data.pop("parent", None)
    if parent is None:
        if not scope.is_admin:
            raise PermissionDenied("只有系统管理员可以新建顶级单位。")
    elif not scope.can_write("org", parent):
        raise PermissionDenied(f"您没有在“{parent.name}”下新建单位的权限。")
    node = Unit(**data)
    node.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return Unit.objects.add_root(instance=node)
    return Unit.objects.add_child(parent, instance=node)


def unit_move(unit: Unit, new_parent: Unit, *, actor: Actor, scope: Scope) -> Unit:
    """Move a unit and its whole subtree under ``new_parent``. Records follow, since they point at unit ids."""
    if not (scope.can_write("org", unit) and scope.can_write("org", new_parent)):
        raise PermissionDenied("移动单位需要对原位置和新位置都有组织管理权限。")
    if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
        raise ValidationError(f"不能把“{unit.name}”移动到它自己或它的下级单位之下。")
    with transaction.atomic():
        before = {"parent": getattr(unit.parent_unit, "pk", None), "path": unit.path}
        Unit.objects.move(unit, new_parent, "sorted-child")
        unit.refresh_from_db()
        after = {"parent": new_parent.pk, "path": unit.path}
        log_changes(actor, [Change(AuditAction.MOVE, unit, before=before, after=after, unit_id=unit.pk)])
    return unit


def grant_admin_role(user, unit: Unit, *, actor: Actor) -> bool:
    """Give an account the system administrator's role on a unit (its whole subtree); False if it had it already.
    The administrator is not a confidential role, so no second approval is needed."""
    from .models import Role, RoleAssignment

    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=Role.ADMIN)
        if created:
            log_changes(actor, [Change(AuditAction.CREATE, assignment, unit_id=unit.pk,
                                       after={"user": user.get_username(), "unit": unit.code, "role": Role.ADMIN})])
    return created
