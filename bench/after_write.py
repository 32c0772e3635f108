"""What one write costs each page of bench/pages.py: the first request after a 支部活动 is saved, in one process,
one request at a time (Django's test client, production settings). For every page: ``--writes`` times, save a
支部活动 through the records service (as bench/pages.py's writer does), then GET the page once and read the CPU of
this process, of its children (the report's render process) and of its PostgreSQL backend during that GET (the
refresh the write causes runs inline, in the request: ``LVZHI_RESULTS_REFRESH=inline``); then one
more GET with nothing written (the quiet path). Medians are printed and written to
``bench/results/after_write_<scenario>.json``. The writes are deleted afterwards.

    python bench/after_write.py [--scenario province] [--writes 10] [--only record_list …] [--profile]

Writes: run it on a copy (LVZHI_BENCH_DATABASE=…) when other benchmarks read the shared database at the same time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import statistics

import common
import fixtures


def _own_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="province")
    parser.add_argument("--writes", type=int, default=10)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--profile", action="store_true", help="cProfile of the GETs after writes, per page")
    parser.add_argument("--name", default="after_write")
    args = parser.parse_args()
    os.environ["LVZHI_ALLOWED_HOSTS"] = "testserver"
    # the refresh a write causes runs in the request, so its CPU and its backend's are this request's (the server's
    # default runs it in a thread of the process with its own connection: the same work, not seen here)
    os.environ["LVZHI_RESULTS_REFRESH"] = "inline"
    common.setup(args.scenario)
    from django.conf import settings
    from django.db import connection

    import pages

    assert not settings.DEBUG
    user = fixtures.bench_user(args.scenario)
    top = common.top_unit(args.scenario)
    report = fixtures.draft_report(args.scenario, user)
    fixtures.stored_year()
    fetch = fixtures.signed_in_client(user)
    writer = pages.Writer(user, top, "", "", 0)
    figures = []
    try:
        for name, url in pages.pages(report.pk).items():
            if args.only and name not in args.only:
                continue

            def get(url=url):
                fetch(url)

            def timed_get() -> tuple[float, float, float]:
                b0 = fixtures.backend_cpu(connection) or 0.0
                s0, c0 = _own_cpu()
                get()
                s1, c1 = _own_cpu()
                b1 = fixtures.backend_cpu(connection) or 0.0
                return (s1 - s0) * 1000, (c1 - c0) * 1000, (b1 - b0) * 1000

            for _ in range(3):
                get()
            after, quiet, sql = [], [], []
            prof = cProfile.Profile() if args.profile else None

            def note(execute, statement, params, many, context, sql=sql):
                sql.append(statement)
                return execute(statement, params, many, context)

            for i in range(args.writes):
                writer.write_once()
                if prof:
                    prof.enable()
                if i == args.writes - 1:
                    with connection.execute_wrapper(note):
                        after.append(timed_get())
                else:
                    after.append(timed_get())
                if prof:
                    prof.disable()
                quiet.append(timed_get())
            med = [statistics.median(x[k] for x in after) for k in range(3)]
            qmed = [statistics.median(x[k] for x in quiet) for k in range(3)]
            print(f"[bench] {name}: after a write CPU {med[0]:.1f} + render {med[1]:.1f} + PostgreSQL {med[2]:.1f} "
                  f"= {sum(med):.1f} ms ({len(sql)} queries); quiet {qmed[0]:.1f} + {qmed[1]:.1f} + {qmed[2]:.1f} "
                  f"= {sum(qmed):.1f} ms", flush=True)
            figures.append(common.figure(
                f"{name}.after_write_ms", round(sum(med), 1), None, "", unit="ms",
                process_ms=round(med[0], 1), render_ms=round(med[1], 1), postgres_ms=round(med[2], 1),
                quiet_ms=round(sum(qmed), 1), queries_after_write=len(sql), writes=args.writes, url=url))
            if prof:
                out = io.StringIO()
                out.write(f"GET {url} after each of {args.writes} writes (cProfile); queries of the last:\n")
                for statement in sql:
                    out.write(f"  {statement[:300]}\n")
                pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(50)
                path = common.RESULTS / "profiles" / f"after_write_{name}_{args.scenario}.txt"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("\n".join(ln.rstrip()[:260] for ln in out.getvalue().splitlines()) + "\n",
                                encoding="utf-8")
    finally:
        writer.clean_up()
    common.write_results(f"{args.name}_{args.scenario}", figures, writes=args.writes)


if __name__ == "__main__":
    main()
