"""What every benchmark shares: the database of a scenario (built once, reused), timing, figures, results.

A benchmark is a plain script: ``python bench/<name>.py [--scenario province]``. It uses its own PostgreSQL
database ``lvzhi_bench_<scenario>`` at 127.0.0.1:5432 (built with ``lvzhi scale-data`` the first time) and its
own var directory, prints its figures and writes ``bench/results/<name>.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
PG = os.environ.get("LVZHI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
YEARS = {"company": 2, "province": 2, "central": 2}  # the report year and the year before (year-on-year figures)
REPORT_YEAR = 2024
AS_OF = "2025-01-31"  # after the year's grace periods: every period of the report year is judged


def db_name(scenario: str) -> str:
    """The scenario's database; LVZHI_BENCH_DATABASE names a copy instead (a benchmark that writes, run beside
    others reading the shared one)."""
    return os.environ.get("LVZHI_BENCH_DATABASE") or f"lvzhi_bench_{scenario}"


def db_url(scenario: str) -> str:
    return f"{PG}/{db_name(scenario)}"


def setup(scenario: str) -> None:
    """Point Django at the scenario's database (building it on first use) and set Django up."""
    os.environ["LVZHI_DATABASE_URL"] = db_url(scenario)
    os.environ.setdefault("LVZHI_VAR_DIR", f"/tmp/lvzhi-bench-{scenario}")
    os.environ.setdefault("LVZHI_AS_OF", AS_OF)
    os.environ["DJANGO_SETTINGS_MODULE"] = "lvzhi.settings"
    ensure_database(scenario)
    import django

    django.setup()


def _lvzhi(*args: str) -> None:
    exe = Path(sys.executable).with_name("lvzhi")
    subprocess.run([str(exe), *args], check=True, env=os.environ.copy())


def ensure_database(scenario: str) -> None:
    import psycopg

    name = db_name(scenario)
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    _lvzhi("migrate", "-v0")
    with psycopg.connect(db_url(scenario)) as conn:
        built = conn.execute("SELECT 1 FROM org_unit WHERE code = %s",
                             [{"company": "SCC", "province": "SCP", "central": "SCZ"}[scenario]]).fetchone()
    if not built:
        print(f"[bench] 首次使用：生成 {scenario} 规模数据（{YEARS[scenario]} 年）……", flush=True)
        _lvzhi("scale-data", "--scenario", scenario, "--years", str(YEARS[scenario]), "--end-year", str(REPORT_YEAR))


def top_unit(scenario: str):
    from lvzhi.org.models import Unit
    from lvzhi.scale.scenarios import SCENARIOS

    return Unit.objects.get(code=SCENARIOS[scenario].code)


# --- timing ---------------------------------------------------------------------------------------------

def timed(fn, repeat: int = 3, warmup: int = 1) -> tuple[float, object]:
    """Median wall time of ``repeat`` runs after ``warmup`` runs (warm caches, as a server would have)."""
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def figure(name: str, value, reference=None, goal: str = "", met: bool | None = None, unit: str = "s",
           **extra) -> dict:
    ratio = round(value / reference, 3) if reference not in (None, 0) and value is not None else None
    return {"name": name, "value": _round(value), "reference": _round(reference), "ratio": ratio, "goal": goal,
            "met": met, "unit": unit, **extra}


def _round(v):
    return round(v, 4) if isinstance(v, float) else v


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        with open("/proc/meminfo") as fh:
            info["ram_gib"] = round(int(fh.readline().split()[1]) / 1048576, 1)
        with open("/proc/cpuinfo") as fh:
            info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), "")
    except OSError:
        pass
    # A figure means little without the code it measured and how busy the machine was while it ran.
    info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                        text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        info["commit"] += "（有未提交的修改）" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        info["commit"] = ""
    try:
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SHOW server_version")
                info["postgresql"] = cur.fetchone()[0]
                cur.execute("SHOW shared_buffers")
                info["shared_buffers"] = cur.fetchone()[0]
                cur.execute("SHOW work_mem")
                info["work_mem"] = cur.fetchone()[0]
    except Exception:  # noqa: BLE001 - machine facts are best effort
        pass
    return info


def write_results(name: str, figures: list[dict], **extra) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    # UTC with its offset, and the run it belongs to (run_all.sh names one): figures of different runs must not be
    # read as one.
    data = {"name": name, "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "run": os.environ.get("LVZHI_BENCH_RUN", ""), "machine": machine(), "figures": figures, **extra}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print_figures(name, figures)
    print(f"[bench] 结果已写入 {path.relative_to(ROOT)}")
    return path


def print_figures(name: str, figures: list[dict]) -> None:
    print(f"\n== {name} ==")
    for f in figures:
        met = {True: "达标", False: "未达标", None: "—"}[f["met"]]
        ref = f" 参照 {f['reference']}{f['unit']}" if f["reference"] is not None else ""
        ratio = f" 比值 {f['ratio']}" if f["ratio"] is not None else ""
        print(f"  {f['name']}: {f['value']}{f['unit']}{ref}{ratio}  目标 {f['goal'] or '—'}  {met}")


def sql_file(name: str) -> str:
    return (BENCH / "sql" / name).read_text(encoding="utf-8")
