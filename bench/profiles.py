"""Profiles behind BENCHMARKS.md: where the time of a missed goal goes (cProfile, plus each SQL query's time).

    python bench/profiles.py obligations --scenario central
    python bench/profiles.py figures --scenario province  (the report figures of bench/report_figures.py)
    python bench/profiles.py import --rows 20000
    python bench/profiles.py page --url /reports/1/          (any page, as the benchmark's 党委书记)

Writes bench/results/profiles/<target>_<scenario>.txt: the 30 most expensive functions (cumulative) and the 10
slowest queries.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import time
from pathlib import Path

import common


def run(fn, title: str, path: Path) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm
    prof = cProfile.Profile()
    with CaptureQueriesContext(connection) as q:
        t = time.perf_counter()
        prof.enable()
        fn()
        prof.disable()
        wall = time.perf_counter() - t
    out = io.StringIO()
    db = sum(float(x["time"]) for x in q.captured_queries)
    out.write(f"{title}\nwall (profiled) {wall:.2f} s; {len(q.captured_queries)} queries, {db:.2f} s in the database\n\n")
    out.write("slowest queries:\n")
    for x in sorted(q.captured_queries, key=lambda x: -float(x["time"]))[:10]:
        out.write(f"  {float(x['time']):7.3f} s  {x['sql'][:220]}\n")
    out.write("\n")
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(30)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(line.rstrip()[:200] for line in out.getvalue().splitlines())
    path.write_text(text + "\n", encoding="utf-8")
    print(text[:3000])
    print(f"[bench] 已写入 {path.relative_to(common.ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("target", choices=["obligations", "figures", "import", "page"])
    parser.add_argument("--scenario", default="province")
    parser.add_argument("--url", default="/")
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    common.setup(args.scenario)
    results = common.RESULTS / "profiles"
    if args.target == "obligations":
        from lvzhi.obligations.engine import evaluate

        top = common.top_unit(args.scenario)
        as_of = dt.date.fromisoformat(common.AS_OF)
        run(lambda: evaluate(top, year=common.REPORT_YEAR, as_of=as_of), f"evaluate({top.name}, {common.REPORT_YEAR})",
            results / f"obligations_{args.scenario}.txt")
    elif args.target == "figures":
        from lvzhi.metrics.compute import Period, compute_many
        from lvzhi.reports import services, templating

        top = common.top_unit(args.scenario)
        body = services.BUILTIN_FILE.read_text(encoding="utf-8")
        ids = [mid for mid, _ in templating.metric_ids_in(body)]
        period = Period.year(common.REPORT_YEAR)
        run(lambda: compute_many(ids, top, period), f"compute_many({len(ids)} figures, {top.name}, {common.REPORT_YEAR})",
            results / f"figures_{args.scenario}.txt")
    elif args.target == "import":
        import import_xlsx

        path = Path(f"/tmp/lvzhi-bench-import-{args.rows}.xlsx")
        if not path.exists():
            import_xlsx.make_file(path, args.rows, args.scenario)
        run(lambda: import_xlsx.child_import(str(path)), f"import {args.rows} rows of 支部活动",
            results / f"import_{args.rows}.txt")
    else:
        import os

        os.environ["LVZHI_ALLOWED_HOSTS"] = "testserver"
        from django.conf import settings
        from django.test import Client

        import fixtures

        settings.ALLOWED_HOSTS = ["testserver"]
        user = fixtures.bench_user(args.scenario)
        fixtures.draft_report(args.scenario, user)
        client = Client()
        client.force_login(user)

        def get():
            response = client.get(args.url)
            assert response.status_code == 200, response.status_code

        name = args.url.strip("/").replace("/", "_").split("?")[0] or "home"
        run(get, f"GET {args.url}", results / f"page_{name}_{args.scenario}.txt")


if __name__ == "__main__":
    main()
