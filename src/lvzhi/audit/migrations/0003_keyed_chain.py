"""Re-key an existing chain: verify it as written (unkeyed SHA-256), then compute every hash again as an HMAC with
the audit key, and anchor the new head. A legacy chain that does not verify is not blessed with the key: the
migration stops and says where it broke (set LVZHI_AUDIT_REKEY_BROKEN=1 to re-key it anyway, after looking)."""

import hashlib
import os

from django.db import migrations

GENESIS = "0" * 64


def rekey(apps, schema_editor):
    from lvzhi.audit import anchors
    from lvzhi.audit.keys import audit_key, mac
    from lvzhi.audit.models import entry_payload

    Entry = apps.get_model("audit", "AuditEntry")
    db = schema_editor.connection.alias
    entries = Entry.objects.using(db).order_by("seq")
    if not entries.exists():
        return
    key = audit_key()
    old_prev, new_prev, expected, batch, broken = GENESIS, GENESIS, 1, [], ""
    for e in entries.iterator(chunk_size=2000):
        if not broken and (e.seq != expected or e.prev_hash != old_prev
                           or hashlib.sha256(entry_payload(e)).hexdigest() != e.hash):
            broken = f"第 {e.seq} 条"
            if os.environ.get("LVZHI_AUDIT_REKEY_BROKEN") != "1":
                raise RuntimeError(
                    f"旧审计日志在{broken}处校验不通过，未为其启用密钥。请先用旧版本的 lvzhi audit verify 查明原因；"
                    "确认后可设 LVZHI_AUDIT_REKEY_BROKEN=1 重新运行迁移。")
        old_prev, expected = e.hash, e.seq + 1
        e.prev_hash = new_prev
        e.hash = mac(entry_payload(e), key)
        new_prev = e.hash
        batch.append(e)
        if len(batch) >= 2000:
            Entry.objects.using(db).bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    Entry.objects.using(db).bulk_update(batch, ["prev_hash", "hash"])
    note = f"旧链 {expected - 1} 条" + (f"（{broken}起不完整）" if broken else "校验完好") + f"，旧末条哈希 {old_prev[:16]}"
    last = expected - 1
    schema_editor.connection.on_commit(lambda: anchors.append("rekey", last, new_prev, note))


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]
    operations = [migrations.RunPython(rekey, migrations.RunPython.noop, elidable=False)]
