"""Anchors: the chain's head (sequence number and hash) written now and then to an append-only file.

A keyed chain cannot be re-hashed by someone without the key, but a chain whose newest entries were deleted is
still a valid chain. An anchor says "on this day the trail had N entries and entry N had this hash": if entry N
is gone, or has another hash, the trail was shortened or rewritten. Anchors are written after a committed write
(at most every ``LVZHI_AUDIT_ANCHOR_SECONDS`` per process), when a report is finalised (the anchor is also stored in
the report's snapshot), after a restore and by ``lvzhi audit anchor`` (cron). Each line carries its own HMAC, so a
changed line is detected too; the file is opened only to append (make it append-only with ``chattr +a``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from .keys import mac

log = logging.getLogger(__name__)
GENESIS = "0" * 64

KINDS = {"periodic": "定时", "manual": "手动", "report": "报告定稿", "restore": "恢复备份", "rekey": "启用密钥",
         "backup": "备份"}
# A restore or a re-key starts the trail again from a known head: older anchors past that head no longer bind.
RESETS = {"restore", "rekey"}


@dataclass
class Anchor:
    line: int
    kind: str
    at: str
    seq: int
    head: str
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.at[:19].replace('T', ' ')} 的{KINDS.get(self.kind, self.kind)}锚点（文件第 {self.line} 行）"


class AnchorFileError(ValueError):
    pass


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def head(using: str = DEFAULT_DB_ALIAS) -> tuple[int, str]:
    from .models import AuditEntry

    last = AuditEntry.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    return last if last else (0, GENESIS)


def _signed(fields: dict) -> str:
    body = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return json.dumps({**fields, "mac": mac(body.encode("utf-8"))}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def append(kind: str, seq: int, head_hash: str, note: str = "") -> dict:
    fields = {"v": 1, "kind": kind, "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "seq": seq, "head": head_hash, "note": note[:200]}
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (_signed(fields) + "\n").encode("utf-8"))  # one write of one line: appends never interleave
        os.fsync(fd)
    finally:
        os.close(fd)
    return fields


def anchor_now(kind: str = "manual", note: str = "", using: str = DEFAULT_DB_ALIAS) -> dict:
    seq, head_hash = head(using)
    return append(kind, seq, head_hash, note)


def set_aside_for_new_database() -> Path | None:
    """``lvzhi init``/``demo`` on a new, empty database: the anchors of the trail that was there before no longer
    apply. The old file is kept under a dated name (never deleted), and the new trail starts a new file."""
    path = anchor_path()
    if head()[0] != 0 or not path.exists() or path.stat().st_size == 0:
        return None
    kept = path.with_name(f"{path.stem}.{dt.datetime.now():%Y%m%d%H%M%S}{path.suffix}")
    path.rename(kept)
    return kept


_last = {"time": 0.0}
_lock = threading.Lock()


def anchor_after_commit() -> None:
    """Called after a transaction that wrote audit entries commits: anchor if this process has not lately."""
    interval = getattr(settings, "AUDIT_ANCHOR_SECONDS", 60)
    if interval is None or interval < 0:
        return
    now = time.monotonic()
    with _lock:
        if _last["time"] and now - _last["time"] < interval:
            return
        _last["time"] = now
    try:
        anchor_now("periodic")
    except OSError as exc:  # the user's write has committed; a missing anchor must not turn it into an error
        log.warning("审计锚点写入失败（%s）：%s", anchor_path(), exc)


def read(path: Path | None = None) -> list[Anchor]:
    """Every anchor of the file, in order; a line whose MAC does not match is an error naming the line."""
    path = path or anchor_path()
    if not path.exists():
        return []
    out = []
    with path.open(encoding="utf-8", errors="replace") as f:
        for n, text in enumerate(f, 1):
            text = text.strip()
            if not text:
                continue
            try:
                data = json.loads(text)
                given = data.pop("mac")
                body = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                ok = given == mac(body.encode("utf-8"))
                anchor = Anchor(n, data["kind"], data["at"], int(data["seq"]), data["head"], data.get("note", ""))
            except (ValueError, KeyError, TypeError, AttributeError):
                ok = False
            if not ok:
                raise AnchorFileError(f"锚点文件 {path} 第 {n} 行被改动或损坏（签名不符）。")
            out.append(anchor)
    return out


def binding(anchors: list[Anchor]) -> list[Anchor]:
    """The anchors the current trail must agree with: a restore or re-key releases the later entries of older ones."""
    active: list[Anchor] = []
    for a in anchors:
        if a.kind in RESETS:
            active = [b for b in active if b.seq <= a.seq] if a.kind == "restore" else []
        active.append(a)
    return active


def check(using: str = DEFAULT_DB_ALIAS) -> tuple[bool, str, int]:
    """(ok, reason, anchors checked): every binding anchor's entry exists with the anchored hash."""
    from .models import AuditEntry

    try:
        active = binding(read())
    except AnchorFileError as exc:
        return False, str(exc), 0
    if not active:
        return True, "", 0
    wanted = {a.seq for a in active if a.seq > 0}
    found = dict(AuditEntry.objects.using(using).filter(seq__in=wanted).values_list("seq", "hash"))
    last_seq, _ = head(using)
    for a in sorted(active, key=lambda a: -a.seq):  # the newest anchor names the largest loss
        if a.seq == 0:
            continue
        if a.seq not in found:
            return False, (f"{a.label}记录审计日志当时已有 {a.seq} 条，现在只有 {last_seq} 条："
                           f"最新的 {a.seq - last_seq if last_seq < a.seq else '若干'} 条被删除"), len(active)
        if found[a.seq] != a.head:
            return False, (f"第 {a.seq} 条的哈希与{a.label}不符：该条或之前的记录被改动后重新计算了哈希链"), len(active)
    return True, "", len(active)
