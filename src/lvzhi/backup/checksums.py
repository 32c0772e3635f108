"""Checksums that say two states are the same: every table's row count and SHA-256, every file's SHA-256.

The same table checksums prove that a failed import or a killed process changed nothing (tests/security), and
that a restored database holds exactly what was backed up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections

CHUNK = 1 << 20


def table_names(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Every table holding data; not the change counter (web/datachange.py), which counts the writes themselves:
    a restore adds its own, so it can never equal the backed-up one; nor the shared results cache."""
    from lvzhi.web.datachange import FOLDED, RESULTS_TABLE
    from lvzhi.web.datachange import TABLE as CHANGE_COUNTER

    conn = connections[using]
    with conn.cursor() as cur:
        return sorted(t for t in conn.introspection.table_names(cur)
                      if not t.startswith("sqlite_") and t not in (CHANGE_COUNTER, FOLDED, RESULTS_TABLE))


def table_checksums(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict]:
    """Row count and a SHA-256 over every row (in primary-key order) of every table."""
    conn = connections[using]
    out = {}
    qn = conn.ops.quote_name
    with conn.cursor() as cur:
        for table in table_names(using):
            cur.execute(f"SELECT * FROM {qn(table)} ORDER BY 1")
            digest, rows = hashlib.sha256(), 0
            while True:
                chunk = cur.fetchmany(2000)
                if not chunk:
                    break
                for row in chunk:
                    digest.update(repr(tuple(_normalise(v) for v in row)).encode("utf-8"))
                    rows += 1
            out[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return out


def _normalise(value):
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in "{[":
        try:  # JSON stored as text (SQLite) and as jsonb (PostgreSQL) compare equal
            return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return value
    return value


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def tree_checksums(root: Path) -> dict[str, dict]:
    """Every regular file under ``root`` (attachments, finalised reports): relative path → size and SHA-256."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): {"size": p.stat().st_size, "sha256": file_sha256(p)}
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def differing_tables(expected: dict, actual: dict) -> list[str]:
    names = set(expected) | set(actual)
    return sorted(t for t in names if expected.get(t) != actual.get(t))
