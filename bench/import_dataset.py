"""Benchmark 3b — a whole dataset through the command line, as an office moves it: `lvzhi export --all` of the
scenario's database, then `lvzhi import` of that workbook into an empty database, on SQLite and on PostgreSQL.
The reference is openpyxl's read-only parse of every sheet of the same workbook (the floor any importer stands on).
Each step is its own child process; its peak memory is that process's own (wait4's rusage).

    python bench/import_dataset.py [--scenario province] [--only sqlite|postgresql]

Goals (issues 11, 16): ≥ 10,000 rows/s on PostgreSQL and ≥ 5,000 on SQLite, ≤ 300 MB peak; the dataset has
≥ 100,000 rows. Rates are given per wall second and per CPU second of the importing process (the machine is shared).
The target databases (a SQLite file, a PostgreSQL database) are dropped at the end, and the workbook unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import common

TARGET_PG = "lvzhi_bench_import_target"


def run_measured(args: list[str], env: dict) -> dict:
    """Run a child to its end; wall seconds, peak RSS (MB) and output."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = "", ""
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN would mix in earlier children).
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} … 失败（{proc.returncode}）：\n{out[-2000:]}\n{err[-3000:]}")
    # CPU time too: on a shared machine the wall time says mostly how busy the others were.
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "stdout": out, "load": os.getloadavg()[0]}


def lvzhi(*args: str) -> list[str]:
    return [sys.executable, "-m", "lvzhi.cli", *args]


def child_parse(path: str) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    rows = 0
    for ws in wb.worksheets:
        if ws.title in ("说明", "选项"):
            continue
        rows += sum(1 for _ in ws.iter_rows(values_only=True)) - 1
    wb.close()
    print(json.dumps({"rows": rows}))


def fresh_target(kind: str, work: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("LVZHI_AS_OF",)}
    env["LVZHI_VAR_DIR"] = str(work / kind)
    # The province workbook (38 MB) is over the web upload limit, which `lvzhi import` applies too (a file over it
    # is refused with that reason): this bench moves a whole province on purpose.
    env["LVZHI_MAX_UPLOAD_MB"] = "200"
    (work / kind).mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        db = work / kind / "target.sqlite3"
        db.unlink(missing_ok=True)
        env["LVZHI_DATABASE_URL"] = f"sqlite:///{db}"
    else:
        import psycopg

        with psycopg.connect(f"{common.PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{TARGET_PG}"')
            conn.execute(f'CREATE DATABASE "{TARGET_PG}"')
        env["LVZHI_DATABASE_URL"] = f"{common.PG}/{TARGET_PG}"
    subprocess.run(lvzhi("manage", "migrate", "-v0"), env=env, check=True)
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="province")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--child-parse")
    parser.add_argument("--keep", action="store_true", help="keep the exported workbook")
    args = parser.parse_args()
    if args.child_parse:
        child_parse(args.child_parse)
        return
    common.setup(args.scenario)
    work = Path(f"/tmp/lvzhi-bench-dataset-{args.scenario}")
    work.mkdir(exist_ok=True)
    path = work / "dataset.xlsx"
    source_env = os.environ.copy()
    export = run_measured(lvzhi("export", "--all", "--out", str(path)), source_env)
    parse = run_measured([sys.executable, __file__, "--child-parse", str(path)], source_env)
    rows = json.loads(parse["stdout"].strip().splitlines()[-1])["rows"]
    file_mb = round(path.stat().st_size / 1048576, 1)
    print(f"[bench] 数据集 {path.stat().st_size / 1048576:.1f} MB，{rows} 行；导出 {export['seconds']:.1f} 秒，"
          f"{export['rss_mb']:.0f} MB；openpyxl 解析 {parse['seconds']:.1f} 秒", flush=True)
    figures = [
        common.figure("dataset.rows", rows, None, "≥ 100000 行", met=rows >= 100_000, unit="行"),
        common.figure("export.seconds", round(export["seconds"], 1), None, "", unit="s"),
        common.figure("export.cpu_seconds", round(export["cpu"], 1), round(parse["cpu"], 1), "", unit="s",
                      load=round(export["load"], 1)),
        common.figure("export.peak_rss", round(export["rss_mb"], 1), round(parse["rss_mb"], 1), "≤ 300 MB",
                      met=export["rss_mb"] <= 300, unit="MB"),
    ]
    common.write_results(f"import_dataset_{args.scenario}", figures, rows=rows, file_mb=file_mb)
    goals = {"sqlite": 5000, "postgresql": 10000}
    try:
        for kind in ("sqlite", "postgresql"):
            if args.only and args.only != kind:
                continue
            figures += import_into(kind, work, path, rows, parse, goals[kind])
            common.write_results(f"import_dataset_{args.scenario}", figures, rows=rows, file_mb=file_mb)
    finally:
        drop_targets(work)
        if not args.keep:
            path.unlink(missing_ok=True)


def import_into(kind: str, work: Path, path: Path, rows: int, parse: dict, goal: int) -> list[dict]:
    env = fresh_target(kind, work)
    imp = run_measured(lvzhi("import", str(path)), env)
    rate, cpu_rate = rows / imp["seconds"], rows / imp["cpu"]
    print(f"[bench] {kind}：{imp['stdout'].strip().splitlines()[-1]}（{imp['seconds']:.0f} 秒，CPU {imp['cpu']:.0f} 秒，"
          f"{imp['rss_mb']:.0f} MB，负载 {imp['load']:.1f}）", flush=True)
    return [
        common.figure(f"import.{kind}.rows_per_second", round(rate), None, f"≥ {goal} 行/秒", met=rate >= goal,
                      unit="行/秒"),
        common.figure(f"import.{kind}.rows_per_cpu_second", round(cpu_rate), None, f"≥ {goal} 行/秒",
                      met=cpu_rate >= goal, unit="行/秒", load=round(imp["load"], 1)),
        common.figure(f"import.{kind}.time_vs_openpyxl_parse", round(imp["seconds"], 1),
                      round(parse["seconds"], 1), "", unit="s"),
        common.figure(f"import.{kind}.peak_rss", round(imp["rss_mb"], 1), round(parse["rss_mb"], 1), "≤ 300 MB",
                      met=imp["rss_mb"] <= 300, unit="MB"),
        common.figure(f"import.{kind}.cpu_vs_openpyxl_parse", round(imp["cpu"], 1), round(parse["cpu"], 1), "",
                      unit="s"),
    ]


def drop_targets(work: Path) -> None:
    """The bench's own target databases go when it ends (a province's import is ~1 GB on disk)."""
    import psycopg

    (work / "sqlite" / "target.sqlite3").unlink(missing_ok=True)
    with psycopg.connect(f"{common.PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TARGET_PG}" WITH (FORCE)')


if __name__ == "__main__":
    main()
