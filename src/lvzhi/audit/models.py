"""Append-only, hash-chained audit trail.

Each entry's hash covers its own content and the previous entry's hash, so editing, deleting or
reordering any entry breaks the chain from that point on; ``lvzhi audit verify`` finds the first break.
"""

import hashlib
import json

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    MOVE = "move", "移动"
    IMPORT = "import", "导入"
    FINALISE = "finalise", "定稿"
    OTHER = "other", "其他"


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志不可修改。")

    def delete(self):
        raise PermissionError("审计日志不可删除。")


class AuditEntry(models.Model):
    seq = models.BigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL,
        db_constraint=False, related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=150)
    action = models.CharField("操作", max_length=16, choices=AuditAction.choices)
    model = models.CharField("对象类型", max_length=100, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=300)
    # No database constraint: the entry must outlive the unit it was about.
    unit = models.ForeignKey(
        "org.Unit", verbose_name="所属单位", null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    confidential = models.BooleanField("保密", default=False)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("审计日志不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志不可删除。")

    def content(self) -> dict:
        """Everything the hash covers except the previous hash."""
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_name": self.actor_name,
            "action": self.action,
            "model": self.model,
            "object_id": str(self.object_id),
            "object_repr": self.object_repr,
            "unit_id": self.unit_id,
            "confidential": bool(self.confidential),
            "before": self.before,
            "after": self.after,
        }

    def compute_hash(self) -> str:
        payload = json.dumps(self.content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256((self.prev_hash + payload).encode("utf-8")).hexdigest()
