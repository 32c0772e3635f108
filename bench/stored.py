"""Benchmark 7 — stored obligation results (issue 16): a full recomputation, the whole tree's summary read from the
stored rows, and what one write costs to keep them up to date.

    python bench/stored.py --scenario central|province [--writes 20]

Figures, each against a reference measured in the same run:
- full recomputation of the report year (``stored.recompute``) vs the stateless engine over the same tree (it is
  the engine plus writing the rows);
- the summary of the whole tree (counts per rule and state, as of the benchmark's day) from the stored rows vs the
  engine's summary of the same (goal ≤ 200 ms); the two must agree cell for cell in their counts;
- one write through the records service (a 支部活动 of a branch, saved like a form) with its stored cells updated,
  vs the same write in a year that is not stored (nothing to update): the difference is what keeping the results up
  to date costs (goal ≤ 50 ms). Afterwards the summary still equals the engine's; the rows written are deleted
  again through the service.

The benchmark writes to the scenario's database (the stored rows, its own records, then deletes them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

import common
import fixtures

cpu = fixtures.cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="central", choices=["company", "province", "central"])
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    common.setup(args.scenario)

    from lvzhi.obligations import stored, stored_reads
    from lvzhi.obligations.engine import evaluate

    year = common.REPORT_YEAR
    as_of = dt.date.fromisoformat(common.AS_OF)
    top = common.top_unit(args.scenario)

    from lvzhi.obligations import stored_rows

    load_start = os.getloadavg()[0]
    writing = [0.0, 0.0]  # wall, CPU of the rows' writing (COPY / executemany) inside the recomputation
    insert = stored_rows.insert

    def timed_insert(rows):
        c, t = cpu(), time.perf_counter()
        try:
            return insert(rows)
        finally:
            writing[0] += time.perf_counter() - t
            writing[1] += cpu() - c

    stored_rows.insert = timed_insert
    c, t = cpu(), time.perf_counter()
    cells = stored.recompute(year, today=as_of)
    t_recompute, c_recompute = time.perf_counter() - t, cpu() - c
    stored_rows.insert = insert
    c, t = cpu(), time.perf_counter()
    ev = evaluate(top, year=year, as_of=as_of)
    t_engine, c_engine = time.perf_counter() - t, cpu() - c

    def engine_summary(evaluation) -> dict[str, dict[str, int]]:
        out = {r.rule_id: {k: v for k, v in r.totals.items() if v} for r in evaluation.results}
        return {k: v for k, v in out.items() if v}  # a rule with no cells has no stored rows

    def stored_summary() -> dict[str, dict[str, int]]:
        out = {k: {s: n for s, n in v.items() if n} for k, v in stored_reads.summary(top, year, as_of).items()}
        return {k: v for k, v in out.items() if v}

    t_summary, got = common.timed(stored_summary, repeat=5)
    want = engine_summary(ev)
    disagree = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))

    writes = fixtures.BranchActivityWrites(args.scenario, top, args.writes)
    write = writes.write

    unstored_year = year + 3  # no stored results: the bare write
    try:
        write(0, unstored_year), write(0, year)  # warm
        bare = [write(i, unstored_year) for i in range(args.writes)]
        kept = [write(i, year) for i in range(args.writes)]
        t_after = stored_summary()
        ev_after = engine_summary(evaluate(top, year=year, as_of=as_of))
        after_disagree = sorted(k for k in set(ev_after) | set(t_after) if ev_after.get(k) != t_after.get(k))
    finally:
        writes.undo()

    w_bare = statistics.median(b[0] for b in bare)
    w_kept = statistics.median(k[0] for k in kept)
    update = max(w_kept - w_bare, 0.0)
    figures = [
        common.figure(f"{args.scenario}.recompute_year", t_recompute, t_engine, "—", unit="s", cells=cells,
                      cpu=c_recompute, engine_cpu=c_engine, rows_written_wall=writing[0], rows_written_cpu=writing[1],
                      load_at_start=load_start),
        common.figure(f"{args.scenario}.summary_from_stored", t_summary, t_engine, "≤ 0.2 秒，且与引擎一致",
                      met=t_summary <= 0.2 and not disagree, rules=len(got), disagreeing_rules=disagree),
        common.figure(f"{args.scenario}.write_updates_cells", update, w_bare, "≤ 0.05 秒",
                      met=update <= 0.05 and not after_disagree, unit="s",
                      write_with_update=w_kept, write_bare=w_bare,
                      cpu_with_update=statistics.median(k[1] for k in kept),
                      cpu_bare=statistics.median(b[1] for b in bare),
                      writes=args.writes, disagreeing_after_writes=after_disagree),
    ]
    common.write_results(f"stored_{args.scenario}", figures)


if __name__ == "__main__":
    main()
