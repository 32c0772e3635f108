"""Benchmark 3b — a whole dataset through the command line, as an office moves it: `lvzhi export --all` of the
scenario's database, then `lvzhi import` of that workbook into an empty database, on SQLite and on PostgreSQL.
The reference is openpyxl's read-only parse of every sheet of the same workbook (the floor any importer stands on).
Each step is its own child process; its peak memory is that process's own (wait4's rusage).

    python bench/import_dataset.py [--scenario province] [--only sqlite|postgresql] [--workbook F.xlsx] [--parallel]

--workbook imports a workbook already exported from the scenario (its export figures are then not measured);
--parallel runs the reference parse and the two imports side by side (each still its own process with its own
CPU time and peak memory: on a shared machine the wall time is what others leave, the CPU time is the figure).

Goals (issues 11, 16): ≥ 10,000 rows/s on PostgreSQL and ≥ 5,000 on SQLite, ≤ 300 MB peak; the dataset has
≥ 100,000 rows. Rates are given per wall second and per CPU second of the importing process (the machine is shared).
The target databases (a SQLite file, a PostgreSQL database) are dropped at the end, and the workbook unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

TARGET_PG = os.environ.get("LVZHI_BENCH_IMPORT_TARGET", "lvzhi_bench_import_target")  # another name: runs side by side


def run_measured(args: list[str], env: dict) -> dict:
    """Run a child to its end; wall seconds, peak RSS (MB) and output."""
    return finish(start(args, env))


def start(args: list[str], env: dict) -> tuple:
    # output to files, not pipes: a child writing more than a pipe holds must not wait for a parent in wait4
    out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    t = time.perf_counter()
    return subprocess.Popen(args, env=env, stdout=out, stderr=err, text=True), t, out, err, args


def finish(started: tuple) -> dict:
    proc, t, out_file, err_file, args = started
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN would mix in earlier children).
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    out_file.seek(0)
    err_file.seek(0)
    out, err = out_file.read(), err_file.read()
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


def fresh_target(kind: str, work: Path, *, tree: Path | None = None, target_pg: str = TARGET_PG) -> dict:
    """The environment of an import into an empty, migrated database of ``kind``, with a var dir of its own (the
    audit anchors of an earlier import would not fit the new database); ``tree``: run that source tree's code."""
    dropped = {"LVZHI_AS_OF", "PYTHONPATH"} if tree is not None else {"LVZHI_AS_OF"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    if tree is not None:
        env["PYTHONPATH"] = str(tree / "src")
    env["LVZHI_VAR_DIR"] = str(work / kind)
    # The province workbook (38 MB) is over the web upload limit, which `lvzhi import` applies too (a file over it
    # is refused with that reason): this bench moves a whole province on purpose.
    env["LVZHI_MAX_UPLOAD_MB"] = "200"
    shutil.rmtree(work / kind, ignore_errors=True)
    (work / kind).mkdir(parents=True)
    if kind == "sqlite":
        db = work / kind / "target.sqlite3"
        env["LVZHI_DATABASE_URL"] = f"sqlite:///{db}"
    else:
        import psycopg

        with psycopg.connect(f"{common.PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target_pg}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{target_pg}"')
        env["LVZHI_DATABASE_URL"] = f"{common.PG}/{target_pg}"
    subprocess.run(lvzhi("manage", "migrate", "-v0"), env=env, check=True)
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="province")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--child-parse")
    parser.add_argument("--keep", action="store_true", help="keep the exported workbook")
    parser.add_argument("--workbook", help="a workbook already exported with lvzhi export --all from the scenario")
    parser.add_argument("--parallel", action="store_true", help="parse and both imports side by side")
    args = parser.parse_args()
    if args.child_parse:
        child_parse(args.child_parse)
        return
    if args.parallel:
        parallel(args)
        return
    common.setup(args.scenario)
    work = Path(f"/tmp/lvzhi-bench-dataset-{args.scenario}")
    work.mkdir(exist_ok=True)
    path = work / "dataset.xlsx"
    source_env = os.environ.copy()
    if args.workbook:
        path, args.keep = Path(args.workbook), True
        export = None
    else:
        export = run_measured(lvzhi("export", "--all", "--out", str(path)), source_env)
    parse = run_measured([sys.executable, __file__, "--child-parse", str(path)], source_env)
    rows = json.loads(parse["stdout"].strip().splitlines()[-1])["rows"]
    file_mb = round(path.stat().st_size / 1048576, 1)
    print(f"[bench] 数据集 {file_mb} MB，{rows} 行；openpyxl 解析 {parse['seconds']:.1f} 秒", flush=True)
    figures = [common.figure("dataset.rows", rows, None, "≥ 100000 行", met=rows >= 100_000, unit="行"),
               *export_figures(export, parse)]
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


GOALS = {"sqlite": 5000, "postgresql": 10000}


def parallel(args) -> None:
    """The parse and the imports started together on an exported workbook (``--workbook``)."""
    if not args.workbook:
        raise SystemExit("--parallel 需要 --workbook（先 lvzhi export --all 导出）")
    common.setup(args.scenario)
    work = Path(f"/tmp/lvzhi-bench-dataset-{args.scenario}")
    work.mkdir(exist_ok=True)
    path = Path(args.workbook)
    kinds = [k for k in ("sqlite", "postgresql") if not args.only or args.only == k]
    measured = common.machine()["commit"]  # the code the children run (HEAD may move before the results are written)
    envs = {kind: fresh_target(kind, work) for kind in kinds}
    try:
        parse_run = start([sys.executable, __file__, "--child-parse", str(path)], os.environ.copy())
        runs = {kind: start(lvzhi("import", str(path)), envs[kind]) for kind in kinds}
        parse = finish(parse_run)  # first: it ends first, and its wall time is taken when it is waited for
        results = {kind: finish(run) for kind, run in runs.items()}
        # the chain the import wrote (one entry per record) must verify: `lvzhi audit verify` in each target
        verifies = {kind: start(lvzhi("audit", "verify"), envs[kind]) for kind in kinds}
        verified = {kind: finish(run)["stdout"].strip().splitlines()[-1] for kind, run in verifies.items()}
    finally:
        drop_targets(work)
    rows = json.loads(parse["stdout"].strip().splitlines()[-1])["rows"]
    file_mb = round(path.stat().st_size / 1048576, 1)
    print(f"[bench] 数据集 {file_mb} MB，{rows} 行；openpyxl 解析 {parse['seconds']:.1f} 秒，CPU {parse['cpu']:.0f} 秒",
          flush=True)
    figures = [common.figure("dataset.rows", rows, None, "≥ 100000 行", met=rows >= 100_000, unit="行")]
    for kind in kinds:
        print(f"[bench] {kind} audit verify：{verified[kind]}", flush=True)
        figures += import_figures(kind, results[kind], rows, parse, GOALS[kind])
    common.write_results(f"import_dataset_{args.scenario}", figures, rows=rows, file_mb=file_mb, parallel=True,
                         audit_verify=verified, code_commit=measured)


def export_figures(export, parse) -> list[dict]:
    if export is None:
        return []
    print(f"[bench] 导出 {export['seconds']:.1f} 秒，CPU {export['cpu']:.0f} 秒，{export['rss_mb']:.0f} MB", flush=True)
    return [
        common.figure("export.seconds", round(export["seconds"], 1), None, "", unit="s"),
        common.figure("export.cpu_seconds", round(export["cpu"], 1), round(parse["cpu"], 1), "", unit="s",
                      load=round(export["load"], 1)),
        common.figure("export.peak_rss", round(export["rss_mb"], 1), round(parse["rss_mb"], 1), "≤ 300 MB",
                      met=export["rss_mb"] <= 300, unit="MB"),
    ]


def import_into(kind: str, work: Path, path: Path, rows: int, parse: dict, goal: int) -> list[dict]:
    env = fresh_target(kind, work)
    return import_figures(kind, run_measured(lvzhi("import", str(path)), env), rows, parse, goal)


def import_figures(kind: str, imp: dict, rows: int, parse: dict, goal: int) -> list[dict]:
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
