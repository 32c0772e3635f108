"""Benchmark 2 — the obligation check: every rule × every subject × every period of one year for the whole
tree, vs hand-written grouped SQL (bench/sql/obligations.py) run in the same process.

    python bench/obligations.py --scenario central

The ratio compares the rules the reference covers (its 26 statements); the whole check (every rule in force,
membership rules included) is timed apart. CPU time (user + sys of this process, so PostgreSQL's share is not
in it) is recorded beside the wall time, because the machine is shared. ``lvzhi check --all --format json``
runs in a subprocess for its peak memory (goal ≤ 300 MB).

Goals: ratio ≤ 2; ≤ 10 s absolute; the number of queries does not grow with the number of units (the whole
tree and a single company must cost the same number of queries). The engine and the SQL must agree on how many
cells of each rule are met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time

import common
import fixtures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="central", choices=["company", "province", "central"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-check-all", action="store_true",
                        help="skip the `check --all --format json` subprocess (its figure is then not measured)")
    parser.add_argument("--serial", action="store_true",
                        help="no parallel workers (max_parallel_workers_per_gather = 0) on the benchmark's connection: "
                             "the backend CPU read from /proc is the leader's only, so a parallel plan hides the "
                             "workers' share from the CPU ratio")
    args = parser.parse_args()
    common.setup(args.scenario)
    sys.path.insert(0, str(common.BENCH / "sql"))
    from django.db import connection

    if args.serial:
        with connection.cursor() as cur:
            cur.execute("SET max_parallel_workers_per_gather = 0")
    from django.test.utils import CaptureQueriesContext

    from lvzhi.obligations.engine import DONE, evaluate
    from lvzhi.org.models import Unit
    from obligations import STATEMENTS, reference_counts  # noqa: E402 - the hand-written reference

    year = common.REPORT_YEAR
    as_of = dt.date.fromisoformat(common.AS_OF)
    top = common.top_unit(args.scenario)
    params = {"path": top.path, "start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31), "as_of": as_of}

    def engine():
        return evaluate(top, year=year, as_of=as_of, rule_ids=list(STATEMENTS))

    def whole():
        return evaluate(top, year=year, as_of=as_of)

    def reference():
        return reference_counts(connection, params)

    pg = fixtures.backend_cpu(connection)
    t_ref, ref = common.timed(reference, repeat=args.repeat)
    pg_ref = (fixtures.backend_cpu(connection) - pg) / (args.repeat + 1) if pg is not None else None
    cpu, pg = fixtures.cpu(), fixtures.backend_cpu(connection)
    t_eng, ev = common.timed(engine, repeat=args.repeat)
    cpu_eng = (fixtures.cpu() - cpu) / (args.repeat + 1)  # the warm-up run included
    pg_eng = (fixtures.backend_cpu(connection) - pg) / (args.repeat + 1) if pg is not None else None
    cpu = fixtures.cpu()
    t_whole, whole_ev = common.timed(whole, repeat=1, warmup=0)
    cpu_whole = fixtures.cpu() - cpu
    whole_cells = sum(len(r.cells) for r in whole_ev.results)
    del whole_ev
    done = {r.rule_id: r.totals[DONE] for r in ev.results}
    cells = sum(len(r.cells) for r in ev.results)
    wrong = {k: (done.get(k), v) for k, v in ref.items() if done.get(k) != v}
    with CaptureQueriesContext(connection) as q_top:
        whole()
    small = Unit.objects.filter(path__startswith=top.path, kind="company", depth=top.depth + 1).order_by("path").first()
    small = small or top
    with CaptureQueriesContext(connection) as q_small:
        evaluate(small, year=year, as_of=as_of)
    check_rss, check_time, check_late = (None, None, None) if args.no_check_all else _check_all(year)
    n_units = Unit.objects.filter(path__startswith=top.path).count()
    n_small = Unit.objects.filter(path__startswith=small.path).count()
    figures = [
        common.figure(f"{args.scenario}.check_time", t_eng, t_ref, "比值 ≤ 2，且 ≤ 10 秒",
                      met=t_eng / t_ref <= 2 and t_eng <= 10, cells=cells, rules=len(ev.results),
                      cpu_seconds=round(cpu_eng, 2),
                      # CPU on both sides of the connection (this process + its PostgreSQL backend) against the
                      # reference's backend CPU: the ratio that the machine's load does not distort.
                      backend_cpu_seconds=_r(pg_eng), reference_backend_cpu_seconds=_r(pg_ref),
                      cpu_ratio=None if not pg_ref else round((cpu_eng + pg_eng) / pg_ref, 2)),
        common.figure(f"{args.scenario}.whole_check_time", t_whole, None, "全部规则（含党员管理规则）≤ 10 秒",
                      met=t_whole <= 10, cells=whole_cells, cpu_seconds=round(cpu_whole, 2)),
        common.figure(f"{args.scenario}.check_all_json_peak_rss", check_rss, None,
                      "lvzhi check --all --format json 峰值内存 ≤ 300 MB",
                      met=None if check_rss is None else check_rss <= 300, unit="MB",
                      wall_seconds=None if check_time is None else round(check_time, 1), late=check_late),
        common.figure(f"{args.scenario}.queries_whole_tree_vs_one_company", len(q_top), len(q_small),
                      "查询数不随单位数增长（比值 = 1）", met=len(q_top) <= len(q_small), unit="次",
                      units=[n_units, n_small]),
        common.figure(f"{args.scenario}.rules_agreeing_with_sql", len(ref) - len(wrong), len(ref),
                      "每条规则“已完成”格数与手写 SQL 一致", met=not wrong, unit="条", mismatches=wrong),
    ]
    common.write_results(f"obligations_{args.scenario}", figures, done_by_rule=done, serial=args.serial,
                         load_average=os.getloadavg())


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _check_all(year: int) -> tuple[float, float, int]:
    """Peak RSS (MB) and wall time of ``lvzhi check --all --format json`` over the whole tree, in its own process;
    and the number of late items it reports. The peak is the child's own VmHWM: its ``ru_maxrss`` starts at the
    RSS of this (forking) benchmark process, which holds two whole evaluations by then — 490 MB recorded for a
    check whose own peak was 250–290 MB (Linux keeps the larger of the old and new address space's peaks over exec)."""
    import json

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "check.json")
        t = time.perf_counter()
        code = (f"import resource, sys; from lvzhi.cli import main; sys.argv = ['lvzhi', 'check', '--year', '{year}', "
                f"'--as-of', '{common.AS_OF}', '--all', '--format', 'json', '--out', {out!r}]\n"
                "try:\n    main()\nexcept SystemExit:\n    pass\n"
                "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')), "
                "file=sys.stderr)")
        done = subprocess.run([sys.executable, "-c", code], env=os.environ.copy(), capture_output=True, text=True)
        wall = time.perf_counter() - t
        if not os.path.exists(out):
            raise RuntimeError(done.stderr[-2000:])
        rss_kb = int(done.stderr.strip().splitlines()[-1])
        with open(out, encoding="utf-8") as f:
            late = json.load(f)["late"]
    return round(rss_kb / 1024, 1), wall, late


if __name__ == "__main__":
    main()
