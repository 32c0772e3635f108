"""CPU per request of each page of bench/pages.py, one process, one request at a time (Django's test client,
settings as in production: DEBUG off, cached template loader): median CPU (user + system of this process) over
``--repeat`` requests after warm-up, the queries per request and, with ``--profile``, a cProfile of one request.

    python bench/page_cpu.py [--scenario province] [--repeat 30] [--profile] [--only dashboard …]

With 16 connections on 2 cores, a page's p95 under load is ≈ 8 × its CPU per request (bench/pages.py): this is
the figure that decides the 150 ms goal, and the one that does not depend on the machine's other load.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time

import common
import fixtures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="province")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="also write a cProfile of each page")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--name", default="page_cpu", help="results file name (bench/results/<name>_<scenario>.json)")
    args = parser.parse_args()
    os.environ["LVZHI_ALLOWED_HOSTS"] = "testserver"
    common.setup(args.scenario)
    from django.conf import settings
    from django.db import connection

    import pages

    assert not settings.DEBUG
    user = fixtures.bench_user(args.scenario)
    report = fixtures.draft_report(args.scenario, user)
    fixtures.stored_year()
    fetch = fixtures.signed_in_client(user)
    figures = []
    for name, url in pages.pages(report.pk).items():
        if args.only and name not in args.only:
            continue

        def get(url=url):
            return fetch(url)

        for _ in range(3):
            get()
        cpu = []
        for _ in range(args.repeat):
            t = time.process_time()
            get()
            cpu.append((time.process_time() - t) * 1000)
        sql: list[str] = []  # Django's own capture is reset by request_started: count through a wrapper

        def note(execute, statement, params, many, context, sql=sql):
            sql.append(statement)
            return execute(statement, params, many, context)

        with connection.execute_wrapper(note):
            size = len(get().content)
        med = statistics.median(cpu)
        print(f"[bench] {name}: CPU median {med:.1f} ms (min {min(cpu):.1f}, p90 "
              f"{sorted(cpu)[int(len(cpu) * 0.9)]:.1f}), {len(sql)} queries, {size} bytes", flush=True)
        figures.append(common.figure(f"{name}.cpu_ms", round(med, 1), None, "≈ 15 ms（16 连接、2 核时 p95 ≈ 8 × CPU）",
                                     met=med <= 15, unit="ms", min_ms=round(min(cpu), 1), queries=len(sql),
                                     repeat=args.repeat, url=url, bytes=size))
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(5):
                get()
            prof.disable()
            out = io.StringIO()
            out.write(f"GET {url} × 5 (cProfile), queries per request {len(sql)}\n")
            for statement in sql:
                out.write(f"  {statement[:200]}\n")
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(40)
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(60)
            path = common.RESULTS / "profiles" / f"cpu_{name}_{args.scenario}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(ln.rstrip()[:220] for ln in out.getvalue().splitlines()) + "\n", encoding="utf-8")
    common.write_results(f"{args.name}_{args.scenario}", figures, repeat=args.repeat)


if __name__ == "__main__":
    main()
