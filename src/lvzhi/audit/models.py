"""Append-only, hash-chained audit trail.

Each entry's hash is an HMAC (keyed with the audit key, kept outside the database: ``keys.py``) over its own
content and the previous entry's hash, so editing, deleting or reordering any entry breaks the chain from that
point on, and whoever can edit the table cannot compute the hashes again. Deleting the newest entries leaves a
valid shorter chain: the anchors (``anchors.py``, the head written to an append-only file) catch that.
``lvzhi audit verify`` checks both.
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
    # Found by (model, object_id) or model alone: both through audit_object_idx. Indexes of their own (two each on
    # PostgreSQL, with the LIKE one) were written on every entry and read by no query.
    model = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象编号", max_length=64)
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
    hash = models.CharField("哈希", max_length=64)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object_idx")]
        # a constraint rather than unique=True: on PostgreSQL that adds a LIKE index no query uses
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_hash_unique")]

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
        return entry_content(self)

    def payload(self) -> bytes:
        return entry_payload(self)

    def compute_hash(self, key: bytes | None = None) -> str:
        from .keys import mac

        return mac(self.payload(), key)

    def legacy_hash(self) -> str:
        """The unkeyed SHA-256 of chains written before the key (migration 0003 re-keys them)."""
        return hashlib.sha256(self.payload()).hexdigest()


def entry_content(e) -> dict:
    """Everything an entry's hash covers except the previous hash (also used on the migrations' historical model)."""
    return {
        "seq": e.seq,
        "created_at": e.created_at.isoformat(timespec="microseconds"),
        "actor_name": e.actor_name,
        "action": e.action,
        "model": e.model,
        "object_id": str(e.object_id),
        "object_repr": e.object_repr,
        "unit_id": e.unit_id,
        "confidential": bool(e.confidential),
        "before": e.before,
        "after": e.after,
    }


def entry_payload(e) -> bytes:
    content = json.dumps(entry_content(e), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return (e.prev_hash + content).encode("utf-8")
