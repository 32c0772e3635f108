import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from lvzhi.audit.models import AuditEntry
from lvzhi.audit.services import log_change, verify_chain

pytestmark = pytest.mark.django_db


def test_demo_chain_verifies():
    result = verify_chain()
    assert result.ok and result.checked == AuditEntry.objects.count() > 2000


def test_cli_names_the_first_edited_entry(capsys):
    target = AuditEntry.objects.order_by("seq")[100]
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET object_repr = %s WHERE seq = %s", ["被改过", target.seq])
    with pytest.raises(CommandError, match=f"第 {target.seq} 条"):
        call_command("audit", "verify")


def test_a_deleted_entry_is_detected():
    target = AuditEntry.objects.order_by("seq")[50]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE seq = %s", [target.seq])
    result = verify_chain()
    assert not result.ok and result.broken_seq == target.seq


def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    entry = AuditEntry.objects.first()
    entry.object_repr = "x"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="x")


def test_new_entries_extend_the_chain(company):
    last = AuditEntry.objects.order_by("-seq").first()
    with transaction.atomic():
        e = log_change("测试", "update", company, before={"name": "a"}, after={"name": "b"}, unit_id=company.pk)
    assert e.seq == last.seq + 1 and e.prev_hash == last.hash
    assert verify_chain().ok


def test_no_api_endpoint_exposes_audit_writes(api_as):
    r = api_as("admin_demo").post("/api/audit-entries/", {}, format="json")
    assert r.status_code == 404


def test_audit_page_lists_entries_within_scope(client_as):
    r = client_as("zhibu").get("/audit/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "单体车间" in body or "JH01-P03-W01" in body
    assert "合成氨厂" not in body


def test_entries_hashed_from_their_parts_verify_as_stored(company):
    """services.append hashes each entry from its encoded parts (not through the model): what is stored and read
    back must hash the same — non-ASCII text, quotes, nested lists, numbers, nulls, a confidential flag."""
    from lvzhi.audit.services import Change, append

    tricky = {"name": "党委\"会\"\\n", "n": 3, "x": 1.5, "none": None, "ids": [3, 1, 2], "z": {"b": 1, "a": [True]}}
    with transaction.atomic():
        rows = append("导入人", [Change("import", company, after=tricky, unit_id=company.pk, confidential=True),
                                Change("update", company, before={"名称": "旧"}, after={"名称": "新"}),
                                Change("other", model="x.y", object_id="7", object_repr="某对象")])
    stored = {e.seq: e for e in AuditEntry.objects.filter(seq__in=[r["seq"] for r in rows])}
    for r in rows:
        e = stored[r["seq"]]
        assert e.hash == r["hash"] == e.compute_hash() and e.after == r["after"] and e.confidential == (r is rows[0])
    assert verify_chain().ok


def test_entries_hashed_while_written_make_one_valid_chain(company):
    """append hashes each entry as the writer takes it (COPY on PostgreSQL, executemany batches of bulk.BATCH on
    SQLite): more entries than one batch, in order, returned as stored, the chain valid — including a record whose
    str() reads a related object, which must happen before the COPY opens (a query inside it would hang)."""
    from lvzhi.audit.services import Change, append
    from lvzhi.org.models import RoleAssignment
    from lvzhi.records import bulk

    n = bulk.BATCH + 7
    last = AuditEntry.objects.order_by("-seq").first()
    fresh = RoleAssignment.objects.first()  # its str() reads its user and unit: two queries, nothing cached
    changes = [Change("import", company, after={"i": i, "名称": f"第{i}条"}, unit_id=company.pk) for i in range(n)]
    changes.append(Change("update", fresh, before={"x": 1}, after={"x": 2}))
    with transaction.atomic():
        rows = append("导入人", changes)
    stored = list(AuditEntry.objects.filter(seq__gt=last.seq).order_by("seq"))
    assert [e.seq for e in stored] == list(range(last.seq + 1, last.seq + n + 2))
    assert stored[0].prev_hash == last.hash and [e.after["i"] for e in stored[:n]] == list(range(n))
    assert [r["hash"] for r in rows] == [e.hash for e in stored] and stored[-1].object_repr == str(fresh)
    assert verify_chain().ok


def test_audit_table_has_only_the_indexes_its_queries_read():
    """Every index is written on each entry (an import writes one per record). Entries are found by (model,
    object_id), by model alone (the audit page's filter: the same index's prefix), by seq, unit and actor; the
    hash is unique. No index of model or object_id alone, and no LIKE index (PostgreSQL's for a unique CharField)."""
    with connection.cursor() as cur:
        constraints = connection.introspection.get_constraints(cur, AuditEntry._meta.db_table)
    indexes = [(tuple(c["columns"]), bool(c["unique"])) for c in constraints.values() if c["index"] or c["unique"]]
    assert ("model", "object_id") in {cols for cols, _u in indexes}
    assert (("hash",), True) in indexes and (("seq",), True) in indexes
    assert not [cols for cols, _u in indexes if cols in (("model",), ("object_id",))]
    assert [cols for cols, _u in indexes if cols == ("hash",)] == [("hash",)]  # the unique one, no LIKE copy
