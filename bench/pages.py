"""Benchmark 4 — pages and API under load: the production server (``lvzhi serve``: gunicorn) on loopback with the
province scenario; wrk with 16 connections for 30 s against each page, one page at a time.

    python bench/pages.py [--scenario province] [--seconds 30] [--connections 16]

Goal per page: p95 ≤ 150 ms and zero errors. wrk is a closed loop: each of the 16 connections sends its next
request as soon as the last answer arrives (no think time), so this measures latency at full saturation of the
machine. Every URL is checked to answer 200 for the logged-in user before it is measured (a redirect to the
login page would otherwise count as a fast success). Needs ``wrk`` (Debian package).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
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
        "record_list_api": "/api/branch-activitys/?limit=50",
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


def wrk(url: str, cookie: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
                          "-s", str(common.BENCH / "wrk" / "report.lua"), f"http://127.0.0.1:{PORT}{url}"],
                         env={**os.environ, "LVZHI_BENCH_COOKIE": cookie}, capture_output=True, text=True, check=True)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("JSON "))
    data = json.loads(line[5:])
    data["rps"] = round(data["requests"] / (data["duration_us"] / 1e6), 1)
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="province")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default: 2 = cores)")
    parser.add_argument("--only", nargs="*", help="page names to measure (default: all)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("需要 wrk：apt-get install wrk")
    common.setup(args.scenario)
    user = fixtures.bench_user(args.scenario)
    report = fixtures.draft_report(args.scenario, user)
    cookie = fixtures.session_cookie(user)
    env = {**os.environ, "LVZHI_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    results = {}
    for name, url in pages(report.pk).items():
        if args.only and name not in args.only:
            continue
        # a fresh server per page: requests still queued from a slow page must not slow the next one
        server = start_server(env, args.workers)
        try:
            check(url, cookie)
            results[name] = {"url": url, **wrk(url, cookie, args.seconds, args.connections)}
            print(f"[bench] {name}: {results[name]}", flush=True)
        finally:
            stop_server(server)
    figures = []
    for name, r in results.items():
        errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"] + r["status_errors"]
        figures.append(common.figure(f"{name}.p95", r["p95_ms"], None, "p95 ≤ 150 ms，零错误",
                                     met=r["p95_ms"] <= 150 and errors == 0, unit="ms", errors=errors,
                                     requests_per_second=r["rps"], p50_ms=r["p50_ms"], p99_ms=r["p99_ms"],
                                     url=r["url"]))
    common.write_results(f"pages_{args.scenario}", figures, connections=args.connections, seconds=args.seconds,
                         server=f"lvzhi serve（gunicorn gthread，{args.workers} 个进程 × 4 线程）", raw=results)


if __name__ == "__main__":
    main()
