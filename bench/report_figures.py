"""Benchmark 1 — every figure of the built-in report template for the top unit and one year, vs one
hand-written SQL script (bench/sql/report_figures.sql) computing the same figures in the same run.

    python bench/report_figures.py --scenario province     (and --scenario central)

Goals: ratio ≤ 1.5; absolute ≤ 1 s (province) / ≤ 3 s (central). The two must agree figure by figure, or the
benchmark stops: a fast wrong answer is no answer.
"""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal

import common

LIMITS = {"company": 1.0, "province": 1.0, "central": 3.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="province", choices=sorted(LIMITS))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    common.setup(args.scenario)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lvzhi.metrics.compute import Period, compute, compute_many
    from lvzhi.reports import services, templating
    from lvzhi.reports.facts import Facts

    year = common.REPORT_YEAR
    top = common.top_unit(args.scenario)
    period = Period.year(year)
    secretary = services.default_secretary(top)
    body = services.BUILTIN_FILE.read_text(encoding="utf-8")
    metric_ids = [mid for mid, _ in templating.metric_ids_in(body)]
    contact = Facts(top, period, secretary).contact_point().attrs["unit_obj"]
    contact_metric = "cadres.middle_promoted_80s_postgrad"

    def lvzhi_figures():
        figs = compute_many(metric_ids, top, period)
        out = {m: figs[m].value for m in metric_ids}
        out[f"contact:{contact_metric}"] = compute(contact_metric, contact, period).value
        return out

    sql = common.sql_file("report_figures.sql")
    params = {"path": top.path, "cpath": contact.path, "start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31),
              "prev_end": dt.date(year - 1, 12, 31)}

    def reference():
        with connection.cursor() as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
            return {d.name: v for d, v in zip(cur.description, row, strict=False)}

    t_ref, ref = common.timed(reference, repeat=args.repeat)
    t_lv, mine = common.timed(lvzhi_figures, repeat=args.repeat)
    # lvzhi reports a count with no record of its type in the period as missing (None); SQL says 0
    wrong = {k: (mine.get(k), v) for k, v in ref.items()
             if _norm(mine.get(k)) != _norm(v) and not (mine.get(k) is None and v == 0)}
    if wrong:
        raise SystemExit(f"lvzhi 与手写 SQL 的数字不一致：{wrong}")
    with CaptureQueriesContext(connection) as q:
        lvzhi_figures()
    t_render, _ = common.timed(lambda: templating.render(body, unit=top, year=year, secretary=secretary),
                               repeat=args.repeat)
    limit = LIMITS[args.scenario]
    figures = [
        common.figure(f"{args.scenario}.figures_time", t_lv, t_ref, f"比值 ≤ 1.5，且 ≤ {limit} 秒",
                      met=t_lv / t_ref <= 1.5 and t_lv <= limit, figures=len(ref), queries=len(q)),
        common.figure(f"{args.scenario}.full_render_time", t_render, None, f"≤ {limit} 秒（数字+事实+模板，参考）",
                      met=t_render <= limit),
    ]
    common.write_results(f"report_figures_{args.scenario}", figures, figures_checked=sorted(ref),
                         values={k: str(v) for k, v in ref.items()})


def _norm(v):
    if v is None:
        return None
    return Decimal(str(v)).normalize()


if __name__ == "__main__":
    main()
