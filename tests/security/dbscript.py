"""Run in a process of its own against a database of its own (see test_concurrency_and_crashes.py):

  setup            migrate, and a small company to work in
  checksums        print every table's row count and SHA-256 (backup.services.table_checksums) as JSON
  race N           N times: two threads, each with its own database connection, save the same record at once
  bigfile PATH N   write an import file of N people
"""

import json
import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lvzhi.settings")
django.setup()

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from lvzhi.audit.models import AuditEntry  # noqa: E402
from lvzhi.audit.services import verify_chain  # noqa: E402
from lvzhi.backup.services import table_checksums  # noqa: E402
from lvzhi.org.models import Unit  # noqa: E402
from lvzhi.org.scoping import Scope  # noqa: E402
from lvzhi.records import registry, services  # noqa: E402

SCOPE = Scope.everything()


def setup():
    call_command("migrate", verbosity=0)
    unit = services.create_record(registry.get("unit"), {"code": "T1", "name": "测试公司", "kind": "company"},
                                  actor="测试", scope=SCOPE)
    services.create_record(registry.get("person"), {"code": "T0001", "name": "张三", "gender": "male", "unit": unit},
                           actor="测试", scope=SCOPE)
    print("SETUP-OK")


def checksums():
    print(json.dumps(table_checksums(), sort_keys=True))


def race(times: int):
    rt = registry.get("inspection")
    unit = Unit.objects.get(code="T1")
    outcomes = []
    for i in range(times):
        obj = services.create_record(rt, {"unit": unit, "kind": "bidding", "date": dt.date(2023, 3, 1),
                                          "title": f"并发测试{i}"}, actor="测试", scope=SCOPE)
        loaded = obj.version  # both users opened the record at this version
        barrier = threading.Barrier(2)
        results = {}

        def edit(user, title, barrier=barrier, obj=obj, loaded=loaded, results=results):
            try:
                barrier.wait()
                services.update_record(rt, rt.model.objects.get(pk=obj.pk), {"title": title}, actor=user, scope=SCOPE,
                                       expected_version=loaded)
                results[user] = "saved"
            except services.ConcurrentEditError as exc:
                results[user] = str(exc)
            finally:
                connection.close()  # each thread had a connection of its own

        threads = [threading.Thread(target=edit, args=(u, f"{u}的修改")) for u in ("甲", "乙")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        saved = [u for u, r in results.items() if r == "saved"]
        refused = [r for r in results.values() if r != "saved"]
        assert len(saved) == 1 and len(refused) == 1, results
        assert "已被他人修改" in refused[0] and "本次保存未生效" in refused[0], refused
        obj.refresh_from_db()
        assert obj.title == f"{saved[0]}的修改" and obj.version == loaded + 1, (obj.title, obj.version)
        updates = AuditEntry.objects.filter(model=rt.model._meta.label_lower, object_id=str(obj.pk), action="update")
        assert updates.count() == 1 and updates.get().actor_name == saved[0]
        outcomes.append(saved[0])
    assert verify_chain().ok
    print("RACE-OK", json.dumps(outcomes, ensure_ascii=False))


def bigfile(path: str, n: int):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人员")
    rt = registry.get("person")
    ws.append([rt.header(c) for c in rt.columns if c.field in ("code", "name", "gender", "unit")])
    for i in range(n):
        ws.append([f"B{i:06d}", f"导入{i}", "男" if i % 2 else "女", "测试公司（T1）"])
    wb.save(path)
    print("BIGFILE-OK")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "setup":
        setup()
    elif command == "checksums":
        checksums()
    elif command == "race":
        race(int(args[0]))
    elif command == "bigfile":
        bigfile(args[0], int(args[1]))
    else:
        raise SystemExit(f"unknown command {command}")
