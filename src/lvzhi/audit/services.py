"""Writing and verifying the audit trail. Every service write calls ``log_change`` in its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass
from typing import Iterable

from django.db import DEFAULT_DB_ALIAS, connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from lvzhi.records import bulk

from . import anchors
from .actors import Actor, id_and_name
from .anchors import GENESIS
from .keys import audit_key
from .models import AuditEntry

_PG_LOCK_KEY = 7_412_009  # any constant: serialises appends to the chain across connections


def _json_value(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def snapshot(instance: models.Model, m2m: dict | None = None) -> dict:
    """Concrete field values and many-to-many ids of a saved instance, JSON-safe.

    Bulk writers pass ``m2m`` (field name → objects or ids) so no query is needed per instance.
    """
    data = {}
    for f in instance._meta.concrete_fields:
        data[f.attname] = _json_value(getattr(instance, f.attname))
    for f in instance._meta.many_to_many:
        if m2m is not None:
            data[f.name] = sorted(getattr(v, "pk", v) for v in m2m.get(f.name, []))
        elif instance.pk is not None:
            data[f.name] = sorted(getattr(instance, f.name).values_list("pk", flat=True))
    return data


@dataclass
class Change:
    action: str
    instance: models.Model | None = None
    before: dict | None = None
    after: dict | None = None
    unit_id: int | None = None
    confidential: bool = False
    model: str = ""
    object_id: str = ""
    object_repr: str = ""


def _lock_and_tail() -> tuple[int, str]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    # SQLite: the IMMEDIATE transaction already holds the write lock.
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last else (0, GENESIS)


def log_changes(actor: Actor, changes: Iterable[Change]) -> list[AuditEntry]:
    """Append entries for ``changes`` to the chain. Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("log_changes must run inside transaction.atomic()")
    changes = list(changes)
    if not changes:
        return []
    actor_id, actor_name = id_and_name(actor)
    seq, prev = _lock_and_tail()
    now = timezone.now().astimezone(dt.timezone.utc)
    key = audit_key()
    entries = []
    for ch in changes:
        seq += 1
        inst = ch.instance
        entry = AuditEntry(
            seq=seq,
            created_at=now,
            actor_id=actor_id,
            actor_name=actor_name,
            action=ch.action,
            model=ch.model or (inst._meta.label_lower if inst is not None else ""),
            object_id=ch.object_id or (str(inst.pk) if inst is not None else ""),
            object_repr=(ch.object_repr or (str(inst) if inst is not None else ""))[:300],
            unit_id=ch.unit_id,
            confidential=ch.confidential,
            before=ch.before,
            after=ch.after,
            prev_hash=prev,
        )
        entry.hash = entry.compute_hash(key)
        prev = entry.hash
        entries.append(entry)
    bulk.insert(AuditEntry, entries)  # an import appends tens of thousands: below the ORM's per-value layers
    transaction.on_commit(anchors.anchor_after_commit)
    return entries


def log_change(actor: Actor, action: str, instance: models.Model, *, before=None, after=None, unit_id=None,
               confidential: bool = False) -> AuditEntry:
    return log_changes(actor, [Change(action=action, instance=instance, before=before, after=after,
                                      unit_id=unit_id, confidential=confidential)])[0]


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    anchors: int = 0


def verify_chain(chunk_size: int = 5000, using: str = DEFAULT_DB_ALIAS) -> VerifyResult:
    """Recompute every keyed hash in order; report the first entry that does not match."""
    key = audit_key()
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.using(using).order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"缺少第 {expected_seq} 条（可能被删除），下一条是第 {entry.seq} 条")
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, entry.seq, "前一条哈希不匹配（前序记录被改动、删除或插入）")
        if entry.compute_hash(key) != entry.hash:
            why = "内容与哈希不符（该条记录被改动，或哈希不是用本机的审计密钥计算的）"
            if entry.seq == 1 and entry.legacy_hash() == entry.hash:
                why = "该链仍是未加密钥的旧格式：请运行迁移（lvzhi init）为其启用密钥"
            return VerifyResult(False, checked, entry.seq, why)
        prev = entry.hash
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked)


def verify_trail(using: str = DEFAULT_DB_ALIAS) -> VerifyResult:
    """The keyed chain, then the anchors: together they catch edits, re-hashing and deleted newest entries."""
    result = verify_chain(using=using)
    if not result.ok:
        return result
    ok, reason, count = anchors.check(using)
    if not ok:
        return VerifyResult(False, result.checked, None, reason, count)
    result.anchors = count
    return result
