#!/usr/bin/env bash
# Every benchmark, one after the other (they must not share the 2 cores), results in bench/results/.
#   bench/run_all.sh            province and central
#   bench/run_all.sh province   the province only (the central needs ~30 min to build and ~20 min to store a year)
# First use builds the databases (province ~1 min, central ~27 min on 2 cores); later runs reuse them.
set -euo pipefail
cd "$(dirname "$0")"
PY=../.venv/bin/python
SCENARIOS="${1:-province central}"
# Every result of this run carries the same run name (bench/results/*.json "run").
export LVZHI_BENCH_RUN="${LVZHI_BENCH_RUN:-$(date -u +%Y%m%dT%H%M%SZ)-$(git rev-parse --short HEAD)}"
echo "[bench] run $LVZHI_BENCH_RUN: $SCENARIOS"
for s in $SCENARIOS; do
  $PY report_figures.py --scenario "$s"
  if [ "$s" = central ]; then $PY obligations.py --scenario central --repeat 1; else $PY obligations.py --scenario "$s"; fi
  $PY check_memory.py --scenario "$s"   # lvzhi check --all: peak memory per rule
  $PY stored.py --scenario "$s"      # stores the report year's results, which the pages then read
  $PY stored_summary.py --scenario "$s"
done
$PY import_xlsx.py
$PY import_dataset.py --scenario province
$PY render.py
$PY page_cpu.py
$PY after_write.py   # what one write costs each page (writes and deletes its records, as pages.py's writer does)
$PY pages.py --write-every 2
$PY yearend.py --sample 60
