"""Create, update and delete any registered record: scope checks, validation, one transaction, audit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction

from lvzhi.audit.actors import Actor, person
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, log_changes, snapshot
from lvzhi.org.scoping import Scope

from .models import DerivedFields
from .numbering import assign_numbers
from .registry import RecordType


class ConcurrentEditError(Exception):
    """The record changed since the user loaded it."""


def _unit_id(rt: RecordType, obj) -> int | None:
    unit = rt.unit_of(obj)
    return unit.pk if unit is not None else None


def _touch(rt: RecordType, obj) -> None:
    """The stored check results this record takes part in are recomputed after commit (obligations.marks)."""
    from lvzhi.obligations.marks import touch

    touch(rt, [obj])


def check_write(rt: RecordType, scope: Scope, obj) -> None:
    unit = rt.unit_of(obj)
    if unit is None:
        if not scope.is_admin:
            raise PermissionDenied("该记录未指定所属单位，只有系统管理员可以修改。")
        return
    if not scope.can_write(rt.system, unit):
        raise PermissionDenied(f"您没有在“{unit.name}”修改{rt.verbose_name}的权限。")


def check_references(rt: RecordType, scope: Scope, obj, m2m: dict) -> None:
    """Every unit, person or record the new values point at must be readable by the user."""
    from . import selectors

    errors: dict[str, str] = {}
    for f in rt.model._meta.concrete_fields:
        if not f.is_relation or f.name == "created_by":
            continue
        target_id = getattr(obj, f.attname)
        if target_id is None:
            continue
        if not selectors.readable(scope, f.related_model).filter(pk=target_id).exists():
            errors[f.name] = f"「{f.verbose_name}」不存在或您无权访问。"
    for name, values in m2m.items():
        f = rt.model_field(name)
        ids = {v.pk if isinstance(v, models.Model) else v for v in values}
        if ids and selectors.readable(scope, f.related_model).filter(pk__in=ids).count() != len(ids):
            errors[name] = f"「{f.verbose_name}」中有人员或记录不存在或您无权访问。"
    if errors:
        raise ValidationError(errors)


def fill_derived(obj) -> None:
    """Let a record fill what follows from its parent (its unit from its Party org, meeting, inspection …)."""
    if isinstance(obj, DerivedFields):
        obj.fill_derived()


def _split_m2m(rt: RecordType, data: dict) -> tuple[dict, dict]:
    m2m_names = {f.name for f in rt.model._meta.many_to_many}
    plain = {k: v for k, v in data.items() if k not in m2m_names}
    m2m = {k: v for k, v in data.items() if k in m2m_names}
    return plain, m2m


def _save_new(rt: RecordType, obj, *, numbered: bool) -> None:
    """Validate and insert; a system-assigned number taken meanwhile by a concurrent writer is drawn again."""
    for attempt in range(3):
        if numbered:
            obj.number = ""
            assign_numbers(rt.model, [obj])
        obj.full_clean()
        try:
            with transaction.atomic():
                obj.save()
            return
        except IntegrityError:
            if not numbered or attempt == 2:
                raise


def create_record(rt: RecordType, data: dict, *, actor: Actor, scope: Scope):
    plain, m2m = _split_m2m(rt, data)
    with transaction.atomic():
        if rt.create_func is not None:
            obj = rt.create_func(plain, actor=actor, scope=scope)
        else:
            obj = rt.model(**plain)
            if hasattr(obj, "created_by_id") and person(actor) is not None:
                obj.created_by = person(actor)
            fill_derived(obj)
            check_write(rt, scope, obj)
            check_references(rt, scope, obj, m2m)
            _save_new(rt, obj, numbered=bool(rt.number_prefix) and not plain.get("number"))
        for name, values in m2m.items():
            getattr(obj, name).set(values)
        _touch(rt, obj)
        log_changes(actor, [Change(AuditAction.CREATE, obj, after=snapshot(obj), unit_id=_unit_id(rt, obj),
                                   confidential=rt.is_confidential(obj))])
    return obj


def update_record(rt: RecordType, obj, data: dict, *, actor: Actor, scope: Scope, expected_version: int | None = None):
    plain, m2m = _split_m2m(rt, data)
    with transaction.atomic():
        current = rt.model._default_manager.select_for_update().get(pk=obj.pk)
        version = expected_version if expected_version is not None else obj.version
        if current.version != version:
            raise ConcurrentEditError(
                f"该{rt.verbose_name}已被他人修改（您编辑的是第 {version} 版，当前是第 {current.version} 版），"
                "为避免覆盖他人的修改，本次保存未生效。请刷新页面后重新编辑。"
            )
        check_write(rt, scope, current)  # may the user touch it where it is now …
        before = snapshot(current)
        _touch(rt, current)  # where it was: its old unit, date and links
        was_confidential = rt.is_confidential(current)
        for name, value in plain.items():
            setattr(current, name, value)
        fill_derived(current)
        check_write(rt, scope, current)  # … and where it would end up
        check_references(rt, scope, current, m2m)
        current.full_clean()
        current.version = version + 1
        current.save()
        for name, values in m2m.items():
            getattr(current, name).set(values)
        _touch(rt, current)
        after = snapshot(current)
        changed_before = {k: v for k, v in before.items() if after.get(k) != v and k not in ("version", "updated_at")}
        changed_after = {k: after[k] for k in changed_before}
        log_changes(actor, [Change(AuditAction.UPDATE, current, before=changed_before, after=changed_after,
                                   unit_id=_unit_id(rt, current),
                                   confidential=was_confidential or rt.is_confidential(current))])
    return current


def delete_record(rt: RecordType, obj, *, actor: Actor, scope: Scope) -> None:
    with transaction.atomic():
        check_write(rt, scope, obj)
        before = snapshot(obj)
        change = Change(AuditAction.DELETE, obj, before=before, unit_id=_unit_id(rt, obj),
                        confidential=rt.is_confidential(obj))
        change.object_id, change.object_repr, change.model = str(obj.pk), str(obj), obj._meta.label_lower
        _touch(rt, obj)
        try:
            obj.delete()
        except models.ProtectedError as exc:
            names = "、".join(sorted({str(o._meta.verbose_name) for o in exc.protected_objects}))
            raise ValidationError(f"无法删除：仍有{names}引用该{rt.verbose_name}，请先处理这些记录。") from exc
        log_changes(actor, [change])


ALLOWED_ATTACHMENTS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt", ".ofd", ".wps"}


def attach_file(rt: RecordType, obj, upload, *, actor: Actor, scope: Scope):
    """Store an uploaded file with a record (size and type limited), audited like any other change."""
    from pathlib import PurePath

    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType

    from .models import Attachment

    check_write(rt, scope, obj)
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in ALLOWED_ATTACHMENTS:
        raise ValidationError(f"不支持的附件类型“{suffix or '无扩展名'}”（可上传：{'、'.join(sorted(ALLOWED_ATTACHMENTS))}）。")
    if not upload.size:
        raise ValidationError(f"附件“{PurePath(upload.name).name}”是空文件（0 字节），未上传：请检查文件是否完整。")
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(f"附件过大（{upload.size / 1048576:.1f} MB），上限 {settings.MAX_UPLOAD_BYTES // 1048576} MB。")
    with transaction.atomic():
        att = Attachment(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                         name=PurePath(upload.name).name[:200], size=upload.size,
                         uploaded_by=person(actor))
        att.file.save(att.name, upload, save=False)
        att.save()
        log_changes(actor, [Change(AuditAction.CREATE, att, after={"record": f"{obj._meta.label_lower}#{obj.pk}",
                                                                     "name": att.name, "size": att.size},
                                   unit_id=_unit_id(rt, obj), confidential=rt.is_confidential(obj))])
    return att
