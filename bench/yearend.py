"""Benchmark 6 — the year-end bulk run: secretaries' duty reports (DOCX + PDF) through Celery on Redis, each
worker with its own LibreOffice kept warm by unoserver. Measures reports per second with 1 and 2 workers.

    python bench/yearend.py [--scenario province] [--sample 40]

Each run renders ``--sample`` reports (the first organisations by id) to a scratch directory; the projection
for the whole year-end run (every secretary of the scenario) and for N machines is printed beside it.
Redis must listen on 127.0.0.1:6379; the benchmark uses database 15 and starts/stops everything it needs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import common

BASE_PORT = 2013


def start_unoservers(n: int, scratch: Path) -> list[subprocess.Popen]:
    from lvzhi.scale.yearend import unoserver_command

    procs = []
    for i in range(n):
        profile = scratch / f"uno{i}"
        profile.mkdir(parents=True, exist_ok=True)
        cmd, env = unoserver_command(BASE_PORT + 2 * i, BASE_PORT + 2 * i + 1, str(profile))
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True))
    return procs


def wait_warm(n: int) -> None:
    """Convert one tiny document through every server, so LibreOffice is loaded before the clock starts."""
    from lvzhi.reports import docx_render, pdf_render, templating
    from lvzhi.scale.yearend import wait_for_port

    data = docx_render.to_bytes(templating.Document([templating.Block("paragraph", "预热")], [], []))
    for i in range(n):
        wait_for_port(BASE_PORT + 2 * i)
        os.environ["LVZHI_UNOSERVER"] = f"127.0.0.1:{BASE_PORT + 2 * i}"
        pdf_render.docx_to_pdf(data)
    os.environ.pop("LVZHI_UNOSERVER", None)


def start_workers(n: int, scratch: Path) -> list[subprocess.Popen]:
    celery = str(Path(sys.executable).with_name("celery"))
    procs = []
    for i in range(n):
        env = {**os.environ, "LVZHI_UNOSERVER": f"127.0.0.1:{BASE_PORT + 2 * i}"}
        procs.append(subprocess.Popen([celery, "-A", "lvzhi.scale.yearend_worker", "worker", "--concurrency", "1",
                                       "--pool", "prefork", "--loglevel", "WARNING", "-n", f"bench{i}@%h",
                                       "--without-heartbeat", "--without-gossip", "--without-mingle"],
                                      env=env, stdout=subprocess.DEVNULL, stderr=open(scratch / f"worker{i}.log", "w"),
                                      start_new_session=True))
    return procs


def stop(procs: list[subprocess.Popen]) -> None:
    """Stop what this benchmark started: each process group, and LibreOffice, which leaves its group."""
    import psutil

    children = []
    for p in procs:
        try:
            children += psutil.Process(p.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            pass
        if p.poll() is None:
            os.killpg(p.pid, 15)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
    for c in children:
        try:
            c.wait(timeout=5)
        except psutil.TimeoutExpired:
            c.kill()
        except psutil.NoSuchProcess:
            pass


def run(n_workers: int, ids: list[int], scratch: Path) -> float:
    from lvzhi.scale.yearend_worker import app, duty_report

    app.control.purge()
    unos = start_unoservers(n_workers, scratch)
    workers = []
    try:
        wait_warm(n_workers)
        workers = start_workers(n_workers, scratch)
        # warm-up task per worker (imports, first connection) before the clock starts
        [r.get(timeout=300) for r in [duty_report.delay(ids[0], common.REPORT_YEAR, str(scratch / "warm"))
                                       for _ in range(n_workers)]]
        out = scratch / f"out{n_workers}"
        t = time.perf_counter()
        results = [duty_report.delay(pk, common.REPORT_YEAR, str(out)) for pk in ids]
        for r in results:
            r.get(timeout=600)
        elapsed = time.perf_counter() - t
        made = len(list(out.glob("*.pdf")))
        if made != len(ids):
            raise SystemExit(f"只生成了 {made}/{len(ids)} 份 PDF")
        return len(ids) / elapsed
    finally:
        stop(workers)
        stop(unos)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="province")
    parser.add_argument("--sample", type=int, default=40)
    args = parser.parse_args()
    common.setup(args.scenario)
    from lvzhi.scale.scenarios import SCENARIOS
    from lvzhi.scale.yearend import secretaries_orgs

    orgs = secretaries_orgs(SCENARIOS[args.scenario].code)
    total = orgs.count()
    ids = list(orgs.values_list("pk", flat=True)[:args.sample])
    scratch = Path(f"/tmp/lvzhi-bench-yearend-{os.getpid()}")
    scratch.mkdir(parents=True)
    try:
        one = run(1, ids, scratch)
        two = run(2, ids, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    hours = total / two / 3600
    per_machine = two  # a 2-core machine runs two workers (one LibreOffice each)
    figures = [
        common.figure("yearend.reports_per_second_1_worker", round(one, 3), None, "测量（每份 = DOCX + PDF）",
                      met=None, unit="份/秒"),
        common.figure("yearend.reports_per_second_2_workers", round(two, 3), round(one, 3), "2 个 worker 的加速比",
                      met=None, unit="份/秒"),
        common.figure(f"yearend.{args.scenario}_all_reports_hours_1_machine", round(hours, 2), None,
                      f"全部 {total} 份（单机 2 worker）", met=None, unit="小时"),
    ]
    projection = {f"{n}_machines_reports_per_second": round(per_machine * n, 2) for n in (1, 2, 4, 8)}
    projection["central_20000_reports_hours_on_4_machines"] = round(20000 / (per_machine * 4) / 3600, 2)
    common.write_results("yearend", figures, sample=len(ids), total_reports=total, projection=projection,
                         note="N 台 2 核机器各跑 2 个 worker（各带一个常驻 LibreOffice），共用数据库与 Redis："
                              "吞吐约为单机的 N 倍，直到数据库成为瓶颈（每份报告约 60 次查询）。")


if __name__ == "__main__":
    main()
