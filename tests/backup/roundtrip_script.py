"""Run in a fresh process with its own database (see test_backup.py): backup, damage, restore, compare."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lvzhi.settings")
django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from lvzhi.audit.services import verify_chain  # noqa: E402
from lvzhi.backup.services import backup, restore, table_checksums  # noqa: E402
from lvzhi.org.models import Unit  # noqa: E402
from lvzhi.org.scoping import Scope  # noqa: E402
from lvzhi.records import registry  # noqa: E402
from lvzhi.records.models import Attachment  # noqa: E402
from lvzhi.records.services import attach_file, create_record  # noqa: E402

archive = sys.argv[1]
call_command("migrate", verbosity=0)
scope = Scope.everything()
unit = create_record(registry.get("unit"), {"code": "T1", "name": "测试公司", "kind": "company"}, actor="测试", scope=scope)
person = create_record(registry.get("person"), {"code": "T0001", "name": "张三", "gender": "male", "unit": unit},
                       actor="测试", scope=scope)
attach_file(registry.get("person"), person, SimpleUploadedFile("任职文件.pdf", b"%PDF-1.4 test"), actor="测试", scope=scope)
before = table_checksums()
backup(archive)

# damage: a new record, a deleted one, the attachment file gone
create_record(registry.get("person"), {"code": "T0002", "name": "李四", "gender": "male", "unit": unit},
              actor="测试", scope=scope)
att = Attachment.objects.get()
os.remove(att.file.path)

assert table_checksums() != before

restore(archive)
after = table_checksums()
assert after == before, [t for t in before if before[t] != after.get(t)]
assert verify_chain().ok
att = Attachment.objects.get()
assert open(att.file.path, "rb").read() == b"%PDF-1.4 test"
assert Unit.objects.filter(code="T1").exists()
print("ROUNDTRIP-OK", sum(v["rows"] for v in before.values()))
