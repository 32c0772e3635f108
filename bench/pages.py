"""Benchmark 4 — pages and API under load: the production server (``lvzhi serve``: gunicorn) on loopback with the
province scenario; wrk with 16 connections for 30 s against each page, one page at a time.

    python bench/pages.py [--scenario province] [--seconds 30] [--connections 16]

Each page is measured twice: quiet, and while a writer saves one 支部活动 every ``--write-every`` seconds (2 by
default: a quiet afternoon of clerks) through the same service a form uses; right after each write a probe sends
one request of its own and times it — the "first request after a write", which pays for anything a write
invalidates. The writer's records are deleted after the phase, so runs stay comparable. Each phase also reports the
server's CPU per request (its process group's user + system time from /proc) and the load average before and after:
on a shared machine the latencies mostly measure the others' load, the CPU per request does not.

Goal per page: p95 ≤ 150 ms and zero errors; first request after a write ≤ 300 ms. wrk is a closed loop: each of the 16 connections sends its next
request as soon as the last answer arrives (no think time), so this measures latency at full saturation of the
machine. Every URL is checked to answer 200 for the logged-in user before it is measured (a redirect to the
login page would otherwise count as a fast success). Before each measured phase the same load runs ``--warmup``
seconds (3) uncounted, so that every gunicorn worker and thread has served the page once — a server that has been
running is warm; a cold start showed as a p99 of 1.2 s from the first request of each worker. Needs ``wrk``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import common
import fixtures

PORT = 8765


def pages(report_id: int) -> dict[str, str]:
    year = common.REPORT_YEAR
    return {
        "dashboard": "/",  # 工作台: this year's records per type for the user's unit
        "compliance_dashboard": f"/obligations/dashboard/?year={year}",  # 合规看板 of the whole tree
        "record_list": "/records/branch_activity/",
        "record_list_api": "/api/branch-activities/?limit=50",
        "metric_api": f"/api/metrics/branch.activities/?year={year}",
        "report_preview": f"/reports/{report_id}/",
    }


def start_server(env: dict, workers: int) -> subprocess.Popen:
    exe = str(Path(sys.executable).with_name("lvzhi"))
    proc = subprocess.Popen([exe, "serve", "--bind", f"127.0.0.1:{PORT}", "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    raise SystemExit("服务器未能启动")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, 15)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:  # requests still running: gunicorn waits for them
        os.killpg(server.pid, 9)
        server.wait(timeout=30)


def check(url: str, cookie: str) -> None:
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{url}", headers={"Cookie": cookie})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    resp = urllib.request.build_opener(NoRedirect).open(req, timeout=120)
    if resp.status != 200:
        raise SystemExit(f"{url} 返回 {resp.status}")


def _processes():
    """(comm, /proc stat fields after the command) of every process, skipping those that end meanwhile."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            yield comm, (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue


def server_cpu_seconds(server: subprocess.Popen, *, system_only: bool = False) -> float:
    """User + system CPU of the server's processes (gunicorn's master and workers: its process group), from /proc.
    On a machine shared with other work, CPU per request is the figure that does not depend on their load.
    ``system_only``: the kernel's part (forks of a report's render process, their copy-on-write faults)."""
    # utime, stime, and the same of waited-for children (a report's render process once it has ended)
    columns = (12, 14) if system_only else (11, 12, 13, 14)
    ticks = sum(sum(int(fields[i]) for i in columns) for _comm, fields in _processes()
                if int(fields[2]) == server.pid)  # pgrp (the server was started in a session of its own)
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """User + system CPU of every PostgreSQL process on this machine (the server the pages and the writer use):
    what the queries cost, which the server's own CPU leaves out."""
    ticks = sum(int(fields[11]) + int(fields[12]) for comm, fields in _processes()
                if comm in ("postgres", "postmaster"))
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(url: str, cookie: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
                          "-s", str(common.BENCH / "wrk" / "report.lua"), f"http://127.0.0.1:{PORT}{url}"],
                         env={**os.environ, "LVZHI_BENCH_COOKIE": cookie}, capture_output=True, text=True, check=True)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("JSON "))
    data = json.loads(line[5:])
    data["rps"] = round(data["requests"] / (data["duration_us"] / 1e6), 1)
    return data


class Writer(threading.Thread):
    """Saves a 支部活动 every ``every`` seconds through the records service (audited, numbered, like a form), then
    times one request of ``url`` — the first after the write — while the load runs."""

    def __init__(self, user, top, url: str, cookie: str, every: float):
        super().__init__(daemon=True)
        self.user, self.top, self.url, self.cookie, self.every = user, top, url, cookie, every
        self.stop = threading.Event()
        self.after_write_ms: list[float] = []
        self.write_ms: list[float] = []
        self.created: list[int] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        from django.db import connection

        probes = []
        try:
            while not self.stop.wait(self.every):
                self.write_once()
                # the probe runs on its own, so a slow answer does not delay the next write
                probe = threading.Thread(target=self.probe, daemon=True)
                probe.start()
                probes.append(probe)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.error = exc
        finally:
            connection.close()
            for probe in probes:
                probe.join()

    def probe(self) -> None:
        t = time.perf_counter()
        try:
            check(self.url, self.cookie)
        except OSError:  # no answer within check's 120 s: counted as unanswered
            return
        self.after_write_ms.append((time.perf_counter() - t) * 1000)

    def write_once(self) -> None:
        import datetime as dt

        from lvzhi.org.models import PartyOrg, PartyOrgKind
        from lvzhi.org.scoping import scope_for
        from lvzhi.records import registry, services

        org = (PartyOrg.objects.filter(unit__path__startswith=self.top.path, kind=PartyOrgKind.BRANCH).order_by("pk")
               [len(self.created) % 50])
        rt = registry.get("branch_activity")
        t = time.perf_counter()
        obj = services.create_record(rt, {"party_org": org, "kind": "themed_day",
                                          "date": dt.date(common.REPORT_YEAR, 6, 1 + len(self.created) % 28),
                                          "title": f"基准测试写入 {len(self.created) + 1}"},
                                     actor=self.user, scope=scope_for(self.user))
        self.write_ms.append((time.perf_counter() - t) * 1000)
        self.created.append(obj.pk)

    def clean_up(self) -> None:
        from lvzhi.org.scoping import scope_for
        from lvzhi.records import registry, services

        rt = registry.get("branch_activity")
        for obj in rt.model.objects.filter(pk__in=self.created):
            services.delete_record(rt, obj, actor=self.user, scope=scope_for(self.user))


