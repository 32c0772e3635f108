"""A/B of the stateless check of the 26 reference rules (benchmark 2's ratio) between two source trees, in one run:
each side in its own process (``PYTHONPATH=<src>``), alternately, each measuring its engine and the grouped SQL
of bench/sql/obligations.py on the same connection. Read-only: the scenario's database must exist already (no
migrate, unlike ``common.setup``), so it can run beside a benchmark that reads the same database.

    python bench/check_ab.py --a ../main/src --b src [--scenario province] [--rounds 3] [--repeat 5] [--serial]

Per side and round: wall min/median of ``repeat`` runs after one warm-up, this process's CPU and its PostgreSQL
backend's CPU (from /proc: the figures the machine's load does not distort; ``--serial`` keeps parallel workers,
whose CPU /proc does not show, out of both), and the same for the reference. Writes
``bench/results/check_ab_<scenario>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import common
import fixtures


def _child(scenario: str, repeat: int, serial: bool) -> dict:
    os.environ["LVZHI_DATABASE_URL"] = common.db_url(scenario)
    os.environ.setdefault("LVZHI_VAR_DIR", f"/tmp/lvzhi-bench-{scenario}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "lvzhi.settings"
    import django

    django.setup()
    sys.path.insert(0, str(common.BENCH / "sql"))
    from django.db import connection

    from lvzhi.obligations.engine import DONE, evaluate
    from obligations import STATEMENTS, reference_counts  # noqa: E402 - the hand-written reference

    if serial:
        with connection.cursor() as cur:
            cur.execute("SET max_parallel_workers_per_gather = 0")
    top = common.top_unit(scenario)
    year, as_of = common.REPORT_YEAR, dt.date.fromisoformat(common.AS_OF)
    params = {"path": top.path, "start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31), "as_of": as_of}

    def engine():
        ev = evaluate(top, year=year, as_of=as_of, rule_ids=list(STATEMENTS))
        return {r.rule_id: r.totals[DONE] for r in ev.results}

    def reference():
        return reference_counts(connection, params)

    def measure(fn):
        fn()  # warm-up
        walls, cpus, backend = [], [], []
        for _ in range(repeat):
            b, c, t = fixtures.backend_cpu(connection), fixtures.cpu(), time.perf_counter()
            result = fn()
            walls.append(time.perf_counter() - t)
            cpus.append(fixtures.cpu() - c)
            backend.append(fixtures.backend_cpu(connection) - b)
        return result, {"wall_min": round(min(walls), 3), "wall_median": round(statistics.median(walls), 3),
                        "cpu_median": round(statistics.median(cpus), 3),
                        "backend_cpu_median": round(statistics.median(backend), 3)}

    done, eng = measure(engine)
    ref_done, ref = measure(reference)
    return {"engine": eng, "reference": ref, "agree": done == ref_done}


def _commit(src: Path) -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=src, capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", help="source tree A (a src directory)")
    parser.add_argument("--b", help="source tree B")
    parser.add_argument("--scenario", default="province", choices=["company", "province", "central"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--serial", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.scenario, args.repeat, args.serial)))
        return
    if not (args.a and args.b):
        parser.error("--a and --b name the two source trees")
    sides = {"a": Path(args.a).resolve(), "b": Path(args.b).resolve()}
    rounds: dict[str, list] = {"a": [], "b": []}
    for _ in range(args.rounds):
        for name, src in sides.items():
            cmd = [sys.executable, __file__, "--child", "--scenario", args.scenario, "--repeat", str(args.repeat)]
            out = subprocess.run(cmd + (["--serial"] if args.serial else []), check=True, capture_output=True,
                                 text=True, env={**os.environ, "PYTHONPATH": str(src)}).stdout
            row = json.loads(out.strip().splitlines()[-1]) | {"load_average": [round(x, 2) for x in os.getloadavg()]}
            rounds[name].append(row)
            e, r = row["engine"], row["reference"]
            print(f"{name} wall {e['wall_min']:.3f}/{e['wall_median']:.3f} s (ref {r['wall_median']:.3f}), "
                  f"CPU {e['cpu_median']:.2f} + backend {e['backend_cpu_median']:.2f} s "
                  f"(ref backend {r['backend_cpu_median']:.2f}), agree {row['agree']}, load {row['load_average'][0]}",
                  flush=True)
    summary = {}
    for name, rows in rounds.items():
        eng = [r["engine"] for r in rows]
        ref = [r["reference"] for r in rows]
        summary[name] = {
            "src": str(sides[name]), "commit": _commit(sides[name]),
            "wall_min": min(e["wall_min"] for e in eng),
            "wall_median": round(statistics.median(e["wall_median"] for e in eng), 3),
            "reference_wall_median": round(statistics.median(r["wall_median"] for r in ref), 3),
            "cpu_median": round(statistics.median(e["cpu_median"] for e in eng), 3),
            "backend_cpu_median": round(statistics.median(e["backend_cpu_median"] for e in eng), 3),
            "reference_backend_cpu_median": round(statistics.median(r["backend_cpu_median"] for r in ref), 3),
            "ratio_median": round(statistics.median(e["wall_median"] / r["wall_median"] for e, r in zip(eng, ref,
                                                                                                   strict=True)), 2),
            "cpu_ratio_median": round(statistics.median((e["cpu_median"] + e["backend_cpu_median"])
                                                        / r["backend_cpu_median"] for e, r in zip(eng, ref, strict=True)),
                                      2),
            "agree": all(r["agree"] for r in rows),
        }
        print(name, summary[name])
    common.RESULTS.mkdir(exist_ok=True)
    path = common.RESULTS / f"check_ab_{args.scenario}.json"
    path.write_text(json.dumps({"measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                                "machine": {"nproc": os.cpu_count()}, "serial": args.serial, "repeat": args.repeat,
                                "summary": summary, "rounds": rounds}, ensure_ascii=False, indent=1) + "\n")
    print("→", path)


if __name__ == "__main__":
    main()
