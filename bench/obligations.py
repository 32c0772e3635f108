"""Benchmark 2 — the obligation check: every rule × every subject × every period of one year for the whole
tree, vs hand-written grouped SQL (bench/sql/obligations.py) run in the same process.

    python bench/obligations.py --scenario central

Goals: ratio ≤ 2; ≤ 10 s absolute; the number of queries does not grow with the number of units (the whole
tree and a single company must cost the same number of queries). The engine and the SQL must agree on how many
cells of each rule are met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import common


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="central", choices=["company", "province", "central"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    common.setup(args.scenario)
    sys.path.insert(0, str(common.BENCH / "sql"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lvzhi.obligations.engine import DONE, evaluate
    from lvzhi.org.models import Unit
    from obligations import STATEMENTS  # noqa: E402 - the hand-written reference

    year = common.REPORT_YEAR
    as_of = dt.date.fromisoformat(common.AS_OF)
    top = common.top_unit(args.scenario)
    params = {"path": top.path, "start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31), "as_of": as_of}

    def engine():
        return evaluate(top, year=year, as_of=as_of)

    def reference():
        out = {}
        with connection.cursor() as cur:
            for rule_id, sql in STATEMENTS.items():
                cur.execute(sql, params)
                out[rule_id] = cur.fetchone()[0]
        return out

    t_ref, ref = common.timed(reference, repeat=args.repeat)
    t_eng, ev = common.timed(engine, repeat=args.repeat)
    done = {r.rule_id: r.totals[DONE] for r in ev.results}
    cells = sum(len(r.cells) for r in ev.results)
    wrong = {k: (done.get(k), v) for k, v in ref.items() if done.get(k) != v}
    with CaptureQueriesContext(connection) as q_top:
        engine()
    small = Unit.objects.filter(path__startswith=top.path, kind="company", depth=top.depth + 1).order_by("path").first()
    small = small or top
    with CaptureQueriesContext(connection) as q_small:
        evaluate(small, year=year, as_of=as_of)
    n_units = Unit.objects.filter(path__startswith=top.path).count()
    n_small = Unit.objects.filter(path__startswith=small.path).count()
    figures = [
        common.figure(f"{args.scenario}.check_time", t_eng, t_ref, "比值 ≤ 2，且 ≤ 10 秒",
                      met=t_eng / t_ref <= 2 and t_eng <= 10, cells=cells, rules=len(ev.results)),
        common.figure(f"{args.scenario}.queries_whole_tree_vs_one_company", len(q_top), len(q_small),
                      "查询数不随单位数增长（比值 = 1）", met=len(q_top) <= len(q_small), unit="次",
                      units=[n_units, n_small]),
        common.figure(f"{args.scenario}.rules_agreeing_with_sql", len(ref) - len(wrong), len(ref),
                      "每条规则“已完成”格数与手写 SQL 一致", met=not wrong, unit="条", mismatches=wrong),
    ]
    common.write_results(f"obligations_{args.scenario}", figures, done_by_rule=done)


if __name__ == "__main__":
    main()