def measure(name: str, url: str, cookie: str, env: dict, args, user=None, top=None) -> dict:
    """One page on a fresh server (requests still queued from a slow page must not slow the next one); with
    ``user``, under writes."""
    server = start_server(env, args.workers)
    writer = None
    try:
        check(url, cookie)
        if args.warmup > 0:  # every worker process and thread serves a few requests first, as on a running server
            wrk(url, cookie, args.warmup, args.connections)
        if user is not None:
            writer = Writer(user, top, url, cookie, args.write_every)
            writer.start()
        cpu, db_cpu, own_cpu, load = server_cpu_seconds(server), postgres_cpu_seconds(), fixtures.cpu(), os.getloadavg()[0]
        sys_cpu = server_cpu_seconds(server, system_only=True)
        result = {"url": url, **wrk(url, cookie, args.seconds, args.connections)}
        result["server_cpu_ms_per_request"] = round((server_cpu_seconds(server) - cpu) * 1000 / max(result["requests"], 1), 1)
        result["server_system_cpu_ms_per_request"] = round(
            (server_cpu_seconds(server, system_only=True) - sys_cpu) * 1000 / max(result["requests"], 1), 1)
        # PostgreSQL's processes, the writer's statements and any refresh included: the cost a write adds shows here
        result["postgres_cpu_ms_per_request"] = round((postgres_cpu_seconds() - db_cpu) * 1000 / max(result["requests"], 1), 1)
        result["bench_process_cpu_s"] = round(fixtures.cpu() - own_cpu, 2)  # the writer's Python (and wrk's parsing: none)
        result["load_before"], result["load_after"] = round(load, 2), round(os.getloadavg()[0], 2)
        if writer is not None:
            writer.stop.set()
            writer.join()
            if writer.error is not None:
                raise SystemExit(f"写入线程失败：{writer.error!r}")
            ms = sorted(writer.after_write_ms) or [float("nan")]  # nan: no probe answered (within 120 s)
            result.update(writes=len(writer.write_ms), write_ms_median=round(statistics.median(writer.write_ms), 1),
                          after_write_ms=[round(x, 1) for x in ms], probes_answered=len(writer.after_write_ms),
                          after_write_median_ms=round(statistics.median(ms), 1), after_write_max_ms=round(ms[-1], 1))
        print(f"[bench] {name}: { {k: v for k, v in result.items() if k != 'after_write_ms'} }", flush=True)
        return result
    finally:
        stop_server(server)
        if writer is not None:
            writer.clean_up()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="province")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default: 2 = cores)")
    parser.add_argument("--only", nargs="*", help="page names to measure (default: all)")
    parser.add_argument("--warmup", type=int, default=3,
                        help="seconds of the same load before each measured phase, not counted (0: measure from cold)")
    parser.add_argument("--write-every", type=float, default=2.0,
                        help="seconds between writes in the second phase (0: no phase under writes)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("需要 wrk：apt-get install wrk")
    common.setup(args.scenario)
    user = fixtures.bench_user(args.scenario)
    report = fixtures.draft_report(args.scenario, user)
    fixtures.stored_year()
    cookie = fixtures.session_cookie(user)
    env = {**os.environ, "LVZHI_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    top = common.top_unit(args.scenario)
    results, under_writes = {}, {}
    for name, url in pages(report.pk).items():
        if args.only and name not in args.only:
            continue
        results[name] = measure(name, url, cookie, env, args)
        if args.write_every > 0:
            under_writes[name] = measure(f"{name}（写入中）", url, cookie, env, args, user=user, top=top)
    figures = []
    for name, r in results.items():
        figures.append(_p95_figure(name, r))
    for name, r in under_writes.items():
        figures.append(_p95_figure(f"{name}.under_writes", r))
        figures.append(common.figure(f"{name}.first_after_write", r["after_write_max_ms"], None,
                                     "写入后首个请求 ≤ 300 ms", met=r["after_write_max_ms"] <= 300, unit="ms",
                                     median_ms=r["after_write_median_ms"], writes=r["writes"],
                                     write_ms_median=r["write_ms_median"]))
    common.write_results(f"pages_{args.scenario}", figures, connections=args.connections, seconds=args.seconds,
                         server=f"lvzhi serve（gunicorn gthread，{args.workers} 个进程 × 4 线程）",
                         write_every_seconds=args.write_every, warmup_seconds=args.warmup, raw={"quiet": results, "under_writes": under_writes})


def _p95_figure(name: str, r: dict) -> dict:
    errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"] + r["status_errors"]
    return common.figure(f"{name}.p95", r["p95_ms"], None, "p95 ≤ 150 ms，零错误",
                         met=r["p95_ms"] <= 150 and errors == 0, unit="ms", errors=errors,
                         requests_per_second=r["rps"], p50_ms=r["p50_ms"], p99_ms=r["p99_ms"], url=r["url"])


if __name__ == "__main__":
    main()
