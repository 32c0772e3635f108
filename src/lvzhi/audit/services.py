"""Writing and verifying the audit trail. Every service write calls ``log_change`` in its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
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


_NATIVE = (str, int, bool, float, type(None))


def snapshot(instance: models.Model, m2m: dict | None = None) -> dict:
    """Concrete field values and many-to-many ids of a saved instance, JSON-safe.

    Bulk writers pass ``m2m`` (field name → objects or ids) so no query is needed per instance.
    """
    meta = instance._meta
    attnames = _ATTNAMES.get(meta.label)
    if attnames is None:  # asked once per imported row: the field names once per model
        attnames = _ATTNAMES[meta.label] = [f.attname for f in meta.concrete_fields]
    values = instance.__dict__
    data = {}
    for name in attnames:
        value = values[name] if name in values else getattr(instance, name)  # deferred fields load
        data[name] = value if type(value) in _NATIVE else _json_value(value)
    for f in meta.many_to_many:
        if m2m is not None:
            data[f.name] = sorted(getattr(v, "pk", v) for v in m2m.get(f.name, []))
        elif instance.pk is not None:
            data[f.name] = sorted(getattr(instance, f.name).values_list("pk", flat=True))
    return data


_ATTNAMES: dict[str, list[str]] = {}
_JSON_FIELDS: dict[str, list[tuple[str, bool, str]]] = {}
_encode_str = json.encoder.encode_basestring  # what the encoder below writes a str as (ensure_ascii=False)


def snapshot_json(instance: models.Model, m2m: dict) -> str:
    """``_encode(snapshot(instance, m2m))``, the same text, written directly: an import audits every record it
    creates, and a dict per record sorted and encoded again cost more than the record's own row. The keys in
    sorted order once per model; str, int, bool, None and dates written here, any other value by the encoder
    (compact and without indentation, a value's text does not depend on where it stands)."""
    meta = instance._meta
    fields = _JSON_FIELDS.get(meta.label)
    if fields is None:
        keys = sorted([(f.attname, False) for f in meta.concrete_fields] + [(f.name, True) for f in meta.many_to_many])
        fields = _JSON_FIELDS[meta.label] = [(name, is_m2m, _encode_str(name) + ":") for name, is_m2m in keys]
    values = instance.__dict__
    parts = []
    for name, is_m2m, prefix in fields:
        if is_m2m:
            parts.append(prefix + _encode(sorted(getattr(v, "pk", v) for v in m2m.get(name, []))))
            continue
        value = values[name] if name in values else getattr(instance, name)  # deferred fields load
        t = type(value)
        if t is str:
            parts.append(prefix + _encode_str(value))
        elif value is None:
            parts.append(prefix + "null")
        elif t is int:
            parts.append(prefix + int.__repr__(value))
        elif t is bool:
            parts.append(prefix + ("true" if value else "false"))
        elif t is dt.date or t is dt.datetime:
            parts.append(f'{prefix}"{value.isoformat()}"')
        else:
            parts.append(prefix + _encode(value if t in _NATIVE else _json_value(value)))
    return "{" + ",".join(parts) + "}"


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
    after_json: str | None = None  # ``after`` already encoded (``snapshot_json``), given instead of it


def _lock_and_tail() -> tuple[int, str]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    # SQLite: the IMMEDIATE transaction already holds the write lock.
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last else (0, GENESIS)


def log_changes(actor: Actor, changes: Iterable[Change]) -> list[AuditEntry]:
    """Append entries for ``changes`` to the chain. Must run inside the caller's transaction."""
    rows = append(actor, changes)
    entries = []
    for row in rows:
        entry = AuditEntry(**row)
        entry._state.adding = False
        entries.append(entry)
    return entries


# The hashed content, as models.entry_payload writes it (json.dumps, sorted keys, compact, not ASCII-escaped), put
# together from its parts: the snapshot is encoded once, for the hash and the stored value alike.
_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode
_PAYLOAD = ('{"action":%s,"actor_name":%s,"after":%s,"before":%s,"confidential":%s,"created_at":%s,"model":%s,'
            '"object_id":%s,"object_repr":%s,"seq":%d,"unit_id":%s}')


def _text(value) -> str:
    """``_encode(value)``; a plain str (most parts of an entry) through the encoder's own C function directly."""
    return _encode_str(value) if type(value) is str else _encode(value)


def append(actor: Actor, changes: Iterable[Change], *, returning: bool = True) -> list[dict]:
    """What ``log_changes`` does, without a model object per entry (an import appends one entry per record, tens
    of thousands): each entry is hashed from its parts and written with the others in one executemany / COPY.
    Returns the entries' field values (attname → value, before/after as dicts); none unless ``returning``."""
    if not connection.in_atomic_block:
        raise RuntimeError("log_changes must run inside transaction.atomic()")
    # First what may run model code (str() of a record, a value JSON can only give as str()): it may query, and
    # the connection cannot take a query while the COPY below is open (psycopg would wait for itself for ever).
    parts = []
    for ch in changes:
        inst = ch.instance
        parts.append((ch, ch.model or (inst._meta.label_lower if inst is not None else ""),
                      ch.object_id or (str(inst.pk) if inst is not None else ""),
                      (ch.object_repr or (str(inst) if inst is not None else ""))[:300],
                      _encode(ch.before) if ch.before is not None else None,
                      ch.after_json if ch.after_json is not None else
                      _encode(ch.after) if ch.after is not None else None))
    if not parts:
        return []
    actor_id, actor_name = id_and_name(actor)
    seq, prev = _lock_and_tail()
    now = timezone.now().astimezone(dt.timezone.utc)
    inner = hmac.new(audit_key(), digestmod=hashlib.sha256)
    common = (_encode(actor_name), _encode(now.isoformat(timespec="microseconds")))
    meta = AuditEntry._meta
    created_at = meta.get_field("created_at").get_db_prep_save(now, connection)
    out: list[dict] = []
    ids = bulk.draw_ids(meta.db_table, meta.pk.column, len(parts))

    actions: dict = {}

    def rows():
        """The entries, hashed in order as the COPY takes them (PostgreSQL stores each batch meanwhile): nothing
        here touches the database."""
        nonlocal seq, prev
        for (ch, model, object_id, object_repr, before, after), pk in zip(parts, ids, strict=True):
            seq += 1
            unit_id = ch.unit_id
            action = actions.get(ch.action)
            if action is None:
                action = actions[ch.action] = _encode(ch.action)  # an AuditAction: a str subclass, the encoder's
            content = _PAYLOAD % (
                action, common[0], after or "null", before or "null", "true" if ch.confidential else "false",
                common[1], _text(model), _text(object_id), _text(object_repr), seq,
                "null" if unit_id is None else int.__repr__(unit_id) if type(unit_id) is int else _encode(unit_id))
            mac = inner.copy()
            mac.update((prev + content).encode("utf-8"))
            digest = mac.hexdigest()
            row = [pk, seq, created_at, actor_id, actor_name, ch.action, model, object_id, object_repr, ch.unit_id,
                   bool(ch.confidential), before, after, prev, digest]  # JSON columns: their text
            if returning:
                out.append({"id": pk, "seq": seq, "created_at": now, "actor_id": actor_id, "actor_name": actor_name,
                            "action": ch.action, "model": model, "object_id": object_id, "object_repr": object_repr,
                            "unit_id": ch.unit_id, "confidential": bool(ch.confidential), "before": ch.before,
                            "after": ch.after if ch.after_json is None else json.loads(ch.after_json), "prev_hash": prev, "hash": digest})
            prev = digest
            yield row

    bulk.write_rows(AuditEntry, _COLUMNS, rows())
    transaction.on_commit(anchors.anchor_after_commit)
    return out


_COLUMNS = ["id", "seq", "created_at", "actor_id", "actor_name", "action", "model", "object_id", "object_repr",
            "unit_id", "confidential", "before", "after", "prev_hash", "hash"]


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
