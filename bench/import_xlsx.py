"""Benchmark 3 — a 100,000-row XLSX through the full import path (read, parse every cell, resolve references,
validate every record, scope and duplicate checks, bulk insert, one audit entry per record), vs openpyxl's
read-only parse of the same file alone. Each side runs in a fresh child process, so peak RSS is its own.

    python bench/import_xlsx.py [--scenario province] [--rows 100000]

Goals: ≥ 5,000 rows/s; ratio ≤ 3; peak memory (RSS) ≤ 300 MB. The import runs inside a transaction that is
rolled back at the end, so the database is unchanged and the benchmark can be repeated.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import common

KIND_LABELS = ["支部委员会", "主题党日", "支部党员大会", "党课", "三互交流"]


def make_file(path: Path, rows: int, scenario: str) -> None:
    import openpyxl

    from lvzhi.org.models import PartyOrg
    from lvzhi.records import registry

    rt = registry.get("branch_activity")
    top = common.top_unit(scenario)
    codes = list(PartyOrg.objects.filter(kind="branch", unit__path__startswith=top.path).values_list("code", flat=True))
    headers = [rt.header(c) for c in rt.columns if c.field in ("party_org", "kind", "date", "title", "theme")]
    rng = random.Random(8)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(headers)
    for i in range(rows):
        ws.append([rng.choice(codes), KIND_LABELS[i % len(KIND_LABELS)], f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                   f"导入测试活动{i + 1}", "导入"])
    wb.save(path)


def child_import(path: str) -> dict:
    from django.db import transaction

    from lvzhi.imports.importer import run_import
    from lvzhi.org.scoping import Scope
    from lvzhi.records import registry

    class Rollback(Exception):
        pass

    rt = registry.get("branch_activity")
    t = time.perf_counter()
    try:
        with transaction.atomic():
            result = run_import(rt, path, actor="基准测试", scope=Scope.everything())
            elapsed = time.perf_counter() - t
            raise Rollback
    except Rollback:
        pass
    return {"seconds": elapsed, "created": result.created, "rows": result.rows,
            "errors": [str(e) for e in result.errors[:5]], "rss_mb": _peak_mb()}


def child_parse(path: str) -> dict:
    import openpyxl

    t = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return {"seconds": time.perf_counter() - t, "rows": n - 1, "rss_mb": _peak_mb()}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(kind: str, path: Path, scenario: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--file", str(path), "--scenario", scenario],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="province")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", choices=["import", "parse"])
    parser.add_argument("--file")
    args = parser.parse_args()
    common.setup(args.scenario)
    if args.child:
        print(json.dumps(child_import(args.file) if args.child == "import" else child_parse(args.file)))
        return
    path = Path(f"/tmp/lvzhi-bench-import-{args.rows}.xlsx")
    if not path.exists():
        make_file(path, args.rows, args.scenario)
    parse = run_child("parse", path, args.scenario)
    imp = run_child("import", path, args.scenario)
    if imp["created"] != args.rows:
        raise SystemExit(f"导入未全部成功：{imp}")
    rate = args.rows / imp["seconds"]
    figures = [
        common.figure("import.rows_per_second", round(rate), None, "≥ 5000 行/秒", met=rate >= 5000, unit="行/秒"),
        common.figure("import.time_vs_openpyxl_parse", imp["seconds"], parse["seconds"], "比值 ≤ 3",
                      met=imp["seconds"] / parse["seconds"] <= 3),
        common.figure("import.peak_rss", round(imp["rss_mb"], 1), round(parse["rss_mb"], 1), "≤ 300 MB",
                      met=imp["rss_mb"] <= 300, unit="MB"),
    ]
    common.write_results("import_xlsx", figures, rows=args.rows, file_mb=round(path.stat().st_size / 1048576, 1))


if __name__ == "__main__":
    main()
