"""The keyed chain and its anchors: deleting the newest entries, re-hashing after an edit (with or without the key),
editing the anchor file — each is found by ``lvzhi audit verify``; a legacy unkeyed chain is re-keyed on upgrade."""

import hashlib
import importlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from lvzhi.audit import anchors
from lvzhi.audit.keys import audit_key, mac
from lvzhi.audit.models import AuditEntry, entry_payload
from lvzhi.audit.services import verify_chain, verify_trail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def short_chain(db):
    """The demo chain's first 300 entries (rolled back after the test): the same checks, without hashing 10,000."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE seq > 300")


def _rewrite_from(seq: int, new_repr: str | None, hasher) -> None:
    """Change entry ``seq`` (optionally) and recompute every hash from there on, as an intruder would."""
    rows = list(AuditEntry.objects.filter(seq__gte=seq - 1).order_by("seq"))
    prev = rows[0].hash if rows[0].seq == seq - 1 else anchors.GENESIS
    updates = []
    for e in rows:
        if e.seq < seq:
            continue
        if e.seq == seq and new_repr is not None:
            e.object_repr = new_repr
        e.prev_hash = prev
        e.hash = hasher(entry_payload(e))
        prev = e.hash
        updates.append((e.object_repr, e.prev_hash, e.hash, e.seq))
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET hash = 'x' || seq WHERE seq >= %s", [seq])  # unique hashes
        cur.executemany("UPDATE audit_auditentry SET object_repr = %s, prev_hash = %s, hash = %s WHERE seq = %s", updates)


def _run_rekey():
    """The migration's function on the historical models, as ``migrate`` runs it."""
    migration = importlib.import_module("lvzhi.audit.migrations.0003_keyed_chain")
    state = MigrationLoader(connection).project_state(("audit", "0002_initial"))
    migration.rekey(state.apps, type("Editor", (), {"connection": connection})())


def test_deleting_the_newest_entries_is_found_by_the_anchor():
    anchors.anchor_now("manual")
    last = AuditEntry.objects.order_by("-seq").first().seq
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE seq > %s", [last - 3])
    assert verify_chain().ok  # what is left is a valid chain: only the anchor knows it was longer
    result = verify_trail()
    assert not result.ok and f"已有 {last} 条" in result.reason and "最新的 3 条被删除" in result.reason
    with pytest.raises(CommandError, match="被删除"):
        call_command("audit", "verify")


def test_rehashing_without_the_key_breaks_at_the_edited_entry():
    target = AuditEntry.objects.order_by("seq")[100].seq
    _rewrite_from(target, "被改过", lambda payload: hashlib.sha256(payload).hexdigest())
    result = verify_trail()
    assert not result.ok and result.broken_seq == target and "内容与哈希不符" in result.reason


def test_rehashing_with_the_key_is_found_by_an_older_anchor():
    anchors.anchor_now("periodic")
    target = AuditEntry.objects.order_by("seq")[100].seq
    key = audit_key()
    _rewrite_from(target, "被改过", lambda payload: mac(payload, key))
    assert verify_chain().ok  # an insider holding the key can make a valid chain …
    result = verify_trail()  # … but not one whose head matches what was anchored before
    assert not result.ok and "重新计算了哈希链" in result.reason


def test_an_intact_trail_verifies_with_its_anchors(capsys):
    anchors.anchor_now("manual")
    call_command("audit", "anchor")
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "与 2 个锚点一致" in out and "密钥指纹" in out


def test_an_edited_anchor_line_is_named():
    anchors.anchor_now("manual")
    anchors.anchor_now("manual")
    path = anchors.anchor_path()
    lines = path.read_text().splitlines()
    data = json.loads(lines[1])
    data["seq"] -= 5  # pretend the trail was shorter then
    lines[1] = json.dumps(data)
    path.write_text("\n".join(lines) + "\n")
    result = verify_trail()
    assert not result.ok and "第 2 行被改动" in result.reason


def test_a_restore_anchor_releases_the_entries_after_the_restored_head():
    anchors.anchor_now("manual")
    last = AuditEntry.objects.order_by("-seq").first()
    with connection.cursor() as cur:  # what a restore of an older backup looks like
        cur.execute("DELETE FROM audit_auditentry WHERE seq > %s", [last.seq - 10])
    assert not verify_trail().ok
    anchors.anchor_now("restore", "从备份恢复")
    assert verify_trail().ok


def test_a_legacy_chain_is_rekeyed_on_upgrade():
    _rewrite_from(1, None, lambda payload: hashlib.sha256(payload).hexdigest())  # the chain as 0002 wrote it
    result = verify_chain()
    assert not result.ok and "旧格式" in result.reason
    _run_rekey()
    assert verify_chain().ok


def test_a_broken_legacy_chain_is_not_rekeyed():
    _rewrite_from(1, None, lambda payload: hashlib.sha256(payload).hexdigest())
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET object_repr = '改' WHERE seq = 40")
    with pytest.raises(RuntimeError, match="第 40 条"):
        _run_rekey()


def test_a_finalised_report_carries_the_anchor_and_writes_it(company, django_capture_on_commit_callbacks):
    from lvzhi.org.scoping import Scope
    from lvzhi.reports import services as reports

    report = reports.create_report(unit=company, year=2022, template=reports.builtin_template(), actor="测试",
                                   scope=Scope.everything())
    seq_before = AuditEntry.objects.order_by("-seq").first().seq
    with django_capture_on_commit_callbacks(execute=True):
        final = reports.finalise(report, actor="测试", scope=Scope.everything(), require_pdf=False)
    anchor = final.snapshot["audit_anchor"]
    assert anchor["seq"] == seq_before and anchor["head"] == AuditEntry.objects.get(seq=seq_before).hash
    written = [a for a in anchors.read() if a.kind == "report"]
    assert [(a.seq, a.head) for a in written] == [(anchor["seq"], anchor["head"])]
    assert verify_trail().ok
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE seq >= %s", [seq_before])
    result = verify_trail()
    assert not result.ok and "被删除" in result.reason
