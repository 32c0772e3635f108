"""Benchmark 3b, two versions of the code side by side: `lvzhi import` of one dataset workbook by source tree A
(e.g. main's worktree) and B (this one), alternately (A, B, A, B …), each import its own process into an empty,
migrated database, on SQLite and PostgreSQL. The figure is the CPU time (user + sys) and peak RSS of the importing
process (wait4's rusage; PostgreSQL's backend not included), with the load average at its start and end; the
audit chain each import wrote is verified (`lvzhi audit verify`).

    python bench/import_ab.py WORKBOOK.xlsx --a /work/main --b . [--rounds 2] [--only sqlite|postgresql] [--name N]

Results: bench/results/<name>.json (default import_ab), with both trees' commits.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
from import_dataset import GOALS, fresh_target

TARGET_PG = os.environ.get("LVZHI_BENCH_IMPORT_TARGET", "lvzhi_bench_import_ab")


def _commit(tree: Path) -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True,
                          check=True).stdout.strip()




def _measure(args: list[str], env: dict) -> dict:
    out = tempfile.TemporaryFile("w+")
    load_start = os.getloadavg()[0]
    t = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    out.seek(0)
    text = out.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} 失败：\n{text[-3000:]}")
    return {"seconds": round(seconds, 1), "cpu": round(usage.ru_utime + usage.ru_stime, 2),
            "user": round(usage.ru_utime, 2), "sys": round(usage.ru_stime, 2),
            "rss_mb": round(usage.ru_maxrss / 1024, 1), "load": [round(load_start, 2), round(os.getloadavg()[0], 2)],
            "last_line": text.strip().splitlines()[-1] if text.strip() else ""}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workbook")
    parser.add_argument("--a", required=True, help="source tree A (its src/ is imported)")
    parser.add_argument("--b", default=str(common.ROOT), help="source tree B")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--name", default="import_ab")
    parser.add_argument("--rows", type=int, required=True, help="data rows of the workbook (for rows per second)")
    args = parser.parse_args()
    trees = {"A": Path(args.a).resolve(), "B": Path(args.b).resolve()}
    commits = {k: _commit(t) for k, t in trees.items()}
    work = Path(tempfile.mkdtemp(prefix="lvzhi-import-ab-"))
    kinds = [k for k in ("sqlite", "postgresql") if not args.only or args.only == k]
    runs = []
    figures = []
    try:
        for rnd in range(args.rounds):
            for kind in kinds:
                for side in ("A", "B"):
                    env = fresh_target(kind, work, tree=trees[side], target_pg=TARGET_PG)
                    run = _measure([sys.executable, "-m", "lvzhi.cli", "import", args.workbook], env)
                    verify = _measure([sys.executable, "-m", "lvzhi.cli", "audit", "verify"], env)
                    run.update(side=side, commit=commits[side], kind=kind, round=rnd + 1,
                               rows_per_cpu_second=round(args.rows / run["cpu"]), audit_verify=verify["last_line"])
                    runs.append(run)
                    print(f"[bench] {kind} {side} ({commits[side]}) 第{rnd + 1}轮：CPU {run['cpu']} 秒，"
                          f"{run['rows_per_cpu_second']} 行/CPU秒，{run['rss_mb']} MB，负载 {run['load']}；"
                          f"{run['last_line']}；{run['audit_verify']}", flush=True)
    finally:
        import psycopg

        with psycopg.connect(f"{common.PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{TARGET_PG}" WITH (FORCE)')
        subprocess.run(["rm", "-rf", str(work)], check=False)
    for kind in kinds:
        for side in ("A", "B"):
            mine = [r for r in runs if r["kind"] == kind and r["side"] == side]
            if not mine:
                continue
            best = min(r["cpu"] for r in mine)
            rate = args.rows / best
            figures.append(common.figure(f"import.{kind}.{side}.rows_per_cpu_second", round(rate), None,
                                         f"≥ {GOALS[kind]} 行/秒", met=rate >= GOALS[kind], unit="行/秒",
                                         commit=commits[side], cpu_seconds=[r["cpu"] for r in mine]))
            peak = max(r["rss_mb"] for r in mine)
            figures.append(common.figure(f"import.{kind}.{side}.peak_rss", peak, None, "≤ 300 MB", met=peak <= 300,
                                         unit="MB", commit=commits[side]))
    common.write_results(args.name, figures, workbook=os.path.basename(args.workbook), rows=args.rows,
                         trees={k: str(t) for k, t in trees.items()}, commits=commits, runs=runs)


if __name__ == "__main__":
    main()
